"""Numbers that never mislead (#14 item 3): every bucket on the grid, comparisons, units, Other, the window."""

from __future__ import annotations

import numpy as np
import pandas as pd

from dashboard.analysis.buckets import bucket_grid, bucket_starts, instants


def utc(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz="UTC")


def test_bucket_grid_has_every_bucket_and_both_copies_of_the_repeated_hour():
    first, last = utc("2026-10-24 20:10"), utc("2026-10-25 04:59")
    grid = instants(bucket_grid(first.value, last.value, pd.Timedelta("1h"), "Europe/Berlin"), "Europe/Berlin")
    walls = [t.strftime("%H:%M%z") for t in grid]
    assert walls == [
        "22:00+0200", "23:00+0200", "00:00+0200", "01:00+0200", "02:00+0200", "02:00+0100",
        "03:00+0100", "04:00+0100", "05:00+0100",
    ]  # fmt: skip


def test_bucket_grid_follows_the_bucket_policy_of_rows():
    times = pd.Series(pd.date_range(utc("2026-03-28 00:00"), utc("2026-03-30 00:00"), freq="7min"))
    for bucket, tz in (("4h", "Europe/Berlin"), ("1D", "America/New_York"), ("15min", "Asia/Kolkata")):
        rows = bucket_starts(times, bucket, tz).dt.tz_convert("UTC").dt.tz_localize(None).to_numpy()
        grid = bucket_grid(times.iloc[0].value, times.iloc[-1].value, pd.Timedelta(bucket), tz)
        assert np.array_equal(grid, np.unique(rows.astype("datetime64[ns]").astype(np.int64)))


def test_the_traffic_page_and_explore_have_every_hour_zeros_included(tmp_path):
    from dashboard.analysis import explore, traffic
    from dashboard.analysis.buckets import window_end
    from dashboard.analysis.cube import build_cube
    from dashboard.analysis.rows import prepare
    from dashboard.render.heatmaps import heatmap_pivot
    from support.explore_log import load

    loaded = load(tmp_path)  # Monday 10:00-12:xx, then nothing until Tuesday 10:00
    cube = build_cube(loaded.frame, "1h", "UTC")
    buckets = traffic.bucket_options(cube, "1h", "UTC")
    assert len(buckets) == 25 and len(traffic.bucket_options(cube)) == 4
    end = window_end(buckets, len(buckets) - 1, "1h")
    data = traffic.window_data(loaded.frame, cube, buckets[0], end, buckets=buckets)
    pivot = heatmap_pivot(data.browser_counts, "browser")  # the CSV of the page
    assert len(pivot) == 25 and (pivot["Total"] == 0).sum() == 21
    assert set(data.browser_timeline["bucket"]) == set(buckets)
    series = explore.explore(prepare(loaded.frame, "UTC"), bucket="1h").traffic
    assert series["requests"].tolist() == pivot["Total"].tolist()  # the same hours, the same counts, on both pages


def test_window_indices_keep_the_time_span():
    from dashboard.analysis.traffic import window_indices

    quarter = list(pd.date_range(utc("2026-06-01 00:00"), periods=96, freq="15min"))
    assert window_indices(quarter, utc("2026-06-01 04:00"), utc("2026-06-01 12:00")) == (16, 47)
    assert window_indices(quarter, utc("2026-06-01 04:00"), utc("2026-06-01 12:00"), whole=True) == (0, 95)
    four = list(pd.date_range(utc("2026-06-01 00:00"), periods=6, freq="4h"))
    assert window_indices(four, utc("2026-06-01 05:15"), utc("2026-06-01 05:30")) == (1, 1)


def _alert(expected: float, observed: float, unit: str):
    from dashboard.alerts.alert import Alert

    start = utc("2026-06-01 10:00")
    return Alert(start, start + pd.Timedelta("10min"), "rule", "warning", "errors", expected, observed, "m", unit=unit)


def test_alert_figures_carry_their_unit_on_the_page_the_cli_and_the_webhook():
    from dashboard.cli.alerts import format_alert
    from dashboard.views.alerts_panel import alerts_table

    share, count = _alert(10.0, 40.0, "%"), _alert(1234.4, 5678.0, "requests")
    table = alerts_table([share, count], "UTC")
    assert table[["expected", "observed"]].values.tolist() == [
        ["10.0 %", "40.0 %"],
        ["1,234 requests", "5,678 requests"],
    ]
    assert "[expected 10.0 %, observed 40.0 %]" in format_alert(share)
    doc = share.to_dict()  # the webhook's body and the CLI's JSON
    assert (doc["expected_text"], doc["observed_text"]) == ("10.0 %", "40.0 %")


