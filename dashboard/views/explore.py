"""The Explore page: a global filter, a date range with the previous period, and the panels users expect.

State lives in the URL so that a copied link reproduces the view: the filters are repeated ``f`` query
parameters (``f=country:is:US&f=status:is:4xx``), the date range, comparison and anonymisation are widgets
bound to ``range``, ``days``, ``compare`` and ``anon``. Clicking a bar or a country on the map adds a filter;
chips remove them.
Log content is shown as data (tables, chart labels, widget options), never as Markdown or HTML.
"""

from __future__ import annotations

import re
from functools import partial

import pandas as pd
import streamlit as st

from dashboard.analysis import explore
from dashboard.analysis.buckets import check_bucket
from dashboard.analysis.figures import WORSE_WHEN_UP
from dashboard.analysis.filters import FIELDS, Filter, FilterError, check_filter, parse_params, to_params, with_settings
from dashboard.analysis.ranges import PRESETS, DateRange, custom_range, preset_range
from dashboard.analysis.top import is_rest
from dashboard.render import bars, heatmaps, theme, timeline
from dashboard.render.annotations import annotate, time_range
from dashboard.render.export import to_csv
from dashboard.render.format import format_delta, format_value, rest_note, shown_ips
from dashboard.schema import OTHER
from dashboard.views import annotations, cache, guard, icons, layout, map_panel, notice, pages, sidebar, store_source
from dashboard.views.config import AppConfig
from dashboard.views.sidebar import Selected, Settings

KEY = "explore_"
FILTER_PARAM = "f"
CUSTOM = "custom"
RANGE_OPTIONS = (*PRESETS, CUSTOM)
OPS = ("is", "not", "contains", "regex")
# Bar-chart dimension → filter field added by a click.
CLICK_FIELDS = {d: d for d in ("path", "referrer", "browser", "os", "device", "crawler", "country", "vhost", "ip")}
CLICK_FIELDS["status_class"] = "status"
CLICKS = KEY + "clicks"  # per clickable chart, the clicks it has had: part of its key (see ``_pick_key``)
SHARE_COLUMN = {"share": st.column_config.NumberColumn(format="percent")}
MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:&])")


def plain(text: str) -> str:
    """Text safe to put in a Markdown-rendering element (every special character escaped)."""
    return MARKDOWN_SPECIALS.sub(r"\\\1", text)


def current_filters() -> tuple[list[Filter], list[str]]:
    """The filters in the URL (and messages for the ones that could not be read)."""
    return parse_params(st.query_params.get_all(FILTER_PARAM))


def _set_filters(filters: list[Filter]) -> None:
    params = to_params(filters)
    if params:
        st.query_params[FILTER_PARAM] = params
    elif FILTER_PARAM in st.query_params:
        del st.query_params[FILTER_PARAM]


def add_filter(new: Filter) -> None:
    """Add a filter to the URL; an equality filter on the same field replaces the previous one."""
    filters, _ = current_filters()
    if new.op in ("is", "not") and new.field not in ("path", "ip"):
        filters = [f for f in filters if not (f.field == new.field and f.op == new.op)]
    if new not in filters:
        filters.append(new)
    _set_filters(filters)


def _pick_key(chart: str) -> str:
    """A clickable chart's key: the same across filter changes, so Vega updates its data in place instead of the
    chart being drawn anew; a click on it gives it a new one, so its highlight goes once the click became a filter."""
    return f"{KEY}pick_{chart}_{st.session_state.get(CLICKS, {}).get(chart, 0)}"


def _clicked(chart: str) -> None:
    """Count a click on a chart (its next key is new: the frontend forgets the highlighted bar)."""
    clicks = dict(st.session_state.get(CLICKS, {}))
    clicks[chart] = clicks.get(chart, 0) + 1
    st.session_state[CLICKS] = clicks


def _on_pick(chart_key: str, dimension: str, chart: str) -> None:
    """A bar was clicked: turn the selected value into a filter."""
    _clicked(chart)
    state = st.session_state.get(chart_key) or {}
    picked = (state.get("selection") or {}).get(theme.PICK) or []
    for point in picked:
        value = point.get(dimension)
        if value is None or value == OTHER or is_rest([value])[0]:
            continue
        add_filter(Filter(CLICK_FIELDS[dimension], "is", str(value)))


