"""Heatmaps: the Traffic page's time × value tables (a coloured pandas Styler) and the Explore page's
weekday × hour and country × hour charts, each in the light or the dark theme's colours (``dark``).
"""

from __future__ import annotations

from functools import lru_cache, partial
from typing import TYPE_CHECKING

import altair as alt
import numpy as np
import pandas as pd

from dashboard.analysis.buckets import bucket_labels
from dashboard.render.theme import (
    COLOURS,
    WALL_TIME_FORMAT,
    blend,
    heat_scheme,
    heat_stops,
    luminance,
    series_order,
)

if TYPE_CHECKING:
    from pandas.io.formats.style import Styler

TOTAL = "Total"
DARK_TEXT_BELOW_LUMINANCE = 0.45  # cells darker than this get light text


def heatmap_pivot(
    counts: pd.DataFrame, dimension: str, tz: str = "UTC", time_format: str = WALL_TIME_FORMAT
) -> pd.DataFrame:
    """Buckets (labels in ``tz``, chronological) × values (largest first, "Other" last) → requests, plus Total."""
    order = series_order(counts, dimension)
    if counts.empty:
        empty = pd.DataFrame(index=pd.Index([], name="bucket", dtype=object), columns=[TOTAL], dtype=np.int64)
        empty.columns.name = dimension
        return empty
    table = pd.DataFrame(
        {
            "bucket": pd.to_datetime(counts["bucket"]),
            "value": counts[dimension].astype(str),
            "requests": counts["requests"],
        }
    )
    pivot = table.pivot_table(
        index="bucket", columns="value", values="requests", aggfunc="sum", fill_value=0, sort=True
    ).reindex(columns=order, fill_value=0)
    starts = pd.Series(pivot.index).dt.tz_convert(tz)
    labels = bucket_labels(starts, time_format)  # the repeated hour when clocks go back: two rows, by UTC offset
    pivot.index = pd.Index(labels, name="bucket")
    if pivot.index.has_duplicates:  # a coarse time_format: merge rows that read the same
        pivot = pivot.groupby(level=0, sort=False).sum()
    pivot = pivot.astype(np.int64)
    pivot[TOTAL] = pivot.sum(axis=1)
    pivot.columns.name = dimension
    return pivot


SHADES = 16  # the table's colour steps: cells of one step share one CSS rule (a smaller page on each slider step)


def cell_css(t: float, dark: bool = False) -> str:
    """Background and a readable text colour for a cell at ``t`` = value / max, in the light or dark theme."""
    rgb = blend(heat_stops(dark), t)
    text = COLOURS["text_light"] if luminance(rgb) < DARK_TEXT_BELOW_LUMINANCE else COLOURS["text_dark"]
    return "background-color: #{:02x}{:02x}{:02x}; color: {}".format(*rgb, text)


STYLE_ID = "h"  # the table's CSS id, named in each cell's rule: pandas' random 5 characters cost 2 KB a table
NARROW_MAX = np.iinfo(np.int32).max


@lru_cache(maxsize=2)
def _palette(dark: bool) -> np.ndarray:
    """The CSS of each of the SHADES + 1 colour steps, made once per theme."""
    return np.array([cell_css(step / SHADES, dark) for step in range(SHADES + 1)], dtype=object)


def _shade_css(block: pd.DataFrame, top: int, dark: bool) -> pd.DataFrame:
    """Each cell's CSS: its value / ``top`` rounded to a colour step (half to even, as ``round``), all at once."""
    steps = np.rint(block.to_numpy(dtype=np.float64) / top * SHADES).astype(np.int64).clip(0, SHADES)
    return pd.DataFrame(_palette(dark)[steps], index=block.index, columns=block.columns)


def style_heatmap(pivot: pd.DataFrame, dark: bool = False) -> Styler:
    """Colour cells by value / largest cell (Total left uncoloured), numbers with thousands separators.

    The page re-sends the table at every slider step: counts that fit go as 32-bit integers (the same numbers,
    2 KB less), and the cells' rules name a one-letter table id.
    """
    if (
        len(pivot.columns)
        and (pivot.dtypes == np.int64).all()
        and int(np.abs(pivot.to_numpy()).max(initial=0)) <= NARROW_MAX
    ):
        pivot = pivot.astype(np.int32)
    styler = pivot.style.format("{:,}")
    styler.set_uuid(STYLE_ID)
    values = [c for c in pivot.columns if c != TOTAL]
    if pivot.empty or not values:
        return styler
    top = max(int(pivot[values].to_numpy().max()), 1)
    styler = styler.apply(partial(_shade_css, top=top, dark=dark), axis=None, subset=values)
    if TOTAL in pivot.columns:
        styler = styler.map(lambda _: "font-weight: 600", subset=[TOTAL])
    return styler


def weekday_hour_chart(table: pd.DataFrame, value: str = "visitors", dark: bool = False) -> alt.Chart:
    """Kibana's heatmap: hour of day across, weekday down, colour by ``value``."""
    return (
        alt.Chart(table)
        .mark_rect()
        .encode(
            x=alt.X("hour:O", title="hour of day"),
            y=alt.Y("weekday:N", sort=list(dict.fromkeys(table["weekday"])), title=None),
            color=alt.Color(f"{value}:Q", title=value, scale=alt.Scale(scheme=heat_scheme(dark))),
            tooltip=[
                alt.Tooltip("weekday:N"),
                alt.Tooltip("hour:O"),
                alt.Tooltip(f"{value}:Q", format=","),
            ],
        )
    )


def country_hour_chart(table: pd.DataFrame, dark: bool = False) -> alt.Chart:
    """Requests per country (largest first) × hour of day."""
    order = list(dict.fromkeys(table["country"].astype(str)))
    return (
        alt.Chart(table)
        .mark_rect()
        .encode(
            x=alt.X("hour:O", title="hour of day"),
            y=alt.Y("country:N", sort=order, title=None),
            color=alt.Color("requests:Q", scale=alt.Scale(scheme=heat_scheme(dark))),
            tooltip=[alt.Tooltip("country:N"), alt.Tooltip("hour:O"), alt.Tooltip("requests:Q", format=",")],
        )
    )
