"""Logs → a store, incrementally: each source is known by its content, and only its new lines are read.

A source is identified by the SHA-256 of its first 64 KiB of decompressed content (fewer bytes when it was
shorter), never by its name: after logrotate renames or compresses a file, it is the same source. A source that
grew is read from the byte offset reached; one whose size fell below that offset, or whose first bytes
changed (copytruncate), is a new source read from its start. A plain file's last line without a newline is
left for the next ingest (the writer may be in the middle of it). Lines are read in chunks and published in
batches, so memory follows the batch size, not the log.
"""

from __future__ import annotations

import errno
import glob
import hashlib
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import BinaryIO

from dashboard.enrich import enrich
from dashboard.enrich.agents import warm_up
from dashboard.enrich.geo import GeoDatabase, open_geo_database
from dashboard.ingest.formats import DETECT_SAMPLE_LINES, LogFormat, resolve_format
from dashboard.ingest.parse import (
    UTF16_BOMS,
    WORKERS,
    ChunkResult,
    Reject,
    _ordered_map,
    empty_frame,
    parse_chunk,
    to_pandas,
)
from dashboard.ingest.sources import BZIP2_MAGIC, CHUNK_BYTES, GZIP_MAGIC, Chunk, SourceError, iter_chunks, open_binary
from dashboard.store.layout import (
    Manifest,
    SourceRecord,
    StoreError,
    check_dir,
    locked,
    read_manifest,
    remove_unpublished,
    write_manifest,
)
from dashboard.store.parts import Batch, write_batch

HEAD_BYTES = 64 << 10
DETECT_BYTES = 1 << 20
# A batch is parsed, enriched and written at once: its size bounds the memory (1M-line log, peak RSS of the
# whole process: 644 MB with batches of 1M lines, 541 MB with 500k, 502 MB with 250k, of which ~200 MB imports).
BATCH_LINES = 500_000
BATCH_BYTES = 128 << 20  # and of input bytes, for logs of long lines
KEEP_ALL = 1 << 62  # parse_chunk keeps every reject: the store records them all
BATCH_REJECTS = 100_000  # a log of garbage publishes sooner: rejects carry up to 512 bytes of their line
GLOB_CHARS = frozenset("*?[")


@dataclass
class IngestReport:
    """The figures of one ingest: lines read, parsed, rejected, rows added, sources skipped, seconds."""

    lines: int = 0
    parsed: int = 0
    rejected: int = 0
    rows: int = 0
    sources: int = 0
    skipped: int = 0
    batches: int = 0
    removed: int = 0
    seconds: float = 0.0


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


def _read_head(stream: BinaryIO, size: int) -> bytes:
    """Up to ``size`` bytes from the start of a (decompressing) stream."""
    parts, got = [], 0
    while got < size and (block := stream.read(size - got)):
        parts.append(block)
        got += len(block)
    return b"".join(parts)


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def plan(path: Path, manifest: Manifest) -> Plan:
    """Which known source ``path`` holds (by its first bytes), and what is left to read of it."""
    stream = open_binary(path)
    try:
        head = _read_head(stream, HEAD_BYTES)
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
            digest = hashes.setdefault(record.head_bytes, _sha(head[: record.head_bytes]))
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


def _detect(head: bytes, fmt: str | LogFormat | None) -> LogFormat:
    """The format of a source from its first lines (the same lines each time it is resumed)."""
    if isinstance(fmt, LogFormat):
        return fmt
    if head[:2] in UTF16_BOMS:
        raise SourceError("the file is UTF-16 text: save it as UTF-8 (access logs are written in UTF-8 or ASCII)")
    text = head.decode("utf-8", "backslashreplace")
    lines = [line.rstrip("\r") for line in text.split("\n")[:DETECT_SAMPLE_LINES]]
    return resolve_format(fmt, lines)


def _skip_to(stream: BinaryIO, offset: int, compressed: bool) -> bool:
    """Move a stream to ``offset`` of its decompressed content; False when the content is shorter."""
    if not compressed:
        stream.seek(offset)
        return True
    left = offset
    while left > 0 and (block := stream.read(min(left, DETECT_BYTES))):
        left -= len(block)
    return left == 0


def _hold_back(chunk: Chunk) -> Chunk | None:
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


