"""Alert detectors on hand-built frames, cooldown and merging, rules, configuration errors, the CLI."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from dashboard.alerts import (
    DEFAULT_CONFIG_PATH,
    SCHEMA,
    Alert,
    AlertConfigError,
    apply_cooldown,
    default_config,
    detect_alerts,
    load_config,
    parse_rule,
    validate_config,
)
from dashboard.alerts.baseline import find_runs, make_buckets, rolling_sum
from dashboard.cli import alerts as alerts_cli
from dashboard.cli import build_parser, main

START = pd.Timestamp("2026-06-01", tz="UTC")  # a Monday
DAYS = 7
HOURLY = np.array(
    [0.3, 0.18, 0.11, 0.07, 0.06, 0.08, 0.16, 0.35, 0.62, 0.85, 0.96, 1.0,
     0.95, 0.97, 1.0, 0.98, 0.93, 0.86, 0.82, 0.86, 0.92, 0.85, 0.65, 0.45]
)  # fmt: skip
COUNTRIES = ("US", "DE", "GB", "FR", "IN")
PAGES = tuple(f"/page/{i}" for i in range(60))


def week(
    rng: np.random.Generator,
    per_minute: float = 30.0,
    flat: bool = False,
    factor: dict[tuple[pd.Timestamp, pd.Timestamp], float] | None = None,
) -> pd.DataFrame:
    """A week of diurnal traffic from many clients (one request each per minute at most), optionally scaled."""
    minutes = pd.date_range(START, periods=DAYS * 1440, freq="1min")
    rate = np.full(len(minutes), per_minute) if flat else per_minute * HOURLY[minutes.hour]
    rate = rate * np.where(minutes.day_of_week >= 5, 0.7, 1.0)
    for (s, e), f in (factor or {}).items():
        rate = rate * np.where((minutes >= s) & (minutes < e), f, 1.0)
    counts = rng.poisson(rate)
    seconds = np.repeat(np.arange(len(minutes)) * 60.0, counts) + rng.random(counts.sum()) * 60
    times = START + pd.to_timedelta(seconds, unit="s")
    n = len(times)
    return pd.DataFrame(
        {
            "time": times,
            "ip": pd.Categorical([f"198.51.{i // 250}.{i % 250}" for i in rng.integers(0, 20_000, n)]),
            "path": pd.Categorical(np.array(PAGES)[rng.integers(0, len(PAGES), n)]),
            "status": np.where(rng.random(n) < 0.005, 404, 200).astype(np.int16),
            "bytes": np.full(n, 1000, dtype=np.int64),
            "browser": pd.Categorical(np.where(rng.random(n) < 0.7, "Chrome", "Firefox")),
            "is_bot": np.zeros(n, dtype=bool),
            "country": pd.Categorical(np.array(COUNTRIES)[rng.integers(0, len(COUNTRIES), n)]),
        }
    ).sort_values("time", ignore_index=True)


def extra_rows(start: str, minutes: int, n: int, rng: np.random.Generator, **columns) -> pd.DataFrame:
    """``n`` rows spread over a window, other columns like ordinary traffic unless given."""
    t0 = pd.Timestamp(start, tz="UTC")
    rows = {
        "time": t0 + pd.to_timedelta(np.sort(rng.random(n)) * minutes * 60, unit="s"),
        "ip": [f"203.0.113.{i % 250}" for i in range(n)],
        "path": np.array(PAGES)[rng.integers(0, len(PAGES), n)],
        "status": np.full(n, 200, dtype=np.int16),
        "bytes": np.full(n, 1000, dtype=np.int64),
        "browser": ["Chrome"] * n,
        "is_bot": np.zeros(n, dtype=bool),
        "country": ["US"] * n,
    }
    rows.update(columns)
    return pd.DataFrame(rows)


def combine(*frames: pd.DataFrame) -> pd.DataFrame:
    out = pd.concat([f.astype({c: str for c in ("ip", "path", "browser", "country")}) for f in frames])
    out = out.sort_values("time", ignore_index=True)
    for col in ("ip", "path", "browser", "country"):
        out[col] = out[col].astype("category")
    return out


def by_detector(alerts: list[Alert], detector: str) -> list[Alert]:
    return [a for a in alerts if a.detector == detector]


@pytest.fixture(scope="module")
def clean() -> pd.DataFrame:
    return week(np.random.default_rng(1))


def test_diurnal_peaks_and_weekends_raise_nothing(clean: pd.DataFrame) -> None:
    assert detect_alerts(clean) == []


def test_flat_traffic_raises_nothing() -> None:
    assert detect_alerts(week(np.random.default_rng(2), flat=True)) == []


def test_spike_found_with_window_and_explanation() -> None:
    s, e = pd.Timestamp("2026-06-03 14:00", tz="UTC"), pd.Timestamp("2026-06-03 14:40", tz="UTC")
    frame = week(np.random.default_rng(3), factor={(s, e): 3.0})
    spikes = by_detector(detect_alerts(frame), "traffic_spike")
    assert len(spikes) == 1
    alert = spikes[0]
    assert s - pd.Timedelta("10min") <= alert.start < e and alert.end > s
    assert alert.observed > 2 * alert.expected
    assert "expected" in alert.message and len(alert.evidence) > 0


def test_drop_found() -> None:
    s, e = pd.Timestamp("2026-06-04 10:00", tz="UTC"), pd.Timestamp("2026-06-04 11:00", tz="UTC")
    frame = week(np.random.default_rng(4), factor={(s, e): 0.1})
    drops = by_detector(detect_alerts(frame), "traffic_drop")
    assert len(drops) == 1 and drops[0].start < e and drops[0].end > s
    assert drops[0].observed < 0.3 * drops[0].expected


def test_min_volume_guard_keeps_quiet_traffic_silent() -> None:
    """The same relative drop in a log of ~1 request a minute is below the volume guard."""
    s, e = pd.Timestamp("2026-06-04 10:00", tz="UTC"), pd.Timestamp("2026-06-04 11:00", tz="UTC")
    frame = week(np.random.default_rng(5), per_minute=1.0, factor={(s, e): 0.0})
    assert by_detector(detect_alerts(frame), "traffic_drop") == []
    loud = validate_config({"rate": {"min_volume": 0.0, "threshold": 1.0, "max_ratio_low": 0.5}})
    assert by_detector(detect_alerts(frame, loud), "traffic_drop")


@pytest.mark.parametrize("code", [503, 404])
def test_status_burst_found(clean: pd.DataFrame, code: int) -> None:
    frame = clean.copy()
    window = (frame["time"] >= pd.Timestamp("2026-06-05 13:00", tz="UTC")) & (
        frame["time"] < pd.Timestamp("2026-06-05 13:30", tz="UTC")
    )
    hit = window & (np.random.default_rng(6).random(len(frame)) < 0.4)
    frame["status"] = np.where(hit, code, frame["status"]).astype(np.int16)
    found = [a for a in detect_alerts(frame) if a.detector == "status"]
    assert [a.subject for a in found] == ["5xx" if code == 503 else "404"]
    assert found[0].observed > 10 * found[0].expected
    if code == 503:  # the shipped rule "5xx_rate > 5% for 10m" fires too, its figures in percent as written
        rules = [a for a in detect_alerts(frame) if a.detector == "rule"]
        assert [a.subject for a in rules] == ["5xx above 5%"]
        assert rules[0].expected == 5.0 and 30.0 <= rules[0].observed <= 50.0 and rules[0].unit == "%"
        assert "(threshold > 5 %)" in rules[0].message


def test_scanner_found(clean: pd.DataFrame) -> None:
    rng = np.random.default_rng(7)
    scan = extra_rows(
        "2026-06-02 03:00",
        15,
        300,
        rng,
        ip=["192.0.2.66"] * 300,
        path=[f"/probe/{i}.php" for i in range(300)],
        status=np.full(300, 404, dtype=np.int16),
        country=["NL"] * 300,
    )
    found = detect_alerts(combine(clean, scan))
    scanners = by_detector(found, "scanner")
    assert [a.subject for a in scanners] == ["192.0.2.66"]
    # 300 probes over 15 min: the figure is the busiest 10 min (the window), the message has the whole episode
    assert 180 <= scanners[0].observed <= 250 and scanners[0].unit == "distinct URLs per 10 min"
    assert "300 distinct URLs" in scanners[0].message
    assert {"path", "status", "requests"} <= set(scanners[0].evidence.columns)
    assert not by_detector(found, "traffic_spike")  # the scanner's rows explain the extra volume


def test_busy_client_with_good_pages_is_not_a_scanner(clean: pd.DataFrame) -> None:
    rng = np.random.default_rng(8)
    crawl = extra_rows("2026-06-02 03:00", 15, 120, rng, ip=["192.0.2.77"] * 120)
    assert by_detector(detect_alerts(combine(clean, crawl)), "scanner") == []


def test_country_surge_found(clean: pd.DataFrame) -> None:
    rng = np.random.default_rng(9)
    surge = extra_rows("2026-06-06 12:00", 45, 900, rng, country=["IS"] * 900)
    found = by_detector(detect_alerts(combine(clean, surge)), "surge")
    assert [a.subject for a in found] == ["country=IS"]
    assert found[0].observed >= 800


def test_single_client_is_not_a_surge(clean: pd.DataFrame) -> None:
    rng = np.random.default_rng(10)
    one = extra_rows("2026-06-06 12:00", 45, 300, rng, country=["IS"] * 300, ip=["192.0.2.5"] * 300)
    assert by_detector(detect_alerts(combine(clean, one)), "surge") == []


def test_tiny_log_never_alerts() -> None:
    frame = week(np.random.default_rng(11)).iloc[:300]
    assert detect_alerts(frame) == []
    assert detect_alerts(frame.iloc[:0]) == []


def test_rule_figures_are_per_bucket_even_across_merged_gaps() -> None:
    """Two 10-minute bursts 10 minutes apart make one alert; its figure is the bursts' rate, not diluted by the gap."""
    rng = np.random.default_rng(12)
    quiet = week(rng, per_minute=2.0)
    bursts = combine(
        quiet,
        extra_rows("2026-06-03 12:00", 10, 400, rng, status=np.full(400, 404, dtype=np.int16)),
        extra_rows("2026-06-03 12:20", 10, 400, rng, status=np.full(400, 404, dtype=np.int16)),
    )
    config = validate_config({"rules": [{"expr": "404 > 150", "min_requests": 0}]})
    rules = by_detector(detect_alerts(bursts, config), "rule")
    assert len(rules) == 1 and rules[0].end - rules[0].start == pd.Timedelta("30min")
    assert rules[0].observed > rules[0].expected == 150.0 and rules[0].direction == "above"
    below = validate_config({"rules": [{"expr": "requests < 5", "min_requests": 0}]})
    assert all(a.consistent and a.direction == "below" for a in detect_alerts(quiet, below))


