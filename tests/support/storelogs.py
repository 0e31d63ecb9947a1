"""Logs and helpers for the store tests (a plain module, shared by tests/test_store*.py)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from dashboard.analysis.summary import summarize
from dashboard.pipeline import load_log
from dashboard.sample import generate_sample
from dashboard.store.query import open_store, summarize_store

# The keys the store's summary must give exactly as the in-memory summary of the same log.
COMPARED = (
    "format",
    "scanner",
    "lines",
    "parsed",
    "rejected",
    "browsers",
    "countries",
    "non_country",
    "statuses",
    "bots",
    "visitors",
    "bytes",
    "buckets",
    "figures",
    "start",
    "end",
    "reject_reasons",
)


@cache
def sample_lines(lines: int = 12_000, days: float = 3.0, seed: int = 7) -> tuple[bytes, ...]:
    """Generated combined lines (no newline), deterministic per arguments."""
    return tuple(generate_sample(lines, days, seed).iter_lines())


def write(path: Path, lines: list[bytes] | tuple[bytes, ...], end: bytes = b"\n") -> Path:
    """Write lines, each ending with a newline (the last one with ``end``)."""
    path.write_bytes(b"\n".join(lines) + end if lines else b"")
    return path


def store_summary(store: Path, **kwargs: str) -> dict:
    """``summary --store`` as a document."""
    with open_store(store) as opened:
        return summarize_store(opened, **kwargs)


def log_summary(paths: list[Path], **kwargs: str) -> dict:
    """``summary LOG`` as a document."""
    return summarize(load_log(paths), **kwargs)


def differences(store_doc: dict, log_doc: dict) -> dict:
    """The compared keys whose values differ: {key: (store, log)}."""
    return {k: (store_doc[k], log_doc[k]) for k in COMPARED if store_doc[k] != log_doc[k]}
