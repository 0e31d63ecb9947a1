"""The Lines page: the log lines behind the filters, as the log wrote them (Kibana's Discover for an access log).

The filters are the Explore page's (the ``f`` query parameters), edited here with the query bar, so a link
reproduces the view; a search box narrows the lines by their text; a page shows 100 lines; the download holds
the first 100,000. The text is read back from the source by line number; a store whose source file is gone or
changed rebuilds it from the row, and says so.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd
import streamlit as st

from dashboard.analysis import lines
from dashboard.analysis.filters import FIELDS, Filter, FilterError, with_settings
from dashboard.analysis.query import QueryError, format_query, parse_query
from dashboard.enrich.anonymise import mask_text
from dashboard.ingest.raw import RawSearchError
from dashboard.views import cache, guard, notice, pages, sidebar, store_source
from dashboard.views.config import SAMPLE_LINES, AppConfig
from dashboard.views.explore import FILTER_PARAM, current_filters
from dashboard.views.sidebar import CUBE, LIVE, SAMPLE, SERVER, UPLOAD, Selected, Settings

KEY = "lines_"
MEMO = KEY + "memo"


def page(config: AppConfig) -> None:
    """The Lines page: the shared sidebar, then the query bar, the search box and a page of lines."""
    settings, selected = sidebar.render(config)
    render(settings, selected, config.sample_lines)


def openers(selected: Selected, sample_lines: int) -> list[lines.Opener] | None:
    """How to open the selected log's sources again, or None when its lines are not at hand."""
    ref = selected.ref
    if ref.source == SAMPLE:
        return [lambda: io.BytesIO(cache.sample_text(sample_lines))]
    if ref.source == SERVER and ref.path:
        return [lambda: Path(ref.path)]
    if ref.source == UPLOAD and not ref.is_cube:
        upload = st.session_state.get(sidebar.KEY + "upload")
        if upload is not None:
            return [lambda: io.BytesIO(upload.getvalue())]
    return None


def _on_query() -> None:
    """The query bar was submitted: its filters replace the page's filters, or its error shows under it."""
    text = st.session_state.get(KEY + "query", "")
    try:
        filters = parse_query(text)
    except QueryError as exc:
        st.session_state[KEY + "query_error"] = exc
        return
    st.session_state[KEY + "query_error"] = None
    params = [f.to_param() for f in filters]
    if params:
        st.query_params[FILTER_PARAM] = params
    elif FILTER_PARAM in st.query_params:
        del st.query_params[FILTER_PARAM]


def _query_bar(filters: list[Filter]) -> None:
    """The query bar, showing the filters in force unless the user's text has an error to fix."""
    error: QueryError | None = st.session_state.get(KEY + "query_error")
    if error is None:
        st.session_state[KEY + "query"] = format_query(filters)
    st.text_input(
        "Query",
        key=KEY + "query",
        on_change=_on_query,
        placeholder='status:5xx country:US path~^/api -bot browser:"Mobile Safari"',
        help="field:value, -field:value (not), field~regex, path:*text* (contains), bot / -bot, kind:pageview "
        f"(page views; or kind:page, asset, other); terms combine with AND. Fields: {', '.join(FIELDS)}.",
    )
    if error is not None:
        text = st.session_state.get(KEY + "query", "")
        st.error(
            f"{error.reason} — at character {error.position + 1}: `{text[: error.position]}⟶{text[error.position :]}`"
        )


def _window(tz: str) -> tuple[pd.Timestamp, pd.Timestamp] | None:
    """The ``[from, to)`` window in the link (an alert's or Explore's range), with a way to drop it."""
    start, end = st.query_params.get(pages.FROM_PARAM), st.query_params.get(pages.TO_PARAM)
    if not start or not end:
        return None
    try:
        period = (pd.Timestamp(start).tz_convert("UTC"), pd.Timestamp(end).tz_convert("UTC"))
    except (ValueError, TypeError):
        st.warning("Ignored the time window in the link: it is not a pair of ISO times.")
        return None
    left, right = st.columns([4, 1])
    left.caption(
        f"Between {period[0].tz_convert(tz):%Y-%m-%d %H:%M} and {period[1].tz_convert(tz):%Y-%m-%d %H:%M} ({tz})"
    )
    right.button("Whole log", key=KEY + "whole", on_click=_drop_window)
    return period


