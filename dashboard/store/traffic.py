"""The Traffic page from a store's rollups: the cube in the page's bucket and zone, and visitors of a window.

The rollups are the 5-minute UTC cube with the visitor hashes of each cell, so every panel of the Traffic page
but the city points can be made from them: the cube is regrouped in DuckDB into buckets made of whole 5-minute
buckets (the bucket of each 5-minute start comes from ``analysis.buckets``, the one bucket policy), and the
visitors of a window are the distinct (hash, local day) pairs of its cells, counted by ``analysis.visitors``.
Memory follows the cells and the window's visitors, not the rows of the history. Counting page views (the
sidebar's switch) needs each row's kind, which the rollups lack: the page views are read as rows instead.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from dashboard.analysis.buckets import bucket_starts, check_tz
from dashboard.analysis.cube import CUBE_COLUMNS, TEXT_DIMENSIONS
from dashboard.analysis.filters import PAGEVIEWS, Filter, bot_mask, filter_mask
from dashboard.analysis.traffic import _city_points as city_points
from dashboard.store.layout import ROLLUPS
from dashboard.store.query import Store, check_store_bucket, count_visitors
from dashboard.store.rows import read_rows, row_columns

POINT_COLUMNS = ("time", "is_bot", "lat", "lon")
BOT_SQL = {"include": None, "exclude": "NOT is_bot", "only": "is_bot"}
# What the Traffic page reads of a page view: the cube's keys, the visitors' and the map's columns, and what
# ``analysis.pages`` classifies by.
PAGEVIEW_COLUMNS = (
    *("time", "browser", "country", "status", "is_bot", "bytes", "ip", "user_agent", "lat", "lon"),
    *("path", "method", "content_type"),
)


def _empty_cube(tz: str) -> pd.DataFrame:
    """A cube with no cell, with the dtypes of ``analysis.cube.build_cube``."""
    cube = pd.DataFrame({c: pd.Series([], dtype=object) for c in CUBE_COLUMNS})
    cube["bucket"] = pd.Series([], dtype=f"datetime64[us, {tz}]")
    cube["is_bot"] = cube["is_bot"].astype(bool)
    return cube.astype({"requests": "int64", "bytes": "int64"})


def _starts(store: Store, source: str) -> pd.Series:
    """The distinct 5-minute bucket starts of the rollups (UTC)."""
    micros = store.sql(f"SELECT DISTINCT epoch_us(bucket) AS b FROM {source} ORDER BY b")["b"]
    return pd.Series(pd.to_datetime(micros.to_numpy(np.int64), unit="us", utc=True)).dt.as_unit("us")


def store_cube(store: Store, bucket: str, tz: str) -> pd.DataFrame:
    """bucket × browser × country × status class × bot → requests, bytes: ``build_cube`` of the store's rows."""
    check_store_bucket(bucket)
    check_tz(tz)
    source = store.relation(ROLLUPS)
    if source is None:
        return _empty_cube(tz)
    fine = _starts(store, source)
    coarse = bucket_starts(fine, bucket, tz).dt.tz_convert("UTC")
    mapping = pd.DataFrame({"b": _micros(fine), "s": _micros(coarse)})
    cells = store.sql_with(
        {"bucket_map": mapping},
        "SELECT m.s AS bucket, browser, country, status_class, is_bot, sum(requests)::BIGINT AS requests, "
        f"sum(bytes)::BIGINT AS bytes FROM {source} AS r JOIN bucket_map AS m ON epoch_us(r.bucket) = m.b "
        "GROUP BY ALL ORDER BY bucket, browser, country, status_class, is_bot",
    )
    cube = pd.DataFrame(
        {
            "bucket": pd.to_datetime(cells["bucket"].to_numpy(np.int64), unit="us", utc=True),
            **{c: cells[c].astype(str) for c in TEXT_DIMENSIONS},
            "is_bot": cells["is_bot"].astype(bool),
            "requests": cells["requests"].astype("int64"),
            "bytes": cells["bytes"].astype("int64"),
        }
    )
    cube["bucket"] = cube["bucket"].dt.as_unit("us").dt.tz_convert(tz)
    return cube.loc[:, list(CUBE_COLUMNS)]


def window_visitors(
    store: Store,
    start: pd.Timestamp | None,
    end: pd.Timestamp | None,
    bots: str = "include",
    tz: str = "UTC",
) -> int:
    """Distinct (ip, user agent, local day) of the requests in [start, end) that pass the bot filter.

    From the visitor hashes of the rollups: of the real addresses, as every figure is counted before masking.
    """
    check_tz(tz)
    bot_mask(np.zeros(0, bool), bots)  # an unknown mode fails here, as on the rows
    source = store.relation(ROLLUPS)
    if source is None:
        return 0
    where = [BOT_SQL.get(bots)]
    where += [f"bucket >= {_literal(start)}" if start is not None else None]
    where += [f"bucket < {_literal(end)}" if end is not None else None]
    clause = " AND ".join(w for w in where if w) or "true"
    return count_visitors(store, f"{source} WHERE {clause}", tz)


def window_points(
    store: Store, start: pd.Timestamp | None, end: pd.Timestamp | None, bots: str = "include"
) -> pd.DataFrame | None:
    """Requests per located point in [start, end) from four columns of the rows; None without locations."""
    if "lat" not in row_columns(store):
        return None
    rows = read_rows(store, start, end, [Filter("bots", "is", bots)], columns=POINT_COLUMNS)
    keep = bot_mask(rows["is_bot"], bots) if len(rows) else None
    return city_points(rows if keep is None else rows[keep])  # the page's own count of the window's rows


def pageview_rows(store: Store) -> pd.DataFrame:
    """The page views of a store, for the Traffic page when it counts them (the rollups have no kind).

    DuckDB reads only the answered GETs (the SQL part of ``kind:pageview``); ``analysis.pages`` then classifies
    their paths as it does a log's rows, so a store and its log count the same page views.
    """
    rows = read_rows(store, filters=[PAGEVIEWS], columns=PAGEVIEW_COLUMNS)
    return rows[filter_mask(rows, [PAGEVIEWS])].reset_index(drop=True) if len(rows) else rows


def _micros(times: pd.Series) -> np.ndarray:
    """Tz-aware times as microseconds since the epoch."""
    return times.dt.tz_convert("UTC").dt.tz_localize(None).dt.as_unit("us").to_numpy().astype(np.int64)


def _literal(value: pd.Timestamp) -> str:
    """A UTC instant as a DuckDB TIMESTAMPTZ literal."""
    return "'" + pd.Timestamp(value).tz_convert("UTC").isoformat() + "'::TIMESTAMPTZ"
