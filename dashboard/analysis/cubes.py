"""Opening a saved cube (from ``python -m dashboard cube``, pandas or Spark engine) as a dashboard source.

A cube holds bucket × browser × country × status class × bot → requests, bytes, so every panel drawn from
counts works from it. It cannot be cut finer than the bucket it was built with, and it has no rows: unique
visitors come from the visitors table next to it (distinct ip + user agent per bucket; summed over a window
this counts a visitor once per bucket, so it is an upper bound), and alerts and city points are not available.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import pandas as pd

from dashboard.analysis.aggregate import CUBE_DIMENSIONS, bucket_starts, check_bucket
from dashboard.errors import DataBloomError

CUBE_COLUMNS = (*CUBE_DIMENSIONS, "requests", "bytes")
VISITORS_SUFFIX = ".visitors.parquet"
PARQUET_MAGIC = b"PAR1"


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


def visitors_path(path: str | Path) -> Path:
    """``cube.parquet`` → ``cube.visitors.parquet``."""
    path = Path(path)
    stem = path.name[: -len(".parquet")] if path.name.endswith(".parquet") else path.name
    return path.with_name(stem + VISITORS_SUFFIX)


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
    for col in ("browser", "country", "status_class"):
        cube[col] = cube[col].astype(str)
    cube["is_bot"] = cube["is_bot"].astype(bool)
    visitors = None
    if isinstance(source, str | Path) and visitors_path(source).exists():
        table = _read(visitors_path(source), str(visitors_path(source)))
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
