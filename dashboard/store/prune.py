"""Dropping history older than a cutoff: whole day partitions of rows, and the rollup cells of those days.

The cutoff is rounded down to a UTC midnight, so rows and rollups always cover the same days. Rollup parts that
straddle the cutoff are rewritten without the old cells. The new manifest is published before any file is
deleted: a crash leaves either the old store or the new one plus files the next writer removes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd

from dashboard.store.layout import ROLLUPS, ROWS, StoreError, check_dir, locked, read_manifest, write_manifest
from dashboard.store.parts import rewrite_rollup

AGE = re.compile(r"^\s*(\d+)\s*([dhw])\s*$")
AGE_UNITS = {"h": "hours", "d": "days", "w": "weeks"}


@dataclass
class PruneReport:
    """What a prune dropped."""

    cutoff: str
    days: int = 0
    rows: int = 0
    rollup_cells: int = 0
    files: int = 0
    bytes: int = 0


def parse_age(text: str) -> pd.Timedelta:
    """'90d', '12w', '36h' → a span; StoreError otherwise."""
    match = AGE.match(text)
    if not match or int(match.group(1)) <= 0:
        raise StoreError(f"--older-than {text!r}: give a positive age such as 90d, 12w or 36h")
    return pd.Timedelta(**{AGE_UNITS[match.group(2)]: int(match.group(1))})


def prune(path: str | Path, older_than: pd.Timedelta, now: pd.Timestamp | None = None) -> PruneReport:
    """Drop the days (UTC) that end before ``now - older_than``, rows and rollups alike."""
    store = check_dir(Path(path))
    now = pd.Timestamp.now(tz="UTC") if now is None else now
    cutoff = (now - older_than).floor("D")
    report = PruneReport(cutoff=cutoff.isoformat())
    with locked(store):
        manifest = read_manifest(store)
        if manifest is None:
            raise StoreError(f"{store}: not a Data Bloom store (no manifest.json)")
        first = batch = manifest.next_batch
        keep, drop, added = [], [], []
        for record in manifest.files:
            if record.kind == ROWS and record.day and pd.Timestamp(record.day, tz="UTC") < cutoff:
                drop.append(record)
                report.rows += record.rows
            elif record.kind == ROLLUPS and record.start and pd.Timestamp(record.start) < cutoff:
                drop.append(record)
                new, dropped = rewrite_rollup(store, record, cutoff, batch)
                report.rollup_cells += dropped
                if new is not None:
                    added.append(new)
                    batch += 1
            else:
                keep.append(record)
        if not drop:
            return report
        report.days = len({r.day for r in drop if r.kind == ROWS})
        report.files = len(drop)
        report.bytes = sum(r.bytes for r in drop) - sum(r.bytes for r in added)
        write_manifest(
            store,
            replace(
                manifest,
                next_batch=batch,
                batches=[*manifest.batches, *range(first, batch)],
                files=keep + added,
                pruned_rows=manifest.pruned_rows + report.rows,
                pruned_before=cutoff.isoformat(),
            ),
        )
        for record in drop:
            (store / record.path).unlink(missing_ok=True)
            parent = (store / record.path).parent
            if record.kind == ROWS and not any(parent.iterdir()):
                parent.rmdir()
    return report