def _on_chips(chips_key: str, params: list[str]) -> None:
    kept = set(st.session_state.get(chips_key) or [])
    filters, _ = parse_params([p for p in params if p in kept])
    _set_filters(filters)


def _on_add() -> None:
    field, op = st.session_state[KEY + "field"], st.session_state[KEY + "op"]
    value = st.session_state.get(KEY + "value", "")
    try:
        add_filter(check_filter(Filter(field, op, value)))
        st.session_state[KEY + "add_error"] = None
    except FilterError as exc:
        st.session_state[KEY + "add_error"] = str(exc)


def page(config: AppConfig) -> None:
    """The Explore page: the shared sidebar, then global filters, date range, comparison and all the panels."""
    settings, selected = sidebar.render(config)
    render(settings, selected, annotations.load(config, settings.tz))


def render(settings: Settings, selected: Selected | None, marks: list | tuple = ()) -> None:
    """The page body."""
    st.title("Explore")
    sidebar.counting_note(settings, selected)
    if notice.nothing_loaded(settings.failure, selected):
        return
    if selected.cube is not None:
        st.info("Explore filters the rows of a log; a saved cube holds only counts. Open the log itself to explore it.")
        return
    times = store_source.times(selected) if selected.store is not None else None
    empty = times.empty if times is not None else selected.loaded is None or selected.loaded.frame.empty
    if empty:
        st.warning("This log has no parsed request to show.")
        return
    top = st.columns([2, 2, 1])
    with top[2]:
        compare = st.toggle("Compare", value=True, key="compare", bind="query-params", help="with the previous period")
    filters, errors = current_filters()
    with st.container():  # see below: what varies stays in its own container
        for message in errors:
            st.error(f"Ignored a filter from the link: {plain(message)}", icon=icons.WARNING)
    data = None
    with guard.section("This selection", "Try another date range or remove a filter."):
        # Anonymisation is the sidebar's: figures are counted on full addresses, only shown addresses are masked.
        prepared = cache.explore_prepared(selected.loaded, settings.tz) if times is None else None
        with top[0]:
            period = _date_range(prepared.frame["time"] if times is None else times, settings.tz)
        with top[1]:
            _add_filter_form()
        _chips(filters)
        pages.link("lines", "Show these lines", pages.lines_params(filters, *_bounds(period)), ":material/article:")
        applied = with_settings(filters, settings.bots, settings.pageviews)
        try:
            if selected.store is not None:  # the period's rows only, read from the store with the filters
                prepared, period, compare = store_source.explore_rows(selected, settings.tz, applied, period, compare)
                data = explore.explore(
                    prepared, applied, period, compare=compare and period is not None, bucket=settings.bucket
                )
            else:
                compared = compare and period is not None
                data = cache.explore_data(
                    selected.loaded, settings.tz, tuple(applied), period, compared, settings.bucket
                )
        except FilterError as exc:
            st.error(f"This filter cannot be applied: {plain(str(exc))}", icon=icons.WARNING)
    if data is None:
        return
    if notice.matches_nothing(data.figures):
        notice.no_match(filters[-1].label if filters else None, partial(_set_filters, filters[:-1]))
        return
    for title, draw in (
        ("The period", lambda: _caption(selected, data, settings)),
        ("The figures", lambda: _figures(data)),
        ("Traffic over time", lambda: _traffic(data, settings, marks)),
        ("Status codes over time", lambda: _status(data, settings, marks)),
        ("The top lists", lambda: _tops(data, selected.anonymise)),
        ("The country map", lambda: _map(data)),
        ("The heatmaps", lambda: _heatmaps(data)),
        ("Response time", lambda: _response(data, settings, marks)),
    ):
        # Each section in its own container: a caption that comes and goes (a comparison note, an empty panel)
        # does not move the elements after it, which the browser would then draw anew instead of updating.
        with st.container(), guard.section(title):
            draw()


def _bounds(period: DateRange | None) -> tuple:
    return (period.start, period.end) if period is not None else ()