def _browsers_log(tmp_path):
    from dashboard.pipeline import load_log
    from support.loglines import UA_CHROME, UA_FIREFOX, combined

    agents = [UA_CHROME] * 5 + [UA_FIREFOX] * 4 + ["<script>alert(1)</script>"] * 3 + ["Wget/1.21.4", "curl/8.0.1"]
    lines = [
        combined(f"8.8.8.{i}", f"01/Jun/2026:10:{i:02d}:00 +0000", "GET / HTTP/1.1", 200, 100, agent=agent)
        for i, agent in enumerate(agents)
    ]
    path = tmp_path / "browsers.log"
    path.write_text("\n".join(lines) + "\n")
    return load_log(path, "combined")


def test_unrecognised_agents_and_the_top_n_remainder_are_two_different_rows(tmp_path):
    from dashboard.analysis import explore
    from dashboard.analysis.filters import Filter
    from dashboard.analysis.rows import prepare
    from dashboard.render.bars import top_bar_chart

    prepared = prepare(_browsers_log(tmp_path).frame, "UTC")
    table = explore.explore(prepared, top=3).tops["browsers"]
    assert table[["browser", "requests"]].values.tolist() == [
        ["Chrome", 5],
        ["Firefox", 4],
        ["Unrecognised", 3],
        ["Other (2 more)", 2],
    ]
    assert table["browser"].is_unique  # one CSV key per row
    only = explore.explore(prepared, [Filter("browser", "is", "Unrecognised")])
    assert {f.key: f.value for f in only.figures}["requests"] == 3  # a real value: it can be filtered by
    spec = top_bar_chart(table, "browser", "Browsers").to_dict()
    bars = spec["datasets"][next(iter(spec["datasets"]))]
    assert [row["browser"] for row in bars] == ["Chrome", "Firefox", "Unrecognised"]  # the rest is not a bar
    assert spec["title"]["subtitle"] == ["+ Other (2 more): 2 requests"]


def test_the_traffic_page_browsers_beside_their_remainder(tmp_path):
    from dashboard.analysis import traffic
    from dashboard.analysis.buckets import window_end
    from dashboard.analysis.cube import build_cube
    from dashboard.analysis.top import with_rest
    from dashboard.render.format import rest_note

    loaded = _browsers_log(tmp_path)
    cube = build_cube(loaded.frame, "1h", "UTC")
    buckets = traffic.bucket_options(cube, "1h")
    data = traffic.window_data(loaded.frame, cube, buckets[0], window_end(buckets, 0, "1h"), buckets=buckets)
    table = with_rest(data.browser_totals, "browser", 2)
    assert table["browser"].tolist() == ["Chrome", "Firefox", "Other (3 more)"]
    assert rest_note(table, "browser") == "+ Other (3 more): 5 requests"
    assert table["requests"].sum() == data.figures["requests"] == 14


def test_the_report_counts_before_it_masks(tmp_path):
    from dashboard.render.report import report_data
    from support.explore_log import load

    loaded = load(tmp_path)
    plain, masked = report_data(loaded), report_data(loaded, anonymise=True)
    assert [f.value for f in masked.figures] == [f.value for f in plain.figures]
    assert masked.tops["ips"]["requests"].tolist() == plain.tops["ips"]["requests"].tolist()  # per client
    assert "81.2.69.160" in set(plain.tops["ips"]["ip"]) and "81.2.69.160" not in set(masked.tops["ips"]["ip"])
    assert {"81.2.69.0", "81.2.69.0 #2"} <= set(masked.tops["ips"]["ip"])


def test_an_anonymised_alert_links_to_its_network_not_its_address():
    from dashboard.views.alerts_panel import _link_filters

    scanner = _alert(20.0, 300.0, "distinct URLs per 10 min")
    scanner.detector, scanner.subject = "scanner", "192.0.2.200"
    assert [f.value for f in _link_filters(scanner, anonymise=False)] == ["192.0.2.200"]
    assert [f.value for f in _link_filters(scanner, anonymise=True)] == ["192.0.2.0/24"]
