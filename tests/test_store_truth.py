"""One truth: the same log through the in-memory path and through a store gives every figure, table and alert.

A generated 20k-line log (bots, 4xx/5xx incidents, scanners, rejected lines) is ingested in several batches;
the summary document, the Traffic and Explore pages (AppTest, as data: metrics, tables, chart datasets, map
layers), the report's figures and panels, and the alerts are compared between the log and its store.
"""

from __future__ import annotations

import pandas as pd
import pytest

from dashboard.analysis.cube import build_cube
from dashboard.analysis.filters import parse_param
from dashboard.analysis.visitors import unique_visitors
from dashboard.pipeline import load_log
from dashboard.render.report import report_data
from dashboard.store.query import open_store
from dashboard.store.rows import read_rows, store_log
from dashboard.store.traffic import store_cube, window_visitors
from support.storeapp import APP, EXPLORE_APP, cli_json, history, run, snapshot
from support.storelogs import COMPARED


@pytest.fixture(scope="module")
def both(tmp_path_factory):
    """The log, its store, and the log loaded in memory."""
    log, store = history(tmp_path_factory.mktemp("truth"))
    return log, store, load_log([log])


@pytest.mark.parametrize(("bucket", "tz"), [("1h", "UTC"), ("15min", "Asia/Kathmandu"), ("1D", "America/New_York")])
def test_summary_json(both, bucket, tz):
    log, store, _ = both
    from_log = cli_json(["summary", str(log), "--json", "--bucket", bucket, "--tz", tz])
    from_store = cli_json(["summary", "--store", str(store), "--json", "--bucket", bucket, "--tz", tz])
    assert {k: from_store[k] for k in COMPARED} == {k: from_log[k] for k in COMPARED}
    assert from_store["rejected"] == 3 and from_store["rejects"] == from_log["rejects"]


@pytest.mark.parametrize(("bucket", "tz"), [("5min", "UTC"), ("1h", "Europe/Berlin"), ("4h", "Asia/Kathmandu")])
def test_the_traffic_cube_of_a_store_is_the_cube_of_its_rows(both, bucket, tz):
    _, store, loaded = both
    with open_store(store) as opened:
        pd.testing.assert_frame_equal(store_cube(opened, bucket, tz), build_cube(loaded.frame, bucket, tz))


@pytest.mark.parametrize("bots", ["include", "exclude", "only"])
def test_window_visitors_of_a_store_are_those_of_its_rows(both, bots):
    _, store, loaded = both
    frame = loaded.frame
    start, end = frame["time"].iloc[3000].floor("1h"), frame["time"].iloc[15000].floor("1h")
    rows = frame[(frame["time"] >= start) & (frame["time"] < end)]
    rows = rows[rows["is_bot"]] if bots == "only" else rows[~rows["is_bot"]] if bots == "exclude" else rows
    with open_store(store) as opened:
        assert window_visitors(opened, start, end, bots, "Europe/Paris") == unique_visitors(rows, "Europe/Paris")


def test_rows_read_back_are_the_frame(both):
    _, store, loaded = both
    with open_store(store) as opened:
        rows = read_rows(opened)
    # The same values and dtypes; a categorical's categories may be listed in another order.
    pd.testing.assert_frame_equal(rows[list(loaded.frame.columns)], loaded.frame, check_categorical=False)


@pytest.mark.parametrize(
    ("filters", "sources"), [([], False), (["status:is:4xx", "bots:is:exclude"], True), (["country:is:ZZ"], False)]
)
def test_rows_read_a_few_days_at_a_time_are_the_rows_read_at_once(both, filters, sources):
    """Memory follows the result: whole days are read in groups of ``chunk_rows`` rows, with the same rows, order,
    values, categories and sources as one query over every part."""
    _, store, loaded = both
    chosen = [parse_param(p) for p in filters]
    with open_store(store) as opened:
        assert len({r.day for r in opened.manifest.of_kind("rows")}) >= 4  # the log spans several days
        whole = read_rows(opened, filters=chosen, sources=sources, chunk_rows=10**9)
        for chunk_rows in (1, 6_000):
            pd.testing.assert_frame_equal(
                read_rows(opened, filters=chosen, sources=sources, chunk_rows=chunk_rows), whole
            )
    assert filters or len(whole) == len(loaded.frame)