@pytest.mark.parametrize("width", [1, 2, 3, 5])
@pytest.mark.parametrize("n", [0, 1, 2, 3, 7])
def test_rolling_sum_keeps_the_length(width: int, n: int) -> None:
    values = np.arange(1.0, n + 1)
    out = rolling_sum(values, width)
    assert len(out) == n and out.sum() <= values.sum() * width


def test_figures_point_the_way_each_alert_claims(clean: pd.DataFrame) -> None:
    """Spikes, drops, bursts, scanners and surges together: no "above" alert with observed < expected."""
    rng = np.random.default_rng(13)
    s, e = pd.Timestamp("2026-06-03 14:00", tz="UTC"), pd.Timestamp("2026-06-03 14:40", tz="UTC")
    d0, d1 = pd.Timestamp("2026-06-04 10:00", tz="UTC"), pd.Timestamp("2026-06-04 11:00", tz="UTC")
    frame = combine(
        week(rng, factor={(s, e): 3.0, (d0, d1): 0.1}),
        extra_rows("2026-06-06 12:00", 45, 900, rng, country=["IS"] * 900),
        extra_rows("2026-06-02 03:00", 15, 300, rng, ip=["192.0.2.66"] * 300, status=np.full(300, 404, np.int16)),
    )
    alerts = detect_alerts(frame)
    assert {"traffic_spike", "traffic_drop", "surge", "scanner"} <= {a.detector for a in alerts}
    assert all(a.consistent and a.unit for a in alerts)


