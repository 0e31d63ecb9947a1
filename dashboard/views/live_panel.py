"""The live panel of a followed log: requests per minute (with the annotations of the last hour, as on every
time chart), active visitors and the latest requests.

The latest requests are log content (untrusted): they are shown in a dataframe, as text.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import pandas as pd
import streamlit as st

from dashboard.analysis.annotations import Annotation
from dashboard.live.shared import live_figures
from dashboard.render import timeline
from dashboard.render.annotations import annotate, time_range
from dashboard.render.format import shown_ips
from dashboard.views.sidebar import Selected

MINUTE = pd.Timedelta(minutes=1)  # the span of the rate chart's last bucket


def poll(selected: Selected) -> Selected:
    """The same followed log with the lines that arrived since the last poll."""
    return dataclasses.replace(selected, loaded=selected.live.poll())


def snapshot_note(selected: Selected) -> str:
    """The read the panel and the page below are drawn from, so the two can be seen to agree."""
    parse = selected.loaded.parse
    held = len(selected.loaded.frame)
    return f"This read: {held:,} requests held ({parse.lines:,} lines read); the page below shows the same read."


def render(selected: Selected, tz: str, marks: Sequence[Annotation] = ()) -> None:
    """Requests per minute (``marks`` drawn over it), active visitors and the newest requests of a followed log."""
    figures = live_figures(selected.loaded.frame, tz)
    st.subheader("Live")
    cols = st.columns(3)
    cols[0].metric("Requests in the last hour", f"{int(figures.per_minute['requests'].sum()):,}")
    cols[1].metric("Active visitors (5 min)", f"{figures.active_visitors:,}")
    cols[2].metric("Newest request", figures.now.strftime("%H:%M:%S") if figures.now is not None else "—")
    st.caption(snapshot_note(selected))
    if not figures.per_minute.empty:
        start, end = time_range(figures.per_minute, "minute", MINUTE)
        st.altair_chart(annotate(timeline.live_rate_chart(figures.per_minute, tz), marks, tz, start, end))
    latest = figures.latest
    if "ip" in latest.columns:
        latest = latest.assign(ip=shown_ips(latest["ip"], selected.anonymise, per_client=False))
    with st.expander(f"Last {len(latest)} requests", expanded=False):
        st.dataframe(latest, hide_index=True)
