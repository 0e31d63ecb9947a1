"""The real text of chosen lines of a source, by line number: what the Lines page shows for a row.

Rows keep their line number (``schema.LINE``), never their text: 4 bytes a row instead of a copy of the log.
A page of lines costs one pass over the source, decompressing archives as the parser did, and stops after the
last wanted line.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterable
from typing import BinaryIO

import numpy as np

from dashboard.ingest.sources import NEWLINE, iter_chunks, open_binary

LONG_MARK = " …"  # after the first bytes of a line too long to keep, as the parser kept it


def read_lines(
    source: str | os.PathLike | BinaryIO, numbers: Iterable[int], max_decompressed: int | None = None
) -> dict[int, str]:
    """``{line number: text}`` for the 1-based ``numbers`` that the source has (line ending stripped)."""
    wanted = np.unique(np.fromiter((int(n) for n in numbers), dtype=np.int64))
    wanted = wanted[wanted >= 1]
    found: dict[int, str] = {}
    if not len(wanted):
        return found
    stream = open_binary(source, max_decompressed)
    try:
        for chunk in iter_chunks(stream):
            ends = np.flatnonzero(np.frombuffer(chunk.data, np.uint8) == NEWLINE)
            count = len(ends) + (1 if chunk.last_unterminated else 0)
            first, after = chunk.first_line, chunk.first_line + count
            starts = np.concatenate(([0], ends + 1))
            for number in wanted[(wanted >= first) & (wanted < after)].tolist():
                i = number - first
                if i in chunk.long_lines:
                    text = chunk.long_lines[i].decode("utf-8", "replace") + LONG_MARK
                else:
                    stop = int(ends[i]) if i < len(ends) else len(chunk.data)
                    text = bytes(chunk.data[int(starts[i]) : stop]).decode("utf-8", "replace")
                found[number] = text.rstrip("\r")
            if after > wanted[-1]:
                break
    finally:
        if not isinstance(source, io.IOBase):
            stream.close()
    return found