@pytest.mark.parametrize(
    ("mask", "min_len", "gap", "runs"),
    [
        ([0, 1, 1, 0, 0, 1, 1, 1, 0], 2, 0, [(1, 3), (5, 8)]),
        ([0, 1, 1, 0, 0, 1, 1, 1, 0], 2, 2, [(1, 8)]),
        ([1, 0, 1, 0, 1], 2, 5, []),
        ([1, 1, 1], 1, 0, [(0, 3)]),
    ],
)
def test_find_runs_merges_adjacent_buckets(mask: list[int], min_len: int, gap: int, runs: list) -> None:
    assert find_runs(np.array(mask, bool), min_len, gap) == runs


def alert(start: str, end: str, detector: str = "status", subject: str = "5xx", severity: str = "warning") -> Alert:
    return Alert(pd.Timestamp(start, tz="UTC"), pd.Timestamp(end, tz="UTC"), detector, severity, subject, 1, 9, "m")


def test_cooldown_folds_repeats_per_detector_and_subject() -> None:
    alerts = [
        alert("2026-06-01 10:00", "2026-06-01 10:10"),
        alert("2026-06-01 10:20", "2026-06-01 10:30", severity="critical"),  # within 30 min: folded
        alert("2026-06-01 10:20", "2026-06-01 10:30", subject="404"),  # another subject: kept
        alert("2026-06-01 11:30", "2026-06-01 11:40"),  # after the cooldown: kept
    ]
    kept = apply_cooldown(alerts, cooldown=1800)
    assert [(a.subject, f"{a.start:%H:%M}") for a in kept] == [("5xx", "10:00"), ("404", "10:20"), ("5xx", "11:30")]
    assert kept[0].suppressed == 1 and kept[0].severity == "critical"
    assert len(apply_cooldown(alerts, cooldown=0)) == 4


