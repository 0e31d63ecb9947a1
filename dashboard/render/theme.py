"""What every chart shares: the palette, colour maths, the time axis, series order, the click selection, to_spec.

Time axis (the one convention of every chart): Vega-Lite shows times in the *browser's* zone unless a scale is
``utc``, and it reads a time without an offset as the browser's local time. So each time is turned into the
wall-clock time it shows in the display zone, written with a UTC offset, and drawn on a ``utc`` scale: the axis
reads the display zone's wall time whatever the viewer's own zone is. Tooltips carry labels formatted in Python.
"""

from __future__ import annotations

from functools import lru_cache

import altair as alt
import pandas as pd

from dashboard.analysis.buckets import LABEL_FORMAT, bucket_labels
from dashboard.schema import OTHER

# Categorical series: Tableau-10 hues without its grey (grey means "Other"); mid-tone, readable on light and
# dark backgrounds.
SERIES_COLOURS = (
    "#4e79a7",
    "#f28e2b",
    "#e15759",
    "#76b7b2",
    "#59a14f",
    "#edc948",
    "#b07aa1",
    "#ff9da7",
    "#9c755f",
    "#499894",
)
COLOURS = {
    "accent": SERIES_COLOURS[0],
    "other": "#9e9e9e",
    "marker": "#d62728",
    "heat_low": "#f1f5fb",
    "heat_high": "#08306b",
    "text_dark": "#1b1f24",
    "text_light": "#ffffff",
}
STATUS_COLOURS = {"1xx": "#76b7b2", "2xx": "#59a14f", "3xx": "#4e79a7", "4xx": "#f28e2b", "5xx": "#e15759"}
HEAT_SCHEME = "blues"  # Vega's scheme for the heatmap charts (the heatmap tables use heat_low → heat_high)
# The dark theme's heat: from a shade just above the page's background (an empty cell recedes) to a bright blue.
DARK_HEAT = {"heat_low": "#1c2533", "heat_high": "#8cc4ff"}
DARK_HEAT_SCHEME = "darkblue"  # Vega's sequential scheme made for dark backgrounds
FADED_OPACITY = 0.2
CHART_HEIGHT = 260
BREAK_AT_GAPS = "break-paths-filter-domains"  # a line stops at a bucket without a value instead of bridging it
BAR_STEP = 22  # pixels per bar of a horizontal bar chart

WALL_TIME_FORMAT = LABEL_FORMAT  # how a time reads in labels, tables and the report (the slider's format)
TIME_LABEL_FORMAT = WALL_TIME_FORMAT + " %Z"
# Vega multi-format for the time axis: 24-hour clock, the date at midnight (Vega's default is "03 AM").
TIME_AXIS_FORMAT = {"minutes": "%H:%M", "hours": "%H:%M", "date": "%b %d", "week": "%b %d", "month": "%b %Y"}

PICK = "pick"  # the name of the click selection on bar charts (the page reads it back)


def heat_stops(dark: bool = False) -> tuple[str, str]:
    """The heatmap tables' colour ramp (empty → busiest) for the light or the dark theme."""
    colours = DARK_HEAT if dark else COLOURS
    return colours["heat_low"], colours["heat_high"]


def heat_scheme(dark: bool = False) -> str:
    """The Vega colour scheme of the heatmap charts for the light or the dark theme."""
    return DARK_HEAT_SCHEME if dark else HEAT_SCHEME


def to_spec(chart: alt.TopLevelMixin) -> dict:
    """The Vega-Lite spec without Altair's JSON-schema validation (~10 ms per chart on every rerun).

    The builders' output is validated once in the tests (``chart.to_dict()``); the page and the report
    hand the unvalidated dict to ``st.vega_lite_chart`` / vega-embed.
    """
    return chart.to_dict(validate=False)


@lru_cache(maxsize=64)
def pick(field: str, clear: str | None = None) -> alt.Parameter:
    """The click selection ``PICK`` on ``field``, built once per field (Altair validates each as it builds it)."""
    return alt.selection_point(name=PICK, fields=[field], on="click", clear=clear or alt.Undefined)


def series_order(counts: pd.DataFrame, dimension: str) -> list[str]:
    """Values of a dimension by total requests, largest first, "Other" last."""
    if counts.empty:
        return []
    sums = counts.groupby(counts[dimension].astype(str), sort=False)["requests"].sum()
    ranked = sorted(sums.items(), key=lambda item: (-item[1], item[0]))
    order = [value for value, _ in ranked if value != OTHER]
    return [*order, OTHER] if OTHER in sums.index else order


