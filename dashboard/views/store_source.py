"""The sidebar's "Store" source and what the pages draw from a store (``databloom ingest`` wrote it).

A store is opened once per published manifest (a new ingest re-opens it) and shows as a stand-in log without
rows: its line accounting and rejects. The Traffic page draws its cube and window visitors from the rollups;
Explore reads only the rows of its date range (and its previous period) with DuckDB, over the whole history only
those that may pass its filters, so memory follows the selection, not the history; alerts read the rows once
per store version. Audience, Clients and Lines read only the columns they draw from (the filters and the bot
mode pushed down), then call the analysis functions a log's rows go through. Lines are read from each source
file while it holds them, and rebuilt from the rows when it is gone or changed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import streamlit as st

from dashboard.analysis import lines
from dashboard.analysis.audience import AudienceData
from dashboard.analysis.filters import Filter, filter_mask, to_params
from dashboard.analysis.ranges import DateRange, previous_period
from dashboard.analysis.rows import Prepared
from dashboard.store.layout import MANIFEST
from dashboard.views import cache
from dashboard.views.config import AppConfig, allowed_store

STORE = "Store"
PATH_KEY = "sidebar_store_path"
STORE_HELP = "a directory written by `databloom ingest LOG --store DIR` (the --store one, or inside an --allow-dir)"


def offered(config: AppConfig) -> bool:
    """Whether the sidebar offers the Store source: the operator named a store, or allowed directories."""
    return config.store is not None or bool(config.allow_dirs)


def default_path(config: AppConfig) -> str:
    """The store directory the sidebar starts with: the --store one, or none."""
    return str(config.store) if config.store else ""


def requested_path(config: AppConfig) -> str:
    """The store directory the sidebar names: a text input when directories are allowed, else the --store one."""
    default = default_path(config)
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
    """The store's alerts (an ``AlertConfigError`` for a bad configuration: ``alerts_panel.found`` says it)."""
    return cache.store_alerts(selected.loaded, selected.store, config_path, cache.file_stamp(config_path))


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


def audience(selected, settings, pages_only: bool, own_hosts: tuple[str, ...]) -> AudienceData:
    """The Audience page's tables for the whole store, as for a whole log."""
    return cache.store_audience(
        selected.loaded, selected.store, settings.bots, pages_only, settings.bucket, settings.tz, own_hosts
    )


def clients_rows(selected, applied: list[Filter]) -> pd.DataFrame:
    """The rows the Clients page counts: those passing ``applied`` (the exact SQL part read, the rest in memory)."""
    from dashboard.store.rows import CLIENTS_COLUMNS

    rows = cache.store_rows(selected.loaded, selected.store, CLIENTS_COLUMNS, tuple(to_params(applied)))
    return rows[filter_mask(rows, applied)] if applied else rows


@dataclass(frozen=True)
class StoreLines:
    """The Lines page's selection of a store: how to read each source, its name, the sorted keys."""

    sources: list
    names: list[str]
    keys: np.ndarray
    rebuilt: list[str]  # the sources whose lines are rebuilt from the rows (their file is gone or changed)


def store_lines(selected, applied: list[Filter], period, pattern: str, regex: bool) -> StoreLines:
    """The matching lines of a store: read from each source file that still holds them, else rebuilt."""
    from dashboard.store.rows import LINE_COLUMNS, source_file

    start, end = period if period is not None else (None, None)
    rows = cache.store_rows(
        selected.loaded, selected.store, LINE_COLUMNS, tuple(to_params(applied)), start, end, sources=True
    )
    keys = lines.select(rows, applied, period)
    records = selected.store.manifest.sources
    names = [r.names[-1] for r in records] + ["(unknown source)"]
    sources: list = []
    rebuilt = []
    for i, record in enumerate([*records, None]):
        path = source_file(record) if record is not None else None
        if path is not None:
            sources.append(lambda path=path: path)
        else:
            text = lines.row_text(rows, keys, i, record.format if record else "combined")
            sources.append(text)
            rebuilt += [names[i]] if len(text.rows) else []
    return StoreLines(sources, names, lines.search(sources, keys, pattern, regex), rebuilt)
