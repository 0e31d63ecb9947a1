"""Chart builders: the Vega-Lite / deck.gl specs and the heatmap Styler, checked through their serialized form."""

from __future__ import annotations

import re

import altair as alt
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dashboard.render import bars, heatmaps, theme, timeline
from dashboard.schema import OTHER

UA = "Mozilla/5.0 (X11; Linux x86_64; rv:126.0) Gecko/20100101 Firefox/126.0"

# (UTC time, browser, country, status, bytes, is_bot)
ROWS = [
    ("2026-06-01 00:05", "Chrome", "DE", 200, 512, False),
    ("2026-06-01 00:40", "Chrome", "DE", 200, 1024, False),
    ("2026-06-01 01:10", "Firefox", "US", 404, 0, False),
    ("2026-06-01 02:30", "Chrome", "US", 200, 2048, False),
    ("2026-06-01 03:59", "Safari", "FR", 500, 100, False),
    ("2026-06-01 04:00", "Chrome", "private", 200, 300, False),
    ("2026-06-01 05:15", "Firefox", "DE", 301, 0, False),
    ("2026-06-01 09:00", "Googlebot", "US", 200, 4096, True),
    ("2026-06-01 09:30", "Edge", "unknown", 200, 50, False),
]


def make_frame(rows: list[tuple] = ROWS) -> pd.DataFrame:
    """A tiny enriched frame shaped like the real one."""
    frame = pd.DataFrame(rows, columns=["time", "browser", "country", "status", "bytes", "is_bot"])
    frame["time"] = pd.to_datetime(frame["time"]).dt.tz_localize("UTC")
    frame["status"] = frame["status"].astype("int16")
    frame["ip"] = [f"203.0.113.{i}" for i in range(len(frame))]
    frame["user_agent"] = UA
    return frame


def chart_spec(chart: alt.TopLevelMixin) -> dict:
    """The Vega-Lite spec as a dict."""
    return chart.to_dict()


def layer_of(spec: dict, index: int = 0) -> dict:
    """A layer of a layered spec, or the spec itself."""
    return spec["layer"][index] if "layer" in spec else spec


def rows_of(spec: dict, index: int = 0) -> list[dict]:
    """The inline data rows of a (layer of a) spec."""
    data = layer_of(spec, index).get("data") or spec["data"]
    return spec["datasets"][data["name"]]


def mark_type(layer: dict) -> str:
    """The mark type whether given as a string or an object."""
    mark = layer["mark"]
    return mark if isinstance(mark, str) else mark["type"]


def counts_table(rows: list[tuple], dimension: str = "browser", tz: str = "UTC") -> pd.DataFrame:
    """Requests per bucket and value, as the Traffic page's data has them, from (UTC bucket, value, requests)."""
    table = pd.DataFrame(rows, columns=["bucket", dimension, "requests"])
    table["bucket"] = pd.to_datetime(table["bucket"]).dt.tz_localize("UTC").dt.tz_convert(tz)
    table["bytes"] = table["requests"] * 100
    return table


# ---------------------------------------------------------------- timeline


# ROWS in 4-hour UTC buckets × browser, the top 2 and the rest as Other
COUNTS_4H = [
    ("2026-06-01 00:00", "Chrome", 3),
    ("2026-06-01 00:00", "Firefox", 1),
    ("2026-06-01 00:00", OTHER, 1),
    ("2026-06-01 04:00", "Chrome", 1),
    ("2026-06-01 04:00", "Firefox", 1),
    ("2026-06-01 08:00", OTHER, 2),
]


@pytest.fixture
def counts() -> pd.DataFrame:
    """4-hour buckets × browser, top 2 + Other, in UTC."""
    return counts_table(COUNTS_4H)


def test_timeline_encodings(counts: pd.DataFrame) -> None:
    spec = chart_spec(timeline.browser_timeline_chart(counts))
    assert mark_type(spec) == "bar"
    enc = spec["encoding"]
    assert enc["x"]["field"] == "x0" and enc["x"]["type"] == "temporal"
    assert enc["x"]["scale"] == {"type": "utc"}
    assert enc["x2"]["field"] == "x1"
    assert (enc["y"]["field"], enc["y2"]["field"]) == ("y0", "y1")
    assert enc["color"]["field"] == "browser" and enc["color"]["type"] == "nominal"
    assert [t["field"] for t in enc["tooltip"]] == ["label", "browser", "requests"]
    assert enc["tooltip"][2]["format"] == ","


