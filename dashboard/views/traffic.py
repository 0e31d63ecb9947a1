"""The Traffic page: headline figures, browsers, heatmap tables and the country map for a time window.

Everything that follows the window slider lives in one fragment, so moving the slider or playing the
time-lapse reruns only this part of the page, from cached tables (the log is never re-parsed). Each section
draws inside its own guard: a failure is one message in its place, and the rest of the page still renders.
"""

from __future__ import annotations

import dataclasses
import time
from functools import partial

import pandas as pd
import streamlit as st

from dashboard.analysis import traffic
from dashboard.analysis.buckets import bucket_labels, check_bucket, window_end
from dashboard.analysis.cube import window_visitors
from dashboard.analysis.figures import FIGURES
from dashboard.analysis.top import with_rest
from dashboard.render import bars, heatmaps, timeline
from dashboard.render.annotations import annotate, time_range
from dashboard.render.export import to_csv
from dashboard.render.format import format_value, rest_note
from dashboard.render.theme import to_spec
from dashboard.views import (
    alerts_panel,
    annotations,
    cache,
    guard,
    icons,
    layout,
    live_panel,
    map_panel,
    notice,
    rejects,
    sidebar,
    store_source,
)
from dashboard.views.config import AppConfig
from dashboard.views.sidebar import Selected, Settings

KEY = "overview_"
TOP_BARS = 15  # browsers drawn as bars; the rest is one "Other (N more)" caption beside them
PLAY_SECONDS = 1.5
LIVE_SECONDS = 2.0
FROZEN = KEY + "live_frozen"  # the Selected a paused live view keeps showing
LIVE_WINDOW = "window_live"
TIMELINE_MEMO = KEY + "timeline_chart"  # (what it was drawn from, the browser timeline's Altair chart)
SPAN_KEY = KEY + "span"  # (bucket, tz), start, end, whole, labels: the window as time, kept across bucket changes
SAMPLE_BANNER = (
    "You are looking at a **generated sample log** (one week of synthetic traffic). Load your own from the "
    "sidebar (**Upload**), or start the app with `streamlit run app.py -- --log /var/log/nginx/access.log`."
)
ATTRIBUTION = (
    "[IP Geolocation by DB-IP](https://db-ip.com) (CC BY 4.0) · Country shapes: "
    "[Natural Earth](https://www.naturalearthdata.com) via world-atlas (public domain)"
)
CUBE_PAGEVIEWS = "A saved cube keeps no page/asset split: these panels count every request. Open the log itself."
PAGEVIEWS_LABEL = "Page views"
CUBE_VISITORS_HELP = (
    "distinct client + user agent per bucket of the cube, summed over the window: a visitor seen in two buckets "
    "counts twice (an upper bound); all traffic, whatever the bot filter"
)


def page(config: AppConfig) -> None:
    """The Traffic page: the shared sidebar, then figures, browsers, heatmap tables, map, alerts, live panel."""
    settings, selected = sidebar.render(config)
    render(settings, selected, config.alerts_config, annotations.load(config, settings.tz))


def render(
    settings: Settings, selected: Selected | None, alerts_config: str | None = None, marks: list | tuple = ()
) -> None:
    """The page body; a followed log reruns it every few seconds with the lines that arrived."""
    st.title("Data Bloom")
    sidebar.counting_note(settings, selected)
    if notice.nothing_loaded(settings.failure, selected):
        return
    if selected.is_sample:
        st.info(SAMPLE_BANNER, icon=icons.SAMPLE)
    if selected.live is None:
        _body(settings, selected, alerts_config, live=False, marks=marks)
        return
    paused = st.toggle("Pause live updates", key=KEY + "live_paused")
    if paused:
        frozen = _frozen(selected)
    else:
        frozen = None
        st.session_state.pop(FROZEN, None)

    @st.fragment(run_every=None if paused else LIVE_SECONDS)
    def live_section() -> None:
        current = frozen or selected
        with guard.section("The live panel", "The page shows what was read before; it retries at the next update."):
            current = frozen or live_panel.poll(selected)
            # One read for the panel and the body, and the body's cube made before anything is drawn: the
            # panel is not redrawn with new figures while the body still shows the previous read.
            cache.cube(current.loaded, settings.bucket, settings.tz)
            live_panel.render(current, settings.tz, marks)
        _body(settings, current, alerts_config, live=True, marks=marks)

    live_section()


def _frozen(selected: Selected) -> Selected:
    """What a paused live view shows: the log as read when the pause began. The background reader goes on reading
    (a line is not missed), but the page keeps this until the pause ends or another log is chosen."""
    kept = st.session_state.get(FROZEN)
    if kept is None or kept.ref != selected.ref:
        kept = st.session_state[FROZEN] = selected
    return kept


