"""Page-wide notices drawn in the main area: a log that could not be loaded, a filter set that matches nothing.

A notice replaces the page body: a failed load shows no stale log (nor its sample banner) under the message.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import streamlit as st

from dashboard.views import icons

LOAD_FAILED = "Could not load this log"
LOAD_HINT = "Choose another file, source or format in the sidebar."
NO_LOG = "Choose a log in the sidebar: the sample, an upload, or a log on the server."
NO_MATCH = "No requests match these filters"
NO_MATCH_HINT = "Remove a filter, widen the date range, or change the Bots setting in the sidebar."


def load_failed(message: str) -> None:
    """The one message of a failed load, where the page body would be."""
    stop = "" if message.endswith((".", "!", "?")) else "."
    st.error(f"**{LOAD_FAILED}.** {message}{stop} {LOAD_HINT}", icon=icons.ERROR)


def nothing_loaded(failure: str | None, selected: object | None) -> bool:
    """Draw what a page shows instead of its body when the load failed or no log is chosen; True if it did."""
    if failure is not None:
        load_failed(failure)
        return True
    if selected is None:
        st.info(NO_LOG)
        return True
    return False


def matches_nothing(figures: Iterable) -> bool:
    """True when the headline figures count no request: the page then shows ``no_match``, not empty charts."""
    return any(figure.key == "requests" and not figure.value for figure in figures)


def no_match(last_filter: str | None, remove_last: Callable[[], None], hint: str = NO_MATCH_HINT) -> None:
    """The empty state of a filtered page: what happened, and a button that removes the last filter added."""
    with st.container(border=True, key="no_match"):
        st.markdown(f"#### {NO_MATCH}")
        if hint:
            st.caption(hint)
        if last_filter is not None:
            st.text(f"Last filter added: {last_filter}")  # log content: shown as text, never as Markdown
            st.button("Remove the last filter", icon=icons.FILTER_OFF, key="no_match_remove_last", on_click=remove_last)
