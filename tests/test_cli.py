"""``python -m dashboard``: summary (text and JSON), sample, cube, and clear errors."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from dashboard.cli import main
from support.loglines import UA_CHROME, UA_GOOGLEBOT, combined

ROOT = Path(__file__).resolve().parents[1]
SUMMARY_KEYS = {
    "format",
    "lines",
    "parsed",
    "rejected",
    "start",
    "end",
    "browsers",
    "countries",
    "statuses",
    "bots",
    "visitors",
    "buckets",
    "rejects",
}


@pytest.fixture
def log(write_log):
    lines = [
        combined("8.8.8.8", "01/Jun/2026:10:00:00 +0200", "GET / HTTP/1.1", 200, 10, agent=UA_CHROME),
        combined("81.2.69.160", "01/Jun/2026:12:00:00 +0000", "GET /x HTTP/1.1", 503, 0, agent=UA_GOOGLEBOT),
        "%%% not a log line",
    ]
    return write_log(lines)


def test_summary_json_shape(log, capsys):
    assert main(["summary", str(log), "--json", "--bucket", "1h"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert set(doc) >= SUMMARY_KEYS
    assert doc["format"] == "combined"
    assert (doc["lines"], doc["parsed"], doc["rejected"]) == (3, 2, 1)
    assert doc["start"] == "2026-06-01T08:00:00+00:00"
    assert doc["end"] == "2026-06-01T12:00:00+00:00"
    assert doc["browsers"] == {"Chrome": 1, "Googlebot": 1}
    assert doc["countries"] == {"US": 1, "GB": 1}
    assert doc["statuses"] == {"2xx": 1, "5xx": 1}
    assert doc["bots"] == 1
    assert doc["visitors"] == 2
    assert doc["buckets"] == 2
    assert doc["rejects"][0]["line"] == 3
    assert doc["rejects"][0]["reason"] == "not this format"


def test_summary_text_and_time_zone(log, capsys):
    assert main(["summary", str(log), "--tz", "Asia/Kolkata"]) == 0
    out = capsys.readouterr().out
    assert "Format:    combined" in out
    assert "3 = 2 parsed + 1 rejected" in out
    assert "2026-06-01T13:30:00+05:30" in out
    assert "not this format" in out


def test_summary_with_named_and_custom_formats(log, capsys):
    assert (
        main(["summary", str(log), "--json", "--format", '%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-Agent}i"']) == 0
    )
    assert json.loads(capsys.readouterr().out)["parsed"] == 2


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["summary", "/nonexistent/access.log"], "no such file"),
        (["summary", "{log}", "--format", "bogus"], "unknown format"),
        (["summary", "{log}", "--geoip", "/nonexistent.mmdb"], "nonexistent.mmdb"),
        (["summary", "{log}", "--bucket", "1M"], "bucket"),
        (["summary", "{log}", "--tz", "Mars/Olympus"], "time zone"),
    ],
)
def test_errors_are_one_clear_line(log, capsys, argv, message):
    argv = [a.replace("{log}", str(log)) for a in argv]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ")
    assert message in err
    assert "Traceback" not in err


def test_sample_then_summary_then_cube(tmp_path, capsys):
    out = tmp_path / "s.log.gz"
    assert main(["sample", "--lines", "3000", "--days", "2", "--seed", "5", "--out", str(out)]) == 0
    capsys.readouterr()
    assert gzip.decompress(out.read_bytes()).count(b"\n") == 3000
    sidecar = json.loads(Path(f"{out}.incidents.json").read_text())
    assert sidecar["lines"] == 3000
    cube_path = tmp_path / "cube.parquet"
    assert main(["cube", str(out), "--out", str(cube_path), "--bucket", "1h"]) == 0
    doc = json.loads(capsys.readouterr().out)
    cube = pd.read_parquet(cube_path)
    assert doc["parsed"] == cube["requests"].sum() == 3000
    assert {"bucket", "browser", "country", "status_class", "is_bot", "requests", "bytes"} <= set(cube.columns)


def test_module_entry_point(log):
    proc = subprocess.run(
        [sys.executable, "-m", "dashboard", "summary", str(log), "--json"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["parsed"] == 2
