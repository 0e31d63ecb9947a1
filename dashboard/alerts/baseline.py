"""Seasonal, robust baselines on per-bucket counts: the statistics every detector shares.

A day of buckets is a row of a days × slots matrix; each day gets a level (median ratio of its buckets to the
typical profile, so weekends and quiet days scale down), and each bucket's expectation is that level times the
median of the *other* days at the same slot of the day (± a few neighbouring slots), with a MAD spread. With
enough weeks the other days are restricted to the same weekday. In a batch the history is the rest of the log
(leave-one-day-out), so one incident never hides itself. Logs shorter than ``min_history_days`` fall back to a
flat median/MAD baseline.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

DAY_SECONDS = 86_400
MAD_SCALE = 1.4826  # MAD → standard deviation of a normal distribution
EPOCH = pd.Timestamp("1970-01-01", tz="UTC")


# -- buckets ----------------------------------------------------------------------------------------------
@dataclass
class Buckets:
    """Rows of a frame assigned to fixed UTC buckets: ``index[i]`` is row i's bucket, 0 … n-1."""

    origin: int  # epoch seconds of bucket 0
    step: int  # seconds
    index: np.ndarray
    n: int
    first_partial: bool
    last_partial: bool

    def start(self, i: int) -> pd.Timestamp:
        return EPOCH + pd.Timedelta(seconds=self.origin + i * self.step)

    def count(self, mask: np.ndarray | None = None) -> np.ndarray:
        """Rows per bucket (only rows where ``mask``)."""
        idx = self.index if mask is None else self.index[mask]
        return np.bincount(idx, minlength=self.n).astype(float)


