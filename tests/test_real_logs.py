"""Every log in ../shared/real-logs (written by real servers) parses, with the figures its SOURCES.md gives.

GoAccess 1.7's figures (requests / valid / failed; unique visitors) are quoted in SOURCES.md; the test checks
that the file still says so, then that we count the same. Skipped, with the reason, where the folder is absent.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from dashboard.analysis.visitors import unique_visitors
from dashboard.ingest.parse import parse_source, parse_sources

ROOT = Path(__file__).resolve().parents[1]
# ../shared/real-logs beside the checkout (a worktree sits one level deeper), or DATABLOOM_REAL_LOGS.
CANDIDATES = [Path(os.environ.get("DATABLOOM_REAL_LOGS", ROOT / "real-logs"))] + [
    parent / "shared" / "real-logs" for parent in ROOT.parents
]
REAL_LOGS = next((c for c in CANDIDATES if (c / "SOURCES.md").is_file()), ROOT.parent / "shared" / "real-logs")
SOURCES = REAL_LOGS / "SOURCES.md"
pytestmark = pytest.mark.skipif(not SOURCES.is_file(), reason=f"{REAL_LOGS} is absent (the shared real logs)")

# file → (format we detect, rejected, reject reasons); the line counts come from SOURCES.md's table.
EXPECTED = {
    "lnav_zanbil_nginx.log": ("combined", {}),
    "lnav_caddy.json.log": ("caddy", {}),
    "basjes_hackers_combined.log": ("combined", {}),
    "matomo_nginx.json.log": ("json", {}),
    "matomo_caddy.json.log": ("caddy", {}),
    "f2b_nginx_bad_request.log": ("combined", {}),
    # nginx error-log lines mixed into the access log: GoAccess counts them failed as well (14 / 8 / 6).
    "f2b_nginx_botsearch.log": ("combined", {"not this format": 6}),
    "ddoser_nginx_combined.log": ("combined", {}),
}
# SOURCES.md's sentence → (file, requests, valid, failed, visitors, time zone the visitor days are counted in).
GOACCESS = [
    ("zanbil 1000/1000/0, 110", "lnav_zanbil_nginx.log", 1000, 1000, 0, 110, "UTC"),
    ("ddoser 858/858/0, 7", "ddoser_nginx_combined.log", 858, 858, 0, 7, "UTC"),
    ("basjes 3456/3456/0, 672", "basjes_hackers_combined.log", 3456, 3456, 0, 672, "Etc/GMT-1"),  # +0100
    ("(674 in UTC)", "basjes_hackers_combined.log", 3456, 3456, 0, 674, "UTC"),
]


def table_lines() -> dict[str, int]:
    """SOURCES.md's table: file → lines."""
    rows = re.findall(r"^\| `([^`]+)` \|[^|]*\|[^|]*\|[^|]*\| ([\d,]+) \|", SOURCES.read_text(), re.MULTILINE)
    return {name: int(lines.replace(",", "")) for name, lines in rows}


def test_every_file_is_listed_and_expected():
    listed = table_lines()
    present = {p.name for p in REAL_LOGS.glob("*.log")}
    assert set(listed) == present == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_real_log_parses_with_the_lines_sources_gives(name):
    result = parse_source(REAL_LOGS / name)
    fmt, reasons = EXPECTED[name]
    assert result.format.name == fmt
    assert result.lines == table_lines()[name]
    assert dict(result.reasons) == reasons
    assert result.parsed + result.rejected == result.lines
    frame = result.frame
    assert frame["time"].notna().all() and frame["status"].between(100, 599).all()
    if fmt in ("caddy", "json"):  # JSON: no row without its client and agent
        assert (frame["ip"].astype(str) != "").all() and (frame["user_agent"].astype(str) != "").all()


@pytest.mark.parametrize(("sentence", "name", "requests", "valid", "failed", "visitors", "tz"), GOACCESS)
def test_goaccess_figures(sentence, name, requests, valid, failed, visitors, tz):
    assert sentence in " ".join(SOURCES.read_text().split()), "SOURCES.md no longer gives this figure"
    result = parse_source(REAL_LOGS / name)
    assert (result.lines, result.parsed, result.rejected) == (requests, valid, failed)
    assert unique_visitors(result.frame, tz) == visitors


def test_real_caddy_fields():
    row = parse_source(REAL_LOGS / "lnav_caddy.json.log").frame.iloc[0]
    # client_ip (the client behind the proxy) is taken over remote_ip (the proxy)
    assert (row["ip"], row["method"], row["protocol"], row["status"]) == ("10.10.10.117", "GET", "HTTP/2.0", 200)
    assert row["user_agent"].startswith("facebookexternalhit/1.1")


def test_real_matomo_nginx_json_fields():
    row = parse_source(REAL_LOGS / "matomo_nginx.json.log").frame.iloc[0]
    assert (row["ip"], row["vhost"], row["path"], row["status"], row["bytes"]) == (
        "1.2.3.4",
        "www.piwik.org",
        "/piwik.php",
        200,
        192,
    )
    assert str(row["time"]) == "2013-10-10 14:52:00+00:00"
    assert row["query"].startswith("action_name=Clearcode")


def test_real_escaped_binary_request_stays_visible():
    frame = parse_source(REAL_LOGS / "f2b_nginx_bad_request.log").frame
    paths = frame["path"].astype(str).tolist()
    assert any(p.startswith("\\x03\\x00\\x00/*\\xE0") for p in paths)  # binary: kept as written, not decoded


def test_merging_real_logs_of_several_formats_keeps_each_format():
    names = ["lnav_caddy.json.log", "lnav_zanbil_nginx.log", "matomo_nginx.json.log"]
    result = parse_sources([REAL_LOGS / n for n in names])
    assert dict(zip(result.sources, result.formats, strict=True)) == dict(
        zip(names, ["caddy", "combined", "json"], strict=True)
    )
    assert result.parsed == 4 + 1000 + 2
