"""The sidebar's "Store" source and what the pages draw from a store (``databloom ingest`` wrote it).

A store is opened once per published manifest (a new ingest re-opens it) and shows as a stand-in log without
rows: its line accounting and rejects. The Traffic page draws its cube and window visitors from the rollups;
Explore reads only the rows of its date range (and its previous period) with DuckDB, over the whole history only
those that may pass its filters, so memory follows the selection, not the history; alerts read the rows once
per store version.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard.alerts import AlertConfigError
from dashboard.analysis.filters import Filter, to_params
from dashboard.analysis.ranges import DateRange, previous_period
from dashboard.analysis.rows import Prepared
from dashboard.store.layout import MANIFEST
from dashboard.views import cache, icons
from dashboard.views.config import AppConfig, allowed_store

STORE = "Store"
PATH_KEY = "sidebar_store_path"
STORE_HELP = "a directory written by `databloom ingest LOG --store DIR` (the --store one, or inside an --allow-dir)"


def offered(config: AppConfig) -> bool:
    """Whether the sidebar offers the Store source: the operator named a store, or allowed directories."""
    return config.store is not None or bool(config.allow_dirs)


def requested_path(config: AppConfig) -> str:
    """The store directory the sidebar names: a text input when directories are allowed, else the --store one."""
    default = str(config.store) if config.store else ""
    if not config.allow_dirs:
        return default
    return st.text_input("Store directory", value=default, key=PATH_KEY, help=STORE_HELP)


def open_path(config: AppConfig, requested: str):
    """The store at an allowed path and its stand-in log (StoreError when it is not a usable store)."""
    path = allowed_store(config, requested)
    store, loaded = cache.opened_store(str(path), cache.file_stamp(str(path / MANIFEST)))
    return store, loaded


def cube(selected, bucket: str, tz: str) -> pd.DataFrame:
    """The Traffic page's cube, from the rollups."""
    return cache.store_cube(selected.loaded, selected.store, bucket, tz)


def visitors(selected, start: pd.Timestamp, end: pd.Timestamp, bots: str, tz: str) -> int:
    """Unique visitors of the window (masked addresses are counted from the rows, the hashes are of the real ones)."""
    return cache.store_visitors(selected.loaded, selected.store, start, end, bots, tz)


def city_points(selected, start: pd.Timestamp, end: pd.Timestamp, bots: str) -> pd.DataFrame | None:
    """The map's located points of the window (None when the store's GeoIP database had no locations)."""
    return cache.store_points(selected.loaded, selected.store, start, end, bots)


def alerts(selected, config_path: str | None) -> list:
    """The store's alerts, or [] with one clear error for a bad configuration."""
    try:
        return cache.store_alerts(selected.loaded, selected.store, config_path, cache.file_stamp(config_path))
    except AlertConfigError as exc:
        st.error(f"Alerts are off: {exc}", icon=icons.WARNING)
        return []


def times(selected) -> pd.Series:
    """The first and last request of the store: what the date-range presets count back from."""
    from dashboard.store.rows import time_bounds

    return time_bounds(selected.store)


def explore_rows(
    selected, tz: str, filters: list[Filter], period: DateRange | None, compare: bool
) -> tuple[Prepared, DateRange, bool]:
    """Explore's arrays for the period (the whole store when None) and, to compare, the period before it.

    The whole store is its data range, so the page computes what it computes for a log's "all", without a
    previous period.
    """
    from dashboard.store.rows import whole_range

    shown = period or whole_range(selected.store)
    compare = compare and period is not None
    start = previous_period(shown).start if compare else shown.start
    # A range's rows are read once and filtered in memory at each filter change (fast reruns, memory bounded by
    # the range); over the whole history the filters are pushed down too, so memory follows what may match.
    pushed = tuple(to_params(filters)) if period is None else ()
    prepared = cache.store_prepared(selected.loaded, selected.store, tz, start, shown.end, pushed)
    return prepared, shown, compare
