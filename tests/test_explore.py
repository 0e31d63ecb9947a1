"""Explore's core on the hand-counted log of tests/explore_log.py: ranges, previous period, deltas, panels."""

from __future__ import annotations

import pandas as pd
import pytest

from dashboard.analysis import explore, ranges, timing
from dashboard.analysis.figures import Figure
from dashboard.analysis.filters import Filter
from dashboard.analysis.ranges import DateRange
from dashboard.analysis.rows import prepare, select_rows
from dashboard.render.bars import top_bar_chart
from dashboard.render.format import format_delta
from dashboard.render.heatmaps import country_hour_chart, weekday_hour_chart
from dashboard.render.theme import PICK, to_spec
from dashboard.render.timeline import response_time_chart, status_chart, traffic_chart
from support.explore_log import load

T = pd.Timestamp


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    return load(tmp_path_factory.mktemp("explore"))


@pytest.fixture(scope="module")
def prepared(loaded):
    return prepare(loaded.frame, "UTC")


def utc(text: str) -> pd.Timestamp:
    return T(text, tz="UTC")


END = utc("2026-06-02 10:10:00") + ranges.RESOLUTION


@pytest.mark.parametrize(
    ("preset", "start", "rows"),
    [
        ("all", utc("2026-06-01 10:00:00"), 10),
        ("week", utc("2026-06-01 10:00:00"), 10),  # longer than the data: the whole log
        ("day", END - pd.Timedelta(days=1), 8),
        ("hour", END - pd.Timedelta(hours=1), 3),
    ],
)
def test_presets_count_back_from_the_end_of_the_data(prepared, preset, start, rows):
    period = ranges.preset_range(prepared.frame["time"], preset)
    assert period == DateRange(start, END)
    assert len(select_rows(prepared, None, period)) == rows


def test_previous_period_has_the_same_length_just_before():
    current = DateRange(utc("2026-06-02 00:00"), utc("2026-06-02 06:00"))
    assert ranges.previous_period(current) == DateRange(utc("2026-06-01 18:00"), utc("2026-06-02 00:00"))


def test_unknown_preset_and_inverted_custom_range_are_errors(prepared):
    with pytest.raises(ranges.RangeError):
        ranges.preset_range(prepared.frame["time"], "month")
    with pytest.raises(ranges.RangeError):
        ranges.custom_range("2026-06-02", "2026-06-01", "UTC")


def test_custom_range_is_whole_local_days():
    period = ranges.custom_range("2026-06-01", "2026-06-01", "Europe/Berlin")
    assert period == DateRange(utc("2026-05-31 22:00"), utc("2026-06-01 22:00"))


def test_empty_log_has_no_range(prepared):
    assert ranges.preset_range(prepared.frame["time"].iloc[:0], "day") is None


@pytest.mark.parametrize(
    ("length", "bucket"),
    [("1h", "1min"), ("1D", "15min"), ("7D", "1h"), ("30D", "4h"), ("400D", "1D"), ("4000D", "1D")],
)
def test_auto_bucket(length, bucket):
    assert ranges.auto_bucket(pd.Timedelta(length)) == bucket


def test_headline_of_the_whole_log(prepared):
    figures = {f.key: f.value for f in explore.figure_list(select_rows(prepared, None, None))}
    assert figures == {
        "requests": 10,
        "visitors": 9,  # 8.8.8.8 + Chrome twice on Monday is one visitor
        "bytes": 4570,
        "countries": 2,  # US and GB; private and reserved addresses are not countries
        "share_4xx": pytest.approx(0.3),
        "share_5xx": pytest.approx(0.1),
        "share_bots": pytest.approx(0.3),
        "response_avg": pytest.approx(0.2315),
    }


def test_last_day_compared_with_the_day_before(prepared):
    period = ranges.preset_range(prepared.frame["time"], "day")
    data = explore.explore(prepared, [], period, compare=True)
    assert data.previous == DateRange(END - pd.Timedelta(days=2), END - pd.Timedelta(days=1))
    figures = {f.key: f for f in data.figures}
    # the day: rows 3-10; the day before: rows 1-2
    assert (figures["requests"].value, figures["requests"].previous) == (8, 2)
    assert figures["requests"].delta == 6
    assert figures["requests"].change == pytest.approx(3.0)
    assert (figures["bytes"].value, figures["bytes"].previous) == (1570, 3000)
    assert figures["bytes"].change == pytest.approx(-0.476666, abs=1e-5)
    assert (figures["visitors"].value, figures["visitors"].previous) == (8, 1)
    assert figures["share_4xx"].delta == pytest.approx(3 / 8)
    assert format_delta(figures["requests"]) == "+300.0%"
    assert format_delta(figures["share_4xx"]) == "+37.5 pp"
    assert format_delta(figures["countries"]) == "+100.0%"  # US, GB vs US


