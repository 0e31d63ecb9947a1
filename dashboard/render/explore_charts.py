"""Pure Altair builders for the Explore page and the HTML report (tables from ``explore`` → ``alt.Chart``).

Times in the tables are naive wall-clock times of the display zone; they are labelled UTC and drawn on a
``utc`` scale, so the axis reads the display zone whatever the viewer's own zone is (as in ``charts``).
Every label that comes from the log reaches the browser as data, shown by Vega as text.
"""

from __future__ import annotations

from functools import lru_cache

import altair as alt
import pandas as pd

from dashboard.analysis.aggregate import OTHER, STATUS_CLASSES
from dashboard.render.charts import COLOURS, SERIES_COLOURS, TIME_AXIS_FORMAT, series_order

PICK = "pick"  # the name of the click selection on bar charts (the page reads it back)
GHOST_COLOUR = "#9e9e9e"
STATUS_COLOURS = {"1xx": "#76b7b2", "2xx": "#59a14f", "3xx": "#4e79a7", "4xx": "#f28e2b", "5xx": "#e15759"}
STATUS_OTHER_COLOUR = "#9e9e9e"
HEAT_SCHEME = "blues"
METRICS = {"requests": "Requests", "visitors": "Unique visitors", "bytes": "Bytes"}
CHART_HEIGHT = 260
BAR_STEP = 22


def to_spec(chart: alt.TopLevelMixin) -> dict:
    """The Vega-Lite spec without Altair's JSON-schema validation (~10 ms per chart on every rerun).

    The builders' output is validated once in the tests (``chart.to_dict()``); the page and the report
    hand the unvalidated dict to ``st.vega_lite_chart`` / vega-embed.
    """
    return chart.to_dict(validate=False)


@lru_cache(maxsize=64)
def _pick(field: str, clear: str | None = None) -> alt.Parameter:
    """The click selection ``PICK`` on ``field``, built once per field: Altair validates a selection against
    its JSON schema as it builds it (~8 ms each, ten per rerun of the Explore page)."""
    return alt.selection_point(name=PICK, fields=[field], on="click", clear=clear or alt.Undefined)


def _utc_wall(times: pd.Series) -> pd.Series:
    return pd.to_datetime(times).dt.tz_localize("UTC")


def _time_x(tz: str) -> alt.X:
    return alt.X("time:T", title=f"time ({tz})", scale=alt.Scale(type="utc"), axis=alt.Axis(format=TIME_AXIS_FORMAT))


def traffic_chart(
    current: pd.DataFrame, previous: pd.DataFrame | None = None, metric: str = "requests", tz: str = "UTC"
) -> alt.Chart | alt.LayerChart:
    """The metric per bucket as an area, with the previous period as a dashed grey ghost line."""
    title = METRICS[metric]
    parts = [current.assign(period="current")]
    if previous is not None and len(previous):
        parts.append(previous.assign(period="previous period"))
    table = pd.concat(parts, ignore_index=True)[["time", metric, "period"]]
    table["time"] = _utc_wall(table["time"])
    table["label"] = table["time"].dt.strftime("%Y-%m-%d %H:%M")
    tooltip = [
        alt.Tooltip("period:N", title="period"),
        alt.Tooltip("label:N", title="from"),
        alt.Tooltip(f"{metric}:Q", title=title, format=","),
    ]
    base = alt.Chart(table).encode(x=_time_x(tz), y=alt.Y(f"{metric}:Q", title=title.lower()), tooltip=tooltip)
    area = base.transform_filter(alt.datum.period == "current").mark_area(
        line={"color": COLOURS["accent"]}, color=COLOURS["accent"], opacity=0.35, interpolate="step-after"
    )
    layers = [area]
    if len(parts) > 1:
        ghost = base.transform_filter(alt.datum.period == "previous period").mark_line(
            color=GHOST_COLOUR, strokeDash=[5, 4], interpolate="step-after"
        )
        layers.append(ghost)
    return alt.layer(*layers).properties(height=CHART_HEIGHT)


