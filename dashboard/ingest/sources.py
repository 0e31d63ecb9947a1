"""Where bytes come from: files, uploads, gzip/bzip2, read in bounded chunks of whole lines.

A chunk holds complete lines only, so the parser never sees half a line. A line that grows past
``max_line_bytes`` before its newline arrives is not held in memory: its first bytes are kept for the reject
record and the rest is skipped up to the next newline, so a 500 MB single-line file costs no more memory
than a short one. (Over-long lines that fit in one read are rejected by the parser, which measures every
line anyway.)
"""

from __future__ import annotations

import bz2
import gzip
import io
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import numpy as np

from dashboard.errors import DataBloomError

CHUNK_BYTES = 4 << 20
READ_BYTES = 1 << 20
MAX_LINE_BYTES = 64 << 10
NEWLINE = 10
REJECT_RAW_BYTES = 512
# Decompressed bytes allowed from one compressed input before it is cut off (gzip bombs).
MAX_DECOMPRESSED_BYTES = 8 << 30
GZIP_MAGIC = b"\x1f\x8b"
BZIP2_MAGIC = b"BZh"


class SourceError(DataBloomError):
    """The input cannot be read as a log: missing file, corrupt archive, decompression limit."""


@dataclass
class Chunk:
    """Whole lines of one source: ``data`` ends with a newline unless it holds the source's last line.

    ``long_lines`` maps the index (within the chunk) of each over-long line to its first bytes; such a line
    stands in ``data`` as an empty line so that indices and line numbers stay right.
    """

    data: bytes | bytearray
    first_line: int
    long_lines: dict[int, bytes] = field(default_factory=dict)
    last_unterminated: bool = False


def source_name(source: str | os.PathLike | BinaryIO) -> str:
    """A short display name for a path or file object."""
    if isinstance(source, str | os.PathLike):
        return Path(source).name
    return getattr(source, "name", None) or "upload"


def open_binary(source: str | os.PathLike | BinaryIO, max_decompressed: int | None = None) -> BinaryIO:
    """Open a path or file object for reading; gzip and bzip2 are recognised by their magic bytes.

    ``max_decompressed`` defaults to MAX_DECOMPRESSED_BYTES read at call time, so the app can lower it.
    """
    max_decompressed = MAX_DECOMPRESSED_BYTES if max_decompressed is None else max_decompressed
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        if not path.exists():
            raise SourceError(f"{path}: no such file")
        if path.is_dir():
            raise SourceError(f"{path}: is a directory, not a log file")
        try:
            raw: BinaryIO = open(path, "rb")  # noqa: SIM115 - handed to the caller
        except OSError as exc:
            raise SourceError(f"{path}: cannot open ({exc.strerror})") from exc
    else:
        raw = source
        if hasattr(raw, "seekable") and raw.seekable():
            raw.seek(0)
    head = _peek(raw, 3)
    if head.startswith(GZIP_MAGIC):
        return _Limited(gzip.GzipFile(fileobj=raw, mode="rb"), max_decompressed, "gzip", raw)
    if head.startswith(BZIP2_MAGIC):
        return _Limited(bz2.BZ2File(raw, mode="rb"), max_decompressed, "bzip2", raw)
    return raw


def position(stream: BinaryIO) -> int:
    """Bytes consumed from the underlying file (compressed bytes for archives): for progress bars."""
    raw = stream.raw if isinstance(stream, _Limited) else stream
    try:
        return raw.tell()
    except (OSError, ValueError):
        return 0


def input_size(source: str | os.PathLike | BinaryIO) -> int | None:
    """Size in bytes of a path or seekable file object, when known."""
    try:
        if isinstance(source, str | os.PathLike):
            return Path(source).stat().st_size
        return len(source.getbuffer()) if hasattr(source, "getbuffer") else None
    except (OSError, ValueError):
        return None


def _peek(stream: BinaryIO, n: int) -> bytes:
    if hasattr(stream, "peek"):
        return stream.peek(n)[:n]
    pos = stream.tell()
    head = stream.read(n)
    stream.seek(pos)
    return head


class _Limited(io.RawIOBase):
    """A decompressing stream that fails clearly past a size limit or on a corrupt archive."""

    def __init__(self, inner: BinaryIO, limit: int, kind: str, raw: BinaryIO) -> None:
        self.inner, self.limit, self.kind, self.seen, self.raw = inner, limit, kind, 0, raw

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        try:
            data = self.inner.read(size if size and size > 0 else READ_BYTES)
        except (OSError, EOFError, ValueError) as exc:
            raise SourceError(f"corrupt or truncated {self.kind} data after {self.seen:,} bytes: {exc}") from exc
        self.seen += len(data)
        if self.seen > self.limit:
            raise SourceError(
                f"{self.kind} input decompresses to more than {self.limit:,} bytes (the configured limit); "
                "stopped reading"
            )
        return data

    def close(self) -> None:
        self.inner.close()
        super().close()


def iter_chunks(stream: BinaryIO, chunk_bytes: int | None = None, max_line_bytes: int | None = None) -> Iterator[Chunk]:
    """Yield chunks of whole lines from ``stream``, numbering lines from 1 (sizes default to the constants)."""
    chunk_bytes = CHUNK_BYTES if chunk_bytes is None else chunk_bytes
    max_line_bytes = MAX_LINE_BYTES if max_line_bytes is None else max_line_bytes
    pending = bytearray()  # complete lines, then the current partial line
    long_lines: dict[int, bytes] = {}
    line_no = 1
    skipping: bytes | None = None  # first bytes of an over-long line whose rest is being skipped

    def emit(data: bytes | bytearray, last_unterminated: bool = False) -> Chunk:
        nonlocal line_no, long_lines
        chunk = Chunk(data=data, first_line=line_no, long_lines=long_lines, last_unterminated=last_unterminated)
        # numpy counts newlines in half the time of bytes.count (0.08 s against 0.15 s for 250 MB)
        line_no += int(np.count_nonzero(np.frombuffer(data, np.uint8) == NEWLINE)) + (1 if last_unterminated else 0)
        long_lines = {}
        return chunk

    while block := stream.read(READ_BYTES):
        view = memoryview(block)
        if skipping is not None:
            nl = block.find(b"\n")
            if nl < 0:
                continue
            long_lines[pending.count(b"\n")] = skipping
            pending += b"\n"
            skipping = None
            view = view[nl + 1 :]
        pending += view
        last_nl = pending.rfind(b"\n")
        if len(pending) - (last_nl + 1) > max_line_bytes:
            skipping = bytes(pending[last_nl + 1 : last_nl + 1 + REJECT_RAW_BYTES])
            del pending[last_nl + 1 :]
        if last_nl + 1 >= chunk_bytes:
            # The buffer becomes the chunk and only the partial last line is copied: the 1M-line benchmark read
            # its 250 MB in 0.35 s with a copy of every chunk, 0.17 s without.
            data, pending = pending, pending[last_nl + 1 :]
            del data[last_nl + 1 :]
            yield emit(data)
    if skipping is not None:
        long_lines[pending.count(b"\n")] = skipping
        yield emit(bytes(pending), last_unterminated=True)
    elif pending:
        yield emit(bytes(pending), last_unterminated=not pending.endswith(b"\n"))