def test_timeline_rows_match_counts(counts: pd.DataFrame) -> None:
    spec = chart_spec(timeline.browser_timeline_chart(counts))
    got = sorted((r["label"], r["browser"], r["requests"]) for r in rows_of(spec))
    assert got == [
        ("2026-06-01 00:00", "Chrome", 3),
        ("2026-06-01 00:00", "Firefox", 1),
        ("2026-06-01 00:00", "Other", 1),
        ("2026-06-01 04:00", "Chrome", 1),
        ("2026-06-01 04:00", "Firefox", 1),
        ("2026-06-01 08:00", "Other", 2),
    ]
    assert sum(r["requests"] for r in rows_of(spec)) == len(ROWS)


def test_timeline_colours_rank_values_and_other_is_grey(counts: pd.DataFrame) -> None:
    scale = chart_spec(timeline.browser_timeline_chart(counts))["encoding"]["color"]["scale"]
    assert scale["domain"] == ["Chrome", "Firefox", OTHER]
    assert scale["range"] == [theme.SERIES_COLOURS[0], theme.SERIES_COLOURS[1], theme.COLOURS["other"]]


def test_stacked_and_grouped_differ(counts: pd.DataFrame) -> None:
    stacked = rows_of(chart_spec(timeline.browser_timeline_chart(counts, stacked=True)))
    grouped = rows_of(chart_spec(timeline.browser_timeline_chart(counts, stacked=False)))
    first = [r for r in stacked if r["label"] == "2026-06-01 00:00"]
    # stacked: one column per bucket, each value on top of the previous one (largest at the bottom)
    assert [(r["browser"], r["y0"], r["y1"]) for r in first] == [("Chrome", 0, 3), ("Firefox", 3, 4), ("Other", 4, 5)]
    assert len({(r["x0"], r["x1"]) for r in first}) == 1
    # grouped: every bar starts at zero, side by side in the value's own slot
    first = [r for r in grouped if r["label"] == "2026-06-01 00:00"]
    assert all(r["y0"] == 0 and r["y1"] == r["requests"] for r in first)
    assert len({r["x0"] for r in first}) == 3
    assert [r["x0"] for r in first] == sorted(r["x0"] for r in first)
    assert all(r["x0"] < r["x1"] for r in grouped)


def test_grouped_slot_is_per_value_not_per_bucket() -> None:
    table = counts_table([("2026-06-01 00:00", "Chrome", 5), ("2026-06-01 04:00", "Firefox", 2)])
    rows = rows_of(chart_spec(timeline.browser_timeline_chart(table, stacked=False)))
    offsets = {r["browser"]: pd.Timestamp(r["x0"]) - pd.Timestamp(r["start"]) for r in rows}
    assert offsets["Chrome"] < offsets["Firefox"]  # Firefox keeps its second slot even alone in its bucket


def test_legend_selection_fades_other_series(counts: pd.DataFrame) -> None:
    spec = chart_spec(timeline.browser_timeline_chart(counts, dimension="browser"))
    (param,) = spec["params"]
    assert param["bind"] == "legend"
    assert param["select"] == {"type": "point", "fields": ["browser"]}
    opacity = spec["encoding"]["opacity"]
    assert opacity["condition"][0]["param"] == param["name"]
    assert opacity["condition"][0]["value"] == 1.0
    assert opacity["value"] == theme.FADED_OPACITY


