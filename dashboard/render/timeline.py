"""Charts with a time axis: the Traffic page's browser timeline, the Explore page's traffic, status and response
charts, and the live requests-per-minute area. Every time goes through ``theme.axis_time`` (one convention).
"""

from __future__ import annotations

import hashlib

import altair as alt
import numpy as np
import pandas as pd

from dashboard.analysis.buckets import check_bucket
from dashboard.render.theme import (
    BREAK_AT_GAPS,
    CHART_HEIGHT,
    COLOURS,
    FADED_OPACITY,
    SERIES_COLOURS,
    STATUS_COLOURS,
    axis_time,
    bucket_slots,
    pick,
    series_colours,
    series_order,
    time_labels,
    time_x,
)
from dashboard.schema import STATUS_LABELS

MARKER_OPACITY = 0.15
Y_AXIS_EXTENT = 56  # px for the value axis of the timeline and of the window strip under it: their plots line up
WINDOW_STRIP_HEIGHT = 40
GROUP_PADDING = 0.08  # share of a bucket left empty on each side of a group of grouped bars
STACK_PADDING = 0.03  # the same for a stacked bar, so neighbouring buckets stay apart
METRICS = {"requests": "Requests", "visitors": "Unique visitors", "bytes": "Bytes"}
LIVE_HEIGHT = 160
# The browser timeline's legend sits under the plot, so the bars get the column's whole width (a legend on the
# right took 40% of a narrow column: 672 quarter-hours in 330 px).
LEGEND_COLUMNS = 3  # fits a 400 px phone as well


def table_digest(frame: pd.DataFrame | None) -> str | None:
    """A fingerprint of a small table's columns, index and values: a chart drawn from it need not be built again."""
    if frame is None:
        return None
    hashed = pd.util.hash_pandas_object(frame, index=True).to_numpy().tobytes()
    return hashlib.sha1(hashed + repr(list(frame.columns)).encode()).hexdigest()


def timeline_table(
    counts: pd.DataFrame, dimension: str, tz: str, span: pd.Timedelta, stacked: bool, order: list[str]
) -> pd.DataFrame:
    """The rows the timeline draws: one rectangle (x0..x1, y0..y1) per bucket and value."""
    columns = ["start", dimension, "requests", "label", "x0", "x1", "y0", "y1"]
    if counts.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    slots = bucket_slots(counts["bucket"], tz, span)  # the repeated hour: two bars side by side in its slot
    table = pd.DataFrame(
        {
            "start": slots["x"].to_numpy(),
            "width": slots["width"].to_numpy(),
            dimension: counts[dimension].astype(str).to_numpy(),
            "requests": counts["requests"].to_numpy().astype(np.int64),
            "label": slots["label"].to_numpy(),
        }
    )
    rank = {value: i for i, value in enumerate(order)}
    table["_rank"] = table[dimension].map(rank)
    table = table.sort_values(["start", "_rank"], kind="stable").reset_index(drop=True)
    if stacked:
        table["x0"] = table["start"] + table["width"] * STACK_PADDING
        table["x1"] = table["start"] + table["width"] * (1 - STACK_PADDING)
        table["y1"] = table.groupby("start")["requests"].cumsum()
        table["y0"] = table["y1"] - table["requests"]
    else:
        slot = table["width"] * (1 - 2 * GROUP_PADDING) / max(len(order), 1)
        table["x0"] = table["start"] + table["width"] * GROUP_PADDING + slot * table["_rank"]
        table["x1"] = table["x0"] + slot
        table["y0"], table["y1"] = 0, table["requests"]
    return table[columns]


def axis_domain(domain: tuple[pd.Timestamp, pd.Timestamp], tz: str) -> list[float]:
    """A (first, last) pair of UTC instants as the milliseconds of a ``utc`` time axis showing wall time in ``tz``."""
    wall = axis_time(pd.Series(pd.to_datetime(list(domain), utc=True)), tz)
    return [float(t.timestamp() * 1000) for t in wall]


