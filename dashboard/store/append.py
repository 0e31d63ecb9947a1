"""Reading the new lines of a log and publishing them in batches: parse, enrich, write the parts, then the manifest.

Lines are read in chunks (the same ``parse_chunk`` as every other path) and published in batches, so memory
follows the batch size, not the log. This module holds the data stack (polars, pandas, DuckDB, ua-parser):
``store.ingest`` imports it only when some log has new lines, so a re-ingest of known logs stays light.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import BinaryIO

import pandas as pd

from dashboard.enrich import enrich
from dashboard.enrich.agents import warm_up
from dashboard.enrich.geo import GeoDatabase, open_geo_database
from dashboard.ingest.formats import DETECT_SAMPLE_LINES, LogFormat, resolve_format
from dashboard.ingest.parse import (
    UTF16_BOMS,
    ChunkResult,
    Reject,
    empty_frame,
    ordered_map,
    parse_chunk,
    to_pandas,
)
from dashboard.ingest.sources import Chunk, SourceError, iter_chunks, open_binary
from dashboard.memory import limit_arenas, release_memory
from dashboard.store.layout import Manifest, SourceRecord, publish
from dashboard.store.parts import Batch, write_batch
from dashboard.store.report import IngestReport
from dashboard.store.sources import BATCH_BYTES, Plan, hold_back, read_head, sha, skip_to

DETECT_BYTES = 1 << 20
KEEP_ALL = 1 << 62  # parse_chunk keeps every reject: the store records them all
WRITES_IN_FLIGHT = 2  # batches handed off and not yet written: one writing, one enriching
BATCH_REJECTS = 100_000  # a log of garbage publishes sooner: rejects carry up to 512 bytes of their line
# Chunks parsed at once. Two, not the in-memory parse's three: the enricher and the writer already keep both cores
# busy, and a third chunk in flight only holds memory. 20M lines, medians of 3: peak RSS 593 → 577 MB, 43.1 → 42.5 s.
PARSERS = 2


def _detect(head: bytes, fmt: str | LogFormat | None) -> LogFormat:
    """The format of a source from its first lines (the same lines each time it is resumed)."""
    if isinstance(fmt, LogFormat):
        return fmt
    if head[:2] in UTF16_BOMS:
        raise SourceError("the file is UTF-16 text: save it as UTF-8 (access logs are written in UTF-8 or ASCII)")
    text = head.decode("utf-8", "backslashreplace")
    lines = [line.rstrip("\r") for line in text.split("\n")[:DETECT_SAMPLE_LINES]]
    return resolve_format(fmt, lines)


@dataclass
class Gathered:
    """The parsed chunks of one batch, not yet written: frames, rejects, and the counts they add."""

    frames: list = field(default_factory=list)  # polars frames, as parse_chunk returns them
    rejects: list[Reject] = field(default_factory=list)
    lines: int = 0
    parsed: int = 0
    rejected: int = 0
    size: int = 0  # input bytes

    def add(self, part: ChunkResult, size: int) -> None:
        if part.frame.height:
            self.frames.append(part.frame)
        self.rejects.extend(part.rejects)
        self.lines += part.lines
        self.parsed += part.frame.height
        self.rejected += part.rejected
        self.size += size

    def full(self, batch_lines: int) -> bool:
        """Whether to publish now: enough lines, input bytes or rejects (memory follows the batch)."""
        return self.lines >= batch_lines or self.size >= BATCH_BYTES or len(self.rejects) >= BATCH_REJECTS


class Appender:
    """Appends logs to a store under its lock: the manifest as last published, the GeoIP database, the figures."""

    def __init__(
        self, store: Path, manifest: Manifest, report: IngestReport, geoip: str | Path | None, sizes: tuple[int, int]
    ) -> None:
        self.store, self.manifest, self.report = store, manifest, report
        self.batch_lines, self.chunk_bytes = sizes
        self.geo: GeoDatabase = open_geo_database(geoip)
        limit_arenas()  # before the ingest's threads allocate
        warm_up()  # the user-agent engines build while the first chunks parse

    def close(self) -> None:
        self.geo.close()

    def publish(self, record: SourceRecord, batch: Batch | None) -> SourceRecord:
        """Write the batch's parts, then publish them with the source's new position in one manifest."""
        batch_id = self.manifest.next_batch
        files = write_batch(self.store, batch_id, batch) if batch else []
        if files:
            record = replace(record, batches=[*record.batches, batch_id])
        self.manifest = publish(self.store, self.manifest, record, files)
        if files:
            self.report.batches += 1
        return record

    def append(self, step: Plan, fmt: str | LogFormat | None, progress: Callable[[int], None] | None) -> Manifest:
        """Read, parse and publish what is new in one file; the manifest published last."""
        stream = open_binary(step.path)
        try:
            fmt_obj = _detect(read_head(stream, DETECT_BYTES), fmt)
            stream.close()
            stream = open_binary(step.path)
            if step.offset and not skip_to(stream, step.offset, step.compressed):
                stream.close()
                stream = open_binary(step.path)  # shorter than the part already read: a new source
                step = replace(step, record=None, offset=0, lines=0)
            self._read(step, stream, fmt_obj, progress)
        finally:
            stream.close()
        return self.manifest

    def _new_record(self, step: Plan, fmt: LogFormat) -> SourceRecord:
        ids = [s.id for s in self.manifest.sources]
        return SourceRecord(
            id=max(ids, default=0) + 1,
            names=[step.path.name],
            format=fmt.name,
            head_sha256=sha(step.head),
            head_bytes=len(step.head),
            offset=0,
            lines=0,
            parsed=0,
            rejected=0,
            raw_size=step.raw_size,
            compressed=step.compressed,
            complete=False,
            path=str(step.path.resolve()),
        )

    def _read(self, step: Plan, stream: BinaryIO, fmt: LogFormat, progress: Callable[[int], None] | None) -> None:
        """Parse the rest of a source chunk by chunk; a batch is written while the next one parses."""
        record = step.record or self._new_record(step, fmt)
        name, base = step.path.name, step.lines
        before = self.report.lines

        def chunks() -> Iterator[Chunk]:
            for chunk in iter_chunks(stream, self.chunk_bytes):
                kept = chunk if step.compressed else hold_back(chunk)
                if kept is not None:
                    yield replace(kept, first_line=kept.first_line + base)

        def work(chunk: Chunk) -> tuple[int, ChunkResult]:
            return chunk.size, parse_chunk(chunk, fmt, name, keep=KEEP_ALL)

        gathered = Gathered()
        writes: deque[Future[SourceRecord]] = deque()  # in order; each commit takes its record from the last
        with (
            ThreadPoolExecutor(1, thread_name_prefix="store-enrich") as enricher,
            ThreadPoolExecutor(1, thread_name_prefix="store-writer") as writer,
        ):

            def hand_off(batch: Gathered, complete: bool) -> None:
                """Enrich the batch on one thread, write it on another: parsing, enriching and writing overlap."""
                while len(writes) >= WRITES_IN_FLIGHT:
                    writes.popleft().result()  # memory follows the batches in flight
                rows = enricher.submit(self._enrich, batch, fmt)
                previous = writes[-1] if writes else None
                writes.append(writer.submit(self._commit, previous or record, step, rows, batch, complete))

            try:
                for chunk_size, part in ordered_map(work, chunks(), PARSERS):
                    gathered.add(part, chunk_size)
                    if gathered.full(self.batch_lines):
                        hand_off(gathered, False)
                        gathered = Gathered()
                    if progress:
                        progress(self.report.lines + gathered.lines)
                hand_off(gathered, step.compressed)
                while writes:
                    writes.popleft().result()
            finally:
                wait(writes)  # never publish after the lock is released
        self.report.sources += 1
        if self.report.lines == before:
            self.report.skipped += 1

    def _enrich(self, batch: Gathered, fmt: LogFormat) -> pd.DataFrame:
        """The batch's rows as pandas, enriched (enrich thread); its polars frames are dropped before the
        enrichment, not after: they are not needed past the conversion."""
        if not batch.frames:
            return empty_frame()
        rows = to_pandas(batch.frames, fmt)
        batch.frames.clear()
        return enrich(rows, self.geo)

    def _commit(
        self,
        previous: SourceRecord | Future[SourceRecord],
        step: Plan,
        enriched: Future[pd.DataFrame],
        batch: Gathered,
        complete: bool,
    ) -> SourceRecord:
        """Publish one enriched batch of a source, with the source's new offset and counts (writer thread)."""
        record = previous.result() if isinstance(previous, Future) else previous
        rows = enriched.result()
        head = step.head if len(step.head) > record.head_bytes else None
        record = replace(
            record,
            names=record.names if step.path.name in record.names else [*record.names, step.path.name],
            head_sha256=sha(head) if head else record.head_sha256,
            head_bytes=len(head) if head else record.head_bytes,
            offset=record.offset + batch.size,
            lines=record.lines + batch.lines,
            parsed=record.parsed + batch.parsed,
            rejected=record.rejected + batch.rejected,
            raw_size=step.raw_size,
            compressed=step.compressed,
            complete=complete,
            path=str(step.path.resolve()),
        )
        record = self.publish(record, Batch(rows, batch.rejects) if len(rows) or batch.rejects else None)
        del rows
        release_memory()  # else glibc's arenas keep each written batch's heap: the peak RSS creeps up batch by batch
        self.report.lines += batch.lines
        self.report.parsed += batch.parsed
        self.report.rejected += batch.rejected
        self.report.rows += batch.parsed
        return record