def _body(settings: Settings, selected: Selected, alerts_config: str | None, live: bool, marks=()) -> None:
    if selected.cube is not None:
        with guard.section("The saved cube", "Try another bucket size or time zone, or rebuild the cube."):
            _cube_body(settings, selected)
        return
    loaded = selected.loaded
    with guard.section("The traffic of this log", "Try another bucket size or time zone."):
        counted = _counted(settings, selected)
        cube = traffic_cube(counted, settings.bucket, settings.tz)
        buckets = traffic.bucket_options(cube, settings.bucket, settings.tz)
        if not buckets:
            st.warning("This log has no parsed request to show.")
        else:
            parser = "compiled scanner" if loaded.scanned else "regex parser (the compiled scanner is not in use)"
            st.caption(
                f"**{selected.name}** · format `{loaded.format_name}` · {loaded.parse.lines:,} lines · "
                f"read by the {parser} · times in {settings.tz}"
            )
            alerts = []  # known() gives None on a first look at a large log: found after the traffic, then marked
            with guard.section("Alerts", "The other panels do not depend on them."):
                alerts = (alerts_panel.found if live else alerts_panel.known)(selected, alerts_config)
            late = alerts is None
            _window_section(settings, counted, cube, buckets, alerts or [], live, marks)
            with guard.section("Alerts", "The other panels do not depend on them."):
                alerts = alerts_panel.found(selected, alerts_config) if late else alerts
                alerts_panel.render(alerts, buckets, bucket_labels(buckets), settings.tz, selected.anonymise)
            if late and alerts:
                st.rerun()  # the timeline's alert markers
    with guard.section("Rejected lines"):
        rejects.render(loaded, selected.anonymise)
    st.caption(ATTRIBUTION)


def traffic_cube(selected: Selected, bucket: str, tz: str) -> pd.DataFrame:
    """The cube the page draws: a store's from its rollups, a log's from its rows."""
    if selected.store is not None:
        return store_source.cube(selected, bucket, tz)
    return cache.cube(selected.loaded, bucket, tz)


def _counted(settings: Settings, selected: Selected) -> Selected:
    """The log whose rows the panels count: its page views when the sidebar says so (alerts keep the whole log).

    A store's rollups have no kind: its page views are read as rows, and counted as a log's are.
    """
    if not settings.pageviews:
        return selected
    if selected.store is not None:
        return dataclasses.replace(selected, loaded=cache.store_pageviews(selected.loaded, selected.store), store=None)
    return dataclasses.replace(selected, loaded=cache.pageviews(selected.loaded))


def _cube_body(settings: Settings, selected: Selected) -> None:
    """A saved cube: every count panel; visitors from its visitors table; no rows, so no alerts or rejects."""
    if settings.pageviews:
        st.warning(CUBE_PAGEVIEWS, icon=icons.WARNING)
        settings = dataclasses.replace(settings, pageviews=False)
    cube, exact = cache.rebucketed(selected.loaded, selected.cube, settings.bucket, settings.tz)
    buckets = traffic.bucket_options(cube, settings.bucket if exact else None, settings.tz)
    if not buckets:
        st.warning("This cube is empty.")
        return
    note = "" if exact else f" · kept in its own {selected.cube.span} buckets (finer ones cannot be made)"
    st.caption(
        f"**{selected.name}** · a saved cube · {selected.cube.requests:,} requests · times in {settings.tz}{note} · "
        "alerts, rejected lines and city points need the log itself"
    )
    _window_section(settings, selected, cube, buckets, [], False)
    st.caption(ATTRIBUTION)


