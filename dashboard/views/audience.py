"""The Audience page: visits, entry and exit pages, UTM campaigns, referrers, page views vs assets, response times.

It reads the log the sidebar loaded, like the other pages, and draws tables computed once per log and selection
(``cache.audience`` → ``analysis.audience``). A log without response times shows one line saying why in place
of the response-time panels. Each section draws inside its own guard.
"""

from __future__ import annotations

import streamlit as st

from dashboard.analysis.audience import AudienceData
from dashboard.analysis.timing import SLOW_MIN_REQUESTS
from dashboard.analysis.visits import VISIT_TIMEOUT
from dashboard.render import bars, theme
from dashboard.render.audience import percentiles_chart, response_figures, seconds_table, visit_figures
from dashboard.render.format import human_bytes
from dashboard.views import cache, guard, notice, sidebar, store_source
from dashboard.views.config import AppConfig
from dashboard.views.sidebar import Selected, Settings

KEY = "audience_"
METRIC_HELP = {"Bounce rate": "visits of a single page view"}
OWN_HOSTS_HELP = (
    "comma-separated host names left out of the referrers, besides those detected from the log "
    "(its virtual hosts and hosts that link between the site's own pages)"
)


def page(config: AppConfig) -> None:
    """The Audience page: the shared sidebar, then visits, sources, pages vs assets and response times."""
    settings, selected = sidebar.render(config)
    render(settings, selected)


def render(settings: Settings, selected: Selected | None) -> None:
    """The page body."""
    st.title("Audience")
    sidebar.counting_note(settings, selected)
    if notice.nothing_loaded(settings.failure, selected):
        return
    if selected.cube is not None:
        st.info("Visits and response times need the log's rows; a saved cube holds only counts. Open the log itself.")
        return
    if (selected.store.manifest.rows == 0) if selected.store is not None else selected.loaded.frame.empty:
        st.warning("This log has no parsed request to show.")
        return
    pages_only = settings.pageviews  # the sidebar's switch: response times of page views; visits always count them
    typed = st.text_input(
        "The site's own hosts", key=KEY + "own_hosts", help=OWN_HOSTS_HELP, placeholder="shop.example.com"
    )
    own = tuple(sorted({h.strip().lower() for h in typed.split(",") if h.strip()}))
    data = None
    with guard.section("The audience of this log", "Try another bot filter, bucket or time zone."):
        if selected.store is not None:  # the store's rows, read with the columns the page draws from
            data = store_source.audience(selected, settings, pages_only, own)
        else:
            data = cache.audience(selected.loaded, settings.bots, pages_only, settings.bucket, settings.tz, own)
    if data is None:
        return
    for title, draw in (
        ("Visits", lambda: _visits(data)),
        ("Entry and exit pages", lambda: _entries(data)),
        ("Sources", lambda: _sources(data)),
        ("Page views and assets", lambda: _kinds(data, pages_only)),
        ("Response time", lambda: _response(data, settings, pages_only)),
    ):
        with guard.section(title):
            draw()


def _visits(data: AudienceData) -> None:
    st.subheader("Visits")
    figures = visit_figures(data)
    for col, (label, value) in zip(st.columns(len(figures)), figures, strict=True):
        col.metric(label, value, help=METRIC_HELP.get(label))
    minutes = int(VISIT_TIMEOUT.total_seconds() // 60)
    st.caption(
        f"A visit is one client + user agent's page views until {minutes} minutes pass without one; "
        "the sidebar's bot filter applies."
    )


def _entries(data: AudienceData) -> None:
    cols = st.columns(2)
    with cols[0]:
        st.subheader("Entry pages")
        st.dataframe(data.entry_pages, hide_index=True)
    with cols[1]:
        st.subheader("Exit pages")
        st.dataframe(data.exit_pages, hide_index=True)


def _sources(data: AudienceData) -> None:
    cols = st.columns(2)
    with cols[0]:
        st.subheader("Referrers")
        if data.referrers.empty:
            st.caption("No visit came from another site.")
        else:
            st.dataframe(data.referrers, hide_index=True)
        own = ", ".join(data.own_hosts) or "none detected"
        st.caption(f"Visits by the referrer of their first page; the site's own hosts left out ({own}).")
    with cols[1]:
        st.subheader("Campaigns (UTM)")
        if data.utm.empty:
            st.caption("No visit landed on a page with utm_source, utm_medium or utm_campaign.")
        else:
            st.dataframe(data.utm, hide_index=True)


def _kinds(data: AudienceData, pages_only: bool) -> None:
    st.subheader("Page views and assets")
    cols = st.columns(2)
    with cols[0]:
        kinds = data.kinds.assign(size=[human_bytes(b) for b in data.kinds["bytes"]])
        st.vega_lite_chart(theme.to_spec(bars.top_bar_chart(kinds, "kind", selectable=False)))
        st.dataframe(kinds[["kind", "requests", "size"]], hide_index=True)
    with cols[1]:
        st.markdown("**Static files**")
        if data.static_files.empty:
            st.caption("No request for a static file (see the README's Audience section for the rules).")
        else:
            table = data.static_files.assign(size=[human_bytes(b) for b in data.static_files["bytes"]])
            st.dataframe(table[["path", "requests", "size"]], hide_index=True)
    if pages_only:
        st.caption("These panels count every request: the page-views switch narrows the response times.")


def _response(data: AudienceData, settings: Settings, pages_only: bool) -> None:
    st.subheader("Response time" + (" of page views" if pages_only else ""))
    if data.timing_missing is not None:
        st.caption(data.timing_missing)
        return
    figures = response_figures(data)
    for col, (label, value) in zip(st.columns(len(figures)), figures, strict=True):
        col.metric(label, value)
    if data.over_time is not None and not data.over_time.empty:
        st.markdown("**p50, p95 and p99 over time**")
        st.vega_lite_chart(theme.to_spec(percentiles_chart(data.over_time, settings.tz)))
    cols = st.columns(2)
    with cols[0]:
        st.markdown(f"**Slowest endpoints** (by p95, URLs with {SLOW_MIN_REQUESTS} requests or more)")
        st.dataframe(seconds_table(data.slowest), hide_index=True)
    with cols[1]:
        st.markdown("**Top URLs and the time spent serving them**")
        st.dataframe(seconds_table(data.top_urls), hide_index=True)