def window_strip_chart(
    start: pd.Timestamp, end: pd.Timestamp, domain: tuple[pd.Timestamp, pd.Timestamp], tz: str = "UTC"
) -> alt.Chart:
    """The slider's window as a band under the timeline (same domain, same value-axis width).

    Apart from the timeline, a slider step re-sends only this strip: the timeline's spec is the same at every step,
    so Streamlit sends a reference to it instead of its rows, and the browser does not draw it again.
    """
    times = axis_time(pd.Series(pd.to_datetime([start, end], utc=True)), tz)
    table = pd.DataFrame({"x0": [times.iloc[0]], "x1": [times.iloc[1]], "lane": ["window"]})
    x = alt.X(
        "x0:T",
        scale=alt.Scale(type="utc", domain=axis_domain(domain, tz), nice=False),
        axis=alt.Axis(labels=False, ticks=False, domain=False, grid=False, title=None),
    )
    y = alt.Y("lane:N", title=None, axis=alt.Axis(minExtent=Y_AXIS_EXTENT, maxExtent=Y_AXIS_EXTENT, ticks=False))
    band = alt.Chart(table).mark_bar(color=COLOURS["marker"], opacity=0.35).encode(x=x, x2="x1:T", y=y)
    return band.properties(height=WINDOW_STRIP_HEIGHT)


def marker_layers(markers: pd.DataFrame | None, tz: str) -> list[alt.Chart]:
    """Shaded spans plus a dashed rule at each start, for alerts or deploys (columns start, end, label)."""
    if markers is None or markers.empty:
        return []
    start = axis_time(markers["start"], tz)
    end = axis_time(markers["end"], tz) if "end" in markers else start
    table = pd.DataFrame({"x0": start, "x1": end.fillna(start), "label": markers["label"].astype(str)})
    table = table[table["x0"].notna()]
    if table.empty:
        return []
    x = alt.X("x0:T", scale=alt.Scale(type="utc"))
    tooltip = [alt.Tooltip("label:N", title="marker")]
    base = alt.Chart(table)
    span = base.mark_rect(color=COLOURS["marker"], opacity=MARKER_OPACITY).encode(x=x, x2="x1:T", tooltip=tooltip)
    rule = base.mark_rule(color=COLOURS["marker"], strokeDash=[4, 3]).encode(x=x, tooltip=tooltip)
    return [span, rule]


def browser_timeline_chart(
    counts: pd.DataFrame,
    dimension: str = "browser",
    stacked: bool = True,
    tz: str = "UTC",
    bucket_label: str = "4h",
    markers: pd.DataFrame | None = None,
    domain: tuple[pd.Timestamp, pd.Timestamp] | None = None,
) -> alt.Chart | alt.LayerChart:
    """Requests per bucket, one colour per value, stacked or grouped; click the legend to highlight a series.

    With ``domain`` (UTC instants) the time axis spans exactly that range and the value axis has a fixed width,
    so ``window_strip_chart`` drawn under it with the same domain lines up with it.

    Bars are drawn as explicit rectangles (x/x2, y/y2) on a ``utc`` time scale: Vega-Lite drops ``xOffset``
    on a continuous axis, and a ``timeUnit`` band would floor buckets that do not start on a unit boundary
    (a UTC bucket seen from Asia/Kolkata starts at :30), so grouped bars get their slot computed here.
    """
    span = check_bucket(bucket_label)
    order = series_order(counts, dimension)
    table = timeline_table(counts, dimension, tz, span, stacked, order)
    legend = alt.selection_point(fields=[dimension], bind="legend")
    x = time_x("x0", tz)
    if domain is not None:
        x = x.scale(type="utc", domain=axis_domain(domain, tz), nice=False)
    bars = (
        alt.Chart(table)
        .mark_bar()
        .encode(
            x=x,
            x2="x1:T",
            y=alt.Y("y0:Q", title=None, axis=alt.Axis(minExtent=Y_AXIS_EXTENT, maxExtent=Y_AXIS_EXTENT)),
            y2="y1:Q",
            color=alt.Color(
                field=dimension,
                type="nominal",
                scale=alt.Scale(domain=order, range=series_colours(order)),
                legend=alt.Legend(title=dimension, orient="bottom", columns=LEGEND_COLUMNS),
            ),
            opacity=alt.when(legend).then(alt.value(1.0)).otherwise(alt.value(FADED_OPACITY)),
            tooltip=[
                alt.Tooltip("label:N", title=f"{bucket_label} from"),
                alt.Tooltip(field=dimension, type="nominal", title=dimension),
                alt.Tooltip("requests:Q", title="requests", format=","),
            ],
        )
        .add_params(legend)
    )
    extra = marker_layers(markers, tz)
    # The markers go beneath the bars: the topmost mark under the pointer owns the tooltip, and a window span
    # drawn over the bars would answer "marker: window" wherever a bar is.
    return alt.layer(*extra, bars) if extra else bars