@pytest.mark.parametrize(
    ("expr", "parsed"),
    [
        ("5xx_rate > 5% for 10m", {"metric": "5xx_rate", "op": ">", "value": 0.05, "duration": 600}),
        ("404 >= 50", {"metric": "404", "op": ">=", "value": 50.0, "duration": 0}),
        ("requests < 10 for 1h", {"metric": "requests", "op": "<", "value": 10.0, "duration": 3600}),
        ("bot_rate<=0.5 for 90s", {"metric": "bot_rate", "op": "<=", "value": 0.5, "duration": 90}),
    ],
)
def test_parse_rule(expr: str, parsed: dict) -> None:
    assert parse_rule(expr) == parsed


@pytest.mark.parametrize(
    ("expr", "words"),
    [
        ("latency > 5", "unknown metric"),
        ("404 > 5%", "percentage"),
        ("5xx_rate > 150%", "within 0..1"),
        ("5xx_rate > 5% during 10m", "is not"),
        ("5xx_rate > 5% for 10 minutes", "is not"),
    ],
)
def test_bad_rules_are_rejected(expr: str, words: str) -> None:
    with pytest.raises(AlertConfigError, match=words):
        parse_rule(expr)


def test_rule_on_counts_needs_the_duration(clean: pd.DataFrame) -> None:
    config = validate_config({"rules": [{"expr": "requests > 1 for 20m", "min_requests": 0}]})
    rules = by_detector(detect_alerts(clean, config), "rule")
    assert len(rules) >= 1 and rules[0].subject == "requests > 1 for 20m"
    assert all(r.observed > r.expected == 1.0 and r.unit == "requests per 5 min" for r in rules)
    config = validate_config({"rules": []})
    assert by_detector(detect_alerts(clean, config), "rule") == []


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ({"rate": {"treshold": 3}}, "rate.treshold"),
        ({"rates": {}}, "rates"),
        ({"rate": {"threshold": "high"}}, "rate.threshold"),
        ({"rate": {"threshold": 0.0}}, "rate.threshold"),
        ({"rate": {"consecutive": 2.5}}, "rate.consecutive"),
        ({"rate": {"enabled": "yes"}}, "rate.enabled"),
        ({"general": {"bucket": "7m"}}, "general.bucket"),
        ({"general": {"cooldown": "soon"}}, "general.cooldown"),
        ({"status": {"classes": ["6xx"]}}, "status.classes"),
        ({"surge": {"min_share": 2.0}}, "surge.min_share"),
        ({"rules": [{"expr": "5xx_rate > 5%", "severity": "page"}]}, "rules[0].severity"),
        ({"rules": [{"name": "x"}]}, "rules[0].expr"),
        ({"rules": [{"expr": "5xx_rate > 5%", "colour": 1}]}, "rules[0].colour"),
        ({"rules": [{"expr": "ok"}, {"expr": "nope nope"}]}, "rules[0].expr"),
    ],
)
def test_config_errors_name_the_key(raw: dict, key: str) -> None:
    with pytest.raises(AlertConfigError) as info:
        validate_config(raw)
    assert str(info.value).startswith(f"{key}:")