def _window_section(
    settings: Settings,
    selected: Selected,
    cube: pd.DataFrame,
    buckets: list,
    alerts: list,
    live: bool = False,
    marks: list | tuple = (),
) -> None:
    playing = st.session_state.get(KEY + "playing", False) and not live
    st.html(layout.NARROW_CSS)  # the figures' narrow-screen style, not re-sent at every slider step

    @guard.section("The time window")
    def section() -> None:
        labels = bucket_labels(buckets)
        if live:
            _follow_newest(labels)
        else:
            _keep_span(settings, buckets, labels)
            if st.session_state.get(KEY + "playing"):
                _advance(labels)
        cols = st.columns([6, 1])
        with cols[0]:
            # A live window is always in session state already (set by _follow_newest): no default then.
            default = {} if live else {"value": (labels[0], labels[-1]), "bind": "query-params"}
            value = st.select_slider(
                "Time window",
                options=labels,
                key=LIVE_WINDOW if live else "window",
                help="one bucket or a range of buckets; the figures, tables and map follow it",
                **default,
            )
        if live:
            st.session_state[KEY + "live_last"] = labels[-1]
        with cols[1]:
            st.write("")
            if not live and st.button(
                "Pause" if playing else "Play",
                icon=icons.PAUSE if playing else icons.PLAY,
                key=KEY + "play",
                width="stretch",
                on_click=_toggle_play,
                args=(labels,),
            ):
                st.rerun()  # the whole page, so the fragment's refresh interval follows the new state
        first, last = (value, value) if isinstance(value, str) else value
        i, j = labels.index(first), labels.index(last)
        start, end = buckets[i], window_end(buckets, j, settings.bucket)
        if not live:
            whole = (i, j) == (0, len(labels) - 1)
            st.session_state[SPAN_KEY] = ((settings.bucket, settings.tz), start, end, whole, (first, last))
        top = st.session_state.get(KEY + "top", traffic.TOP_HEATMAP)
        frame, scoped = map_panel.traffic_scope(selected.loaded.frame, cube)  # a country clicked on the map
        data = traffic.window_data(frame, scoped, start, end, settings.bots, top=top, tz=settings.tz, buckets=buckets)
        # a saved cube and a store count visitors over every country: none is shown while the map cuts to one
        scoped_out = map_panel.traffic_country() is not None
        if selected.cube is not None:
            data.figures["visitors"] = None if scoped_out else window_visitors(selected.cube, start, end)
        if selected.store is not None:
            visitors = store_source.visitors(selected, start, end, settings.bots, settings.tz)
            data.figures["visitors"] = None if scoped_out else visitors
            data = dataclasses.replace(data, city_points=store_source.city_points(selected, start, end, settings.bots))
        with guard.section("The figures"):
            _figures(data, selected, settings.pageviews)
        with guard.section("Browsers"):
            _browsers(data, settings, alerts, selected.anonymise, marks)
        with guard.section("The heatmap tables"):
            _heatmaps(data, settings)
        with guard.section("The country map"):
            _map(data)

    # A followed log is already inside the live fragment (fragments do not nest).
    section() if live else st.fragment(run_every=PLAY_SECONDS if playing else None)(section)()


def _keep_span(settings: Settings, buckets: list[pd.Timestamp], labels: list[str]) -> None:
    """The window keeps covering the same time when the bucket size or zone changes, and the whole range stays
    the whole range when the data grows; a window the user (or Play, or an alert link) just moved is left alone."""
    kept = st.session_state.get(SPAN_KEY)
    value = st.session_state.get("window")
    if kept is None or value is None:
        return
    view, start, end, whole, shown = kept
    if _pair(value) != shown or (view == (settings.bucket, settings.tz) and not whole):
        return
    i, j = traffic.window_indices(buckets, start, end, whole)
    if _pair(value) != (labels[i], labels[j]):
        st.session_state["window"] = (labels[i], labels[j])


def _pair(value: str | tuple | list) -> tuple[str, str]:
    """A slider value as (first, last) labels."""
    return (value, value) if isinstance(value, str) else (value[0], value[-1])


def _follow_newest(labels: list[str]) -> None:
    """In a live view, a window that ended at the newest bucket keeps ending at the newest bucket."""
    value = st.session_state.get(LIVE_WINDOW)
    previous_last = st.session_state.get(KEY + "live_last")
    if value is None or value[0] not in labels:
        st.session_state[LIVE_WINDOW] = (labels[0], labels[-1])
    elif value[1] == previous_last and value[1] != labels[-1]:
        st.session_state[LIVE_WINDOW] = (value[0], labels[-1])


def _toggle_play(labels: list[str]) -> None:
    """Start or stop the time-lapse (a button callback: runs before the slider exists)."""
    playing = not st.session_state.get(KEY + "playing", False)
    st.session_state[KEY + "playing"] = playing
    if playing:
        first, last = st.session_state.get("window", (labels[0], labels[-1]))
        i, j = labels.index(first), labels.index(last)
        width = 0 if (i, j) == (0, len(labels) - 1) else j - i  # the whole range: step one bucket at a time
        start = 0 if j + 1 >= len(labels) else i
        st.session_state["window"] = (labels[start], labels[start + width])
        st.session_state[KEY + "last_step"] = time.monotonic()


def _advance(labels: list[str]) -> None:
    """Move the window one bucket on when a play interval has passed; stop at the end."""
    now = time.monotonic()
    if now - st.session_state.get(KEY + "last_step", 0.0) < PLAY_SECONDS * 0.8:
        return
    st.session_state[KEY + "last_step"] = now
    first, last = st.session_state.get("window", (labels[0], labels[0]))
    i, j = labels.index(first), labels.index(last)
    if j + 1 >= len(labels):
        st.session_state[KEY + "playing"] = False
        return
    st.session_state["window"] = (labels[i + 1], labels[j + 1])