def _on_axis(table: pd.DataFrame, tz: str) -> pd.DataFrame:
    """A copy whose ``time`` is drawn on the time axis, with a ``label`` for the tooltip."""
    table = table.copy()
    slots = bucket_slots(table["time"], tz)
    table["label"] = slots["label"].to_numpy()
    table["time"] = slots["x"].to_numpy()
    return table


def traffic_chart(
    current: pd.DataFrame, previous: pd.DataFrame | None = None, metric: str = "requests", tz: str = "UTC"
) -> alt.Chart | alt.LayerChart:
    """The metric per bucket as an area, with the previous period as a dashed grey ghost line."""
    title = METRICS[metric]
    parts = [current.assign(period="current")]
    if previous is not None and len(previous):
        parts.append(previous.assign(period="previous period"))
    table = _on_axis(pd.concat(parts, ignore_index=True)[["time", metric, "period"]], tz)
    tooltip = [
        alt.Tooltip("period:N", title="period"),
        alt.Tooltip("label:N", title="from"),
        alt.Tooltip(f"{metric}:Q", title=title, format=","),
    ]
    base = alt.Chart(table).encode(x=time_x("time", tz), y=alt.Y(f"{metric}:Q", title=title.lower()), tooltip=tooltip)
    area = base.transform_filter(alt.datum.period == "current").mark_area(
        line={"color": COLOURS["accent"]}, color=COLOURS["accent"], opacity=0.35, interpolate="step-after"
    )
    layers = [area]
    if len(parts) > 1:
        ghost = base.transform_filter(alt.datum.period == "previous period").mark_line(
            color=COLOURS["other"], strokeDash=[5, 4], interpolate="step-after"
        )
        layers.append(ghost)
    return alt.layer(*layers).properties(height=CHART_HEIGHT)


def status_chart(status: pd.DataFrame, tz: str = "UTC", selectable: bool = False) -> alt.Chart:
    """Requests per bucket, stacked by status class (2xx green … 5xx red); a click selects a class (``PICK``)."""
    table = _on_axis(status, tz)
    domain = [c for c in STATUS_LABELS if c in set(table["status_class"])]
    colours = [STATUS_COLOURS.get(c, COLOURS["other"]) for c in domain]
    chart = (
        alt.Chart(table)
        .mark_bar()
        .encode(
            x=time_x("time", tz),
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
        chart = chart.add_params(pick("status_class"))
    return chart


def response_time_chart(table: pd.DataFrame, tz: str = "UTC") -> alt.Chart:
    """Average and p95 response time per bucket, one line each."""
    data = table.melt(id_vars="time", value_vars=["avg_s", "p95_s"], var_name="measure", value_name="seconds")
    data["time"] = bucket_slots(data["time"], tz)["x"].to_numpy()
    data["measure"] = data["measure"].map({"avg_s": "average", "p95_s": "p95"})
    return (
        alt.Chart(data)
        .mark_line(interpolate="step-after", invalid=BREAK_AT_GAPS)
        .encode(
            x=time_x("time", tz),
            y=alt.Y("seconds:Q", title="seconds"),
            color=alt.Color("measure:N", scale=alt.Scale(domain=["average", "p95"], range=list(SERIES_COLOURS[:2]))),
            tooltip=[alt.Tooltip("measure:N"), alt.Tooltip("seconds:Q", format=".3f")],
        )
        .properties(height=CHART_HEIGHT)
    )


def live_rate_chart(per_minute: pd.DataFrame, tz: str = "UTC") -> alt.Chart:
    """Requests per minute (columns minute, requests) as an area, in the wall time of ``tz``."""
    data = pd.DataFrame(
        {
            "minute": axis_time(per_minute["minute"], tz),
            "at": time_labels(per_minute["minute"], tz, "%H:%M"),
            "requests": per_minute["requests"],
        }
    )
    return (
        alt.Chart(data)
        .mark_area(opacity=0.6)
        .encode(
            x=time_x("minute", tz, "minute", "%H:%M"),
            y=alt.Y("requests:Q", title="requests per minute"),
            tooltip=[alt.Tooltip("at:N", title="minute"), alt.Tooltip("requests:Q", title="requests")],
        )
        .properties(height=LIVE_HEIGHT)
    )
