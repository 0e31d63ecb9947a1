"""The cube: bucket × browser × country × status class × bot → requests, bytes, and its Parquet file format.

Built from a frame here or on Spark (``dashboard.spark.cube``), saved by ``python -m dashboard cube``, and opened
as a dashboard source. It cannot be cut finer than the bucket it was built with, and it has no rows: unique
visitors come from the visitors table next to it (distinct ip + user agent per bucket; summed over a window
this counts a visitor once per bucket, so it is an upper bound), and alerts and city points are not available.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np
import pandas as pd

from dashboard.analysis.buckets import DEFAULT_BUCKET, DEFAULT_TZ, bucket_starts, check_bucket
from dashboard.analysis.visitors import visitor_keys
from dashboard.errors import DataBloomError
from dashboard.schema import status_class

CUBE_DIMENSIONS = ("bucket", "browser", "country", "status_class", "is_bot")
CUBE_COLUMNS = (*CUBE_DIMENSIONS, "requests", "bytes")
TEXT_DIMENSIONS = ("browser", "country", "status_class")
VISITORS_SUFFIX = ".visitors.parquet"
PARQUET_MAGIC = b"PAR1"


def _naive_utc(buckets: pd.Series) -> np.ndarray:
    """Bucket starts as naive UTC datetime64 (fast to group; object Timestamps are not)."""
    return buckets.dt.tz_convert("UTC").dt.tz_localize(None).to_numpy()


def _aware(naive_utc: pd.Series, tz: str) -> pd.Series:
    """Back from naive UTC to tz-aware timestamps in ``tz``."""
    return naive_utc.dt.tz_localize("UTC").dt.tz_convert(tz)


def _sorted_codes(values: pd.Series | pd.Categorical | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes whose order is the values' sorted order, and the sorted distinct values (-1 = missing)."""
    cat = values.array if isinstance(values, pd.Series) else values
    if not isinstance(cat, pd.Categorical):
        cat = pd.Categorical(cat)
    labels = np.asarray(cat.categories)
    order = np.argsort(labels, kind="stable")
    rank = np.empty(len(order) + 1, np.int64)
    rank[order] = np.arange(len(order))
    rank[-1] = -1  # code -1 (missing) indexes the last slot
    return rank[cat.codes], labels[order]


