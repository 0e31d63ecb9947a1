"""The Audience surfaces end to end: ``summary --json``'s new fields in a whole process, the sample's response
times, the Audience page in AppTest (with and without response times), and the page agreeing with the summary."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.analysis.timing import NO_COLUMN
from dashboard.render.audience import format_seconds, format_share
from dashboard.sample import write_sample
from support.loglines import UA_CHROME, combined

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "tests" / "support" / "audience_app.py"
TIMEOUT = 120
SAMPLE_LINES = 4000


def summary(*argv: str) -> dict:
    """``python -m dashboard summary ... --json`` in its own process."""
    proc = subprocess.run(
        [sys.executable, "-m", "dashboard", "summary", *argv, "--json"], capture_output=True, text=True, cwd=ROOT
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


@pytest.fixture
def timed_log(write_log) -> Path:
    """Two visitors: one visit of three pages (and an asset), one bounce; response times in microseconds."""
    rows = [
        ("8.8.8.8", "10:00:00", "GET /?utm_source=News HTTP/1.1", 200, 100_000),
        ("8.8.8.8", "10:00:01", "GET /static/app.js HTTP/1.1", 200, 2_000),
        ("8.8.8.8", "10:05:00", "GET /pricing HTTP/1.1", 200, 300_000),
        ("8.8.8.8", "10:10:00", "GET /about HTTP/1.1", 304, 50_000),
        ("8.8.4.4", "11:00:00", "GET /blog/ HTTP/1.1", 200, 1_200_000),
        ("8.8.4.4", "11:00:02", "GET /missing HTTP/1.1", 404, 4_000),
    ]
    lines = [
        combined(ip, f"01/Jun/2026:{t} +0000", req, status, 10, agent=UA_CHROME) + f" {micros}"
        for ip, t, req, status, micros in rows
    ]
    return write_log(lines, name="timed.log")


def test_summary_json_has_page_views_visits_bounce_rate_and_percentiles(timed_log: Path) -> None:
    doc = summary(str(timed_log))
    assert doc["format"] == "combined_time_us"
    assert (doc["pageviews"], doc["visits"], doc["bounce_rate"]) == (4, 2, 0.5)
    seconds = sorted([0.1, 0.002, 0.3, 0.05, 1.2, 0.004])
    assert doc["response_time"]["max"] == pytest.approx(1.2)
    assert doc["response_time"]["p50"] == pytest.approx((seconds[2] + seconds[3]) / 2)
    assert doc["response_time_missing"] is None
    assert doc["pages_only"] is False


def test_summary_pages_only_counts_page_views(timed_log: Path) -> None:
    doc = summary(str(timed_log), "--pages-only")
    assert doc["pages_only"] is True
    assert (doc["lines"], doc["parsed"]) == (6, 6)  # the line accounting stays the log's
    assert sum(doc["statuses"].values()) == doc["pageviews"] == 4
    assert doc["response_time"]["max"] == pytest.approx(1.2)
    assert doc["response_time"]["p50"] == pytest.approx((0.1 + 0.3) / 2)


def test_summary_without_response_times_says_why(write_log) -> None:
    path = write_log([combined("8.8.8.8", "01/Jun/2026:10:00:00 +0000", "GET / HTTP/1.1", 200, 10)])
    doc = summary(str(path))
    assert doc["response_time"] is None
    assert doc["response_time_missing"] == NO_COLUMN
    assert (doc["pageviews"], doc["visits"], doc["bounce_rate"]) == (1, 1, 1.0)


def test_summary_of_an_empty_log_has_no_visits(write_log) -> None:
    doc = summary(str(write_log([])))
    assert (doc["pageviews"], doc["visits"], doc["bounce_rate"], doc["response_time"]) == (0, 0, None, None)


def test_the_samples_response_times_leave_the_rest_of_each_line_unchanged(tmp_path: Path) -> None:
    plain, timed = tmp_path / "plain.log", tmp_path / "timed.log"
    write_sample(plain, 3000, seed=5)
    write_sample(timed, 3000, seed=5, fmt="combined_time_us")
    timed_lines = timed.read_bytes().splitlines()
    assert [line.rsplit(b" ", 1)[0] for line in timed_lines] == plain.read_bytes().splitlines()
    assert all(line.rsplit(b" ", 1)[1].isdigit() for line in timed_lines)
    doc = summary(str(timed))
    assert doc["rejected"] == summary(str(plain))["rejected"]
    assert 0 < doc["response_time"]["p50"] < doc["response_time"]["p95"] < doc["response_time"]["max"]


def test_the_sample_cli_writes_response_times(tmp_path: Path) -> None:
    out = tmp_path / "s.log"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "dashboard",
            "sample",
            "--out",
            str(out),
            "--lines",
            "500",
            "--format",
            "combined_time_us",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stderr
    assert summary(str(out))["format"] == "combined_time_us"


def run_page(monkeypatch, args: str | None = None) -> AppTest:
    if args:
        monkeypatch.setenv("DATABLOOM_ARGS", args)
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT).run()
    assert not at.exception
    return at


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_the_page_on_the_sample_shows_every_panel(fresh_caches, monkeypatch) -> None:
    at = run_page(monkeypatch)
    assert not at.error
    shown = metrics(at)
    assert {"Page views", "Visits", "Bounce rate", "Pages per visit", "p50", "p95", "p99", "Max"} <= set(shown)
    assert int(shown["Visits"].replace(",", "")) > 0
    assert len(at.get("vega_lite_chart")) == 2  # page views vs assets, percentiles over time
    headers = [list(df.value.columns) for df in at.dataframe]
    assert ["entry page", "visits"] in headers and ["exit page", "visits"] in headers
    assert ["source", "medium", "campaign", "visits"] in headers
    assert any("time served (s)" in h and "p95 (ms)" in h for h in headers)
    referrers = next(df.value for df in at.dataframe if list(df.value.columns) == ["referrer", "visits"])
    assert "www.example.com" not in set(referrers["referrer"])  # the sample's own host is left out


def test_the_page_views_switch_narrows_the_response_times(fresh_caches, monkeypatch) -> None:
    at = run_page(monkeypatch)
    before = metrics(at)
    at.toggle(key="pageviews").set_value(True).run()  # the sidebar's switch
    after = metrics(at)
    assert after["Visits"] == before["Visits"]  # visits always count page views
    assert after["p50"] != before["p50"]
    assert any("Response time of page views" in h.value for h in at.subheader)


def test_a_log_without_response_times_hides_those_panels_with_one_line(fresh_caches, monkeypatch, write_log) -> None:
    path = write_log(
        [combined("8.8.8.8", f"01/Jun/2026:10:0{i}:00 +0000", f"GET /p{i} HTTP/1.1", 200, 10) for i in range(5)]
    )
    at = run_page(monkeypatch, f"--log {path}")
    assert not at.error
    assert NO_COLUMN in [c.value for c in at.caption]
    assert not {"p50", "p95", "p99", "Max"} & set(metrics(at))
    assert len(at.get("vega_lite_chart")) == 1  # page views vs assets only
    assert metrics(at)["Visits"] == "1"


def test_the_page_and_the_summary_agree(fresh_caches, monkeypatch, tmp_path: Path) -> None:
    path = tmp_path / "sample.log"
    write_sample(path, SAMPLE_LINES, seed=3, fmt="combined_time_us")
    doc = summary(str(path))
    shown = metrics(run_page(monkeypatch, f"--log {path}"))
    assert shown["Page views"] == f"{doc['pageviews']:,}"
    assert shown["Visits"] == f"{doc['visits']:,}"
    assert shown["Bounce rate"] == format_share(doc["bounce_rate"])
    for key in ("p50", "p95", "p99"):
        assert shown[key] == format_seconds(doc["response_time"][key])
    assert shown["Max"] == format_seconds(doc["response_time"]["max"])


def test_hosts_typed_as_the_sites_own_leave_the_referrers(fresh_caches, monkeypatch) -> None:
    at = run_page(monkeypatch)

    def referrers() -> list[str]:
        table = next(df.value for df in at.dataframe if list(df.value.columns) == ["referrer", "visits"])
        return table["referrer"].tolist()

    assert "www.google.com" in referrers()
    at.text_input(key="audience_own_hosts").set_value(" WWW.Google.com, t.co").run()
    assert not {"www.google.com", "t.co"} & set(referrers())
    assert any("www.google.com" in c.value for c in at.caption)


@pytest.mark.parametrize(
    ("lines", "shown"),
    [
        ([combined("8.8.8.8", "01/Jun/2026:10:00:00 +0000", "GET /static/a.css HTTP/1.1", 200, 10)], "Visits"),
        (["%%% not a log line"], None),
    ],
    ids=["assets-only", "nothing-parsed"],
)
def test_degenerate_logs_show_a_message_not_a_traceback(fresh_caches, monkeypatch, write_log, lines, shown) -> None:
    at = run_page(monkeypatch, f"--log {write_log(lines)}")
    if shown is None:
        assert at.warning or at.error  # the sidebar or the page says the log has nothing to show
        assert not at.metric
    else:
        assert metrics(at)[shown] == "0"
        assert metrics(at)["Bounce rate"] == "–"
        assert not at.error


def test_the_lines_page_shows_the_sample_as_the_pages_parsed_it(fresh_caches) -> None:
    from dashboard.views import cache

    text = cache.sample_text(300)  # what the Lines page reads the sample back from
    loaded = cache.sample_log(300)
    assert loaded.format_name == cache.SAMPLE_FORMAT
    micros = [int(line.rsplit(b" ", 1)[1]) for line in text.splitlines()]
    assert loaded.frame["response_time_s"].to_numpy() * 1e6 == pytest.approx(micros)
