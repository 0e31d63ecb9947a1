"""Hostile uploads through the real code paths: ``parse_source`` on file objects, and the page's uploader.

A gzip bomb is cut at the decompression limit with a clear message and bounded memory; a PNG, a truncated
gzip, UTF-16 text and a huge single line give one clear message, and the page keeps the previous data.
"""

from __future__ import annotations

import bz2
import gzip
import io
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.ingest import sources
from dashboard.ingest.formats import FORMATS, UnknownFormatError
from dashboard.ingest.parse import LINE_TOO_LONG, parse_source
from dashboard.ingest.sources import SourceError
from dashboard.sample.hostile import gzip_bomb, hostile_log, lazy_line, reset_peak_rss, rss_kb

APP = Path(__file__).resolve().parents[2] / "app.py"
SAMPLE_LINES = 2000
TIMEOUT = 120
LIMIT = 64 << 20  # the decompression limit the tests configure
BOMB_BYTES = 512 << 20  # decompressed size of the CI bomb (bench/adversarial.py uses 1 GiB)
HUGE_LINE = 500 << 20  # generated lazily: never held in memory
RSS_GROWTH_KB = 200 << 10  # a bounded-memory input must not grow the peak RSS by more than this


@pytest.fixture(scope="module")
def bomb() -> bytes:
    return gzip_bomb(BOMB_BYTES)


@pytest.fixture
def limit(monkeypatch):
    """Lower the process-wide decompression limit, which every caller that gives none (upload included) uses."""
    monkeypatch.setattr(sources, "MAX_DECOMPRESSED_BYTES", LIMIT)
    return LIMIT


def peak_growth_kb(func):
    """Run ``func``; return its result (or exception) and how far the peak RSS rose above the current RSS."""
    if not reset_peak_rss():
        pytest.skip("cannot reset VmHWM on this kernel")
    before = rss_kb("VmRSS")
    try:
        out = func()
    except Exception as exc:  # returned for the caller to check
        out = exc
    return out, rss_kb("VmHWM") - before


def test_gzip_bomb_is_cut_at_the_limit_with_bounded_memory(bomb, limit):
    assert len(bomb) < BOMB_BYTES // 500  # really a bomb
    out, growth = peak_growth_kb(lambda: parse_source(io.BytesIO(bomb), workers=1))
    assert isinstance(out, SourceError), out
    assert f"more than {limit:,} bytes" in str(out) and "limit" in str(out)
    assert growth < RSS_GROWTH_KB, f"peak RSS grew by {growth / 1024:.0f} MB"


def test_bzip2_bomb_is_cut_at_the_limit(limit):
    out, _ = peak_growth_kb(lambda: parse_source(io.BytesIO(bz2.compress(bytes(2 * LIMIT))), workers=1))
    assert isinstance(out, SourceError) and "bzip2" in str(out) and "limit" in str(out)


def test_gzip_bomb_under_the_default_limit_is_bounded_and_rejected(bomb):
    """Without a lower limit (default 8 GiB) the bomb is read through in bounded memory and explained."""
    out, growth = peak_growth_kb(lambda: parse_source(io.BytesIO(bomb), FORMATS["combined"], workers=1))
    assert not isinstance(out, Exception), out
    assert out.lines == 1 and out.parsed == 0 and out.reasons == {LINE_TOO_LONG: 1}
    assert growth < RSS_GROWTH_KB, f"peak RSS grew by {growth / 1024:.0f} MB"


def test_500_mb_single_line_costs_no_memory():
    out, growth = peak_growth_kb(lambda: parse_source(lazy_line(HUGE_LINE), FORMATS["combined"], workers=1))
    assert not isinstance(out, Exception), out
    assert (out.lines, out.parsed, out.rejected) == (1, 0, 1)
    assert out.rejects[0].reason == LINE_TOO_LONG and out.rejects[0].raw.startswith("aaaa")
    assert growth < RSS_GROWTH_KB, f"peak RSS grew by {growth / 1024:.0f} MB"


def test_500_mb_single_line_with_detection_is_one_clear_error():
    out, _ = peak_growth_kb(lambda: parse_source(lazy_line(HUGE_LINE), workers=1))
    assert isinstance(out, UnknownFormatError), out


TEXT = hostile_log()
BAD_FILES = {
    "png": ("pixel.png.log", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 40, "binary"),
    "truncated gzip": ("cut.log.gz", gzip.compress(TEXT * 50)[:400], "corrupt or truncated gzip"),
    "utf-16": ("wide.log", TEXT.decode().encode("utf-16"), "UTF-16 text"),
    "utf-16-be": ("wide-be.log", TEXT.decode().encode("utf-16-be"), "binary"),
    "huge line": ("one-line.log", b"a" * (16 << 20) + b"\n", "line"),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_bad_file_objects_give_one_clear_error(case):
    _, content, message = BAD_FILES[case]
    with pytest.raises((SourceError, UnknownFormatError), match=message):
        parse_source(io.BytesIO(content), workers=1)


# --- the page -------------------------------------------------------------------------------------------


@pytest.fixture
def app(monkeypatch):
    from dashboard.views import cache

    monkeypatch.setenv("DATABLOOM_ARGS", f"--sample-lines {SAMPLE_LINES}")
    cache.clear_all()
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT).run()
    at.radio(key="source").set_value("Upload").run()
    yield at
    cache.clear_all()


def requests_shown(at: AppTest) -> str:
    return next(m.value for m in at.metric if m.label == "Requests")


def upload(at: AppTest, name: str, content: bytes) -> AppTest:
    at.file_uploader[0].set_value((name, content, "application/octet-stream")).run()
    return at


def test_page_cuts_a_gzip_bomb_and_reports_it_instead_of_the_previous_data(app, bomb, monkeypatch):
    # The operator's option; the app reads its options on every run.
    monkeypatch.setenv("DATABLOOM_ARGS", f"--sample-lines {SAMPLE_LINES} --max-decompressed-mb {LIMIT >> 20}")
    upload(app, "good.log", TEXT)
    before = requests_shown(app)
    assert before == "40"
    upload(app, "bomb.log.gz", bomb)
    assert not app.exception
    assert any("configured limit" in e.value for e in app.main.error), [e.value for e in app.error]
    assert not app.metric


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_page_shows_one_error_instead_of_the_previous_data(app, case):
    name, content, message = BAD_FILES[case]
    upload(app, "good.log", TEXT)
    upload(app, name, content)
    assert not app.exception
    errors = [e.value for e in app.error]
    assert len(errors) == 1 and message in errors[0], errors
    assert "Traceback" not in errors[0]
    assert not app.metric
    upload(app, "good-again.log", TEXT.replace(b"8.8.", b"9.9."))  # still working afterwards
    assert not app.exception and not app.error
    assert requests_shown(app) == "40"