def test_load_config_names_file_and_key(tmp_path: Path) -> None:
    path = tmp_path / "alerts.toml"
    path.write_text("[scanner]\nmin_404 = -3\n")
    with pytest.raises(AlertConfigError, match=r"alerts\.toml: scanner\.min_404: -3 is out of range"):
        load_config(path)
    path.write_text("[scanner\n")
    with pytest.raises(AlertConfigError, match="not valid TOML"):
        load_config(path)


def test_shipped_config_documents_every_key_with_the_defaults() -> None:
    assert load_config() == default_config()
    raw = tomllib.loads(DEFAULT_CONFIG_PATH.read_text())
    for section, settings in SCHEMA.items():
        assert set(raw[section]) == set(settings), section
    headers = [ln for ln in DEFAULT_CONFIG_PATH.read_text().splitlines() if ln.startswith("[") and ln != "[[rules]]"]
    assert all("#" in ln for ln in headers[1:]), "every detector section says what it detects"


def test_make_buckets_marks_partial_edges() -> None:
    times = pd.Series(pd.to_datetime(["2026-06-01 00:02:00", "2026-06-01 00:12:00"], utc=True))
    b = make_buckets(times, 300)
    assert b.n == 3 and b.first_partial and b.last_partial


def test_cli_json_shape(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from dashboard.sample import write_sample

    log = tmp_path / "access.log"
    write_sample(log, lines=60_000, days=7, seed=3)
    assert main(["alerts", str(log), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert isinstance(doc, list) and doc
    for item in doc:
        assert set(item) == {
            *("start", "end", "detector", "severity", "subject"),
            *("expected", "observed", "unit", "direction", "message"),
            *("expected_text", "observed_text"),
        }
        assert item["message"] and item["unit"]
        assert pd.Timestamp(item["start"]) < pd.Timestamp(item["end"])
    incidents = json.loads(Path(f"{log}.incidents.json").read_text())["incidents"]
    scanner = next(i for i in incidents if i["kind"] == "scanner")
    assert any(item["detector"] == "scanner" and item["subject"] == scanner["subject"] for item in doc)


def test_cli_bad_config_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[rate]\nthreshold = 'x'\n")
    log = tmp_path / "a.log"
    log.write_text('1.2.3.4 - - [01/Jun/2026:00:00:00 +0000] "GET / HTTP/1.1" 200 5 "-" "curl/8"\n')
    assert main(["alerts", str(log), "--config", str(bad)]) == 2
    assert "rate.threshold" in capsys.readouterr().err


def test_the_cli_has_the_subcommand() -> None:
    args = build_parser().parse_args(["alerts", "x.log", "--json", "--config", "c.toml"])
    assert args.run is alerts_cli.run and args.paths == ["x.log"] and args.json
