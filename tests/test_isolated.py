"""A large upload is parsed in a child process: the same LoadedLog as in the server's own, its progress and its
errors carried back, and the child stopped when the page stops waiting for it."""

from __future__ import annotations

import gzip
import io
import multiprocessing

import pandas as pd
import pytest

from dashboard import isolated
from dashboard.errors import DataBloomError
from dashboard.ingest.sources import SourceError
from dashboard.pipeline import load_log
from support.samples import generate_lines

BAD_LINE = b'this is not a log line at all "GET / HTTP/1.1"'


@pytest.fixture
def always_isolated(monkeypatch):
    """Every input goes to a child process, however small."""
    monkeypatch.setattr(isolated, "ISOLATE_BYTES", 0)


def log_bytes(lines: int = 3000, compress: bool = True) -> bytes:
    rows, _ = generate_lines(lines, days=2, seed=7)
    text = b"\n".join([*rows[:10], BAD_LINE, *rows[10:]]) + b"\n"
    return gzip.compress(text) if compress else text


@pytest.mark.usefixtures("always_isolated")
def test_the_child_gives_the_log_the_server_would_have_parsed():
    data = log_bytes()
    seen: list[int] = []
    child = isolated.load_bytes(data, None, geoip=None, name="access.log.gz", progress=seen.append)
    here = load_log(io.BytesIO(data), None, name="access.log.gz")
    pd.testing.assert_frame_equal(child.frame, here.frame)
    assert child.parse.lines == here.parse.lines == 3001
    assert child.parse.rejected == here.parse.rejected == 1
    assert [r.line for r in child.parse.rejects] == [r.line for r in here.parse.rejects] == [11]
    assert child.parse.format.name == here.parse.format.name
    assert seen and seen == sorted(seen)  # the child's progress reached the page


@pytest.mark.usefixtures("always_isolated")
@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\x1f\x8b\x08\x00garbage that is no deflate stream", "gzip"),
        (b"BZh91AY&SY not a bzip2 stream after all", ""),
        (b"\x00\x01\x02 binary \xff\xfe nothing like a log\n" * 50, ""),
    ],
    ids=["corrupt gzip", "corrupt bzip2", "binary"],
)
def test_the_childs_errors_are_raised_here_as_there(data, message):
    with pytest.raises(DataBloomError) as here:
        load_log(io.BytesIO(data), None, name="bad.log")
    with pytest.raises(DataBloomError) as there:
        isolated.load_bytes(data, None, geoip=None, name="bad.log")
    assert type(there.value) is type(here.value)
    assert str(there.value) == str(here.value)
    assert message.lower() in str(there.value).lower()


@pytest.mark.usefixtures("always_isolated")
def test_a_page_that_stops_waiting_stops_the_child():
    class Stop(Exception):
        pass

    def stop(_done: int) -> None:
        raise Stop

    with pytest.raises(Stop):
        isolated.load_bytes(log_bytes(20000, compress=False), None, geoip=None, name="big.log", progress=stop)
    assert not [p for p in multiprocessing.active_children() if p.name == "databloom-parse"]


def test_small_inputs_stay_in_the_server(monkeypatch):
    monkeypatch.setattr(isolated.SPAWN, "Process", None)  # would fail if a child were started
    loaded = isolated.load_bytes(log_bytes(200), None, geoip=None, name="small.log.gz")
    assert loaded.parse.lines == 201


def test_an_error_that_cannot_travel_becomes_a_source_error_naming_the_input():
    class Unpicklable(Exception):
        def __init__(self, a, b):
            super().__init__(f"{a} and {b}")

    portable = isolated._portable(Unpicklable("x", "y"), "access.log")
    assert isinstance(portable, SourceError)
    assert str(portable) == "access.log: x and y"
    error = SourceError("access.log: not a valid gzip file")
    assert isolated._portable(error, "access.log") is error


@pytest.mark.usefixtures("always_isolated", "fresh_caches")
def test_the_page_shows_an_upload_parsed_in_a_child():
    from test_load_errors_page import BAD, GOOD, start, upload

    at = upload(start("traffic"), "good.log.gz", gzip.compress(GOOD + BAD_LINE + b"\n"))
    assert not at.exception and not at.error
    assert next(m.value for m in at.metric if m.label == "Requests") == "40"
    name, content, message = BAD["damaged deflate stream"]
    upload(at, name, content)
    errors = [e.value for e in at.main.error]
    assert len(errors) == 1 and message in errors[0], errors
