"""The Lines page's data: which log lines a filter set selects, in the order of the log, a page at a time.

A line is known by a key, ``source_id << 32 | line number`` (``schema.SOURCE_ID``, ``schema.LINE``), so one
sorted int64 array holds a selection of any size, and its text is read back from the source only for the
page on screen (``ingest.raw``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import BinaryIO

import numpy as np
import pandas as pd

from dashboard.analysis.filters import Filter, filter_mask
from dashboard.errors import DataBloomError
from dashboard.ingest.raw import read_lines, search_lines, sorted_unique
from dashboard.schema import LINE, SOURCE_ID

PAGE_SIZE = 100
EXPORT_MAX = 100_000  # lines in one download: a browser holds the file in memory
LINE_BITS = 32

# How the page opens a source again: a function that returns a path or a fresh file object.
Opener = Callable[[], "str | BinaryIO"]


class NoLineNumbers(DataBloomError):
    """Rows that do not come from lines of a file (a saved cube, a store)."""


@dataclass(frozen=True)
class LogLine:
    """One line on the page: where it is, and its text as the log wrote it."""

    source: str
    number: int
    text: str


def select(frame: pd.DataFrame, filters: Sequence[Filter], period: tuple[pd.Timestamp, pd.Timestamp] | None = None):
    """The sorted keys of the rows that pass every filter (and fall in ``[start, end)`` when given)."""
    if LINE not in frame:
        raise NoLineNumbers("these rows carry no line numbers: open the log itself to see its lines")
    keep = filter_mask(frame, filters) if filters else np.ones(len(frame), dtype=bool)
    if period is not None:
        times = frame["time"]
        keep &= ((times >= period[0]) & (times < period[1])).to_numpy()
    lines = frame[LINE].to_numpy()[keep].astype(np.int64)
    if SOURCE_ID in frame:
        lines |= frame[SOURCE_ID].to_numpy()[keep].astype(np.int64) << LINE_BITS
    return np.sort(lines)


def _by_source(keys: np.ndarray) -> dict[int, np.ndarray]:
    """Line numbers per source id, in key order."""
    ids = keys >> LINE_BITS
    return {int(i): keys[ids == i] & ((1 << LINE_BITS) - 1) for i in sorted_unique(ids)}


def search(openers: Sequence[Opener], keys: np.ndarray, pattern: str, regex: bool = False) -> np.ndarray:
    """The keys whose line contains ``pattern`` (literal, or a Rust regex), still sorted."""
    if not pattern:
        return keys
    found = [
        search_lines(openers[source](), numbers, pattern, regex) | (source << LINE_BITS)
        for source, numbers in _by_source(keys).items()
    ]
    return np.sort(np.concatenate(found)) if found else keys[:0]


def read(openers: Sequence[Opener], names: Sequence[str], keys: np.ndarray) -> list[LogLine]:
    """The lines of ``keys`` (a page of them), in key order."""
    out: list[LogLine] = []
    for source, numbers in _by_source(keys).items():
        texts = read_lines(openers[source](), numbers.tolist())
        out += [LogLine(names[source], n, texts.get(n, "")) for n in numbers.tolist()]
    return out


def page_keys(keys: np.ndarray, page: int, size: int = PAGE_SIZE) -> np.ndarray:
    """The keys of 0-based ``page`` (clamped to the last page)."""
    last = max((len(keys) - 1) // size, 0)
    page = min(max(page, 0), last)
    return keys[page * size : (page + 1) * size]


def export_text(openers: Sequence[Opener], keys: np.ndarray, limit: int = EXPORT_MAX) -> bytes:
    """The first ``limit`` selected lines as a log file (one per line, as written)."""
    lines = read(openers, [""] * len(openers), keys[:limit])
    return "".join(line.text + "\n" for line in lines).encode("utf-8")