def test_comparison_with_filters_and_no_previous_data(prepared):
    period = ranges.preset_range(prepared.frame["time"], "day")
    data = explore.explore(prepared, [Filter("bots", "is", "only")], period, compare=True)
    requests = next(f for f in data.figures if f.key == "requests")
    assert (requests.value, requests.previous) == (3, None)  # no "new", no "+x pp" against an empty period
    assert all(format_delta(f) is None for f in data.figures)
    assert data.previous_empty and data.comparison_note == explore.NO_PREVIOUS
    assert data.previous_traffic is None


@pytest.mark.parametrize(
    ("figure", "text"),
    [
        (Figure("requests", "Requests", 5, None), None),
        (Figure("requests", "Requests", 0, 0), "±0"),
        (Figure("bytes", "Bytes", 50, 100), "-50.0%"),
        (Figure("share_5xx", "5xx", 0.1, 0.25), "-15.0 pp"),
    ],
)
def test_format_delta(figure, text):
    assert format_delta(figure) == text


def test_without_comparison_figures_have_no_previous(prepared):
    data = explore.explore(prepared, [], None, compare=False)
    assert all(f.previous is None for f in data.figures)
    assert data.previous_traffic is None


def test_top_urls_with_top_n_other_and_share(prepared):
    rows = select_rows(prepared, None, None)
    table = explore.top_table(rows, "path", top=3, visitors=True)
    assert table.to_dict("records") == [
        {"path": "/", "requests": 2, "share": 0.2, "bytes": 2000, "visitors": 2},
        {"path": "/about", "requests": 2, "share": 0.2, "bytes": 2000, "visitors": 2},
        {"path": "/missing", "requests": 2, "share": 0.2, "bytes": 200, "visitors": 2},
        {"path": "Other (4 more)", "requests": 4, "share": 0.4, "bytes": 370, "visitors": 4},
    ]


def test_panels_of_the_whole_log(prepared):
    data = explore.explore(prepared, [], None, bucket="1h")
    simple = {key: dict(zip(t.iloc[:, 0], t["requests"], strict=True)) for key, t in data.tops.items()}
    assert simple["not_found"] == {"/missing": 2}
    assert simple["referrers"] == {"google.com": 3, "example.org": 1, "news.ycombinator.com": 1}
    assert data.tops["referrers"]["share"].tolist() == pytest.approx([0.6, 0.2, 0.2])
    assert simple["os"] == {"Windows": 4, "Linux": 3, "Other": 3}
    assert simple["devices"] == {"desktop": 7, "bot": 3}
    assert simple["bots"] == {"Googlebot": 2, "curl": 1}
    assert data.tops["bots"]["share"].tolist() == pytest.approx([2 / 3, 1 / 3])
    assert simple["browsers"] == {"Chrome": 4, "Firefox": 3, "Googlebot": 2, "curl": 1}
    assert simple["countries"] == {"US": 4, "GB": 2, "private": 2, "reserved": 2}
    assert simple["vhosts"] == {"a.example": 6, "b.example": 4}
    assert len(simple["urls"]) == 7 and sum(simple["urls"].values()) == 10


def test_traffic_and_status_over_time(prepared):
    data = explore.explore(prepared, [], None, bucket="1h")
    traffic = data.traffic.set_index("time")
    assert traffic.loc[utc("2026-06-01 10:00")].to_dict() == {"requests": 4, "visitors": 3, "bytes": 3150}
    seen = {
        utc("2026-06-01 10:00"): 4,
        utc("2026-06-01 11:00"): 2,
        utc("2026-06-01 12:00"): 1,
        utc("2026-06-02 10:00"): 3,
    }
    every_hour = pd.date_range(utc("2026-06-01 10:00"), utc("2026-06-02 10:00"), freq="h")
    assert traffic["requests"].to_dict() == {t: seen.get(t, 0) for t in every_hour}  # empty hours are zeros
    assert set(data.status["time"]) == set(every_hour)  # a bucket without requests is a row of zeros
    status = data.status[(data.status["time"] == utc("2026-06-01 10:00")) & (data.status["requests"] > 0)]
    assert dict(zip(status["status_class"], status["requests"], strict=True)) == {"2xx": 2, "4xx": 1, "5xx": 1}
    assert data.status["requests"].sum() == 10


def test_ghost_line_is_shifted_onto_the_current_period(prepared):
    period = ranges.preset_range(prepared.frame["time"], "day")
    data = explore.explore(prepared, [], period, compare=True, bucket="1h")
    ghost = data.previous_traffic.set_index("time")["requests"]
    # rows 1 and 2 (Monday 10:00 and 10:10) drawn one day later, under Tuesday 10:00; the other hours are zeros
    assert ghost[ghost > 0].to_dict() == {utc("2026-06-02 10:00"): 2}
    assert ghost.index.equals(data.traffic.set_index("time").index)


