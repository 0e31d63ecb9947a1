"""The Lines page's data: which log lines a filter set selects, in the order of the log, a page at a time.

A line is known by a key, ``source_id << 32 | line number`` (``schema.SOURCE_ID``, ``schema.LINE``), so one
sorted int64 array holds a selection of any size, and its text is read back from the source only for the
page on screen (``ingest.raw``). A store whose source file is gone or changed keeps no text: each line is
rebuilt from the row's fields in the source's format (``RowText``), searched with the same regex engine.
"""

from __future__ import annotations

import io
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
SEARCH_BLOCK = 100_000  # rebuilt lines searched at a time: memory follows the block, not the selection
CLF_TIME = "%d/%b/%Y:%H:%M:%S +0000"  # a store keeps UTC instants: the log's own offset is not kept
# The formats a line is rebuilt in as written; any other is rebuilt in the combined format.
REBUILT_FORMATS = ("common", "combined", "combined_time_us", "vhost_combined")

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


def rebuilt_format(name: str) -> str:
    """The format a line of a source in format ``name`` is rebuilt in."""
    return name if name in REBUILT_FORMATS else "combined"


def _texts(frame: pd.DataFrame, name: str) -> list[str]:
    """A column as text, "" for a missing column or value."""
    if name not in frame:
        return [""] * len(frame)
    return ["" if pd.isna(v) else str(v) for v in frame[name].tolist()]


def _quoted(value: str) -> str:
    """A field between double quotes, its quotes escaped ("-" when empty; the parser kept other escapes as written)."""
    return '"' + (value.replace('"', '\\"') or "-") + '"'


def rebuild(frame: pd.DataFrame, fmt: str) -> list[str]:
    """Each row as a line of ``fmt`` (see ``rebuilt_format``), from the fields a store keeps: the text of a
    line whose source file is no longer there to read it from."""
    fmt = rebuilt_format(fmt)
    times = frame["time"].dt.tz_convert("UTC").dt.strftime(CLF_TIME).tolist() if len(frame) else []
    method, path, query, protocol = (_texts(frame, c) for c in ("method", "path", "query", "protocol"))
    requests = [
        " ".join(p for p in (m, u + ("?" + q if q else ""), v) if p)
        for m, u, q, v in zip(method, path, query, protocol, strict=True)
    ]
    sent = frame["bytes"].tolist() if "bytes" in frame else [0] * len(frame)
    lines = [
        f"{ip or '-'} {ident or '-'} {user or '-'} [{t}] {_quoted(r)} {status} {b or '-'}"
        for ip, ident, user, t, r, status, b in zip(
            _texts(frame, "ip"),
            _texts(frame, "ident"),
            _texts(frame, "user"),
            times,
            requests,
            _texts(frame, "status"),
            sent,
            strict=True,
        )
    ]
    if fmt != "common":
        lines = [
            f"{line} {_quoted(ref)} {_quoted(agent)}"
            for line, ref, agent in zip(lines, _texts(frame, "referrer"), _texts(frame, "user_agent"), strict=True)
        ]
    if fmt == "combined_time_us":
        seconds = frame["response_time_s"] if "response_time_s" in frame else pd.Series(np.nan, index=frame.index)
        lines = [f"{line} {'-' if pd.isna(s) else round(s * 1e6)}" for line, s in zip(lines, seconds, strict=True)]
    if fmt == "vhost_combined":
        hosts, ports = _texts(frame, "vhost"), _texts(frame, "port")
        lines = [f"{h or '-'}:{p or '-'} {line}" for line, h, p in zip(lines, hosts, ports, strict=True)]
    return lines


