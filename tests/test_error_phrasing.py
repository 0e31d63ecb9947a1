"""A corrupt archive is called one (not an unknown log format, not a zlib traceback), and one error reads in
the words of the surface that shows it: CLI flags in the terminal, the page's own controls on a page."""

from __future__ import annotations

import bz2
import gzip
import io
import json

import pytest

from dashboard.cli import main
from dashboard.errors import CLI, WEB, DataBloomError, phrased
from dashboard.ingest.formats.base import UnknownFormatError
from dashboard.ingest.formats.jsonlines import JsonKeysError
from dashboard.ingest.parse import parse_source
from dashboard.ingest.sources import SourceError
from support.loglines import UA_CHROME, combined

LOG = "".join(
    combined("8.8.8.8", f"01/Jun/2026:10:{i % 60:02d}:00 +0000", f"GET /p{i} HTTP/1.1", 200, 10, agent=UA_CHROME) + "\n"
    for i in range(2000)
).encode()


def damaged_deflate() -> bytes:
    """A gzip whose header is intact and whose deflate stream is overwritten: zlib fails mid-stream."""
    blob = bytearray(gzip.compress(LOG))
    blob[30:60] = b"\xff" * 30
    return bytes(blob)


CORRUPT = {
    "damaged deflate stream": ("access.log.gz", damaged_deflate(), "gzip"),
    "truncated gzip": ("access.log.gz", gzip.compress(LOG)[:300], "gzip"),
    "no gzip signature": ("access.log.gz", bytes(range(256)) * 20, "gzip"),
    "no bzip2 signature": ("access.log.bz2", b"\x00\x01garbage" * 300, "bzip2"),
    "truncated bzip2": ("access.log.bz2", bz2.compress(LOG)[:200], "bzip2"),
}


@pytest.mark.parametrize("case", list(CORRUPT))
def test_a_corrupt_archive_is_called_corrupt_from_a_path_and_an_upload(case, tmp_path):
    name, content, kind = CORRUPT[case]
    path = tmp_path / name
    path.write_bytes(content)
    for source, label in ((path, None), (io.BytesIO(content), name)):
        with pytest.raises(SourceError, match=f"not a valid {kind} file") as caught:
            parse_source(source, workers=1, name=label)
        assert name in str(caught.value)


@pytest.mark.parametrize("case", ["damaged deflate stream", "no gzip signature"])
def test_the_cli_says_not_a_valid_gzip_file_in_one_line(case, tmp_path, capsys):
    name, content, _ = CORRUPT[case]
    path = tmp_path / name
    path.write_bytes(content)
    assert main(["summary", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "not a valid gzip file" in err
    assert "Traceback" not in err and "format" not in err.split("not a valid")[0]


def test_a_text_log_named_plainly_still_reads(tmp_path):
    path = tmp_path / "access.log"
    path.write_bytes(LOG)
    assert parse_source(path, workers=1).parsed == 2000


def test_an_undetected_format_names_the_flag_in_the_cli_and_the_sidebar_on_a_page():
    with pytest.raises(UnknownFormatError) as caught:
        parse_source(io.BytesIO(b"hello world\n" * 20), workers=1)
    exc = caught.value
    assert "--format" in str(exc) and "--format" in phrased(exc, CLI)
    web = phrased(exc, WEB)
    assert "no known format" in web and "--" not in web and "sidebar" in web


def test_json_without_required_keys_points_to_custom_format_on_a_page():
    lines = "".join(json.dumps({"foo": i, "bar": "x"}) + "\n" for i in range(20)).encode()
    with pytest.raises(JsonKeysError) as caught:
        parse_source(io.BytesIO(lines), workers=1)
    assert "--format" in str(caught.value)
    web = phrased(caught.value, WEB)
    assert "keys seen: bar, foo" in web and "--format" not in web and "sidebar" in web


def test_an_error_without_a_remedy_reads_the_same_everywhere():
    exc = DataBloomError("x.log is empty")
    assert str(exc) == phrased(exc, CLI) == phrased(exc, WEB) == "x.log is empty"
    assert phrased(OSError("disk"), WEB) == "disk"
