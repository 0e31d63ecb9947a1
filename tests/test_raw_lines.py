"""Rows remember their line number, and the real line comes back by it: plain, gzip, upload, several sources."""

from __future__ import annotations

import gzip
import io

import numpy as np
import pytest

from dashboard.ingest import sources
from dashboard.ingest.parse import parse_source, parse_sources
from dashboard.ingest.raw import read_lines
from dashboard.schema import LINE, SOURCE_ID
from support.loglines import combined as _combined

WHEN = "10/Oct/2026:13:55:36 +0000"


def combined(
    ip="203.0.113.1",
    path="/",
    status=200,
    agent="Mozilla/5.0 (X11; Linux x86_64; rv:131.0) Gecko/20100101 Firefox/131.0",
    time=WHEN,
):
    """A combined line with the fields these tests vary."""
    return _combined(ip, time, f"GET {path} HTTP/1.1", status, 512, agent=agent)


LINES = [
    combined(ip="203.0.113.9", path="/a"),
    "this is not a log line",
    "",
    combined(ip="198.51.100.7", path="/b?q=1", status=503),
    combined(ip="192.0.2.1", path="/café/ünïcode"),
    "\x00\x01 binary",
    combined(ip="192.0.2.2", path="/last"),
]
TEXT = "\r\n".join(LINES[:3]) + "\r\n" + "\n".join(LINES[3:])  # mixed endings, no final newline


def _check(frame, source, texts):
    got = read_lines(source, frame[LINE].tolist())
    for number, path in zip(frame[LINE].tolist(), frame["path"].tolist(), strict=True):
        assert got[number] == texts[number - 1]
        assert path in got[number]


@pytest.mark.parametrize("packed", ["plain", "gzip", "upload"])
def test_rows_give_back_their_real_line(tmp_path, packed):
    data = TEXT.encode()
    if packed == "gzip":
        data = gzip.compress(data)
    source = io.BytesIO(data) if packed == "upload" else tmp_path / "access.log"
    if packed != "upload":
        source.write_bytes(data)
    frame = parse_source(source, "combined").frame
    assert frame[LINE].tolist() == [1, 4, 5, 7]  # the rejected and blank lines keep their numbers
    assert frame[LINE].dtype == np.uint32
    _check(frame, source, LINES)


def test_line_numbers_follow_chunks_and_sort(tmp_path, monkeypatch):
    """Over many chunks and out-of-order times, each row still points at its own line."""
    lines = [
        combined(ip=f"10.0.{i // 250}.{i % 250}", path=f"/p{i}", time=f"10/Oct/2026:13:{59 - i % 60:02d}:00 +0000")
        for i in range(3000)
    ]
    path = tmp_path / "many.log"
    path.write_text("\n".join(lines) + "\n")
    monkeypatch.setattr(sources, "READ_BYTES", 4096)
    monkeypatch.setattr(sources, "CHUNK_BYTES", 16_384)
    with open(path, "rb") as stream:
        assert sum(1 for _ in sources.iter_chunks(stream)) > 5
    frame = parse_source(path, "combined", workers=2).frame
    got = read_lines(path, frame[LINE].tolist())
    assert all(got[n] == lines[n - 1] for n in frame[LINE].tolist())
    assert all(f"/p{n - 1} " in got[n] for n in frame[LINE].tolist())


def test_several_sources_carry_their_index(tmp_path):
    first, second = tmp_path / "a.log", tmp_path / "b.log"
    first.write_text(combined(path="/from-a", time="10/Oct/2026:13:00:02 +0000") + "\n")
    second.write_text("junk\n" + combined(path="/from-b", time="10/Oct/2026:13:00:01 +0000") + "\n")
    result = parse_sources([first, second], "combined")
    rows = result.frame.sort_values(LINE)
    assert result.frame[SOURCE_ID].tolist() == [1, 0]  # sorted by time: b's row first
    for source_id, number, path in zip(rows[SOURCE_ID], rows[LINE], rows["path"], strict=True):
        source = [first, second][source_id]
        assert path in read_lines(source, [number])[number]


def test_numbers_outside_the_source_are_absent(tmp_path):
    path = tmp_path / "short.log"
    path.write_text("one\ntwo\n")
    assert read_lines(path, [0, 2, 3, 99]) == {2: "two"}
    assert read_lines(path, []) == {}


def test_selection_pages_search_and_export(tmp_path):
    from dashboard.analysis import lines as selection
    from dashboard.analysis.filters import Filter

    texts = [combined(ip=f"198.51.100.{i}", path=f"/p{i}", status=503 if i % 3 == 0 else 200) for i in range(1, 31)]
    path = tmp_path / "a.log"
    path.write_text("\n".join(texts) + "\n")
    frame = parse_source(path, "combined").frame.iloc[::-1]  # any row order: keys come back in log order
    keys = selection.select(frame, [Filter("status", "is", "5xx")])
    assert keys.tolist() == [3, 6, 9, 12, 15, 18, 21, 24, 27, 30]
    assert selection.page_keys(keys, 1, size=4).tolist() == [15, 18, 21, 24]
    assert selection.page_keys(keys, 99, size=4).tolist() == [27, 30]  # clamped to the last page
    openers = [lambda: path]
    assert selection.search(openers, keys, "/p1", regex=False).tolist() == [12, 15, 18]
    assert selection.search(openers, keys, r"/p\d ", regex=True).tolist() == [3, 6, 9]
    exported = selection.export_text(openers, keys, limit=3).decode()
    assert exported == "".join(texts[n - 1] + "\n" for n in (3, 6, 9))
    with pytest.raises(selection.NoLineNumbers):
        selection.select(frame.drop(columns=[LINE]), [])
