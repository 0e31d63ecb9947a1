"""Alerts on logs written line by line and loaded through the real pipeline: scanners whatever the status codes,
figures of the rule that fired, and short or odd logs that must not raise."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from dashboard.alerts import Alert, detect_alerts, validate_config
from dashboard.pipeline import load_log
from support.loglines import UA_CHROME, UA_GOOGLEBOT, combined

ROOT = Path(__file__).resolve().parents[1]
START = pd.Timestamp("2026-06-01", tz="UTC")  # a Monday
DAYS = 3
STAMP = "%d/%b/%Y:%H:%M:%S +0000"
PAGES = ("/", "/about", "/contact", "/pricing", "/login", *(f"/blog/post-{i}" for i in range(30)), "/feed.xml")
HOURLY = np.array(
    [0.3, 0.18, 0.11, 0.07, 0.06, 0.08, 0.16, 0.35, 0.62, 0.85, 0.96, 1.0,
     0.95, 0.97, 1.0, 0.98, 0.93, 0.86, 0.82, 0.86, 0.92, 0.85, 0.65, 0.45]
)  # fmt: skip
Row = tuple[pd.Timestamp, str]


def lines_of(
    times: pd.DatetimeIndex, ips: list[str] | str, paths: list[str] | str, status: int = 200, agent: str = UA_CHROME
) -> list[Row]:
    """Combined lines (with their time, for sorting) of one request per time."""
    n = len(times)
    ips = [ips] * n if isinstance(ips, str) else ips
    paths = [paths] * n if isinstance(paths, str) else paths
    stamps = times.strftime(STAMP)
    return [
        (t, combined(ip, s, f"GET {p} HTTP/1.1", status, 512, agent=agent))
        for t, s, ip, p in zip(times, stamps, ips, paths, strict=True)
    ]


def background(seed: int = 1, days: int = DAYS, start: pd.Timestamp = START, per_minute: float = 6.0) -> list[Row]:
    """Diurnal traffic from thousands of clients in sessions of a few pages (``per_minute`` sessions at the peak)."""
    rng = np.random.default_rng(seed)
    minutes = pd.date_range(start, periods=days * 1440, freq="1min")
    starts = np.repeat(np.arange(len(minutes)) * 60.0, rng.poisson(per_minute * HOURLY[minutes.hour]))
    starts += rng.random(len(starts)) * 60
    sizes = rng.integers(1, 9, len(starts))
    session = np.repeat(np.arange(len(starts)), sizes)
    offsets = np.concatenate([np.cumsum(rng.exponential(20.0, k)) for k in sizes])
    times = start + pd.to_timedelta(np.repeat(starts, sizes) + offsets, unit="s")
    client = rng.integers(0, 5000, len(starts))[session]
    ips = [f"198.51.{c // 250}.{c % 250}" for c in client]
    paths = list(np.array(PAGES)[rng.integers(0, len(PAGES), len(times))])
    missing = rng.random(len(times)) < 0.005
    keep = np.flatnonzero(~missing)
    rows = lines_of(times[keep], [ips[i] for i in keep], [paths[i] for i in keep])
    lost = np.flatnonzero(missing)
    rows += lines_of(times[lost], [ips[i] for i in lost], "/old-page", 404)
    return rows


def burst(
    ip: str, start: str, minutes: float, paths: list[str], status: int = 200, seed: int = 0, agent: str = UA_CHROME
) -> list[Row]:
    """One client's requests to ``paths`` (in order) spread evenly at random over a window."""
    rng = np.random.default_rng(seed)
    t0 = pd.Timestamp(start, tz="UTC")
    times = t0 + pd.to_timedelta(np.sort(rng.random(len(paths))) * minutes * 60, unit="s")
    return lines_of(pd.DatetimeIndex(times), ip, paths, status, agent)


def probes(distinct: int, requests: int, seed: int = 0) -> list[str]:
    """A scanner's walk: ``distinct`` probe paths, some asked again, ``requests`` in all."""
    names = [f"/{d}/{f}" for d in ("wp-admin", "cgi-bin", "admin", "backup", ".git") for f in range(100)][:distinct]
    again = np.random.default_rng(seed).integers(0, distinct, requests - distinct)
    return names + [names[i] for i in again]


def frame_of(*parts: list[Row]) -> pd.DataFrame:
    rows = sorted((r for part in parts for r in part), key=lambda r: r[0])
    data = "".join(line + "\n" for _, line in rows).encode()
    return load_log(io.BytesIO(data), workers=1).frame