def _figures(data: traffic.WindowData, selected: Selected, pageviews: bool = False) -> None:
    figures = data.figures
    cols = layout.figure_columns(len(FIGURES) + 1, styled=False)  # the page drew the style, once
    for col, (key, label) in zip(cols, FIGURES.items(), strict=False):
        value = figures[key]
        if key == "visitors" and selected.cube is not None:
            col.metric(
                "Visitors (sum per bucket)", "—" if value is None else format_value(key, value), help=CUBE_VISITORS_HELP
            )
            continue
        col.metric(PAGEVIEWS_LABEL if key == "requests" and pageviews else label, format_value(key, value))
    cols[-1].metric(
        "Rejected lines",
        "—" if selected.cube is not None else f"{selected.loaded.parse.rejected:,}",
        help="lines that could not be parsed; see the list at the bottom of the page",
    )


def _browsers(data: traffic.WindowData, settings: Settings, alerts: list, anonymise: bool, marks=()) -> None:
    st.subheader("Browsers")
    left, right = layout.chart_rows(2)  # one under the other: the timeline's bars get the page's width
    with left:
        stacked = st.toggle("Stacked", value=True, key=KEY + "stacked")
        start, end = time_range(data.browser_timeline, "bucket", check_bucket(settings.bucket))
        domain = (start, end) if start is not None else None
        markers = alerts_panel.markers(alerts, settings.tz, anonymise)
        drawn = (
            timeline.table_digest(data.browser_timeline),
            timeline.table_digest(markers),
            stacked,
            settings.tz,
            settings.bucket,
            repr(marks),
        )
        memo = st.session_state.get(TIMELINE_MEMO)
        if memo is None or memo[0] != drawn:  # built once, not at every slider step (Altair: ~0.15 s at 1M rows)
            chart = timeline.browser_timeline_chart(
                data.browser_timeline,
                "browser",
                stacked=stacked,
                tz=settings.tz,
                bucket_label=settings.bucket,
                markers=markers,
                domain=domain,
            )
            memo = st.session_state[TIMELINE_MEMO] = (drawn, annotate(chart, marks, settings.tz, start, end))
        # The window moves in a strip just above the timeline, whose spec is the same at every slider step (so
        # Streamlit sends a reference to it, and the browser keeps it drawn).
        if domain is not None:
            st.vega_lite_chart(to_spec(timeline.window_strip_chart(data.start, data.end, domain, settings.tz)))
        st.altair_chart(memo[1])  # its rows go as Arrow: a spec of JSON rows took 0.1 s more at 1 h buckets
    with right:
        table = with_rest(data.browser_totals, "browser", TOP_BARS)
        title = f"{PAGEVIEWS_LABEL if settings.pageviews else 'Requests'} in the window"
        st.vega_lite_chart(to_spec(bars.top_bar_chart(table, "browser", title, selectable=False)))
        note = rest_note(table, "browser")
        if note:
            st.caption(note)


HEATMAP_DEFAULT = "Time × browser"


def _heatmaps(data: traffic.WindowData, settings: Settings) -> None:
    st.subheader("Heatmap tables")
    st.number_input(
        "Top N (the rest is summed as Other)",
        min_value=1,
        max_value=50,
        value=traffic.TOP_HEATMAP,
        key=KEY + "top",
        width=260,
    )
    # One table at a time: tabs would send both on every slider step (each ~30 KB of cells and styles).
    tables = {"Time × browser": (data.browser_counts, "browser"), "Time × country": (data.country_counts, "country")}
    shown = st.segmented_control("Table", list(tables), default=HEATMAP_DEFAULT, key=KEY + "heatmap")
    counts, dimension = tables[shown or HEATMAP_DEFAULT]  # a click on the chosen one unselects it: keep a table
    pivot = heatmaps.heatmap_pivot(counts, dimension, tz=settings.tz)
    if pivot.empty:
        st.caption("No requests in this window.")
        return
    st.dataframe(heatmaps.style_heatmap(pivot, dark=layout.is_dark()))
    st.download_button(
        f"Download CSV ({dimension})",
        partial(to_csv, pivot),  # made when clicked, not on every slider step
        file_name=f"time-x-{dimension}.csv",
        mime="text/csv",
        key=KEY + "csv_" + dimension,
    )


def _map(data: traffic.WindowData) -> None:
    map_panel.traffic_map(data.country_totals, data.city_points, total=data.figures["requests"])