@pytest.mark.parametrize(
    ("tz", "start", "label"),
    [
        ("UTC", "2026-06-01T00:00:00+00:00", "2026-06-01 00:00"),
        ("Europe/Berlin", "2026-06-01T02:00:00+00:00", "2026-06-01 02:00"),
        ("America/New_York", "2026-05-31T20:00:00+00:00", "2026-05-31 20:00"),
        ("Asia/Kolkata", "2026-06-01T05:30:00+00:00", "2026-06-01 05:30"),
    ],
)
def test_timeline_shows_wall_time_of_selected_zone(tz: str, start: str, label: str) -> None:
    table = counts_table([("2026-06-01 00:00", "Chrome", 4)])
    spec = chart_spec(timeline.browser_timeline_chart(table, tz=tz, bucket_label="4h"))
    (row,) = rows_of(spec)
    # the wall time is stored as if UTC and drawn on a utc scale, so no browser zone shifts it
    assert (row["start"], row["label"]) == (start, label)
    assert spec["encoding"]["x"]["scale"]["type"] == "utc"
    assert tz in spec["encoding"]["x"]["title"]
    assert pd.Timestamp(row["x0"]) >= pd.Timestamp(start)
    assert pd.Timestamp(row["x1"]) <= pd.Timestamp(start) + pd.Timedelta("4h")


def test_timeline_from_counts_bucketed_in_the_same_zone() -> None:
    # ROWS in 4-hour buckets of Berlin wall time (00:00, 04:00, 08:00 CEST are 22:00, 02:00, 06:00 UTC)
    rows = [("2026-05-31 22:00", "Chrome", 2), ("2026-06-01 02:00", "Chrome", 4), ("2026-06-01 06:00", "Edge", 3)]
    counts = counts_table(rows, tz="Europe/Berlin")
    rows = rows_of(chart_spec(timeline.browser_timeline_chart(counts, tz="Europe/Berlin")))
    assert sorted({r["start"] for r in rows}) == [
        "2026-06-01T00:00:00+00:00",  # 02:05 and 02:40 Berlin
        "2026-06-01T04:00:00+00:00",
        "2026-06-01T08:00:00+00:00",
    ]


def test_timeline_repeated_hour_when_clocks_go_back_is_two_bars() -> None:
    # 2026-10-25: Berlin goes from CEST to CET at 03:00 CEST, so 02:xx happens twice
    # 02:00 CEST and 02:00 CET: two hourly buckets sharing one wall-clock hour, side by side, told apart by offset
    counts = counts_table(
        [("2026-10-25 00:00", "Chrome", 1), ("2026-10-25 01:00", "Chrome", 2), ("2026-10-25 02:00", "Chrome", 3)],
        tz="Europe/Berlin",
    )
    rows = rows_of(chart_spec(timeline.browser_timeline_chart(counts, tz="Europe/Berlin", bucket_label="1h")))
    assert [(r["label"], r["requests"]) for r in rows] == [
        ("2026-10-25 02:00 (+0200)", 1),
        ("2026-10-25 02:00 (+0100)", 2),
        ("2026-10-25 03:00", 3),
    ]
    edges = [(pd.Timestamp(r["x0"]), pd.Timestamp(r["x1"])) for r in rows]
    assert edges[0][1] <= edges[1][0] and edges[1][1] <= edges[2][0]  # no overlap, in time order
    assert pd.Timestamp(rows[1]["start"]) == pd.Timestamp("2026-10-25 02:30", tz="UTC")  # the second half of 02:00


def test_timeline_other_dimension() -> None:
    counts = counts_table(
        [("2026-06-01", "2xx", 6), ("2026-06-01", "3xx", 1), ("2026-06-01", "4xx", 1), ("2026-06-01", "5xx", 1)],
        dimension="status_class",
    )
    spec = chart_spec(timeline.browser_timeline_chart(counts, dimension="status_class", bucket_label="1D"))
    assert spec["encoding"]["color"]["field"] == "status_class"
    assert spec["params"][0]["select"]["fields"] == ["status_class"]
    assert {r["status_class"]: r["requests"] for r in rows_of(spec)} == {"2xx": 6, "3xx": 1, "4xx": 1, "5xx": 1}