def status_chart(status: pd.DataFrame, tz: str = "UTC", selectable: bool = False) -> alt.Chart:
    """Requests per bucket, stacked by status class (2xx green … 5xx red); a click selects a class (``PICK``)."""
    table = status.copy()
    table["time"] = _utc_wall(table["time"])
    table["label"] = table["time"].dt.strftime("%Y-%m-%d %H:%M")
    domain = [c for c in (*STATUS_CLASSES, "other") if c in set(table["status_class"])]
    colours = [STATUS_COLOURS.get(c, STATUS_OTHER_COLOUR) for c in domain]
    chart = (
        alt.Chart(table)
        .mark_bar()
        .encode(
            x=_time_x(tz),
            y=alt.Y("sum(requests):Q", title="requests", stack="zero"),
            color=alt.Color("status_class:N", title="status", scale=alt.Scale(domain=domain, range=colours)),
            order=alt.Order("status_class:N"),
            tooltip=[
                alt.Tooltip("label:N", title="from"),
                alt.Tooltip("status_class:N", title="status"),
                alt.Tooltip("requests:Q", title="requests", format=","),
            ],
        )
        .properties(height=CHART_HEIGHT)
    )
    if selectable:
        chart = chart.add_params(_pick("status_class"))
    return chart


def top_bar_chart(table: pd.DataFrame, dimension: str, title: str = "", selectable: bool = True) -> alt.Chart:
    """Horizontal bars of requests per value ("Other" grey and last); a click selects a value (``PICK``)."""
    data = table.copy()
    data[dimension] = data[dimension].astype(str)
    order = series_order(data, dimension)
    tooltip = [
        alt.Tooltip(field=dimension, type="nominal", title=dimension),
        alt.Tooltip("requests:Q", title="requests", format=","),
        alt.Tooltip("share:Q", title="share", format=".1%"),
    ]
    if "visitors" in data:
        tooltip.append(alt.Tooltip("visitors:Q", title="visitors", format=","))
    chart = (
        alt.Chart(data, title=title)
        .mark_bar()
        .encode(
            x=alt.X("requests:Q", title="requests", axis=alt.Axis(tickMinStep=1, format="~s")),
            y=alt.Y(field=dimension, type="nominal", sort=order, title=None, axis=alt.Axis(labelLimit=260)),
            color=alt.when(alt.datum[dimension] == OTHER)
            .then(alt.value(COLOURS["other"]))
            .otherwise(alt.value(COLOURS["accent"])),
            tooltip=tooltip,
        )
        .properties(height=alt.Step(BAR_STEP))
    )
    if selectable:
        chart = chart.add_params(_pick(dimension, "dblclick"))
    return chart


def weekday_hour_chart(table: pd.DataFrame, value: str = "visitors") -> alt.Chart:
    """Kibana's heatmap: hour of day across, weekday down, colour by ``value``."""
    return (
        alt.Chart(table)
        .mark_rect()
        .encode(
            x=alt.X("hour:O", title="hour of day"),
            y=alt.Y("weekday:N", sort=list(dict.fromkeys(table["weekday"])), title=None),
            color=alt.Color(f"{value}:Q", title=value, scale=alt.Scale(scheme=HEAT_SCHEME)),
            tooltip=[
                alt.Tooltip("weekday:N"),
                alt.Tooltip("hour:O"),
                alt.Tooltip(f"{value}:Q", format=","),
            ],
        )
    )


def country_hour_chart(table: pd.DataFrame) -> alt.Chart:
    """Requests per country (largest first) × hour of day."""
    order = list(dict.fromkeys(table["country"].astype(str)))
    return (
        alt.Chart(table)
        .mark_rect()
        .encode(
            x=alt.X("hour:O", title="hour of day"),
            y=alt.Y("country:N", sort=order, title=None),
            color=alt.Color("requests:Q", scale=alt.Scale(scheme=HEAT_SCHEME)),
            tooltip=[alt.Tooltip("country:N"), alt.Tooltip("hour:O"), alt.Tooltip("requests:Q", format=",")],
        )
    )


def response_time_chart(table: pd.DataFrame, tz: str = "UTC") -> alt.Chart:
    """Average and p95 response time per bucket, one line each."""
    data = table.melt(id_vars="time", value_vars=["avg_s", "p95_s"], var_name="measure", value_name="seconds")
    data["time"] = _utc_wall(data["time"])
    data["measure"] = data["measure"].map({"avg_s": "average", "p95_s": "p95"})
    return (
        alt.Chart(data)
        .mark_line(interpolate="step-after")
        .encode(
            x=_time_x(tz),
            y=alt.Y("seconds:Q", title="seconds"),
            color=alt.Color("measure:N", scale=alt.Scale(domain=["average", "p95"], range=list(SERIES_COLOURS[:2]))),
            tooltip=[alt.Tooltip("measure:N"), alt.Tooltip("seconds:Q", format=".3f")],
        )
        .properties(height=CHART_HEIGHT)
    )
