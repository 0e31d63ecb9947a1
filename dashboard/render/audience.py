"""The Audience page's charts and texts: response-time percentiles over time, page views vs assets, durations."""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from dashboard.render.theme import BREAK_AT_GAPS, CHART_HEIGHT, SERIES_COLOURS, bucket_slots, time_x

PERCENTILE_LINES = ("p50", "p95", "p99")


def percentiles_chart(table: pd.DataFrame, tz: str = "UTC") -> alt.Chart:
    """p50, p95 and p99 response time per bucket (seconds, log scale: a p99 can be 100 times the median)."""
    data = table.melt(id_vars="time", value_vars=list(PERCENTILE_LINES), var_name="percentile", value_name="seconds")
    data["time"] = bucket_slots(data["time"], tz)["x"].to_numpy()
    data.loc[~(data["seconds"] > 0), "seconds"] = np.nan  # a log scale has no 0: a bucket without a time is a gap
    return (
        alt.Chart(data)
        .mark_line(interpolate="step-after", invalid=BREAK_AT_GAPS)
        .encode(
            x=time_x("time", tz),
            y=alt.Y("seconds:Q", title="seconds", scale=alt.Scale(type="log")),
            color=alt.Color(
                "percentile:N",
                scale=alt.Scale(domain=list(PERCENTILE_LINES), range=list(SERIES_COLOURS[: len(PERCENTILE_LINES)])),
            ),
            tooltip=[alt.Tooltip("percentile:N"), alt.Tooltip("seconds:Q", format=".3f")],
        )
        .properties(height=CHART_HEIGHT)
    )


def format_duration(seconds: float | None) -> str:
    """A visit's length as people read it: '42 s', '3 min 05 s', '1 h 02 min'; '–' when unknown."""
    if seconds is None:
        return "–"
    whole = round(seconds)
    if whole < 60:
        return f"{whole} s"
    if whole < 3600:
        return f"{whole // 60} min {whole % 60:02d} s"
    return f"{whole // 3600} h {whole % 3600 // 60:02d} min"


def format_seconds(seconds: float | None) -> str:
    """A response time: milliseconds under a second, seconds above; '–' when unknown."""
    if seconds is None:
        return "–"
    return f"{seconds * 1000:.0f} ms" if seconds < 1 else f"{seconds:.2f} s"


def format_share(share: float | None) -> str:
    """A share as a percentage with one decimal; '–' when unknown."""
    return "–" if share is None else f"{share:.1%}"