@dataclass(frozen=True)
class RowText:
    """A source with no file to read its lines from (a store's, gone or changed): its rows, by line number."""

    rows: pd.DataFrame  # sorted by ``schema.LINE``, with what ``rebuild`` reads
    format: str

    def _at(self, numbers: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The ``numbers`` it holds, and their positions in ``rows``."""
        held = self.rows[LINE].to_numpy(np.int64)
        if not len(held):
            return numbers[:0], numbers[:0]
        at = np.minimum(np.searchsorted(held, numbers), len(held) - 1)
        found = held[at] == numbers
        return numbers[found], at[found]

    def read(self, numbers: np.ndarray) -> dict[int, str]:
        """``{line number: rebuilt text}`` for the ``numbers`` it holds."""
        kept, at = self._at(np.asarray(numbers, dtype=np.int64))
        return dict(zip(kept.tolist(), rebuild(self.rows.iloc[at], self.format), strict=True))

    def search(self, numbers: np.ndarray, pattern: str, regex: bool) -> np.ndarray:
        """The ``numbers`` whose rebuilt line contains ``pattern``, with the engine a file is searched with."""
        kept, at = self._at(np.asarray(numbers, dtype=np.int64))
        hits = [kept[:0]]
        for lo in range(0, len(kept), SEARCH_BLOCK):
            texts = rebuild(self.rows.iloc[at[lo : lo + SEARCH_BLOCK]], self.format)
            block = io.BytesIO("".join(t + "\n" for t in texts).encode("utf-8", "replace"))
            found = search_lines(block, np.arange(1, len(texts) + 1), pattern, regex)
            hits.append(kept[lo : lo + SEARCH_BLOCK][found - 1])
        return np.concatenate(hits)


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


def row_text(frame: pd.DataFrame, keys: np.ndarray, source: int, fmt: str) -> RowText:
    """The selected rows of one source (``keys`` from ``select``), to rebuild its lines from."""
    numbers = _by_source(keys).get(source, keys[:0])
    ids = frame[SOURCE_ID].to_numpy() if SOURCE_ID in frame else np.zeros(len(frame), dtype=np.int64)
    keep = (ids == source) & np.isin(frame[LINE].to_numpy(np.int64), numbers)
    rows = frame[keep]
    return RowText(rows.iloc[np.argsort(rows[LINE].to_numpy(), kind="stable")], fmt)


def _by_source(keys: np.ndarray) -> dict[int, np.ndarray]:
    """Line numbers per source id, in key order."""
    ids = keys >> LINE_BITS
    return {int(i): keys[ids == i] & ((1 << LINE_BITS) - 1) for i in sorted_unique(ids)}


def _search(source: Opener | RowText, numbers: np.ndarray, pattern: str, regex: bool) -> np.ndarray:
    if isinstance(source, RowText):
        return source.search(numbers, pattern, regex)
    return search_lines(source(), numbers, pattern, regex)


def search(openers: Sequence[Opener | RowText], keys: np.ndarray, pattern: str, regex: bool = False) -> np.ndarray:
    """The keys whose line contains ``pattern`` (literal, or a Rust regex), still sorted."""
    if not pattern:
        return keys
    found = [
        _search(openers[source], numbers, pattern, regex) | (source << LINE_BITS)
        for source, numbers in _by_source(keys).items()
    ]
    return np.sort(np.concatenate(found)) if found else keys[:0]


def read(openers: Sequence[Opener | RowText], names: Sequence[str], keys: np.ndarray) -> list[LogLine]:
    """The lines of ``keys`` (a page of them), in key order."""
    out: list[LogLine] = []
    for source, numbers in _by_source(keys).items():
        opener = openers[source]
        texts = opener.read(numbers) if isinstance(opener, RowText) else read_lines(opener(), numbers.tolist())
        out += [LogLine(names[source], n, texts.get(n, "")) for n in numbers.tolist()]
    return out


def page_keys(keys: np.ndarray, page: int, size: int = PAGE_SIZE) -> np.ndarray:
    """The keys of 0-based ``page`` (clamped to the last page)."""
    last = max((len(keys) - 1) // size, 0)
    page = min(max(page, 0), last)
    return keys[page * size : (page + 1) * size]


def export_text(openers: Sequence[Opener | RowText], keys: np.ndarray, limit: int = EXPORT_MAX) -> bytes:
    """The first ``limit`` selected lines as a log file (one per line, as written)."""
    lines = read(openers, [""] * len(openers), keys[:limit])
    return "".join(line.text + "\n" for line in lines).encode("utf-8")