def _map(data: explore.ExploreData) -> None:
    """Countries in the selection; clicking one filters by it."""
    st.subheader("Countries")
    st.caption("Click a country to filter by it.")
    map_panel.draw(data.country_totals, _pick_key("map"), _on_country, height=420)


def _on_country(code: str) -> None:
    """A country was clicked on the map: filter by it."""
    _clicked("map")
    add_filter(Filter("country", "is", code))


def _date_range(times: pd.Series, tz: str) -> DateRange | None:
    choice = st.selectbox(
        "Date range",
        RANGE_OPTIONS,
        index=0,
        key="range",
        bind="query-params",
        help="the last week, day or hour of the data (counted back from its last request), or whole local days",
    )
    if choice == "all":
        return None  # the whole log: nothing before it to compare with
    if choice != CUSTOM:
        return preset_range(times, choice)
    local = times.dt.tz_convert(tz)
    first, last = local.iloc[0].date(), local.iloc[-1].date()
    days = st.date_input("Days", value=(first, last), min_value=first, max_value=last, key="days", bind="query-params")
    days = tuple(days) if isinstance(days, list | tuple) else (days,)
    if not days:
        return None
    return custom_range(days[0], days[-1], tz)


def _add_filter_form() -> None:
    with st.popover("Add a filter", icon=icons.ADD, width="stretch"):
        st.selectbox("Field", list(FIELDS), key=KEY + "field", format_func=lambda f: FIELDS[f].label)
        st.selectbox("Operator", OPS, key=KEY + "op", help="contains and regex apply to the path only")
        st.text_input(
            "Value",
            key=KEY + "value",
            help="status: 404 or 4xx; bots: include, exclude or only; ip: an address or a CIDR network; "
            "kind: page, asset, other or pageview",
        )
        st.button("Add", key=KEY + "add", on_click=_on_add)
        error = st.session_state.get(KEY + "add_error")
        if error:
            st.error(plain(error), icon=icons.WARNING)


def _chips(filters: list[Filter]) -> None:
    if not filters:
        st.caption("No filter: click a bar below or add one.")
        return
    params = to_params(filters)
    labels = {f.to_param(): f.label for f in filters}
    chips_key = KEY + "chips_" + str(abs(hash(tuple(params))))
    st.multiselect(
        "Active filters (all must match)",
        params,
        default=params,
        key=chips_key,
        format_func=labels.__getitem__,
        on_change=_on_chips,
        args=(chips_key, params),
    )


def _caption(selected: Selected, data: explore.ExploreData, settings: Settings) -> None:
    period = data.period
    if period is None:
        return
    fmt = "%Y-%m-%d %H:%M"
    start, end = period.start.tz_convert(settings.tz), period.end.tz_convert(settings.tz)
    text = f"{selected.name} · {start.strftime(fmt)} → {end.strftime(fmt)} ({settings.tz})"
    text += f" · buckets of {data.bucket} (the sidebar's Bucket)"
    if data.previous is not None:
        text += f" · compared with {data.previous.start.tz_convert(settings.tz).strftime(fmt)} onwards"
        if data.comparison_note:
            text += f": {data.comparison_note}"
    st.text(text)


def _figures(data: explore.ExploreData) -> None:
    if data.comparison_note:
        st.caption(f"Compared with the previous period: {data.comparison_note}.")
    cols = layout.figure_columns(len(data.figures))
    for col, figure in zip(cols, data.figures, strict=True):
        col.metric(
            figure.label,
            format_value(figure.key, figure.value),
            delta=format_delta(figure),
            delta_color="inverse" if figure.key in WORSE_WHEN_UP else "normal",
            help=None if figure.previous is None else "previous period: " + format_value(figure.key, figure.previous),
        )


def _download(table: pd.DataFrame, name: str) -> None:
    st.download_button(
        f"CSV ({len(table):,} rows)",
        partial(to_csv, table, index=False),  # made when clicked, not on every rerun
        file_name=f"{name}.csv",
        mime="text/csv",
        key=KEY + "csv_" + name,
    )


def _marked(chart, data: explore.ExploreData, settings: Settings, marks) -> object:
    """The chart with the annotations of the selected range drawn on it."""
    start, end = time_range(data.traffic, "time", check_bucket(data.bucket))
    return annotate(chart, marks, settings.tz, start, end)


