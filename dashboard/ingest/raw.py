"""The real text of chosen lines of a source, by line number: what the Lines page shows for a row.

Rows keep their line number (``schema.LINE``), never their text: 4 bytes a row instead of a copy of the log.
A page of lines costs one pass over the source, decompressing archives as the parser did, and stops after the
last wanted line.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterable, Iterator
from typing import BinaryIO

import numpy as np
import polars as pl

from dashboard.errors import DataBloomError
from dashboard.ingest.sources import NEWLINE, Chunk, iter_chunks, open_binary
from dashboard.ingest.text import as_text

LONG_MARK = " …"  # after the first bytes of a line too long to keep, as the parser kept it


def sorted_unique(values: np.ndarray) -> np.ndarray:
    """``np.unique`` by sorting: numpy 2.4's hash-based unique took 6 s on a million sorted line numbers."""
    ordered = np.sort(values)
    if len(ordered) < 2:
        return ordered
    return ordered[np.concatenate(([True], ordered[1:] != ordered[:-1]))]


def _chunks_holding(
    source: str | os.PathLike | BinaryIO, wanted: np.ndarray, max_decompressed: int | None
) -> Iterator[tuple[Chunk, np.ndarray, np.ndarray]]:
    """(chunk, the sorted ``wanted`` line numbers it holds, its newline offsets) for each chunk holding some, in
    one pass over the source that stops after the last wanted line."""
    if not len(wanted):
        return
    stream = open_binary(source, max_decompressed)
    try:
        for chunk in iter_chunks(stream):
            ends = np.flatnonzero(np.frombuffer(chunk.data, np.uint8) == NEWLINE)
            after = chunk.first_line + len(ends) + (1 if chunk.last_unterminated else 0)
            inside = wanted[(wanted >= chunk.first_line) & (wanted < after)]
            if len(inside):
                yield chunk, inside, ends
            if after > wanted[-1]:
                break
    finally:
        if not isinstance(source, io.IOBase):
            stream.close()


def read_lines(
    source: str | os.PathLike | BinaryIO, numbers: Iterable[int], max_decompressed: int | None = None
) -> dict[int, str]:
    """``{line number: text}`` for the 1-based ``numbers`` that the source has (line ending stripped)."""
    wanted = sorted_unique(np.fromiter((int(n) for n in numbers), dtype=np.int64))
    found: dict[int, str] = {}
    for chunk, inside, ends in _chunks_holding(source, wanted[wanted >= 1], max_decompressed):
        starts = np.concatenate(([0], ends + 1))
        for number in inside.tolist():
            found[number] = _text(chunk, number - chunk.first_line, starts, ends)
    return found


def search_lines(
    source: str | os.PathLike | BinaryIO,
    numbers: np.ndarray,
    pattern: str,
    regex: bool = False,
    max_decompressed: int | None = None,
) -> np.ndarray:
    """The sorted ``numbers`` whose line contains ``pattern`` (a Rust regex when ``regex``: linear time).

    One pass over the source; only the candidate lines are decoded. An invalid pattern raises ``RawSearchError``.
    """
    wanted = sorted_unique(np.asarray(numbers, dtype=np.int64))
    if not len(wanted) or not pattern:
        return wanted
    check_pattern(pattern, regex)
    hits: list[np.ndarray] = []
    for chunk, inside, _ in _chunks_holding(source, wanted, max_decompressed):
        # The chunk's lines as one Arrow array (as the parser sees them), the candidates gathered from it:
        # no Python string per line (1M lines, every line a candidate: 13.7 s → see bench/lines_bench.py).
        texts = pl.Series(as_text(chunk.data, chunk.last_unterminated)).gather(inside - chunk.first_line)
        found = texts.str.strip_chars_end("\r\n").str.contains(pattern, literal=not regex).to_numpy()
        hits.append(inside[found.astype(bool)])
    return np.concatenate(hits) if hits else np.empty(0, np.int64)


class RawSearchError(DataBloomError):
    """A search pattern the regex engine cannot compile."""


def check_pattern(pattern: str, regex: bool) -> None:
    """Raise ``RawSearchError`` with the engine's reason when ``pattern`` is not a valid regex."""
    if regex and (reason := regex_problem(pattern)) is not None:
        raise RawSearchError(f"invalid regular expression {pattern!r}: {reason}")


def regex_problem(pattern: str) -> str | None:
    """Why polars' Rust regex engine (no backtracking: linear time) cannot compile ``pattern``, or None."""
    try:
        pl.Series([""], dtype=pl.String).str.contains(pattern)
    except pl.exceptions.PolarsError as exc:
        lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
        return next((line.removeprefix("error:").strip() for line in lines if line.startswith("error:")), lines[0])
    return None


def _text(chunk, i: int, starts: np.ndarray, ends: np.ndarray) -> str:
    """Line ``i`` of a chunk as text (an over-long line: its first bytes and a mark)."""
    if i in chunk.long_lines:
        return chunk.long_lines[i].decode("utf-8", "replace") + LONG_MARK
    stop = int(ends[i]) if i < len(ends) else len(chunk.data)
    return bytes(chunk.data[int(starts[i]) : stop]).decode("utf-8", "replace").rstrip("\r")