def test_heatmaps_in_utc_and_tokyo(loaded, prepared):
    cells = explore.weekday_hour(select_rows(prepared, None, None))
    assert len(cells) == 168
    seen = cells[cells["requests"] > 0].set_index(["weekday", "hour"])
    assert seen["visitors"].to_dict() == {("Mon", 10): 3, ("Mon", 11): 2, ("Mon", 12): 1, ("Tue", 10): 3}
    assert seen["requests"].to_dict() == {("Mon", 10): 4, ("Mon", 11): 2, ("Mon", 12): 1, ("Tue", 10): 3}
    tokyo = prepare(loaded.frame, "Asia/Tokyo")
    cells = explore.weekday_hour(select_rows(tokyo, None, None))
    seen = cells[cells["requests"] > 0].set_index(["weekday", "hour"])["visitors"].to_dict()
    assert seen == {("Mon", 19): 3, ("Mon", 20): 2, ("Mon", 21): 1, ("Tue", 19): 3}


def test_country_by_hour(prepared):
    table = explore.country_hour(select_rows(prepared, None, None), top=2)
    assert list(dict.fromkeys(table["country"])) == ["US", "GB"]
    cells = table[table["requests"] > 0].set_index(["country", "hour"])["requests"].to_dict()
    assert cells == {("US", 10): 4, ("GB", 10): 1, ("GB", 11): 1}


def test_response_time_by_url_and_over_time(prepared):
    rows = select_rows(prepared, None, None)
    by_url = explore.response_by_url(rows, top=3).set_index("path")
    assert by_url.loc["/about", "avg_s"] == pytest.approx(0.125)
    assert by_url.loc["/about", "p95"] == pytest.approx(0.05 + 0.95 * 0.15)
    assert by_url.loc["/", "avg_s"] == pytest.approx(0.1)
    assert by_url.loc["/about", "total_s"] == pytest.approx(0.25)
    over_time = explore.response_over_time(rows, "1h").set_index("time")
    assert over_time.loc[utc("2026-06-01 10:00"), "avg_s"] == pytest.approx((0.1 + 0.2 + 0.01 + 1.5) / 4)


def test_explore_and_the_audience_page_rank_urls_by_response_time_alike(prepared):
    """One table for "response time per URL": Explore's (on path codes) is ``timing.top_urls`` (on the frame)."""
    ours = explore.response_by_url(select_rows(prepared, None, None), top=3)
    theirs = timing.top_urls(prepared.frame, top=3)
    pd.testing.assert_frame_equal(ours, theirs, check_dtype=False)


def test_response_panels_are_absent_without_the_column(loaded):
    prepared = prepare(loaded.frame.drop(columns=["response_time_s", "vhost"]), "UTC")
    data = explore.explore(prepared, [])
    assert data.response_by_url is None and data.response_over_time is None
    assert "vhosts" not in data.tops
    assert "response_avg" not in {f.key for f in data.figures}


def test_filters_change_every_panel(prepared):
    data = explore.explore(prepared, [Filter("country", "is", "US")], None, bucket="1h")
    assert {f.key: f.value for f in data.figures}["requests"] == 4
    assert data.tops["countries"]["country"].tolist() == ["US"]
    assert data.traffic["requests"].sum() == 4
    assert data.weekday_hour["requests"].sum() == 4
    assert data.tops["not_found"]["requests"].tolist() == [1]


def test_empty_selection_draws_empty_panels(prepared):
    data = explore.explore(prepared, [Filter("path", "is", "/nowhere")], None)
    assert {f.key: f.value for f in data.figures}["requests"] == 0
    assert (data.traffic["requests"] == 0).all() and data.status.empty
    assert all(t.empty for t in data.tops.values())
    for builder, table in (
        (traffic_chart, data.traffic),
        (status_chart, data.status),
    ):
        assert builder(table).to_dict()


def test_charts_carry_the_panel_data(prepared):
    period = ranges.preset_range(prepared.frame["time"], "day")
    data = explore.explore(prepared, [], period, compare=True, bucket="1h")
    spec = traffic_chart(data.traffic, data.previous_traffic).to_dict()
    rows = next(iter(spec["datasets"].values()))
    assert {r["period"] for r in rows} == {"current", "previous period"}
    assert any(layer["mark"].get("strokeDash") for layer in spec["layer"])  # the ghost line
    bars = top_bar_chart(data.tops["urls"], "path").to_dict()
    assert bars["params"][0]["name"] == PICK
    assert bars["params"][0]["select"]["fields"] == ["path"]


def test_every_chart_builder_gives_a_valid_vega_lite_spec(prepared):
    """The page skips Altair's validation at run time (to_spec); it is done here instead."""
    data = explore.explore(prepared, [], ranges.preset_range(prepared.frame["time"], "day"), compare=True)
    charts = [
        traffic_chart(data.traffic, data.previous_traffic, "visitors", "Asia/Tokyo"),
        status_chart(data.status, "UTC", selectable=True),
        weekday_hour_chart(data.weekday_hour),
        country_hour_chart(data.country_hour),
        response_time_chart(data.response_over_time, "UTC"),
        *(top_bar_chart(t, explore.TOP_PANELS[k][1]) for k, t in data.tops.items()),
    ]
    for chart in charts:
        assert chart.to_dict() == to_spec(chart)  # to_dict() validates against the schema
