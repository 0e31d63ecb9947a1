"""The Traffic page's list of rejected lines, under its count, drawn only while the user has it open.

Closed, the list (up to a thousand lines, ~75 KB) is not sent at every rerun of the page (a bucket or bot
filter change); opening it reruns the page with the list.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard.render.format import shown_text

KEY = "overview_rejects"  # the expander's open state


def render(loaded, anonymise: bool = False) -> None:
    """The count as the expander's label; the reasons and the first rejected lines inside it, when open."""
    parse = loaded.parse
    label = f"Rejected lines: {parse.rejected:,} of {parse.lines:,}"
    with st.expander(label, expanded=False, key=KEY, on_change="rerun") as box:
        if not box.open:
            return
        if not parse.rejected:
            st.write("Every line parsed.")
            return
        st.write(", ".join(f"{reason}: {n:,}" for reason, n in parse.reasons.most_common()))
        table = pd.DataFrame(
            [
                {"source": r.source, "line": r.line, "reason": r.reason, "text": shown_text(r.raw, anonymise)}
                for r in parse.rejects
            ]
        )
        st.dataframe(table, hide_index=True)
        if parse.rejected > len(parse.rejects):
            st.caption(f"The first {len(parse.rejects):,} are listed; all {parse.rejected:,} are counted.")
