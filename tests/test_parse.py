"""Parsing: every field of realistic lines per format and oddity, and exact accounting of every line."""

from __future__ import annotations

import bz2
import gzip
import io

import pytest

from dashboard.ingest.parse import _as_text, parse_source, parse_sources
from support.cases import COMBINED_CASES, REJECT_CASES, T
from support.loglines import UA_FIREFOX, combined


@pytest.mark.parametrize(("line", "expected"), COMBINED_CASES)
def test_combined_fields(write_log, line, expected):
    result = parse_source(write_log([line]), "combined")
    assert (result.lines, result.parsed, result.rejected) == (1, 1, 0)
    row = result.frame.iloc[0]
    for field, value in expected.items():
        assert row[field] == value, field


def test_non_utf8_bytes_are_kept_as_escapes(write_log):
    line = combined("192.0.2.1", T, "GET /caf\udce9 HTTP/1.1", 200, 1).encode("utf-8", "surrogateescape")
    result = parse_source(write_log([line]), "combined")
    assert result.parsed == 1
    assert result.frame.iloc[0]["path"] == "/caf\\xe9"


@pytest.mark.parametrize("last_unterminated", [False, True])
def test_as_text_rewrites_only_invalid_lines_and_keeps_every_line_in_place(last_unterminated):
    lines = [b"plain", b"caf\xc3\xa9 valid", b"bad \xe9 byte", b"", b"\xff\xfe", b"ok", b"tail \xc3"]
    data = b"\n".join(lines) + (b"" if last_unterminated else b"\n")
    expected = [
        line.decode("utf-8", "backslashreplace") + ("" if last_unterminated and k == 6 else "\n")
        for k, line in enumerate(lines)
    ]
    assert _as_text(data, last_unterminated).to_pylist() == expected


def test_crlf_line_endings(write_log):
    lines = [combined("192.0.2.1", T, "GET / HTTP/1.1", 200, 1) + "\r"] * 3
    result = parse_source(write_log(lines), "combined")
    assert result.parsed == 3
    assert result.frame.iloc[0]["user_agent"] == UA_FIREFOX


@pytest.mark.parametrize(("bad", "reason"), REJECT_CASES)
def test_rejects_have_line_number_and_reason(write_log, bad, reason):
    good = combined("192.0.2.1", T, "GET / HTTP/1.1", 200, 1)
    result = parse_source(write_log([good, bad, good]), "combined")
    assert (result.lines, result.parsed, result.rejected) == (3, 2, 1)
    assert [(r.line, r.reason) for r in result.rejects] == [(2, reason)]
    assert result.reasons == {reason: 1}


def test_truncated_last_line(write_log):
    good = combined("192.0.2.1", T, "GET / HTTP/1.1", 200, 1)
    path = write_log([good, good[:60]], newline_at_end=False)
    result = parse_source(path, "combined")
    assert (result.lines, result.parsed, result.rejected) == (2, 1, 1)
    assert result.rejects[0].reason == "truncated last line"
    assert result.rejects[0].line == 2


def test_complete_last_line_without_newline_parses(write_log):
    good = combined("192.0.2.1", T, "GET / HTTP/1.1", 200, 1)
    result = parse_source(write_log([good, good], newline_at_end=False), "combined")
    assert (result.lines, result.parsed) == (2, 2)


def test_empty_file(write_log):
    result = parse_source(write_log([]), "combined")
    assert (result.lines, result.parsed, result.rejected) == (0, 0, 0)
    assert list(result.frame.columns)[:2] == ["time", "ip"]


def test_ten_megabyte_line_is_rejected_not_held(write_log):
    good = combined("192.0.2.1", T, "GET / HTTP/1.1", 200, 1)
    huge = combined("192.0.2.1", T, "GET /" + "a" * 10_000_000 + " HTTP/1.1", 200, 1)
    result = parse_source(write_log([good, huge, good, good]), "combined")
    assert (result.lines, result.parsed, result.rejected) == (4, 3, 1)
    assert result.rejects[0].line == 2
    assert result.rejects[0].reason == "line too long"
    assert len(result.rejects[0].raw) <= 600