class _Ingest:
    """One ingest run under the store's lock: the manifest as last published, and the figures so far."""

    def __init__(self, store: Path, manifest: Manifest, geo: GeoDatabase, batch_lines: int, chunk_bytes: int) -> None:
        self.store, self.manifest, self.geo = store, manifest, geo
        self.batch_lines, self.chunk_bytes = batch_lines, chunk_bytes
        self.report = IngestReport()

    def publish(self, record: SourceRecord, batch: Batch | None) -> SourceRecord:
        """Write the batch's parts, then publish them with the source's new position in one manifest."""
        manifest = self.manifest
        batch_id = manifest.next_batch
        files = write_batch(self.store, batch_id, batch) if batch else []
        if files:
            record = replace(record, batches=[*record.batches, batch_id])
        sources = [s for s in manifest.sources if s.id != record.id] + [record]
        candidate = replace(
            manifest,
            next_batch=batch_id + 1 if files else batch_id,
            batches=[*manifest.batches, batch_id] if files else manifest.batches,
            sources=sorted(sources, key=lambda s: s.id),
            files=[*manifest.files, *files],
        )
        write_manifest(self.store, candidate)
        self.manifest = candidate
        if files:
            self.report.batches += 1
        return record

    def run(self, path: Path, fmt: str | LogFormat | None, progress: Callable[[int], None] | None) -> None:
        """Ingest what is new in one file."""
        step = plan(path, self.manifest)
        if step.record is None and step.skip:
            self.report.skipped += 1  # an empty file: nothing to record
            return
        if step.skip:
            record = step.record
            if path.name not in record.names:
                self.publish(replace(record, names=[*record.names, path.name]), None)
            self.report.skipped += 1
            return
        warm_up()  # the user-agent engines build while the first chunks parse (once per process)
        stream = open_binary(path)
        try:
            fmt_obj = _detect(_read_head(stream, DETECT_BYTES), fmt)
            stream.close()
            stream = open_binary(path)
            if step.offset and not _skip_to(stream, step.offset, step.compressed):
                stream.close()
                stream = open_binary(path)  # shorter than the part already read: a new source
                step = replace(step, record=None, offset=0, lines=0)
            self._read(step, stream, fmt_obj, progress)
        finally:
            stream.close()

    def _new_record(self, step: Plan, fmt: LogFormat) -> SourceRecord:
        ids = [s.id for s in self.manifest.sources]
        return SourceRecord(
            id=max(ids, default=0) + 1,
            names=[step.path.name],
            format=fmt.name,
            head_sha256=_sha(step.head),
            head_bytes=len(step.head),
            offset=0,
            lines=0,
            parsed=0,
            rejected=0,
            raw_size=step.raw_size,
            compressed=step.compressed,
            complete=False,
        )

    def _read(self, step: Plan, stream: BinaryIO, fmt: LogFormat, progress: Callable[[int], None] | None) -> None:
        """Parse the rest of a source chunk by chunk, publishing a batch every ``batch_lines`` lines."""
        record = step.record or self._new_record(step, fmt)
        name, base = step.path.name, step.lines
        before = self.report.lines

        def chunks() -> Iterator[Chunk]:
            for chunk in iter_chunks(stream, self.chunk_bytes):
                kept = chunk if step.compressed else _hold_back(chunk)
                if kept is not None:
                    yield replace(kept, first_line=kept.first_line + base)

        def work(chunk: Chunk) -> tuple[int, ChunkResult]:
            return chunk.size, parse_chunk(chunk, fmt, name, keep=KEEP_ALL)

        frames, rejects, lines, parsed, rejected, size = [], [], 0, 0, 0, 0
        for chunk_size, part in _ordered_map(work, chunks(), WORKERS):
            if part.frame.height:
                frames.append(part.frame)
            rejects.extend(part.rejects)
            lines, parsed, rejected, size = (
                lines + part.lines,
                parsed + len(part.frame),
                rejected + part.rejected,
                size + chunk_size,
            )
            if lines >= self.batch_lines or size >= BATCH_BYTES or len(rejects) >= BATCH_REJECTS:
                record = self._commit(record, step, fmt, frames, rejects, lines, parsed, rejected, size, False)
                frames, rejects, lines, parsed, rejected, size = [], [], 0, 0, 0, 0
            if progress:
                progress(self.report.lines + lines)
        self._commit(record, step, fmt, frames, rejects, lines, parsed, rejected, size, step.compressed)
        self.report.sources += 1
        if self.report.lines == before:
            self.report.skipped += 1

    def _commit(
        self,
        record: SourceRecord,
        step: Plan,
        fmt: LogFormat,
        frames: list,
        rejects: list[Reject],
        lines: int,
        parsed: int,
        rejected: int,
        size: int,
        complete: bool,
    ) -> SourceRecord:
        """Enrich and publish one batch of a source, with the source's new offset and counts."""
        rows = enrich(to_pandas(frames, fmt), self.geo) if frames else empty_frame()
        head = step.head if len(step.head) > record.head_bytes else None
        record = replace(
            record,
            names=record.names if step.path.name in record.names else [*record.names, step.path.name],
            head_sha256=_sha(head) if head else record.head_sha256,
            head_bytes=len(head) if head else record.head_bytes,
            offset=record.offset + size,
            lines=record.lines + lines,
            parsed=record.parsed + parsed,
            rejected=record.rejected + rejected,
            raw_size=step.raw_size,
            compressed=step.compressed,
            complete=complete,
        )
        batch = Batch(rows, rejects) if frames or rejects else None
        record = self.publish(record, batch)
        self.report.lines += lines
        self.report.parsed += parsed
        self.report.rejected += rejected
        self.report.rows += parsed
        return record


def ingest(
    patterns: Sequence[str | Path],
    store: str | Path,
    fmt: str | LogFormat | None = None,
    *,
    geoip: str | Path | None = None,
    progress: Callable[[int], None] | None = None,
    batch_lines: int = BATCH_LINES,
    chunk_bytes: int = CHUNK_BYTES,
) -> IngestReport:
    """Add what is new in the logs to the store; ``progress`` receives the lines read so far.

    A batch is published every ``batch_lines`` lines, at the end of a chunk of ``chunk_bytes``.
    """
    started = time.perf_counter()
    paths = expand(patterns)
    for path in paths:
        if path.is_dir():
            raise SourceError(f"{path}: is a directory, not a log file")
        if not path.exists():
            raise SourceError(f"{path}: no such file")
    store = check_dir(Path(store), create=True)
    with locked(store):
        manifest = read_manifest(store) or Manifest()
        removed = remove_unpublished(store, manifest)
        geo = open_geo_database(geoip)
        run = _Ingest(store, manifest, geo, batch_lines, chunk_bytes)
        run.report.removed = removed
        try:
            for path in paths:
                run.run(path, fmt, progress)
        except OSError as exc:
            if exc.errno == errno.ENOSPC:
                raise StoreError(
                    f"{store}: disk full ({exc.filename or 'writing a part'}); the batches published before stay "
                    "readable: free some space and run the ingest again"
                ) from exc
            raise
        finally:
            geo.close()
    run.report.seconds = time.perf_counter() - started
    return run.report