def test_timeline_markers_layer() -> None:
    table = counts_table([("2026-06-01 00:00", "Chrome", 4)])
    markers = pd.DataFrame(
        {
            "start": pd.to_datetime(["2026-06-01 06:00"]).tz_localize("UTC"),
            "end": pd.to_datetime(["2026-06-01 07:00"]).tz_localize("UTC"),
            "label": ["5xx spike"],
        }
    )
    chart = timeline.browser_timeline_chart(table, tz="Europe/Berlin", markers=markers)
    assert isinstance(chart, alt.LayerChart)
    spec = chart_spec(chart)
    # The bars are drawn last (on top): a marker span never takes their tooltips.
    assert [mark_type(layer) for layer in spec["layer"]] == ["rect", "rule", "bar"]
    (marker,) = rows_of(spec, 0)
    assert marker == {"x0": "2026-06-01T08:00:00+00:00", "x1": "2026-06-01T09:00:00+00:00", "label": "5xx spike"}
    assert spec["layer"][0]["encoding"]["x"]["scale"]["type"] == "utc"
    assert spec["layer"][1]["encoding"]["tooltip"][0]["field"] == "label"
    assert spec["layer"][2]["encoding"]["tooltip"][-1]["field"] == "requests"


@pytest.mark.parametrize(
    "markers",
    [
        None,
        pd.DataFrame(columns=["start", "end", "label"]),
        pd.DataFrame({"start": [None], "end": [None], "label": ["window"]}),  # an open window has no start
    ],
)
def test_timeline_without_markers_is_a_plain_chart(counts: pd.DataFrame, markers: pd.DataFrame | None) -> None:
    assert isinstance(timeline.browser_timeline_chart(counts, markers=markers), alt.Chart)


def test_timeline_empty_counts() -> None:
    spec = chart_spec(timeline.browser_timeline_chart(counts_table([])))
    assert rows_of(spec) == []
    assert spec["encoding"]["color"]["scale"]["domain"] == []


def test_live_rate_chart_writes_wall_time_with_an_offset() -> None:
    # Vega-Lite reads a time without an offset as the viewer's local time, which a utc scale then shifts
    per_minute = pd.DataFrame(
        {"minute": pd.to_datetime(["2026-06-01 10:00", "2026-06-01 10:01"]).tz_localize("UTC"), "requests": [3, 5]}
    )
    spec = chart_spec(timeline.live_rate_chart(per_minute, tz="Asia/Kolkata"))
    assert [(r["minute"], r["at"], r["requests"]) for r in rows_of(spec)] == [
        ("2026-06-01T15:30:00+00:00", "15:30", 3),
        ("2026-06-01T15:31:00+00:00", "15:31", 5),
    ]
    assert spec["encoding"]["x"]["scale"] == {"type": "utc"}
    assert spec["encoding"]["x"]["title"] == "minute (Asia/Kolkata)"


def explore_table(times: pd.Series) -> dict[str, pd.DataFrame]:
    """The Explore page's time tables (traffic, status, response time) at ``times``."""
    n = len(times)
    return {
        "traffic": pd.DataFrame({"time": times, "requests": range(1, n + 1), "visitors": [1] * n, "bytes": [9] * n}),
        "status": pd.DataFrame({"time": times, "status_class": ["2xx"] * n, "requests": [2] * n}),
        "response": pd.DataFrame({"time": times, "avg_s": [0.1] * n, "p95_s": [0.3] * n}),
    }


def time_charts(times: pd.Series, tz: str) -> list[alt.TopLevelMixin]:
    """Every chart with a time axis, fed ``times``."""
    tables = explore_table(times)
    counts = pd.DataFrame({"bucket": times, "browser": "Chrome", "requests": 1})
    per_minute = pd.DataFrame({"minute": times, "requests": 1})
    markers = pd.DataFrame({"start": times, "end": times, "label": "alert"})
    return [
        timeline.browser_timeline_chart(counts, tz=tz, bucket_label="1h", markers=markers),
        timeline.traffic_chart(tables["traffic"], tables["traffic"], tz=tz),
        timeline.status_chart(tables["status"], tz=tz),
        timeline.response_time_chart(tables["response"], tz=tz),
        timeline.live_rate_chart(per_minute, tz=tz),
    ]