@pytest.fixture(scope="module")
def normal() -> list[Row]:
    return background()


def of(alerts: list[Alert], detector: str) -> list[Alert]:
    return [a for a in alerts if a.detector == detector]


SCANNER = "192.0.2.66"
# name, the client's lines, the figure the alert must report: (observed, unit starts with)
SCANNER_CASES = [
    # the catch-all site of the issue: every probe answered 200
    ("catch-all scanner", burst(SCANNER, "2026-06-02 14:03:17", 10, probes(317, 1133)), (317, "distinct URLs")),
    ("scanner with 404s", burst(SCANNER, "2026-06-02 03:20:00", 9, probes(260, 300), 404), (260, "distinct URLs")),
    ("82 × 404 to one URL", burst(SCANNER, "2026-06-02 09:00:00", 8, ["/xmlrpc.php"] * 82, 404), (82, "404")),
    ("flood of one URL", burst(SCANNER, "2026-06-02 16:00:00", 10, ["/search?q=x"] * 1500), (1500, "requests")),
]


@pytest.mark.parametrize(("name", "client", "figure"), SCANNER_CASES, ids=[c[0] for c in SCANNER_CASES])
def test_scanner_found_whatever_the_status_with_the_figures_of_its_rule(
    normal: list[Row], name: str, client: list[Row], figure: tuple[int, str]
) -> None:
    alerts = detect_alerts(frame_of(normal, client))
    scanners = of(alerts, "scanner")
    assert [a.subject for a in scanners] == [SCANNER]
    found = scanners[0]
    observed, unit = figure
    assert found.observed == observed and found.unit.startswith(unit)
    assert 1 <= found.expected < observed / 2, "expected is what clients usually do"
    assert f"{observed:,}" in found.message
    assert not of(alerts, "traffic_spike"), "the scanner's rows explain the extra volume"


@pytest.mark.parametrize(("status", "alerts"), [(200, 0), (404, 1)], ids=["crawling 200s", "probing 404s"])
def test_a_declared_crawler_is_judged_by_its_errors_only(normal: list[Row], status: int, alerts: int) -> None:
    """Googlebot walking 317 pages of a shop is its job; the same walk collecting 404s is a scanner in disguise."""
    walk = burst(SCANNER, "2026-06-02 14:03:17", 10, probes(317, 1133), status, agent=UA_GOOGLEBOT)
    assert len(of(detect_alerts(frame_of(normal, walk)), "scanner")) == alerts


REAL_LOGS = ROOT.parent / "shared" / "real-logs"


@pytest.mark.skipif(not REAL_LOGS.is_dir(), reason="../shared/real-logs is not beside the checkout")
def test_googlebot_crawling_a_real_shop_is_no_scanner() -> None:
    """lnav's zanbil.ir log: 3 minutes in which Googlebot fetched 88 distinct product pages."""
    frame = load_log(REAL_LOGS / "lnav_zanbil_nginx.log").frame
    assert of(detect_alerts(frame), "scanner") == []


def monitor_times(hours: float, days: int) -> pd.DatetimeIndex:
    """Every 0.8 s (750 requests per 10 min) from 10:00 for ``hours``, on each of the first ``days`` days."""
    starts = pd.date_range(START + pd.Timedelta(hours=10), periods=days, freq="D")
    return pd.DatetimeIndex(np.concatenate([pd.date_range(s, periods=int(hours * 4500), freq="800ms") for s in starts]))


@pytest.mark.parametrize(
    "times",
    [monitor_times(1, DAYS), monitor_times(2, 1)],
    ids=["an hour every day", "2 hours once, never seen before or after"],
)
def test_a_busy_client_is_its_own_usual(normal: list[Row], times: pd.DatetimeIndex) -> None:
    """A monitor asking a few pages 750 times per 10 min: far above the site's clients, not above its own pace."""
    monitor = lines_of(times, "192.0.2.10", [PAGES[i % 5] for i in range(len(times))])
    assert of(detect_alerts(frame_of(normal, monitor)), "scanner") == []


