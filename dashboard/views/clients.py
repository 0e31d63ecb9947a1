"""The Clients page: which networks the requests come from (bots in data centres or not), browser and OS
versions under each family, and methods × protocols per URL. It follows the Explore page's filters.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard.analysis import networks, versions
from dashboard.analysis.filters import Filter, FilterError, filter_mask, with_settings
from dashboard.analysis.query import format_query
from dashboard.enrich.asn import AsnTableError, load_asn_table
from dashboard.views import cache, guard, notice, sidebar, store_source
from dashboard.views.config import AppConfig
from dashboard.views.explore import current_filters
from dashboard.views.sidebar import Selected, Settings

KEY = "clients_"
ATTRIBUTION = (
    "Networks: IP to ASN data by [RouteViews](https://www.routeviews.org), [NRO](https://www.nro.net) and "
    "[DB-IP](https://db-ip.com) (CC BY 4.0). A network counts as a data centre when its organisation name reads "
    "as hosting, cloud or CDN (the list is in `dashboard/enrich/asn.py`); every other network as residential."
)
SHARE = st.column_config.ProgressColumn("share", format="percent", min_value=0.0, max_value=1.0)


def page(config: AppConfig) -> None:
    """The Clients page: the shared sidebar, then networks, versions and methods."""
    settings, selected = sidebar.render(config)
    render(settings, selected)


def render(settings: Settings, selected: Selected | None) -> None:
    """The page body."""
    st.title("Clients")
    sidebar.counting_note(settings, selected)
    if notice.nothing_loaded(settings.failure, selected):
        return
    no_rows = selected.store.manifest.rows == 0 if selected.store is not None else selected.loaded.frame.empty
    if selected.cube is not None or no_rows:
        st.info(
            "This store holds no row yet: ingest a log into it."
            if selected.store is not None
            else "This page needs the rows of a log; a saved cube holds only counts. Open the log itself."
        )
        return
    filters, _ = current_filters()
    applied = with_settings(filters, settings.bots, settings.pageviews)
    if applied:
        st.caption(f"Filtered as on the Explore page: `{format_query(applied)}`")
    with guard.section("This selection", "Remove a filter on the Explore page."):
        try:
            key = (selected.loaded.fingerprint, tuple(f.to_param() for f in applied))
            frame = cache.session_memo(KEY + "memo", key, lambda: _filtered(selected, applied))
        except FilterError as exc:
            st.error(f"A filter cannot be applied: {exc}")
            return
    if frame.empty:
        st.info("No requests match these filters.")
        return
    with guard.section("Networks", "The bundled AS table may be damaged: reinstall Data Bloom."):
        _networks(frame, selected)
    with guard.section("Versions"):
        _versions(frame)
    with guard.section("Methods and protocols per URL"):
        st.subheader("Methods and protocols per URL")
        st.dataframe(versions.methods_by_path(frame), hide_index=True, width="stretch")


def _filtered(selected: Selected, applied: list[Filter]) -> pd.DataFrame:
    if selected.store is not None:  # the store's rows that pass the filters, read with the columns shown
        return store_source.clients_rows(selected, applied)
    frame = selected.loaded.frame
    return frame[filter_mask(frame, applied)] if applied else frame


def _networks(frame: pd.DataFrame, selected: Selected) -> None:
    st.subheader("Networks")
    try:
        table = load_asn_table()
    except AsnTableError as exc:
        st.warning(str(exc))
        return
    by_network = networks.networks(frame, table)
    left, right = st.columns([3, 2])
    with left:
        shown = by_network.head(networks.TOP).assign(asn=lambda t: t["asn"].map(lambda a: f"AS{a}" if a else "—"))
        st.dataframe(
            shown,
            hide_index=True,
            width="stretch",
            column_config={"share": SHARE, "bytes": st.column_config.NumberColumn(format="compact")},
        )
    with right:
        st.markdown("**Bots by kind of network**")
        kinds = networks.bots_by_kind(by_network)
        st.dataframe(
            kinds,
            hide_index=True,
            width="stretch",
            column_config={"share_of_bots": st.column_config.ProgressColumn("share of bots", format="percent")},
        )
    if selected.anonymise:
        st.caption("Anonymised addresses keep their network (a /24 or /48 lies inside one announced prefix).")
    st.caption(ATTRIBUTION)


def _versions(frame: pd.DataFrame) -> None:
    st.subheader("Versions")
    for title, family, version in (
        ("Browsers", "browser", "browser_version"),
        ("Operating systems", "os", "os_version"),
    ):
        table = versions.versions(frame, family, version)
        st.markdown(f"**{title}**")
        for name, rows in table.groupby("family", sort=False):
            total = int(rows["family_requests"].iloc[0])
            with st.expander(f"{name} — {total:,} requests, {len(rows)} versions"):
                st.dataframe(
                    rows.head(versions.TOP_VERSIONS)[["version", "requests", "share"]],
                    hide_index=True,
                    width="stretch",
                    column_config={"share": SHARE},
                )