@pytest.mark.parametrize(
    "filters",
    [
        ["country:is:US"],
        ["status:is:4xx", "bots:is:exclude"],
        ["browser:not:Chrome", "path:contains:/api"],
        ["referrer:is:", "ip:is:10.0.0.0/8"],
        ["status:is:404", "os:is:Windows", "method:not:GET"],
    ],
)
def test_pushed_down_filters_never_drop_a_matching_row(both, filters):
    """What DuckDB returns holds every row the full filter set keeps (the rest is applied in memory)."""
    from dashboard.analysis.filters import filter_mask

    _, store, loaded = both
    parsed = [parse_param(f) for f in filters]
    with open_store(store) as opened:
        rows = read_rows(opened, filters=parsed)
    expected = loaded.frame[filter_mask(loaded.frame, parsed)]
    assert len(rows) >= len(expected)
    kept = rows[filter_mask(rows, parsed)].reset_index(drop=True)
    expected = expected.reset_index(drop=True)
    pd.testing.assert_frame_equal(kept[list(expected.columns)], expected, check_categorical=False)


def _comparable(data) -> dict:
    """An ExploreData as plain values."""
    return {
        "period": data.period,
        "previous": data.previous,
        "bucket": data.bucket,
        "figures": data.figures,
        "tops": {k: v.to_dict("split") for k, v in data.tops.items()},
        "traffic": data.traffic.to_dict("split"),
        "status": data.status.to_dict("split"),
        "weekday_hour": data.weekday_hour.to_dict("split"),
        "country_hour": data.country_hour.to_dict("split"),
        "countries": data.country_totals.to_dict("split"),
    }


@pytest.mark.parametrize(
    ("preset", "filters", "anonymise"),
    [("all", [], False), ("day", ["status:is:5xx"], False), ("week", ["country:not:US"], True)],
)
def test_report_figures_and_panels(both, preset, filters, anonymise):
    _, store, loaded = both
    parsed = [parse_param(f) for f in filters]
    with open_store(store) as opened:
        from_store = store_log(opened)
    assert (from_store.parse.lines, from_store.parse.parsed, from_store.parse.rejected) == (
        loaded.parse.lines,
        loaded.parse.parsed,
        loaded.parse.rejected,
    )
    kwargs = {"tz": "Europe/London", "preset": preset, "filters": parsed, "anonymise": anonymise}
    assert _comparable(report_data(from_store, **kwargs)) == _comparable(report_data(loaded, **kwargs))


def test_alerts_list(both):
    log, store, _ = both
    from_log = cli_json(["alerts", str(log), "--json", "--evidence"])
    assert from_log, "the generated log's incidents raise alerts"
    assert cli_json(["alerts", "--store", str(store), "--json", "--evidence"]) == from_log


def test_report_command_reads_a_store(both, tmp_path):
    log, store, _ = both
    from_log = cli_json(["report", str(log), "-o", str(tmp_path / "log.html"), "--range", "day"])
    from_store = cli_json(["report", "--store", str(store), "-o", str(tmp_path / "store.html"), "--range", "day"])
    assert (from_store["lines"], from_store["rejected"]) == (from_log["lines"], from_log["rejected"])
    assert abs(from_store["bytes"] - from_log["bytes"]) < 200  # the same document but for names and the time made


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"bots": "exclude", "bucket": "4h", "tz": "Europe/Berlin"},
        {"bots": "only", "bucket": "15min", "anon": "true"},
    ],
)
def test_traffic_page(both, monkeypatch, query):
    log, store, _ = both
    from_log = snapshot(run(APP, f"--log {log}", monkeypatch, query))
    from_store = snapshot(run(APP, f"--store {store}", monkeypatch, query))
    assert from_store == from_log
    assert from_log["metrics"] and from_log["tables"] and from_log["maps"] and not from_log["errors"]


def test_traffic_page_after_moving_the_window(both, monkeypatch):
    log, store, _ = both
    snapshots = []
    for args in (f"--log {log}", f"--store {store}"):
        at = run(APP, args, monkeypatch, {"bucket": "1h"})
        options = at.select_slider(key="window").options
        at.select_slider(key="window").set_value((options[20], options[40])).run()
        snapshots.append(snapshot(at))
    assert snapshots[0] == snapshots[1]


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"range": "day", "f": ["status:is:4xx"]},
        {"range": "week", "compare": "false", "f": ["browser:not:Chrome", "bots:is:exclude"], "tz": "Asia/Tokyo"},
        {"range": "hour", "f": ["path:contains:/"], "anon": "true"},
    ],
)
def test_explore_page(both, monkeypatch, query):
    log, store, _ = both
    from_log = snapshot(run(EXPLORE_APP, f"--log {log}", monkeypatch, query))
    from_store = snapshot(run(EXPLORE_APP, f"--store {store}", monkeypatch, query))
    assert from_store == from_log
    assert from_log["metrics"] and from_log["tables"] and not from_log["errors"]
