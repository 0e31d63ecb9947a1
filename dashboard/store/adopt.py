"""Parts written by another engine (Spark) taken into a store: renamed or rewritten to the store's layout.

Spark writes the rows of each day as one Parquet file: it is moved into place as is. Its rollups and rejects
(a few bytes a line) are rewritten here by DuckDB into the one part per batch the layout has, with the
visitor hashes as the unsigned 64-bit integers the embedded ingest writes (Spark has no unsigned type).
"""

from __future__ import annotations

import os
from pathlib import Path

from dashboard.store.layout import REJECTS, ROLLUPS, ROWS, FileRecord, fsync_dir, part_name
from dashboard.store.parts import SPAN, connect, copy_part, iso, quote, run

# Spark's signed 64-bit hashes → the embedded ingest's UBIGINT, sorted as it sorts them.
ROLLUP_FROM_SPARK = """
SELECT bucket, browser, country, status_class, is_bot, requests::BIGINT AS requests, bytes::BIGINT AS bytes,
       list_sort(list_transform(visitors, lambda v: CASE WHEN v < 0 THEN (v::HUGEINT + 18446744073709551616)
                                                   ELSE v::HUGEINT END::UBIGINT)) AS visitors
FROM read_parquet({files}) ORDER BY ALL
"""
REJECTS_FROM_SPARK = "SELECT source, line::BIGINT AS line, reason, raw FROM read_parquet({files}) ORDER BY ALL"


def _parquet(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.parquet")) if folder.is_dir() else []


def _files(paths: list[Path]) -> str:
    return "[" + ", ".join(quote(p) for p in paths) + "]"


def adopt_rows(store: Path, day_file: Path, day: str, batch: int) -> FileRecord:
    """Move one day's rows (sorted by time) into ``rows/day=DAY/``; its record, from the file itself."""
    relative = f"{ROWS}/day={day}/{part_name(batch)}"
    with connect() as connection:
        rows, start, end = run(
            connection,
            f"SELECT count(*), epoch_us(min(time)), epoch_us(max(time)) FROM read_parquet({quote(day_file)})",
        )[0]
    target = store / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(day_file, "rb+") as handle:
        os.fsync(handle.fileno())
    os.replace(day_file, target)
    fsync_dir(target.parent)
    return FileRecord(relative, ROWS, batch, rows, target.stat().st_size, iso(start), iso(end), day)


def _adopt_part(store: Path, folder: Path, batch: int, kind: str, select: str, stats: str) -> tuple | None:
    """Spark's files of one kind → the batch's part of ``kind``: (relative path, bytes, the ``stats`` row over it),
    or None when Spark wrote no row (no file is left behind then)."""
    files = _parquet(folder)
    if not files:
        return None
    relative = f"{kind}/{part_name(batch)}"
    with connect() as connection:
        size = copy_part(connection, select.format(files=_files(files)), store, relative)
        row = run(connection, f"SELECT count(*), {stats} FROM read_parquet({quote(store / relative)})")[0]
    if not row[0]:
        (store / relative).unlink()
        return None
    return relative, size, row


def adopt_rollups(store: Path, folder: Path, batch: int) -> FileRecord | None:
    """Spark's rollup files → the batch's rollup part (None when there are no rows)."""
    adopted = _adopt_part(store, folder, batch, ROLLUPS, ROLLUP_FROM_SPARK, SPAN)
    if adopted is None:
        return None
    relative, size, (cells, start, end) = adopted
    return FileRecord(relative, ROLLUPS, batch, cells, size, iso(start), iso(end))


def adopt_rejects(store: Path, folder: Path, batch: int) -> FileRecord | None:
    """Spark's reject files → the batch's reject part (None when no line was rejected)."""
    adopted = _adopt_part(store, folder, batch, REJECTS, REJECTS_FROM_SPARK, "NULL")
    if adopted is None:
        return None
    relative, size, (count, _) = adopted
    return FileRecord(relative, REJECTS, batch, count, size)
