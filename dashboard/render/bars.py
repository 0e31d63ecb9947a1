"""The top-N bar chart: requests per value, largest at the top (both pages, the report).

A table's "Other (N more)" remainder is not a bar: it is the chart's subtitle, so the top bars use the scale.
A lumped "Other" value (heatmap tables, timelines) is drawn grey and last.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from dashboard.analysis.top import is_rest
from dashboard.render.format import rest_note
from dashboard.render.theme import BAR_STEP, COLOURS, pick, series_order
from dashboard.schema import OTHER

LABEL_LIMIT = 260  # pixels of a value's label before Vega ellipsises it (URLs are long)
# Columns shown in the tooltip when the table has them, after the value, requests and share.
EXTRA_TOOLTIPS = (("visitors", "visitors"), ("bytes", "bytes"))


def top_bar_chart(table: pd.DataFrame, dimension: str, title: str = "", selectable: bool = True) -> alt.Chart:
    """Horizontal bars of requests per value, share in the tooltip; a click selects a value (``PICK``)."""
    data = table.copy()
    data[dimension] = data[dimension].astype(str)
    if "share" not in data:
        data["share"] = data["requests"] / max(int(data["requests"].sum()), 1)
    note = rest_note(data, dimension)
    data = data[~is_rest(data[dimension])] if note else data
    order = series_order(data, dimension)
    tooltip = [
        alt.Tooltip(field=dimension, type="nominal", title=dimension),
        alt.Tooltip("requests:Q", title="requests", format=","),
        alt.Tooltip("share:Q", title="share", format=".1%"),
    ]
    tooltip += [alt.Tooltip(f"{column}:Q", title=name, format=",") for column, name in EXTRA_TOOLTIPS if column in data]
    chart = (
        alt.Chart(data, title=alt.TitleParams(title, subtitle=[note]) if note else title)
        .mark_bar()
        .encode(
            x=alt.X("requests:Q", title="requests", axis=alt.Axis(tickMinStep=1, format="~s")),
            y=alt.Y(field=dimension, type="nominal", sort=order, title=None, axis=alt.Axis(labelLimit=LABEL_LIMIT)),
            color=alt.when(alt.datum[dimension] == OTHER)
            .then(alt.value(COLOURS["other"]))
            .otherwise(alt.value(COLOURS["accent"])),
            tooltip=tooltip,
        )
        .properties(height=alt.Step(BAR_STEP))
    )
    if selectable:
        chart = chart.add_params(pick(dimension, "dblclick"))
    return chart