def test_huge_final_line_without_newline(write_log):
    good = combined("192.0.2.1", T, "GET / HTTP/1.1", 200, 1)
    result = parse_source(write_log([good, "x" * 3_000_000], newline_at_end=False), "combined")
    assert (result.lines, result.parsed, result.rejected) == (2, 1, 1)
    assert result.rejects[0].reason == "line too long"


def test_binary_file_gives_clear_error(tmp_path):
    from dashboard.ingest.formats import UnknownFormatError

    path = tmp_path / "image.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 200)
    with pytest.raises(UnknownFormatError, match="cannot detect"):
        parse_source(path)


def test_binary_file_with_format_accounts_every_line(tmp_path):
    data = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 200
    path = tmp_path / "image.png"
    path.write_bytes(data)
    result = parse_source(path, "combined")
    assert result.parsed == 0
    assert result.rejected == result.lines == data.count(b"\n") + (0 if data.endswith(b"\n") else 1)


@pytest.mark.parametrize("compress", [gzip.compress, bz2.compress], ids=["gzip", "bzip2"])
def test_compressed_files_and_uploads(tmp_path, compress):
    lines = "\n".join(combined("192.0.2.1", T, f"GET /{i} HTTP/1.1", 200, i) for i in range(500)) + "\n"
    blob = compress(lines.encode())
    path = tmp_path / "access.log.z"
    path.write_bytes(blob)
    from_path = parse_source(path)
    from_upload = parse_source(io.BytesIO(blob), name="upload.gz")
    assert from_path.parsed == from_upload.parsed == 500
    assert from_path.frame["bytes"].sum() == sum(range(500))


def test_truncated_gzip_is_a_clear_error(tmp_path):
    from dashboard.ingest.sources import SourceError

    lines = "\n".join(combined("192.0.2.1", T, f"GET /{i} HTTP/1.1", 200, i) for i in range(5000)).encode()
    path = tmp_path / "cut.log.gz"
    path.write_bytes(gzip.compress(lines)[:2000])
    with pytest.raises(SourceError, match="gzip"):
        parse_source(path)


def test_many_chunks_keep_line_numbers(write_log, monkeypatch):
    import dashboard.ingest.sources as sources

    monkeypatch.setattr(sources, "CHUNK_BYTES", 4096)
    monkeypatch.setattr(sources, "READ_BYTES", 1000)
    good = combined("192.0.2.1", T, "GET / HTTP/1.1", 200, 1)
    lines = [good if i % 97 else "garbage" for i in range(1, 3001)]
    result = parse_source(write_log(lines), "combined")
    assert result.lines == 3000
    assert [r.line for r in result.rejects] == [i for i in range(1, 3001) if i % 97 == 0]


def test_merge_sources_in_time_order(write_log):
    a = write_log(
        [combined("192.0.2.1", f"01/Jun/2026:10:0{i}:00 +0000", "GET /a HTTP/1.1", 200, 1) for i in (0, 2, 4)], "a.log"
    )
    b = write_log(
        [combined("192.0.2.2", f"01/Jun/2026:10:0{i}:00 +0000", "GET /b HTTP/1.1", 200, 1) for i in (1, 3)], "b.log"
    )
    result = parse_sources([a, b])
    assert result.lines == 5
    assert list(result.frame["path"]) == ["/a", "/b", "/a", "/b", "/a"]
    assert result.sources == ["a.log", "b.log"]


def test_reject_sample_is_bounded_but_count_is_exact(write_log):
    result = parse_source(
        write_log(["garbage"] * 3000 + [combined("192.0.2.1", T, "GET / HTTP/1.1", 200, 1)]), "combined"
    )
    assert result.rejected == 3000
    assert len(result.rejects) == 1000
