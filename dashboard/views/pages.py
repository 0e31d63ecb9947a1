"""The app's pages, registered by app.py, so that one page can link to another with its query parameters.

Streamlit clears the query parameters when the user moves to another page, so a link that should carry the
filters (Explore → Lines, an alert → Lines) passes them explicitly. A page run alone (AppTest) has no
registry: its links are simply not drawn.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
import streamlit as st

from dashboard.analysis.filters import Filter, to_params

FROM_PARAM, TO_PARAM = "from", "to"
_PAGES: dict[str, object] = {}


def register(pages: Mapping[str, object]) -> None:
    """Remember the ``st.Page`` objects by their url path."""
    _PAGES.update(pages)


def lines_params(filters: list[Filter], start: pd.Timestamp | None = None, end: pd.Timestamp | None = None) -> dict:
    """The Lines page's query parameters for these filters and this ``[start, end)`` window."""
    params: dict = {}
    if filters:
        params["f"] = to_params(filters)
    if start is not None and end is not None:
        params[FROM_PARAM] = start.tz_convert("UTC").isoformat()
        params[TO_PARAM] = end.tz_convert("UTC").isoformat()
    return params


def link(name: str, label: str, params: dict, icon: str | None = None) -> None:
    """A link to page ``name`` with ``params`` (nothing when the page is not registered)."""
    page = _PAGES.get(name)
    if page is not None:
        st.page_link(page, label=label, icon=icon, query_params=params)
