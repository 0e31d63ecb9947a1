"""One log, every front end: the same requests, 5xx share, visitors and buckets wherever the log is counted.

The log spans the night Berlin falls back (25 October 2026: 02:00-03:00 happens twice) and holds LinkedIn-style
``999`` answers, real 5xx, bots and rejected lines: the cases where the copies of these concepts used to differ.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dashboard.analysis import explore, traffic
from dashboard.analysis.buckets import bucket_labels, window_end
from dashboard.analysis.cube import build_cube
from dashboard.analysis.rows import prepare
from dashboard.pipeline import LoadedLog, load_log
from dashboard.render.format import format_value
from dashboard.render.report import build_report, report_data
from support.loglines import UA_CHROME, UA_FIREFOX, UA_GOOGLEBOT, combined
from support.requirements import require_spark

TZ = "Europe/Berlin"
BUCKET = "1h"
START = pd.Timestamp("2026-10-24 22:00", tz="UTC")  # 00:00 CEST
LINES = 720  # one every 30 s: six hours, through the clock change at 01:00 UTC
STATUSES = [200] * 12 + [301, 304, 404, 404, 500, 503, 999, 999]
IPS = ["8.8.8.8", "81.2.69.160", "2a02:8108::1", "10.1.2.3", "1.1.1.1", "203.0.113.9"]
AGENTS = [UA_CHROME, UA_FIREFOX, UA_GOOGLEBOT]
JUNK = ["not a log line", '8.8.8.8 - - [25/Oct/2026:02:30:00 +0200] "GET / HTTP/1.1" 200', ""]
ROOT = Path(__file__).resolve().parents[1]
APPS = {"traffic": ROOT / "app.py", "explore": ROOT / "tests" / "support" / "explore_app.py"}
# 00:00, 01:00, 02:00 (+0200), 02:00 (+0100), 03:00, 04:00 in Berlin
EXPECTED_BUCKETS = 6


def _line(i: int, rng: random.Random) -> str:
    instant = START + pd.Timedelta(seconds=30 * i)
    local = instant.tz_convert(TZ)  # the server writes its own offset: +0200, then +0100
    when = local.strftime("%d/%b/%Y:%H:%M:%S %z")
    return combined(
        rng.choice(IPS),
        when,
        f"GET /p{i % 7} HTTP/1.1",
        rng.choice(STATUSES),
        rng.randint(0, 5000),
        agent=rng.choice(AGENTS),
    )


@pytest.fixture(scope="module")
def log_path(tmp_path_factory) -> Path:
    rng = random.Random(25)
    lines = [_line(i, rng) for i in range(LINES)]
    for k, junk in enumerate(JUNK):
        lines.insert(100 * (k + 1), junk)
    path = tmp_path_factory.mktemp("consistency") / "fall-back.log"
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.fixture(scope="module")
def loaded(log_path) -> LoadedLog:
    return load_log(str(log_path))


@pytest.fixture(scope="module")
def expected(loaded) -> dict:
    """The numbers counted here by hand, from the parsed statuses."""
    status = loaded.frame["status"].astype(int)
    assert (status == 999).sum() > 0 and status.between(500, 599).sum() > 0 and loaded.frame["is_bot"].any()
    assert loaded.parse.rejected == len(JUNK)
    return {
        "requests": LINES,
        "share_5xx": float(status.between(500, 599).mean()),
        "buckets": EXPECTED_BUCKETS,
    }


def _figures(requests, share_5xx, visitors, buckets) -> dict:
    return {"requests": int(requests), "share_5xx": share_5xx, "visitors": visitors, "buckets": int(buckets)}


def _check(found: dict, expected: dict, visitors: int | None) -> None:
    assert found["requests"] == expected["requests"]
    assert found["share_5xx"] == pytest.approx(expected["share_5xx"], abs=1e-12)
    assert found["buckets"] == expected["buckets"]
    if visitors is not None:
        assert found["visitors"] == visitors


@pytest.fixture(scope="module")
def summary(log_path) -> dict:
    command = [sys.executable, "-m", "dashboard", "summary", str(log_path), "--json", "--tz", TZ, "--bucket", BUCKET]
    done = subprocess.run(command, capture_output=True, text=True, check=True, timeout=300)
    return json.loads(done.stdout)


def _summary_figures(summary: dict) -> dict:
    figures = summary["figures"]
    return _figures(summary["parsed"], figures["share_5xx"], summary["visitors"], summary["buckets"])


def test_summary_json(summary, expected):
    found = _summary_figures(summary)
    _check(found, expected, visitors=None)
    assert summary["rejected"] == len(JUNK)
    assert summary["statuses"]["other"] > 0  # the 999s have a class of their own, never 5xx
    assert found["requests"] == summary["figures"]["requests"]


def _traffic_page(loaded: LoadedLog) -> tuple[dict, list[str]]:
    cube = build_cube(loaded.frame, BUCKET, TZ)
    starts = traffic.bucket_options(cube)
    data = traffic.window_data(loaded.frame, cube, starts[0], window_end(starts, len(starts) - 1, BUCKET), tz=TZ)
    figures = data.figures
    return _figures(figures["requests"], figures["share_5xx"], figures["visitors"], len(starts)), bucket_labels(starts)


def _explore_page(loaded: LoadedLog) -> tuple[dict, list[str]]:
    data = explore.explore(prepare(loaded.frame, TZ), bucket=BUCKET)
    figures = {f.key: f.value for f in data.figures}
    found = _figures(figures["requests"], figures["share_5xx"], figures["visitors"], len(data.traffic))
    return found, bucket_labels(list(data.traffic["time"]))


def test_every_front_end_counts_the_same(loaded, summary, expected):
    visitors = summary["visitors"]
    traffic_figures, traffic_labels = _traffic_page(loaded)
    explore_figures, explore_labels = _explore_page(loaded)
    _check(traffic_figures, expected, visitors)
    _check(explore_figures, expected, visitors)
    assert traffic_labels == explore_labels
    assert [label for label in traffic_labels if "(" in label] == [
        "2026-10-25 02:00 (+0200)",
        "2026-10-25 02:00 (+0100)",
    ]


def test_the_report_shows_the_same_figures(loaded, summary, expected):
    data = report_data(loaded, tz=TZ)
    figures = {f.key: f.value for f in data.figures}
    _check(
        _figures(figures["requests"], figures["share_5xx"], figures["visitors"], expected["buckets"]),
        expected,
        summary["visitors"],
    )
    html = build_report(loaded, tz=TZ)
    shown = format_value("share_5xx", expected["share_5xx"])
    assert f'<div class="label">5xx</div><div class="value">{shown}</div>' in html


def _cube_figures(cube: pd.DataFrame) -> dict:
    requests = cube["requests"].sum()
    server_errors = cube.loc[cube["status_class"] == "5xx", "requests"].sum()
    return _figures(requests, server_errors / requests, None, cube["bucket"].nunique())


def test_the_pandas_cube(loaded, expected):
    cube = build_cube(loaded.frame, BUCKET, TZ)
    _check(_cube_figures(cube), expected, visitors=None)
    assert set(cube["status_class"]) == {"2xx", "3xx", "4xx", "5xx", "other"}


def test_the_spark_cube(log_path, loaded, expected):
    require_spark()
    from dashboard.spark.cube import build_cube_spark

    cube, _report = build_cube_spark([str(log_path)], bucket=BUCKET, tz=TZ, master="local[1]")
    _check(_cube_figures(cube), expected, visitors=None)
    pd.testing.assert_frame_equal(cube, build_cube(loaded.frame, BUCKET, TZ))


@pytest.mark.parametrize("page", list(APPS))
def test_both_pages_show_the_same_5xx_share(page, log_path, expected, fresh_caches, monkeypatch):
    monkeypatch.setenv("DATABLOOM_ARGS", f"--log {log_path}")
    at = AppTest.from_file(str(APPS[page]), default_timeout=120)
    at.query_params.update({"tz": TZ, "bucket": BUCKET})
    at.run()
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["5xx"] == format_value("share_5xx", expected["share_5xx"])
    assert metrics["Requests"] == format_value("requests", expected["requests"])


def test_buckets_are_the_sliders_positions_empty_hours_included(tmp_path, capsys):
    """``summary``'s bucket count (log and store) is the Traffic slider's: an hour without requests is a bucket."""
    hours = ["01/Jun/2026:10:05:00 +0000", "01/Jun/2026:10:45:00 +0000", "01/Jun/2026:13:15:00 +0000"]
    log = tmp_path / "gap.log"
    log.write_text("".join(combined("8.8.8.8", when, "GET / HTTP/1.1", 200, 10) + "\n" for when in hours))
    loaded = load_log(str(log))
    starts = traffic.bucket_options(build_cube(loaded.frame, "1h", "UTC"), "1h", "UTC")
    assert len(starts) == 4  # 10:00, 11:00, 12:00, 13:00
    from dashboard.cli import main

    assert main(["ingest", str(log), "--store", str(tmp_path / "store")]) == 0
    for source in ([str(log)], ["--store", str(tmp_path / "store")]):
        capsys.readouterr()
        assert main(["summary", *source, "--json", "--bucket", "1h"]) == 0
        assert json.loads(capsys.readouterr().out)["buckets"] == len(starts)