def axis_times(spec: dict) -> set[str]:
    """The values of every temporal x/x2 field drawn by a (layered) spec."""
    values = set()
    layers = spec.get("layer", [spec])
    for i, layer in enumerate(layers):
        fields = [layer["encoding"][k]["field"] for k in ("x", "x2") if k in layer.get("encoding", {})]
        fields = fields or [spec["encoding"]["x"]["field"]]
        for row in rows_of(spec, i) if "data" in layer or "data" in spec else []:
            values |= {row[f] for f in fields}
    return values


@pytest.mark.parametrize(
    ("times", "tz"),
    [
        (pd.to_datetime(["2026-06-01 00:00", "2026-06-01 01:00"]).tz_localize("UTC"), "Asia/Kolkata"),  # instants
        (pd.to_datetime(["2026-06-01 05:30", "2026-06-01 06:30"]), "Asia/Kolkata"),  # wall times (Explore tables)
    ],
)
def test_every_time_axis_shows_the_display_zone_the_same_way(times: pd.DatetimeIndex, tz: str) -> None:
    for chart in time_charts(pd.Series(times), tz):
        spec = chart_spec(chart)
        for layer in spec.get("layer", [spec]):
            x = layer.get("encoding", {}).get("x") or spec["encoding"]["x"]
            assert x["scale"] == {"type": "utc"}
        shown = {pd.Timestamp(t) for t in axis_times(spec)}
        assert shown, chart
        # wall time in the display zone, written with a UTC offset so no viewer's zone moves it
        assert all(t.utcoffset() == pd.Timedelta(0) for t in shown)
        assert min(shown) >= pd.Timestamp("2026-06-01 05:30", tz="UTC")
        assert min(shown) <= pd.Timestamp("2026-06-01 06:30", tz="UTC")


# ---------------------------------------------------------------- totals


def test_totals_bar_chart() -> None:
    table = pd.DataFrame({"browser": ["Chrome", "Firefox", OTHER], "requests": [4, 2, 3], "bytes": [3884, 0, 4246]})
    spec = chart_spec(bars.top_bar_chart(table, "browser", title="Browsers", selectable=False))
    assert mark_type(spec) == "bar"
    assert spec["title"] == "Browsers"
    enc = spec["encoding"]
    assert (enc["x"]["field"], enc["x"]["type"]) == ("requests", "quantitative")
    assert enc["y"]["field"] == "browser"
    assert enc["y"]["sort"] == ["Chrome", "Firefox", OTHER]
    share = next(t for t in enc["tooltip"] if t["field"] == "share")
    assert share["format"] == ".1%"
    rows = {r["browser"]: (r["requests"], r["share"]) for r in rows_of(spec)}
    assert rows == {"Chrome": (4, 4 / 9), "Firefox": (2, 2 / 9), OTHER: (3, 3 / 9)}


def test_totals_bar_chart_other_last_even_when_largest() -> None:
    table = pd.DataFrame({"country": ["US", OTHER, "DE"], "requests": [5, 50, 2], "bytes": [0, 0, 0]})
    spec = chart_spec(bars.top_bar_chart(table, "country"))
    assert spec["encoding"]["y"]["sort"] == ["US", "DE", OTHER]
    assert {r["country"]: r["share"] for r in rows_of(spec)}["US"] == pytest.approx(5 / 57)


# ---------------------------------------------------------------- heatmap


def test_heatmap_pivot_order_totals_and_zero_fill() -> None:
    table = counts_table(
        [
            ("2026-06-01 04:00", "Firefox", 2),
            ("2026-06-01 00:00", "Chrome", 3),
            ("2026-06-01 00:00", OTHER, 9),
            ("2026-06-01 08:00", "Chrome", 4),
            ("2026-06-01 08:00", "Firefox", 1),
        ]
    )
    pivot = heatmaps.heatmap_pivot(table, "browser", tz="Europe/Berlin")
    assert list(pivot.columns) == ["Chrome", "Firefox", OTHER, heatmaps.TOTAL]  # Other last though largest
    assert list(pivot.index) == ["2026-06-01 02:00", "2026-06-01 06:00", "2026-06-01 10:00"]
    assert pivot.to_dict(orient="index") == {
        "2026-06-01 02:00": {"Chrome": 3, "Firefox": 0, OTHER: 9, heatmaps.TOTAL: 12},
        "2026-06-01 06:00": {"Chrome": 0, "Firefox": 2, OTHER: 0, heatmaps.TOTAL: 2},
        "2026-06-01 10:00": {"Chrome": 4, "Firefox": 1, OTHER: 0, heatmaps.TOTAL: 5},
    }
    assert all(dtype.kind == "i" for dtype in pivot.dtypes)