def _bucket_codes(naive: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Codes of bucket starts in time order (a time-sorted frame needs no sort), and the distinct starts."""
    ints = naive.view(np.int64)
    if len(ints) and (ints[1:] >= ints[:-1]).all():
        change = np.empty(len(ints), bool)
        change[0] = True
        np.not_equal(ints[1:], ints[:-1], out=change[1:])
        return np.cumsum(change) - 1, naive[change]
    uniques, codes = np.unique(naive, return_inverse=True)
    return codes.reshape(-1), uniques


def build_cube(frame: pd.DataFrame, bucket: str = DEFAULT_BUCKET, tz: str = DEFAULT_TZ) -> pd.DataFrame:
    """bucket × browser × country × status_class × is_bot → requests, bytes (only non-empty cells).

    Cells come sorted by those columns (strings in code-point order). The five keys are folded into one
    integer per row and counted with bincount: a third of pandas' multi-key groupby time on 1M rows.
    """
    bucket_codes, starts = _bucket_codes(_naive_utc(bucket_starts(frame["time"], bucket, tz)))
    keys = [
        (bucket_codes, starts),
        _sorted_codes(frame["browser"]),
        _sorted_codes(frame["country"]),
        _sorted_codes(status_class(frame["status"])),
        (frame["is_bot"].to_numpy(dtype=bool).astype(np.int64), np.array([False, True])),
    ]
    present = np.ones(len(frame), bool)
    key = np.zeros(len(frame), np.int64)
    for codes, labels in keys:
        present &= codes >= 0
        key = key * len(labels) + codes
    row_bytes = frame["bytes"].to_numpy(dtype=np.int64)
    key, row_bytes = key[present], row_bytes[present]
    first_seen, cells = pd.factorize(key)  # hashing, then sorting only the distinct cells
    order = np.argsort(cells, kind="stable")
    rank = np.empty(len(order), np.int64)
    rank[order] = np.arange(len(order))
    cells, inverse = cells[order], rank[first_seen]
    requests = np.bincount(inverse, minlength=len(cells)).astype(np.int64)
    if row_bytes.sum(dtype=np.float64) < 2**53:  # float sums stay exact below 2**53
        total_bytes = np.bincount(inverse, weights=row_bytes, minlength=len(cells)).astype(np.int64)
    else:
        total_bytes = pd.Series(row_bytes).groupby(inverse).sum().to_numpy()
    columns = {}
    rest = cells
    for name, (_, labels) in reversed(list(zip(CUBE_DIMENSIONS, keys, strict=True))):
        rest, index = np.divmod(rest, len(labels))
        columns[name] = labels[index]
    cube = pd.DataFrame({name: columns[name] for name in CUBE_DIMENSIONS})
    for col in TEXT_DIMENSIONS:
        cube[col] = cube[col].astype(str)
    cube["requests"] = requests
    cube["bytes"] = total_bytes
    cube["bucket"] = _aware(pd.Series(columns["bucket"], name="bucket"), tz)
    return cube


def bucket_visitors(frame: pd.DataFrame, bucket: str = DEFAULT_BUCKET, tz: str = DEFAULT_TZ) -> pd.DataFrame:
    """Distinct (ip, user agent) per bucket: the visitors table saved next to a cube."""
    if frame.empty:
        return pd.DataFrame({"bucket": pd.Series([], dtype=f"datetime64[us, {tz}]"), "visitors": []})
    buckets = bucket_starts(frame["time"], bucket, tz)
    keys = visitor_keys(frame, tz)
    table = (
        pd.DataFrame({"bucket": _naive_utc(buckets), "key": keys})
        .groupby("bucket", sort=True)["key"]
        .nunique()
        .rename("visitors")
        .reset_index()
    )
    table["bucket"] = _aware(table["bucket"], tz)
    return table


def save_cube(cube: pd.DataFrame, path: str | Path) -> None:
    """Write the cube as Parquet."""
    cube.to_parquet(path, index=False)


class CubeError(DataBloomError):
    """A file that is not a Data Bloom cube."""


@dataclass(frozen=True)
class CubeData:
    """A loaded cube, the span of its buckets, and visitors per bucket when known."""

    cube: pd.DataFrame
    span: pd.Timedelta
    visitors: pd.DataFrame | None = None  # bucket, visitors

    @property
    def requests(self) -> int:
        return int(self.cube["requests"].sum())


def is_parquet(data: bytes) -> bool:
    """True for bytes that start like a Parquet file."""
    return data[:4] == PARQUET_MAGIC


def visitors_path(path: str | Path) -> str | Path:
    """``cube.parquet`` → ``cube.visitors.parquet`` (a str stays a str, so Hadoop URIs keep their ``//``)."""
    text = str(path)
    target = (text[: -len(".parquet")] if text.endswith(".parquet") else text) + VISITORS_SUFFIX
    return Path(target) if isinstance(path, Path) else target


def _read(source: str | Path | BinaryIO, what: str) -> pd.DataFrame:
    try:
        return pd.read_parquet(source if not isinstance(source, bytes) else io.BytesIO(source))
    except (OSError, ValueError) as exc:
        raise CubeError(f"{what}: not a readable Parquet cube ({exc})") from exc


def _span(buckets: pd.Series) -> pd.Timedelta:
    """The bucket size: the smallest gap between distinct bucket starts (1 day when there is one bucket)."""
    starts = pd.Series(sorted(pd.unique(buckets)))
    gaps = starts.diff().dropna()
    return gaps.min() if len(gaps) else pd.Timedelta(days=1)


def load_cube(source: str | Path | bytes, name: str = "cube") -> CubeData:
    """Read and check a cube (and, for a path, the visitors table beside it)."""
    cube = _read(source, name)
    missing = [c for c in CUBE_COLUMNS if c not in cube.columns]
    if missing:
        raise CubeError(f"{name}: not a Data Bloom cube, columns {', '.join(missing)} are missing")
    cube = cube.loc[:, list(CUBE_COLUMNS)].copy()
    if cube["bucket"].dt.tz is None:
        cube["bucket"] = cube["bucket"].dt.tz_localize("UTC")
    cube["bucket"] = cube["bucket"].dt.tz_convert("UTC")
    for col in TEXT_DIMENSIONS:
        cube[col] = cube[col].astype(str)
    cube["is_bot"] = cube["is_bot"].astype(bool)
    visitors = None
    beside = Path(visitors_path(source)) if isinstance(source, str | Path) else None
    if beside is not None and beside.exists():
        table = _read(beside, str(beside))
        count = "visitors" if "visitors" in table.columns else "visitors_approx"
        if "bucket" in table.columns and count in table.columns:
            visitors = pd.DataFrame({"bucket": table["bucket"], "visitors": table[count].astype("int64")})
            if visitors["bucket"].dt.tz is None:
                visitors["bucket"] = visitors["bucket"].dt.tz_localize("UTC")
    return CubeData(cube=cube, span=_span(cube["bucket"]) if len(cube) else pd.Timedelta(hours=1), visitors=visitors)


def rebucket(data: CubeData, bucket: str, tz: str) -> tuple[pd.DataFrame, bool]:
    """The cube in buckets of ``bucket`` in ``tz`` (summed), and whether that was possible.

    A bucket finer than the cube's own cannot be made: the cube's buckets are then kept as they are (False).
    """
    span = check_bucket(bucket)
    if span < data.span:
        cube = data.cube.assign(bucket=data.cube["bucket"].dt.tz_convert(tz))
        return cube, False
    starts = bucket_starts(data.cube["bucket"], bucket, tz)
    cube = (
        data.cube.assign(bucket=starts)
        .groupby(list(CUBE_DIMENSIONS), sort=True, observed=True)[["requests", "bytes"]]
        .sum()
        .reset_index()
    )
    return cube, True


def window_visitors(data: CubeData, start: pd.Timestamp, end: pd.Timestamp) -> int | None:
    """Sum of per-bucket visitors of the cube's own buckets in [start, end), or None when unknown."""
    if data.visitors is None:
        return None
    inside = data.visitors[(data.visitors["bucket"] >= start) & (data.visitors["bucket"] < end)]
    return int(inside["visitors"].sum())