def _traffic(data: explore.ExploreData, settings: Settings, marks=()) -> None:
    st.subheader("Traffic over time")
    st.fragment(_traffic_chart)(data, settings, marks)


def _traffic_chart(data: explore.ExploreData, settings: Settings, marks) -> None:
    """The measure and its chart: a fragment, so choosing another measure redraws this chart, not the page."""
    metric = st.radio(
        "Measure", list(timeline.METRICS), key=KEY + "metric", horizontal=True, format_func=str.capitalize
    )
    chart = timeline.traffic_chart(data.traffic, data.previous_traffic, metric, settings.tz)
    st.vega_lite_chart(theme.to_spec(_marked(chart, data, settings, marks)))
    _download(data.traffic, "traffic")


def _status(data: explore.ExploreData, settings: Settings, marks=()) -> None:
    st.subheader("Status codes over time")
    chart = _marked(timeline.status_chart(data.status, settings.tz, selectable=True), data, settings, marks)
    key = _pick_key("status")
    st.vega_lite_chart(
        theme.to_spec(chart),
        key=key,
        on_select=partial(_on_pick, key, "status_class", "status"),
        selection_mode=theme.PICK,
    )
    _download(data.status, "status-over-time")


def _tops(data: explore.ExploreData, anonymise: bool = False) -> None:
    keys = list(data.tops)
    for i in range(0, len(keys), 2):
        cols = st.columns(2)
        for col, panel in zip(cols, keys[i : i + 2], strict=False):
            title, dimension, _ = explore.TOP_PANELS[panel]
            table = data.tops[panel]
            masked = anonymise and dimension == "ip"  # counted per client, shown masked: no click filter then
            if masked:
                table = table.assign(ip=shown_ips(table["ip"], anonymise))
            with col, guard.section(title):
                st.subheader(title)
                if table.empty:
                    st.caption("Nothing in this selection.")
                    continue
                total = int(table["requests"].sum())
                shown = int((~is_rest(table[dimension])).sum())
                note = rest_note(table, dimension)
                rest = f" · {note}" if note else ""
                how = "addresses masked, each client counted apart" if masked else "click a bar to filter by it"
                st.caption(f"{total:,} requests · top {shown}{rest} · {how}")
                chart = bars.top_bar_chart(table, dimension, selectable=not masked)
                key = _pick_key(panel)
                if masked:
                    st.vega_lite_chart(theme.to_spec(chart), key=key)
                else:
                    st.vega_lite_chart(
                        theme.to_spec(chart),
                        key=key,
                        on_select=partial(_on_pick, key, dimension, panel),
                        selection_mode=theme.PICK,
                    )
                with st.expander("Table"):
                    st.dataframe(table, hide_index=True, column_config=SHARE_COLUMN)
                _download(table, panel)


def _heatmaps(data: explore.ExploreData) -> None:
    cols = st.columns(2)
    with cols[0]:
        st.subheader("Visitors by weekday × hour")
        st.vega_lite_chart(theme.to_spec(heatmaps.weekday_hour_chart(data.weekday_hour, dark=layout.is_dark())))
        _download(data.weekday_hour, "weekday-hour")
    with cols[1]:
        st.subheader("Countries × hour")
        if data.country_hour.empty:
            st.caption("Nothing in this selection.")
        else:
            st.vega_lite_chart(theme.to_spec(heatmaps.country_hour_chart(data.country_hour, dark=layout.is_dark())))
            _download(data.country_hour, "country-hour")


def _response(data: explore.ExploreData, settings: Settings, marks=()) -> None:
    if data.response_over_time is None or data.response_by_url is None:
        return
    st.subheader("Response time")
    cols = st.columns(2)
    with cols[0]:
        if not data.response_over_time.empty:
            chart = timeline.response_time_chart(data.response_over_time, settings.tz)
            st.vega_lite_chart(theme.to_spec(_marked(chart, data, settings, marks)))
        _download(data.response_over_time, "response-time")
    with cols[1]:
        st.dataframe(data.response_by_url, hide_index=True)
        _download(data.response_by_url, "response-time-by-url")