def test_a_one_client_flood_is_visible_to_the_rate_detector(normal: list[Row]) -> None:
    """With the scanner detector off, one client's flood is still a traffic spike (not one more active client)."""
    flood = burst("192.0.2.9", "2026-06-02 15:00:00", 30, [PAGES[i % 7] for i in range(3000)])
    config = validate_config({"scanner": {"enabled": False}})
    spikes = of(detect_alerts(frame_of(normal, flood), config), "traffic_spike")
    assert len(spikes) == 1
    assert spikes[0].start < pd.Timestamp("2026-06-02 15:30", tz="UTC") < spikes[0].end + pd.Timedelta("30min")
    assert spikes[0].observed > spikes[0].expected + 2000 and spikes[0].unit == "requests"


def test_a_spike_from_zero_says_none_were_expected() -> None:
    """A site that is silent at night: 400 requests from 40 clients at 03:00 on the last day."""
    days = pd.date_range(START, periods=DAYS, freq="D")
    rows: list[Row] = []
    for day in days:
        times = day + pd.Timedelta(hours=9) + pd.to_timedelta(np.arange(0, 8 * 3600, 6), unit="s")
        rows += lines_of(
            times, [f"198.51.0.{i % 200}" for i in range(len(times))], [PAGES[i % 30] for i in range(len(times))]
        )
    night = days[-1] + pd.Timedelta(hours=3) + pd.to_timedelta(np.arange(0, 1200, 1.5), unit="s")
    rows += lines_of(
        night, [f"203.0.113.{i % 40}" for i in range(len(night))], [PAGES[i % 30] for i in range(len(night))]
    )
    spikes = of(detect_alerts(frame_of(rows)), "traffic_spike")
    assert len(spikes) == 1 and spikes[0].expected == 0
    assert spikes[0].message.startswith(f"{spikes[0].observed:,.0f} requests where none were expected")
    assert "inf" not in spikes[0].message


def test_cli_json_carries_the_message(normal: list[Row], tmp_path: Path) -> None:
    rows = sorted(normal + SCANNER_CASES[0][1], key=lambda r: r[0])
    log = tmp_path / "access.log"
    log.write_text("".join(line + "\n" for _, line in rows))
    out = subprocess.run(
        [sys.executable, "-m", "dashboard", "alerts", str(log), "--json"],
        cwd=ROOT, capture_output=True, text=True, check=True, timeout=300,
    )  # fmt: skip
    doc = json.loads(out.stdout)
    scanner = next(item for item in doc if item["detector"] == "scanner")
    assert scanner["subject"] == SCANNER and scanner["observed"] == 317
    assert "317 distinct URLs" in scanner["message"] and scanner["unit"].startswith("distinct URLs")
    assert all(item["message"] and item["unit"] for item in doc)


def at(*offsets: float) -> list[Row]:
    """One client's requests at these offsets (seconds) from 2026-06-01 10:00 UTC."""
    times = pd.DatetimeIndex([START + pd.Timedelta(hours=10, seconds=s) for s in offsets])
    return lines_of(times, "203.0.113.9", "/")


ODD_LOGS: list[tuple[str, Callable[[], list[Row]]]] = [
    ("empty", lambda: []),
    ("one line", lambda: at(0)),
    ("one bucket", lambda: at(*range(0, 300, 5))),
    ("two 5-minute buckets", lambda: at(*range(0, 600, 7))),
    ("two buckets edge to edge", lambda: at(0, 599)),
    ("three lines days apart", lambda: at(0, 3 * 86_400, 9 * 86_400 + 5)),
    ("two busy days a week apart", lambda: background(4, 1) + background(5, 1, START + pd.Timedelta(days=8))),
    ("two hours", lambda: background(6, 1)[:2000]),
]


@pytest.mark.parametrize("build", [b for _, b in ODD_LOGS], ids=[n for n, _ in ODD_LOGS])
def test_short_or_odd_logs_never_raise(build: Callable[[], list[Row]]) -> None:
    alerts = detect_alerts(frame_of(build()))
    assert all(a.consistent for a in alerts)


@pytest.mark.parametrize("seed", [0, 1])
def test_an_above_alert_never_shows_observed_below_expected(tmp_path: Path, seed: int) -> None:
    """Over generated weeks with injected incidents: every alert's figures point the way it claims, in one unit."""
    from dashboard.sample import generate_sample

    sample = generate_sample(60_000, 7.0, seed=seed)
    alerts = detect_alerts(load_log(io.BytesIO(b"".join(sample.chunks())), workers=1).frame)
    assert alerts
    for alert in alerts:
        assert alert.consistent, alert
        assert alert.unit and alert.direction in ("above", "below")
