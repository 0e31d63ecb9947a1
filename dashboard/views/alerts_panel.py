"""The alerts section of the traffic page: what was expected, what was seen, evidence, and a link to the window.

Alert texts quote log content (paths, user agents, addresses), so everything is shown as plain text:
``st.text``/``st.dataframe``, never Markdown or HTML.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard.alerts import AlertConfigError
from dashboard.alerts.drill import alert_filters
from dashboard.alerts.mask import shown_alert
from dashboard.analysis.filters import Filter
from dashboard.render.format import masked_network, shown_text
from dashboard.views import icons, pages

KEY = "alerts_"
LATE_ALERTS_LINES = 250_000  # above: a first look finds the alerts after drawing the traffic (see ``known``)
SEEN = KEY + "seen"  # the log and configuration whose alerts this session has found
SEVERITY_ICONS = icons.SEVERITY
MAX_LISTED = 50


def alerts_table(alerts: list, tz: str, anonymise: bool = False) -> pd.DataFrame:
    """One row per alert for the overview table (addresses in subjects masked when anonymising)."""
    return pd.DataFrame(
        {
            "start": [a.start.tz_convert(tz).strftime("%Y-%m-%d %H:%M") for a in alerts],
            "end": [a.end.tz_convert(tz).strftime("%Y-%m-%d %H:%M") for a in alerts],
            "severity": [a.severity for a in alerts],
            "detector": [a.detector for a in alerts],
            "subject": [shown_text(a.subject, anonymise) for a in alerts],
            "expected": [a.expected_text for a in alerts],  # with their unit: a share reads "12.0 %"
            "observed": [a.observed_text for a in alerts],
        }
    )


def window_for(alert, buckets: list[pd.Timestamp], labels: list[str]) -> tuple[str, str]:
    """Slider labels of the buckets that cover an alert's [start, end)."""
    first = max([i for i, b in enumerate(buckets) if b <= alert.start] or [0])
    last = max([i for i, b in enumerate(buckets) if b < alert.end] or [first])
    return labels[first], labels[max(first, last)]


def _show_window(window: tuple[str, str]) -> None:
    st.session_state["window"] = window
    st.session_state["overview_playing"] = False


def markers(alerts: list, tz: str, anonymise: bool = False) -> pd.DataFrame:
    """Alert spans for the traffic chart, in the display zone (tooltips masked when anonymising)."""
    return pd.DataFrame(
        {
            "start": [a.start.tz_convert(tz) for a in alerts],
            "end": [a.end.tz_convert(tz) for a in alerts],
            "label": [shown_text(f"{a.detector}: {a.subject}", anonymise) for a in alerts],
        }
    )


def _link_filters(alert, anonymise: bool) -> list[Filter]:
    """The Lines link's filters; anonymised, a client address becomes its masked network (no full one in the URL)."""
    filters = alert_filters(alert)
    if not anonymise:
        return filters
    kept = [f if f.field != "ip" else Filter(f.field, f.op, masked_network(f.value)) for f in filters]
    return [f for f in kept if f.value is not None]


def found(selected, config_path: str | None) -> list:
    """The alerts of a log or a store, or [] with one clear error for a bad configuration; remembered as found for
    this session (see ``known``)."""
    try:
        alerts = computed(selected, config_path)
    except AlertConfigError as exc:
        st.error(f"Alerts are off: {exc}", icon=icons.WARNING)
        alerts = []
    st.session_state[SEEN] = _identity(selected, config_path)
    return alerts


def computed(selected, config_path: str | None) -> list:
    """The alerts of a log or a store, from the caches (``AlertConfigError`` for a bad configuration)."""
    from dashboard.views import cache, store_source

    if selected.store is not None:
        return store_source.alerts(selected, config_path)
    return cache.alerts(selected.loaded, config_path, cache.file_stamp(config_path))


def first_look(selected) -> bool:
    """Whether a first look finds the alerts before drawing the traffic: a small log (see ``known``)."""
    return selected.loaded.parse.lines <= LATE_ALERTS_LINES


def known(selected, config_path: str | None) -> list | None:
    """The alerts of a small log, or when this session already found them for this log and configuration (a cache
    hit); else None.

    They take seconds on a million rows: a first look at a large log draws the traffic first and finds the alerts
    after it. On a small one (the embedded sample) that costs more than it saves: the rerun that marks them competes
    with the browser's first paint.
    """
    seen = st.session_state.get(SEEN) == _identity(selected, config_path)
    return found(selected, config_path) if first_look(selected) or seen else None


def _identity(selected, config_path: str | None) -> tuple:
    from dashboard.views import cache

    return cache.log_identity(selected.loaded), config_path, cache.file_stamp(config_path)


def render(alerts: list, buckets: list[pd.Timestamp], labels: list[str], tz: str, anonymise: bool = False) -> None:
    """The alerts section: a table, then one expander per alert with evidence and a window link.

    Alerts are detected on the full addresses; anonymising masks only what is shown here.
    """
    st.subheader(f"Alerts ({len(alerts)})")
    if not alerts:
        st.caption("No anomaly found: traffic, status codes, scanners and surges look normal against their baselines.")
        return
    st.dataframe(alerts_table(alerts, tz, anonymise), hide_index=True)
    for i, alert in enumerate(alerts[:MAX_LISTED]):
        icon = SEVERITY_ICONS.get(alert.severity, icons.SEVERITY_OTHER)
        shown = shown_alert(alert, anonymise)
        title = f"{shown.start.tz_convert(tz):%Y-%m-%d %H:%M} · {shown.detector} · {shown.subject}"
        with st.expander(title, icon=icon):
            st.text(shown.message)
            if not shown.evidence.empty:
                st.dataframe(shown.evidence, hide_index=True)
            st.button(
                "Show this window",
                key=f"{KEY}window_{i}",
                on_click=_show_window,
                args=(window_for(alert, buckets, labels),),
            )
            params = pages.lines_params(_link_filters(alert, anonymise), alert.start, alert.end)
            pages.link("lines", "Show the lines", params, ":material/article:")


__all__ = ["AlertConfigError", "found", "known", "markers", "render"]