def test_heatmap_pivot_from_aggregate_with_categorical_values() -> None:
    counts = counts_table(
        [("2026-06-01", b, n) for b, n in [("Safari", 1), ("Chrome", 4), ("Edge", 1), ("Firefox", 2)]]
    )
    counts.loc[len(counts)] = [pd.Timestamp("2026-06-01", tz="UTC"), "Googlebot", 1, 100]
    counts["browser"] = pd.Categorical(counts["browser"], categories=["Opera", *sorted(set(counts["browser"]))])
    pivot = heatmaps.heatmap_pivot(counts, "browser", time_format="%Y-%m-%d")
    assert list(pivot.columns) == ["Chrome", "Firefox", "Edge", "Googlebot", "Safari", heatmaps.TOTAL]
    assert pivot.loc["2026-06-01", heatmaps.TOTAL] == len(ROWS)


def test_heatmap_pivot_empty() -> None:
    pivot = heatmaps.heatmap_pivot(counts_table([]), "browser")
    assert pivot.empty
    assert list(pivot.columns) == [heatmaps.TOTAL]


def test_heatmap_pivot_repeated_hour_keeps_two_rows_labelled_by_offset() -> None:
    table = counts_table(
        [
            ("2026-10-24 23:00", "Chrome", 5),
            ("2026-10-25 00:00", "Chrome", 1),
            ("2026-10-25 01:00", "Chrome", 2),
            ("2026-10-25 02:00", "Chrome", 3),
        ]
    )
    pivot = heatmaps.heatmap_pivot(table, "browser", tz="Europe/Berlin")
    assert list(pivot.index) == [
        "2026-10-25 01:00",
        "2026-10-25 02:00 (+0200)",
        "2026-10-25 02:00 (+0100)",
        "2026-10-25 03:00",
    ]
    assert list(pivot["Chrome"]) == [5, 1, 2, 3]


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 5), st.sampled_from(["Chrome", "Firefox", "Safari", OTHER]), st.integers(1, 10_000)),
        min_size=1,
        max_size=30,
    )
)
def test_heatmap_pivot_invariants(cells: list[tuple[int, str, int]]) -> None:
    table = counts_table([(pd.Timestamp("2026-03-29") + pd.Timedelta(hours=h), b, n) for h, b, n in cells])
    pivot = heatmaps.heatmap_pivot(table, "browser", tz="Europe/Berlin")  # spans the spring-forward gap
    values = pivot.drop(columns=heatmaps.TOTAL)
    assert int(pivot[heatmaps.TOTAL].sum()) == sum(n for _, _, n in cells)
    assert (pivot[heatmaps.TOTAL] == values.sum(axis=1)).all()
    assert pivot.index.is_unique
    sums = values.sum()
    ranked = [c for c in values.columns if c != OTHER]
    assert list(sums[ranked]) == sorted(sums[ranked], reverse=True)
    assert OTHER not in values.columns or values.columns[-1] == OTHER


def cell_styles(html: str) -> dict[tuple[int, int], str]:
    """Per (row, col): the CSS declarations the Styler emitted."""
    styles: dict[tuple[int, int], str] = {}
    for selectors, body in re.findall(r"([^{}]+)\{([^{}]*)\}", html.split("</style>")[0]):
        for row, col in re.findall(r"_row(\d+)_col(\d+)", selectors):
            styles[(int(row), int(col))] = styles.get((int(row), int(col)), "") + body
    return styles


def background(css: str) -> tuple[int, int, int] | None:
    """The background colour in a CSS body."""
    found = re.search(r"background-color:\s*#([0-9a-f]{6})", css)
    return theme.hex_rgb(found.group(1)) if found else None


