"""One batch of enriched rows → its Parquet parts: rows by day, rejects, rollups (written by DuckDB).

Rollups are 5-minute (UTC) buckets × browser × country × status class × is_bot → requests, bytes and the set
of visitor hashes seen in the cell. A set of 64-bit hashes rather than HyperLogLog registers: it merges by
union like HLL, and stays exact (a collision among a billion visitors is a one-in-thirty-million event), so a
store gives the very visitor counts of the in-memory path; a cell holds only the visitors it saw (a few
bytes per request on real traffic, where a 1024-register HLL costs 1 KB per cell, most of them tiny).
DuckDB writes the files: dictionary-encoded strings and zstd, smaller than pyarrow's (12 against 16 bytes a
row on the sample) and faster.
"""

from __future__ import annotations

import errno
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
from pandas.errors import Pandas4Warning

from dashboard.analysis.buckets import bucket_starts
from dashboard.ingest.parse import Reject
from dashboard.schema import status_class
from dashboard.store.layout import REJECTS, ROLLUPS, ROWS, FileRecord, part_name, write_atomically

ROLLUP_BUCKET = "5min"
ROLLUP_KEYS = ("bucket", "browser", "country", "status_class", "is_bot")
ROLLUP_COLUMNS = (*ROLLUP_KEYS, "requests", "bytes", "visitors")
REJECT_COLUMNS = ("source", "line", "reason", "raw")
VISITOR_COLUMNS = ["ip", "user_agent"]
ROW_GROUP_ROWS = 128 * 1024  # rows sorted by time: a query for one hour skips the other row groups
PARQUET_OPTIONS = f"FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE {ROW_GROUP_ROWS}"
# Rows at zstd's level 1 rather than 3: a quarter less CPU for the rows' write, 3% more bytes (16.0 → 16.5 B a
# row on the sample). The rollups keep level 3: their cost is the aggregation, not the compression.
ROWS_PARQUET_OPTIONS = f"{PARQUET_OPTIONS}, COMPRESSION_LEVEL 1"
DUCKDB_THREADS = 2
# A batch's parts are written on one DuckDB thread: the ingest's parsers and enricher use the other core, and a
# second writing thread only contends with them. 20M lines, medians of 3: 43.0 → 39.5 s, 66 → 61 CPU s.
WRITE_THREADS = 1
SPAN = "epoch_us(min(bucket)), epoch_us(max(bucket))"
# Distinct (cell, visitor) first, then one list per cell: twice as fast as list(DISTINCT ...) per cell.
ROLLUP_SQL = """
WITH seen AS (
    SELECT bucket, browser, country, status_class, is_bot, visitor, count(*) AS n, sum(bytes) AS b
    FROM cells GROUP BY ALL
)
SELECT bucket, browser::VARCHAR AS browser, country::VARCHAR AS country, status_class::VARCHAR AS status_class,
       is_bot, sum(n)::BIGINT AS requests, sum(b)::BIGINT AS bytes, list(visitor ORDER BY visitor) AS visitors
FROM seen GROUP BY ALL ORDER BY ALL
"""


@dataclass
class Batch:
    """What one batch publishes: the enriched rows (any order) and the rejects of its lines."""

    rows: pd.DataFrame
    rejects: Sequence[Reject]


def connect(threads: int = DUCKDB_THREADS) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection on the store's thread budget."""
    connection = duckdb.connect(config={"threads": threads})
    run(connection, "SET TimeZone = 'UTC'")  # times shown and cast in UTC, whatever the machine's zone
    run(connection, "SET enable_progress_bar = false")  # only the CLI writes to the terminal
    return connection


def run(connection: duckdb.DuckDBPyConnection, statement: str) -> list[tuple]:
    """Execute a statement to its end (duckdb 2.0 keeps a connection busy until its result is read)."""
    return connection.execute(statement).fetchall()