def series_colours(order: list[str]) -> list[str]:
    """One colour per value in ``order``: the palette in turn, grey for "Other"."""
    colours, i = [], 0
    for value in order:
        if value == OTHER:
            colours.append(COLOURS["other"])
        else:
            colours.append(SERIES_COLOURS[i % len(SERIES_COLOURS)])
            i += 1
    return colours


def wall_clock(times: pd.Series, tz: str) -> pd.Series:
    """Naive wall-clock times in ``tz``: instants (tz-aware) are converted; naive times already are wall time."""
    times = pd.to_datetime(times)
    return times.dt.tz_convert(tz).dt.tz_localize(None) if times.dt.tz is not None else times


def axis_time(times: pd.Series, tz: str) -> pd.Series:
    """The wall time in ``tz`` labelled UTC, for a ``utc`` Vega-Lite scale (no viewer's zone shifts it)."""
    return wall_clock(times, tz).dt.tz_localize("UTC")


def bucket_slots(starts: pd.Series, tz: str, span: pd.Timedelta | None = None) -> pd.DataFrame:
    """Where each bucket (a tz-aware start) is drawn: ``x`` on the time axis, ``width`` and its ``label``.

    Buckets that share a wall-clock start (the hour repeated when clocks go back) share its slot, side by side in
    time order, and are told apart by their UTC offset (``buckets.bucket_labels``). ``span`` defaults to the
    smallest gap between wall-clock starts.
    """
    instants = pd.to_datetime(starts)
    if instants.dt.tz is None:  # naive times are wall-clock times in tz already
        instants = instants.dt.tz_localize(tz, ambiguous=True, nonexistent="shift_forward")
    instants = instants.dt.tz_convert(tz)
    distinct = pd.Series(instants.unique()).sort_values(ignore_index=True)
    wall = axis_time(distinct, tz)
    if span is None:
        gaps = wall.drop_duplicates().diff().dropna()
        span = gaps.min() if len(gaps) else pd.Timedelta(hours=1)
    part = wall.groupby(wall).cumcount()
    parts = wall.map(wall.value_counts())
    width = span / parts
    slots = pd.DataFrame({"x": wall + width * part, "width": width, "label": bucket_labels(distinct)})
    slots.index = pd.DatetimeIndex(distinct)
    return slots.reindex(pd.DatetimeIndex(instants)).set_axis(starts.index)


def time_labels(times: pd.Series, tz: str, fmt: str = TIME_LABEL_FORMAT) -> pd.Series:
    """Times as the wall time they show in ``tz`` (as ``wall_clock`` reads them), with the zone abbreviation."""
    times = pd.to_datetime(times)
    return (times.dt.tz_convert(tz) if times.dt.tz is not None else times).dt.strftime(fmt)


def time_x(field: str, tz: str, title: str = "time", axis_format: str | dict = TIME_AXIS_FORMAT) -> alt.X:
    """The x encoding of a time axis: a field made by ``axis_time``, on a ``utc`` scale, titled with the zone."""
    return alt.X(f"{field}:T", title=f"{title} ({tz})", scale=alt.Scale(type="utc"), axis=alt.Axis(format=axis_format))


def hex_rgb(colour: str) -> tuple[int, int, int]:
    """'#rrggbb' → (r, g, b)."""
    colour = colour.lstrip("#")
    return int(colour[0:2], 16), int(colour[2:4], 16), int(colour[4:6], 16)


def blend(stops: tuple[str, ...], t: float) -> tuple[int, int, int]:
    """Colour at ``t`` in [0, 1] along evenly spaced hex stops."""
    t = min(max(float(t), 0.0), 1.0)
    position = t * (len(stops) - 1)
    i = min(int(position), len(stops) - 2)
    f = position - i
    (r0, g0, b0), (r1, g1, b1) = hex_rgb(stops[i]), hex_rgb(stops[i + 1])
    return round(r0 + (r1 - r0) * f), round(g0 + (g1 - g0) * f), round(b0 + (b1 - b0) * f)


def luminance(rgb: tuple[int, int, int]) -> float:
    """Relative luminance (WCAG) of an sRGB colour, 0 black to 1 white."""
    channels = [c / 255 for c in rgb]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