def epoch_seconds(times: pd.Series) -> np.ndarray:
    """UTC epoch seconds (int64) of a tz-aware time column."""
    return ((times - EPOCH) // pd.Timedelta(seconds=1)).to_numpy(dtype=np.int64)


def make_buckets(times: pd.Series, step: int) -> Buckets:
    """Bucket every row; the first/last buckets are partial unless the log fills them edge to edge."""
    sec = epoch_seconds(times)
    if len(sec) == 0:
        return Buckets(0, step, np.zeros(0, dtype=np.int64), 0, False, False)
    lo, hi = int(sec.min()), int(sec.max())
    origin = lo // step * step
    index = (sec - origin) // step
    n = int(index.max()) + 1
    # A bucket counts as full when the log starts within its first percent (generators and rotations start there).
    first_partial = lo - origin > step // 100
    last_partial = (origin + n * step) - hi > step // 100 + 1
    return Buckets(origin, step, index, n, first_partial, last_partial)


def valid_buckets(b: Buckets) -> np.ndarray:
    """Mask of buckets fully inside the log."""
    ok = np.ones(b.n, dtype=bool)
    if b.n:
        ok[0] &= not b.first_partial
        ok[-1] &= not b.last_partial
    return ok


# -- seasonal baselines -----------------------------------------------------------------------------------
def _as_matrix(values: np.ndarray, b: Buckets) -> tuple[np.ndarray, int]:
    """Values laid out as days × slots (NaN outside the log); the offset of bucket 0 in the matrix."""
    slots = DAY_SECONDS // b.step
    offset = (b.origin % DAY_SECONDS) // b.step
    days = -(-(offset + b.n) // slots)
    flat = np.full(days * slots, np.nan)
    flat[offset : offset + b.n] = values
    return flat.reshape(days, slots), offset


def _pooled(matrix: np.ndarray, pool: int) -> np.ndarray:
    """Stack each slot with its ``pool`` neighbours on either side: (2·pool+1) × days × slots."""
    return np.stack([np.roll(matrix, k, axis=1) for k in range(-pool, pool + 1)])


def _others(d: int, weekdays: np.ndarray, history_days: int, weekday_min: int) -> np.ndarray:
    """Indices of the history days for day ``d``: nearby other days, same weekday when there are enough."""
    near = np.flatnonzero((np.abs(np.arange(len(weekdays)) - d) <= history_days) & (np.arange(len(weekdays)) != d))
    same = near[weekdays[near] == weekdays[d]]
    return same if len(same) >= weekday_min else near


def seasonal_counts(
    values: np.ndarray, b: Buckets, cfg: dict, valid: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Expected value and robust spread per bucket for a count series (seasonal when the log is long enough)."""
    valid = valid_buckets(b) if valid is None else valid
    y = np.where(valid, values, np.nan)
    full_days = b.n * b.step / DAY_SECONDS
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        if full_days < cfg["min_history_days"] or DAY_SECONDS % b.step:
            med = float(np.nanmedian(y)) if np.isfinite(y).any() else 0.0
            mad = float(np.nanmedian(np.abs(y - med))) if np.isfinite(y).any() else 0.0
            return np.full(b.n, med), np.full(b.n, MAD_SCALE * mad)
        matrix, offset = _as_matrix(y, b)
        pool = int(cfg["pool_slots"])
        profile = np.nanmedian(_pooled(matrix, pool).reshape(-1, matrix.shape[1]), axis=0)
        floor = max(float(np.nanmedian(profile)) * 0.2, 1.0) if np.isfinite(profile).any() else 1.0
        usable = profile >= floor
        ratios = matrix[:, usable] / profile[usable]
        level = np.nanmedian(ratios, axis=1) if usable.any() else np.ones(matrix.shape[0])
        level = np.where(np.isfinite(level) & (level > 0), level, 1.0)
        norm = _pooled(matrix / level[:, None], pool)  # pools × days × slots
        first_day = (b.origin - offset * b.step) // DAY_SECONDS
        weekdays = (np.arange(matrix.shape[0]) + first_day + 3) % 7  # 1970-01-01 was a Thursday
        expected = np.full(matrix.shape, np.nan)
        spread = np.full(matrix.shape, np.nan)
        for d in range(matrix.shape[0]):
            others = _others(d, weekdays, int(cfg["history_days"]), int(cfg["weekday_min_weeks"]))
            hist = norm[:, others, :].reshape(-1, matrix.shape[1])
            med = np.nanmedian(hist, axis=0)
            expected[d] = level[d] * med
            spread[d] = level[d] * MAD_SCALE * np.nanmedian(np.abs(hist - med), axis=0)
    exp = expected.reshape(-1)[offset : offset + b.n]
    spr = spread.reshape(-1)[offset : offset + b.n]
    return np.nan_to_num(exp, nan=0.0), np.nan_to_num(spr, nan=0.0)


def seasonal_rate(hits: np.ndarray, totals: np.ndarray, b: Buckets, cfg: dict) -> np.ndarray:
    """Expected share ``hits / totals`` per bucket: pooled over the same slots of other days, shrunk to their mean."""
    valid = valid_buckets(b)
    k = np.where(valid, hits, np.nan)
    n = np.where(valid, totals, np.nan)
    prior = float(cfg["prior_requests"])
    full_days = b.n * b.step / DAY_SECONDS
    if full_days < cfg["min_history_days"] or DAY_SECONDS % b.step:
        total = np.nansum(n)
        return np.full(b.n, np.nansum(k) / total if total else 0.0)
    km, offset = _as_matrix(k, b)
    nm, _ = _as_matrix(n, b)
    pool = int(cfg["pool_slots"])
    kp, np_ = np.nansum(_pooled(km, pool), axis=0), np.nansum(_pooled(nm, pool), axis=0)  # days × slots
    day_k, day_n = np.nansum(km, axis=1), np.nansum(nm, axis=1)
    first_day = (b.origin - offset * b.step) // DAY_SECONDS
    weekdays = (np.arange(km.shape[0]) + first_day + 3) % 7
    rate = np.zeros(km.shape)
    for d in range(km.shape[0]):
        others = _others(d, weekdays, int(cfg["history_days"]), int(cfg["weekday_min_weeks"]))
        total = day_n[others].sum()
        overall = day_k[others].sum() / total if total else 0.0
        rate[d] = (kp[others].sum(axis=0) + prior * overall) / (np_[others].sum(axis=0) + prior)
    return rate.reshape(-1)[offset : offset + b.n]


def find_runs(mask: np.ndarray, min_len: int, max_gap: int) -> list[tuple[int, int]]:
    """Runs of True at least ``min_len`` long, then merged across gaps of at most ``max_gap``: [(i0, i1)), …]."""
    padded = np.concatenate([[False], np.asarray(mask, dtype=bool), [False]])
    edges = np.flatnonzero(np.diff(padded.astype(np.int8)))
    runs = [(int(a), int(z)) for a, z in zip(edges[::2], edges[1::2], strict=True) if z - a >= min_len]
    merged: list[tuple[int, int]] = []
    for a, z in runs:
        if merged and a - merged[-1][1] <= max_gap:
            merged[-1] = (merged[-1][0], z)
        else:
            merged.append((a, z))
    return merged


def rolling_sum(values: np.ndarray, width: int) -> np.ndarray:
    """Centred sum over ``width`` buckets (zeros beyond the ends), as long as ``values`` even when shorter than it."""
    if width <= 1 or len(values) == 0:
        return values.astype(float)
    full = np.convolve(values.astype(float), np.ones(width), mode="full")
    return full[(width - 1) // 2 : (width - 1) // 2 + len(values)]


def codes(column: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes and their labels for any column (categoricals reuse their codes)."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        codes = column.cat.codes.to_numpy().astype(np.int64)
        labels = np.asarray(column.cat.categories.astype(str), dtype=object)
        if (codes < 0).any():
            codes = np.where(codes < 0, len(labels), codes)
            labels = np.append(labels, "")
        return codes, labels
    codes, uniques = pd.factorize(column, use_na_sentinel=False)
    return codes.astype(np.int64), np.asarray([str(u) for u in uniques], dtype=object)
