"""One batch of enriched rows → its Parquet parts: rows by day, rejects, rollups.

Rollups are 5-minute (UTC) buckets × browser × country × status class × is_bot → requests, bytes and the set
of visitor hashes seen in the cell. A set of 64-bit hashes rather than HyperLogLog registers: it merges by
union like HLL, and stays exact (a collision among a billion visitors is a one-in-thirty-million event), so a
store gives the very visitor counts of the in-memory path; a cell holds only the visitors it saw (a few
bytes per request on real traffic, where a 1024-register HLL costs 1 KB per cell, most of them tiny).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from dashboard.analysis.aggregate import bucket_starts, status_class
from dashboard.ingest.parse import Reject
from dashboard.store.layout import REJECTS, ROLLUPS, ROWS, FileRecord, part_name, write_atomically

ROLLUP_BUCKET = "5min"
ROLLUP_KEYS = ("bucket", "browser", "country", "status_class", "is_bot")
ROLLUP_COLUMNS = (*ROLLUP_KEYS, "requests", "bytes", "visitors")
REJECT_COLUMNS = ("source", "line", "reason", "raw")
VISITOR_COLUMNS = ["ip", "user_agent"]
ROW_GROUP_ROWS = 128 * 1024  # rows sorted by time: a query for one hour skips the other row groups
PARQUET_OPTIONS = {"engine": "pyarrow", "compression": "zstd", "index": False, "use_dictionary": True}


@dataclass
class Batch:
    """What one batch publishes: the enriched rows (any order) and the rejects of its lines."""

    rows: pd.DataFrame
    rejects: Sequence[Reject]


def visitor_hashes(frame: pd.DataFrame) -> np.ndarray:
    """A 64-bit hash of (ip, user agent) per row, the same in every batch and process (pandas' SipHash)."""
    if frame.empty:
        return np.empty(0, np.uint64)
    return pd.util.hash_pandas_object(frame[VISITOR_COLUMNS], index=False).to_numpy()


def build_rollup(frame: pd.DataFrame) -> pd.DataFrame:
    """The rollup cells of ``frame`` (enriched): keys, requests, bytes, sorted distinct visitor hashes."""
    keys = pd.DataFrame(
        {
            "bucket": bucket_starts(frame["time"], ROLLUP_BUCKET, "UTC").to_numpy(),
            "browser": frame["browser"].astype(str).to_numpy(),
            "country": frame["country"].astype(str).to_numpy(),
            "status_class": np.asarray(status_class(frame["status"])).astype(str),
            "is_bot": frame["is_bot"].to_numpy(dtype=bool),
        }
    )
    cell = keys.groupby(list(ROLLUP_KEYS), sort=True).ngroup().to_numpy()
    _, first = np.unique(cell, return_index=True)
    rollup = keys.iloc[first].reset_index(drop=True)
    rollup["bucket"] = pd.to_datetime(rollup["bucket"], utc=True).astype("datetime64[us, UTC]")
    rollup["requests"] = np.bincount(cell, minlength=len(first)).astype(np.int64)
    rollup["bytes"] = pd.Series(frame["bytes"].to_numpy(np.int64)).groupby(cell).sum().to_numpy()
    hashes = visitor_hashes(frame)
    order = np.lexsort((hashes, cell))
    cell, hashes = cell[order], hashes[order]
    keep = np.ones(len(cell), bool)
    keep[1:] = (cell[1:] != cell[:-1]) | (hashes[1:] != hashes[:-1])
    cell, hashes = cell[keep], hashes[keep]
    bounds = np.searchsorted(cell, np.arange(1, len(first)))
    rollup["visitors"] = pd.Series(np.split(hashes, bounds), dtype=object)
    return rollup


def _compact(frame: pd.DataFrame) -> pd.DataFrame:
    """Categoricals without the categories this slice does not use (each file's dictionary is its own)."""
    return frame.assign(
        **{
            name: frame[name].cat.remove_unused_categories()
            for name in frame.columns
            if isinstance(frame[name].dtype, pd.CategoricalDtype)
        }
    )


def _write(store: Path, relative: str, frame: pd.DataFrame, kind: str, batch: int, **extra: str | None) -> FileRecord:
    """One Parquet part, written atomically, and its manifest record."""

    def write(temp: Path) -> None:
        frame.to_parquet(temp, row_group_size=ROW_GROUP_ROWS, **PARQUET_OPTIONS)

    size = write_atomically(store / relative, write)
    return FileRecord(path=relative, kind=kind, batch=batch, rows=len(frame), bytes=size, **extra)


def write_batch(store: Path, batch_id: int, batch: Batch) -> list[FileRecord]:
    """Write the batch's parts (not yet published); on any error, remove those already written and re-raise."""
    written: list[FileRecord] = []
    try:
        frame = batch.rows
        if len(frame):
            if not frame["time"].is_monotonic_increasing:
                frame = frame.sort_values("time", kind="stable", ignore_index=True)
            days = frame["time"].dt.floor("D")
            starts = np.flatnonzero(np.r_[True, days.to_numpy()[1:] != days.to_numpy()[:-1]])
            for lo, hi in zip(starts, [*starts[1:], len(frame)], strict=True):
                part = _compact(frame.iloc[lo:hi].reset_index(drop=True))
                day = days.iloc[lo].strftime("%Y-%m-%d")
                times = part["time"]
                relative = f"{ROWS}/day={day}/{part_name(batch_id)}"
                start, end = times.iloc[0].isoformat(), times.iloc[-1].isoformat()
                written.append(_write(store, relative, part, ROWS, batch_id, start=start, end=end, day=day))
            rollup = build_rollup(frame)
            start, end = rollup["bucket"].min().isoformat(), rollup["bucket"].max().isoformat()
            relative = f"{ROLLUPS}/{part_name(batch_id)}"
            written.append(_write(store, relative, rollup, ROLLUPS, batch_id, start=start, end=end))
        if batch.rejects:
            rejects = pd.DataFrame([(r.source, r.line, r.reason, r.raw) for r in batch.rejects], columns=REJECT_COLUMNS)
            written.append(_write(store, f"{REJECTS}/{part_name(batch_id)}", rejects, REJECTS, batch_id))
    except BaseException:
        for record in written:
            (store / record.path).unlink(missing_ok=True)
        raise
    return written


def rewrite_rollup(store: Path, record: FileRecord, cutoff: pd.Timestamp, batch: int) -> tuple[FileRecord | None, int]:
    """A rollup part without its cells before ``cutoff`` (None when none is left), and how many cells went."""
    frame = pd.read_parquet(store / record.path)
    kept = frame[frame["bucket"] >= cutoff].reset_index(drop=True)
    if kept.empty:
        return None, len(frame)
    start, end = kept["bucket"].min().isoformat(), kept["bucket"].max().isoformat()
    new = _write(store, f"{ROLLUPS}/{part_name(batch)}", kept, ROLLUPS, batch, start=start, end=end)
    return new, len(frame) - len(kept)
