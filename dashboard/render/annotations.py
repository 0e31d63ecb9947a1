"""Annotations (deploys, incidents) on time charts: a dashed rule at each instant with its label at the top.

``annotate`` layers them over any chart whose x axis is ``theme.time_x`` (wall time of ``tz`` on a ``utc``
scale), keeping only the annotations inside the chart's range so they never stretch its axis.
"""

from __future__ import annotations

from collections.abc import Sequence

import altair as alt
import pandas as pd

from dashboard.analysis.annotations import Annotation, within
from dashboard.render.theme import axis_time, time_labels

ANNOTATION_COLOUR = "#6a3d9a"  # apart from the alert markers' red and the series colours
LABEL_LIMIT = 140  # pixels of label before it is cut with an ellipsis
LABEL_SIZE = 10


def annotation_frame(annotations: Sequence[Annotation], tz: str) -> pd.DataFrame:
    """x (on the time axis), the label, the tag and the wall time shown in the tooltip."""
    times = pd.Series([a.time for a in annotations], dtype="datetime64[ns, UTC]")
    return pd.DataFrame(
        {
            "x": axis_time(times, tz),
            "text": [a.text for a in annotations],
            "tag": [a.tag for a in annotations],
            "at": time_labels(times, tz, "%Y-%m-%d %H:%M %z"),
        }
    )


def annotation_layers(
    annotations: Sequence[Annotation], tz: str, start: pd.Timestamp | None, end: pd.Timestamp | None
) -> list[alt.Chart]:
    """The rule and label layers of the annotations in [start, end) (none: an empty list)."""
    shown = within(annotations, start, end)
    if not shown:
        return []
    base = alt.Chart(annotation_frame(shown, tz)).encode(
        x=alt.X("x:T", scale=alt.Scale(type="utc")),
        tooltip=[
            alt.Tooltip("at:N", title=f"time ({tz})"),
            alt.Tooltip("text:N", title="annotation"),
            alt.Tooltip("tag:N", title="tag"),
        ],
    )
    rule = base.mark_rule(color=ANNOTATION_COLOUR, strokeDash=[6, 3], strokeWidth=1.5)
    label = base.mark_text(
        align="left", baseline="top", dx=3, fontSize=LABEL_SIZE, color=ANNOTATION_COLOUR, limit=LABEL_LIMIT
    ).encode(y=alt.value(2), text="text:N")
    return [rule, label]


def annotate(
    chart: alt.TopLevelMixin,
    annotations: Sequence[Annotation],
    tz: str,
    start: pd.Timestamp | None,
    end: pd.Timestamp | None,
) -> alt.TopLevelMixin:
    """``chart`` with the annotations of [start, end) layered over it (``chart`` itself when there are none)."""
    layers = annotation_layers(annotations, tz, start, end)
    if not layers:
        return chart
    height = getattr(chart, "height", alt.Undefined)
    layered = alt.layer(chart, *layers)
    return layered if height is alt.Undefined else layered.properties(height=height)


def time_range(table: pd.DataFrame, column: str = "time", span: pd.Timedelta | None = None) -> tuple:
    """(first, last + span) of a table's tz-aware time column, in UTC: the range a time chart draws."""
    if table is None or table.empty:
        return None, None
    times = pd.to_datetime(table[column])
    last = times.max() + (span if span is not None else pd.Timedelta(0))
    return times.min().tz_convert("UTC"), last.tz_convert("UTC")