def fetch(connection: duckdb.DuckDBPyConnection, query: str) -> pd.DataFrame:
    """A query's result as pandas (duckdb 2.0's conversion warns about pandas' ``drop(inplace=...)``)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Pandas4Warning)
        return connection.sql(query).df()


def iso(epoch_us: int) -> str:
    """Microseconds since the epoch as an ISO time in UTC."""
    return pd.Timestamp(epoch_us, unit="us", tz="UTC").isoformat()


def quote(path: Path | str) -> str:
    """A path as a SQL string literal."""
    return "'" + str(path).replace("'", "''") + "'"


def visitor_hashes(frame: pd.DataFrame) -> np.ndarray:
    """A 64-bit hash of (ip, user agent) per row, the same in every batch and process (pandas' SipHash)."""
    if frame.empty:
        return np.empty(0, np.uint64)
    return pd.util.hash_pandas_object(frame[VISITOR_COLUMNS], index=False).to_numpy()


def rollup_cells(frame: pd.DataFrame) -> pd.DataFrame:
    """Per row: its rollup keys (the analysis layer's bucket and status class), bytes and visitor hash."""
    return pd.DataFrame(
        {
            "bucket": bucket_starts(frame["time"], ROLLUP_BUCKET, "UTC"),
            "browser": frame["browser"],
            "country": frame["country"],
            "status_class": pd.Series(status_class(frame["status"]), index=frame.index),
            "is_bot": frame["is_bot"].to_numpy(dtype=bool),
            "bytes": frame["bytes"].to_numpy(np.int64),
            "visitor": visitor_hashes(frame),
        }
    )


def build_rollup(frame: pd.DataFrame) -> pd.DataFrame:
    """The rollup cells of an enriched frame, as pandas (what ``write_batch`` stores)."""
    with connect() as connection:
        connection.register("cells", rollup_cells(frame))
        return fetch(connection, ROLLUP_SQL)


def copy_part(
    connection: duckdb.DuckDBPyConnection, query: str, store: Path, relative: str, options: str = PARQUET_OPTIONS
) -> int:
    """COPY a query's result to a Parquet file inside the store, atomically; its size.

    DuckDB reports a failed write (disk full) as its own IOException: it becomes the OSError it is.
    """

    def write(temp: Path) -> None:
        try:
            run(connection, f"COPY ({query}) TO {quote(temp)} ({options})")
        except duckdb.IOException as exc:
            code = errno.ENOSPC if "No space left" in str(exc) else errno.EIO
            raise OSError(code, str(exc), str(temp)) from exc

    return write_atomically(store / relative, write)


def _object_categories(frame: pd.DataFrame) -> pd.DataFrame:
    """Categoricals whose categories are a NumPy object array: DuckDB reads those in C, where it iterates
    pandas' Arrow-backed strings one by one in Python (1M-line ingest: 1.9 s of 20 in that loop)."""
    columns = {}
    for name in frame.columns:
        column = frame[name]
        if isinstance(column.dtype, pd.CategoricalDtype) and column.cat.categories.dtype != object:
            categories = pd.Index(column.cat.categories.to_numpy(dtype=object), dtype=object)
            dtype = pd.CategoricalDtype(categories)
            columns[name] = pd.Categorical.from_codes(column.cat.codes.to_numpy(), dtype=dtype)
    return frame.assign(**columns)


def _write_rows(connection: duckdb.DuckDBPyConnection, store: Path, batch_id: int, frame: pd.DataFrame):
    """One part per UTC day, rows in time order."""
    if not frame["time"].is_monotonic_increasing:
        frame = frame.sort_values("time", kind="stable", ignore_index=True)
    frame = _object_categories(frame)
    days = frame["time"].dt.floor("D").dt.tz_localize(None).to_numpy()
    starts = np.flatnonzero(np.r_[True, days[1:] != days[:-1]])
    for lo, hi in zip(starts.tolist(), [*starts[1:].tolist(), len(frame)], strict=True):
        part = frame.iloc[lo:hi]
        day = pd.Timestamp(days[lo]).strftime("%Y-%m-%d")
        relative = f"{ROWS}/day={day}/{part_name(batch_id)}"
        connection.register("part", part)
        size = copy_part(connection, "SELECT * FROM part", store, relative, ROWS_PARQUET_OPTIONS)
        connection.unregister("part")
        times = part["time"]
        yield FileRecord(
            relative, ROWS, batch_id, len(part), size, times.iloc[0].isoformat(), times.iloc[-1].isoformat(), day
        )


def write_batch(store: Path, batch_id: int, batch: Batch) -> list[FileRecord]:
    """Write the batch's parts (not yet published); on any error, remove those already written and re-raise."""
    written: list[FileRecord] = []
    try:
        with connect(WRITE_THREADS) as connection:
            if len(batch.rows):
                written.extend(_write_rows(connection, store, batch_id, batch.rows))
                connection.register("cells", rollup_cells(batch.rows))
                relative = f"{ROLLUPS}/{part_name(batch_id)}"
                size = copy_part(connection, ROLLUP_SQL, store, relative)
                cells, start, end = run(
                    connection, f"SELECT count(*), {SPAN} FROM read_parquet({quote(store / relative)})"
                )[0]
                written.append(FileRecord(relative, ROLLUPS, batch_id, cells, size, iso(start), iso(end)))
            if batch.rejects:
                rejects = pd.DataFrame(
                    [(r.source, r.line, r.reason, r.raw) for r in batch.rejects], columns=REJECT_COLUMNS
                )
                connection.register("rejects", rejects)
                relative = f"{REJECTS}/{part_name(batch_id)}"
                size = copy_part(connection, "SELECT * FROM rejects", store, relative)
                written.append(FileRecord(relative, REJECTS, batch_id, len(rejects), size))
    except BaseException:
        for record in written:
            (store / record.path).unlink(missing_ok=True)
        raise
    return written


def rewrite_rollup(store: Path, record: FileRecord, cutoff: pd.Timestamp, batch: int) -> tuple[FileRecord | None, int]:
    """A rollup part without its cells before ``cutoff`` (None when none is left), and how many cells went."""
    with connect() as connection:
        source = f"read_parquet({quote(store / record.path)})"
        keep = f"bucket >= {quote(cutoff.isoformat())}::TIMESTAMPTZ"
        kept, start, end = run(connection, f"SELECT count(*), {SPAN} FROM {source} WHERE {keep}")[0]
        if not kept:
            return None, record.rows
        relative = f"{ROLLUPS}/{part_name(batch)}"
        size = copy_part(connection, f"SELECT * FROM {source} WHERE {keep}", store, relative)
    return FileRecord(relative, ROLLUPS, batch, kept, size, iso(start), iso(end)), record.rows - kept