def _drop_window() -> None:
    for name in (pages.FROM_PARAM, pages.TO_PARAM):
        if name in st.query_params:
            del st.query_params[name]


def render(settings: Settings, selected: Selected | None, sample_lines: int = SAMPLE_LINES) -> None:
    """The page body."""
    st.title("Lines")
    sidebar.counting_note(settings, selected)
    if notice.nothing_loaded(settings.failure, selected):
        return
    sources = openers(selected, sample_lines)
    if selected.store is None and (sources is None or selected.loaded is None):
        where = {LIVE: "a followed log", CUBE: "a saved cube"}.get(selected.ref.source, "this source")
        st.info(f"Lines are shown for the sample, uploads and log files; {where} keeps no line to show here.")
        return
    filters, errors = current_filters()
    for message in errors:
        st.error(f"Ignored a filter from the link: {message}")
    _query_bar(filters)
    left, right = st.columns([4, 1])
    with left:
        pattern = st.text_input("Search the lines", key=KEY + "search", placeholder="text in the line")
    with right:
        regex = st.toggle("Regex", key=KEY + "regex", help="Rust regular expressions: linear time, no look-around")
    applied = with_settings(filters, settings.bots, settings.pageviews)
    names = selected.loaded.parse.sources or [selected.name]
    period = _window(settings.tz)
    with guard.section("The lines", "Remove a filter or change the search."):
        state = (selected.loaded.fingerprint, tuple(f.to_param() for f in applied), period, pattern, regex)
        try:
            if selected.store is not None:  # each source's file while it holds the lines, else rebuilt from the rows
                found = cache.session_memo(
                    MEMO, state, lambda: store_source.store_lines(selected, applied, period, pattern, regex)
                )
                keys, sources, names = found.keys, found.sources, found.names
            else:
                keys = cache.session_memo(
                    MEMO,
                    state,
                    lambda: lines.search(sources, lines.select(selected.loaded.frame, applied, period), pattern, regex),
                )
        except (FilterError, RawSearchError) as exc:
            st.error(f"This search cannot run: {exc}")
            return
        if selected.store is not None and found.rebuilt:
            st.caption(
                f"The lines of {', '.join(found.rebuilt)} are rebuilt from the store (times in UTC): the source "
                "file is gone or has changed since it was ingested."
            )
        _show(keys, sources, names, settings.anonymise)


def _show(keys: np.ndarray, sources: list[lines.Opener], names: list[str], anonymise: bool) -> None:
    """The count, the pager, one page of lines, and the download."""
    total = len(keys)
    if not total:
        st.info("No line matches these filters and this search.")
        return
    pages = (total - 1) // lines.PAGE_SIZE + 1
    number = st.number_input(f"Page (of {pages:,})", min_value=1, max_value=pages, value=1, key=KEY + "page")
    shown = lines.read(sources, names, lines.page_keys(keys, int(number) - 1))
    first = (int(number) - 1) * lines.PAGE_SIZE + 1
    st.caption(f"{total:,} lines match; lines {first:,}–{first + len(shown) - 1:,}, in the order of the log.")
    show = mask_text if anonymise else str
    table = pd.DataFrame(
        {
            "Source": [line.source for line in shown],
            "Line": [line.number for line in shown],
            "Text": [show(line.text) for line in shown],
        }
    )
    st.dataframe(
        table, hide_index=True, width="stretch", column_config={"Line": st.column_config.NumberColumn(format="%d")}
    )
    st.download_button(
        f"Download {min(total, lines.EXPORT_MAX):,} lines",
        data=lambda: _export(sources, keys, anonymise),
        file_name="lines.log",
        mime="text/plain",
        help=f"the matching lines as a log file (at most {lines.EXPORT_MAX:,})",
    )


def _export(sources: list[lines.Opener], keys: np.ndarray, anonymise: bool) -> bytes:
    data = lines.export_text(sources, keys)
    return "".join(mask_text(t) + "\n" for t in data.decode("utf-8").splitlines()).encode() if anonymise else data
