"""Unique visitors: one definition (ip, user agent, local day), as GoAccess counts them, for every page."""

from __future__ import annotations

import numpy as np
import pandas as pd

from dashboard.analysis.buckets import DEFAULT_TZ

BITMAP_LIMIT = 50_000_000  # visitors × groups up to this: count distinct pairs with a bitmap, else by hashing


def _codes(column: pd.Series) -> tuple[np.ndarray, int]:
    """Integer codes of a column and how many distinct codes there can be (missing included)."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        return column.cat.codes.to_numpy().astype(np.int64), len(column.cat.categories) + 1
    codes, uniques = pd.factorize(column)
    return codes.astype(np.int64), len(uniques) + 1


def client_keys(frame: pd.DataFrame) -> np.ndarray:
    """One integer per row identifying its client + user agent: the visitor without the day (visits use it)."""
    ip, _ = _codes(frame["ip"])
    ua, n_ua = _codes(frame["user_agent"])
    return ip * n_ua + ua


def visitor_keys(frame: pd.DataFrame, tz: str = DEFAULT_TZ) -> np.ndarray:
    """One integer per row identifying (ip, user agent, local day): GoAccess's notion of a visitor."""
    client = client_keys(frame)
    local = frame["time"] if tz == "UTC" else frame["time"].dt.tz_convert(tz)
    day = local.dt.tz_localize(None).to_numpy().astype("datetime64[D]").astype(np.int64)
    day = day - (day.min() if len(day) else 0)
    n_days = int(day.max()) + 1 if len(day) else 1
    return client * n_days + day


def unique_visitors(frame: pd.DataFrame, tz: str = DEFAULT_TZ) -> int:
    """Distinct (ip, user agent, day) triples."""
    if frame.empty:
        return 0
    return int(pd.unique(visitor_keys(frame, tz)).size)


def visitors_per_group(visitor: np.ndarray, n_visitors: int, group: np.ndarray, groups: int) -> np.ndarray:
    """Distinct visitors in each of ``groups`` groups (``visitor`` are dense ids, ``group`` each row's group)."""
    if not len(visitor):
        return np.zeros(groups, dtype=np.int64)
    pairs = visitor * groups + group
    cells = n_visitors * groups
    if cells <= BITMAP_LIMIT:
        seen = np.zeros(cells, dtype=bool)
        seen[pairs] = True
        distinct = np.flatnonzero(seen)
    else:
        distinct = pd.unique(pairs)
    return np.bincount(distinct % groups, minlength=groups)
