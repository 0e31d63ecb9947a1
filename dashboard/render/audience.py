"""The Audience page's charts and texts: response-time percentiles over time, page views vs assets, durations."""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from dashboard.analysis.audience import AudienceData
from dashboard.analysis.timing import STATS
from dashboard.render.theme import BREAK_AT_GAPS, CHART_HEIGHT, SERIES_COLOURS, bucket_slots, time_x

PERCENTILE_LINES = ("p50", "p95", "p99")
RESPONSE_LABELS = {"max": "Max"}
SECONDS_COLUMNS = {  # column → (title, factor): totals in seconds, single responses in milliseconds
    "total_s": ("time served (s)", 1.0),
    "avg_s": ("avg (ms)", 1000.0),
    **{key: (f"{key} (ms)", 1000.0) for key in STATS},
}


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


def seconds_table(table: pd.DataFrame) -> pd.DataFrame:
    """A timing table as it is read: single responses in milliseconds, time served in seconds (page and report)."""
    out = table.copy()
    for column, (title, factor) in SECONDS_COLUMNS.items():
        if column in out:
            out[title] = (out.pop(column) * factor).round(1)
    return out


def visit_figures(data: AudienceData) -> list[tuple[str, str]]:
    """The Audience page's visit figures, written as the page writes them."""
    figures = data.visit_figures
    per_visit = figures["pages_per_visit"]
    return [
        ("Page views", f"{data.pageviews:,}"),
        ("Visits", f"{figures['visits']:,}"),
        ("Bounce rate", format_share(figures["bounce_rate"])),
        ("Pages per visit", "–" if per_visit is None else f"{per_visit:.2f}"),
        ("Median visit", format_duration(figures["duration_median_s"])),
        ("Mean visit", format_duration(figures["duration_mean_s"])),
    ]


def response_figures(data: AudienceData) -> list[tuple[str, str]]:
    """p50, p95, p99 and max over the selection (none without response times)."""
    if data.response is None:
        return []
    return [(RESPONSE_LABELS.get(key, key), format_seconds(data.response[key])) for key in STATS]
