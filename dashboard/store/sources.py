"""Which log a file holds, by its content, and what is left to read of it (light: no data stack).

A log is identified by the SHA-256 of its first 64 KiB of decompressed content (fewer bytes when it was
shorter), never by its name: after logrotate renames or compresses a file, it is the same log. A log that grew
is read from the byte offset reached; one whose size fell below that offset, or whose first bytes changed
(copytruncate), is a new log read from its start. A plain file's last line without a newline is left for the
next ingest (the writer may be in the middle of it).
"""

from __future__ import annotations

import glob
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import BinaryIO

from dashboard.ingest.sources import BZIP2_MAGIC, GZIP_MAGIC, Chunk, open_binary
from dashboard.store.layout import Manifest, SourceRecord, StoreError

HEAD_BYTES = 64 << 10
# A batch is parsed, enriched and written at once; one is written while the next is enriched and the one after
# parses (store.append): the batch size bounds the memory. Peak RSS of the whole process with 500k-line batches
# and one heap per thread: 501 MB at 1M lines, 606 MB at 5M, 675 MB at 20M; with 250k-line batches, two glibc
# heaps and the heap trimmed after each batch: ~480 MB at 1M, ~545 MB at 5M, 592–612 MB at 20M; two chunks parsed
# at once instead of three (append.PARSERS): 570–580 MB at 20M (see README "The store").
BATCH_LINES = 250_000
BATCH_BYTES = 128 << 20  # and of input bytes, for logs of long lines
SKIP_BYTES = 1 << 20
GLOB_CHARS = frozenset("*?[")


@dataclass
class Plan:
    """How to read one file: as which source, from which offset and line (or not at all)."""

    path: Path
    head: bytes
    raw_size: int
    compressed: bool
    record: SourceRecord | None
    offset: int = 0
    lines: int = 0
    skip: bool = False


def expand(patterns: Sequence[str | Path]) -> list[Path]:
    """Paths and globs → files, in the order given; StoreError for a glob that matches nothing."""
    paths: list[Path] = []
    for pattern in patterns:
        text = str(pattern)
        if Path(text).exists() or not GLOB_CHARS & set(text):
            paths.append(Path(text))
            continue
        matches = sorted(glob.glob(text))
        if not matches:
            raise StoreError(f"{text}: matches no file")
        paths.extend(Path(m) for m in matches)
    return paths


def read_head(stream: BinaryIO, size: int) -> bytes:
    """Up to ``size`` bytes from the start of a (decompressing) stream."""
    parts, got = [], 0
    while got < size and (block := stream.read(size - got)):
        parts.append(block)
        got += len(block)
    return b"".join(parts)


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def plan(path: Path, manifest: Manifest) -> Plan:
    """Which known source ``path`` holds (by its first bytes), and what is left to read of it."""
    stream = open_binary(path)
    try:
        head = read_head(stream, HEAD_BYTES)
    finally:
        stream.close()
    with open(path, "rb") as raw:
        magic = raw.read(3)
    compressed = magic.startswith(GZIP_MAGIC) or magic.startswith(BZIP2_MAGIC)
    raw_size = path.stat().st_size
    fresh = Plan(path, head, raw_size, compressed, None, skip=not head)
    hashes: dict[int, str] = {}
    matches = []
    for record in manifest.sources:
        if record.head_bytes <= len(head):
            digest = hashes.setdefault(record.head_bytes, sha(head[: record.head_bytes]))
            if digest == record.head_sha256:
                matches.append(record)
    if not matches:
        return fresh
    record = max(matches, key=lambda r: (r.head_bytes, r.offset))
    if compressed and record.complete and record.raw_size == raw_size:
        return Plan(path, head, raw_size, compressed, record, record.offset, record.lines, skip=True)
    if not compressed and raw_size < record.offset:
        return fresh  # truncated in place and written again: a new source
    skip = not compressed and raw_size == record.offset
    return Plan(path, head, raw_size, compressed, record, record.offset, record.lines, skip=skip)


def skip_to(stream: BinaryIO, offset: int, compressed: bool) -> bool:
    """Move a stream to ``offset`` of its decompressed content; False when the content is shorter."""
    if not compressed:
        stream.seek(offset)
        return True
    left = offset
    while left > 0 and (block := stream.read(min(left, SKIP_BYTES))):
        left -= len(block)
    return left == 0


def hold_back(chunk: Chunk) -> Chunk | None:
    """The chunk without its unterminated last line (None when nothing is left): it may be half written."""
    if not chunk.last_unterminated:
        return chunk
    last_index = chunk.data.count(b"\n")
    if last_index in chunk.long_lines:
        return chunk  # an over-long line already cut: rejected now rather than held without bound
    cut = len(chunk.data) - (chunk.data.rfind(b"\n") + 1)
    if cut == len(chunk.data):
        return None
    return replace(chunk, data=chunk.data[: len(chunk.data) - cut], last_unterminated=False, size=chunk.size - cut)