def test_style_heatmap_colours_by_value() -> None:
    pivot = pd.DataFrame({"Chrome": [12_345, 40, 0], "Firefox": [600, 6_000, 3], OTHER: [1, 2, 3]}, index=list("abc"))
    pivot[heatmaps.TOTAL] = pivot.sum(axis=1)
    html = heatmaps.style_heatmap(pivot).to_html()
    assert "12,345" in html and "12,946" in html  # thousands separators, Total included
    styles = cell_styles(html)
    total_col = list(pivot.columns).index(heatmaps.TOTAL)
    assert all(background(styles.get((r, total_col), "")) is None for r in range(3))
    colours = {(r, c): background(styles[(r, c)]) for r in range(3) for c in range(total_col)}
    assert None not in colours.values()
    ordered = sorted(colours, key=lambda rc: pivot.iat[rc])
    lum = [theme.luminance(colours[rc]) for rc in ordered]
    assert lum == sorted(lum, reverse=True)  # larger values are darker
    assert lum[0] > lum[-1]
    assert "color: #ffffff" in styles[(0, 0)]  # light text on the darkest cell
    assert "color: #1b1f24" in styles[(2, 0)]  # dark text on the lightest


def test_style_heatmap_empty_and_total_only() -> None:
    empty = heatmaps.heatmap_pivot(counts_table([]), "browser")
    assert "<table" in heatmaps.style_heatmap(empty).to_html()
    zeros = pd.DataFrame({"Chrome": [0], heatmaps.TOTAL: [0]}, index=["x"])
    assert "background-color" in heatmaps.style_heatmap(zeros).to_html()


@pytest.mark.parametrize(("t", "expected"), [(0.0, "#f1f5fb"), (1.0, "#08306b"), (-1.0, "#f1f5fb"), (9.0, "#08306b")])
def test_blend_endpoints_and_clamping(t: float, expected: str) -> None:
    assert theme.blend((theme.COLOURS["heat_low"], theme.COLOURS["heat_high"]), t) == theme.hex_rgb(expected)


def test_response_time_lines_break_at_a_bucket_without_a_time():
    """A bucket without any timed request is a gap in the line, not the previous bucket's value carried on."""
    from dashboard.render.audience import percentiles_chart

    times = pd.date_range("2026-06-01 10:00", periods=3, freq="1h", tz="UTC")
    explore_table = pd.DataFrame({"time": times, "avg_s": [0.1, np.nan, 0.2], "p95_s": [0.3, np.nan, 0.4]})
    audience_table = pd.DataFrame(
        {"time": times, "p50": [0.1, np.nan, 0.2], "p95": [0.3, np.nan, 0.4], "p99": [0.5, np.nan, 0.6]}
    )
    for chart in (timeline.response_time_chart(explore_table), percentiles_chart(audience_table)):
        spec = chart.to_dict()
        assert spec["mark"]["invalid"].startswith("break-paths")
        rows = next(iter(spec["datasets"].values()))
        assert any(r["seconds"] is None for r in rows)  # the gap reaches the chart


def test_the_window_strip_lines_up_with_the_timeline(counts: pd.DataFrame) -> None:
    """Same time domain and the same value-axis width: the strip's band sits over the bars of its window."""
    start, end = pd.Timestamp("2026-06-01 00:00", tz="UTC"), pd.Timestamp("2026-06-01 12:00", tz="UTC")
    bars = chart_spec(timeline.browser_timeline_chart(counts, tz="Asia/Kolkata", domain=(start, end)))
    strip = timeline.window_strip_chart(start + pd.Timedelta("4h"), end, (start, end), "Asia/Kolkata").to_dict()
    for spec in (bars, strip):
        assert spec["encoding"]["x"]["scale"]["domain"] == timeline.axis_domain((start, end), "Asia/Kolkata")
        assert spec["encoding"]["y"]["axis"]["minExtent"] == spec["encoding"]["y"]["axis"]["maxExtent"] == 56
    band = rows_of(strip)[0]
    assert pd.Timestamp(band["x0"]).hour == 9 and pd.Timestamp(band["x0"]).minute == 30  # 04:00 UTC in Kolkata
