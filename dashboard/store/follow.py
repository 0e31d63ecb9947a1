"""A followed log into a store: its rows published in batches with the follower's position (``tail --store``).

The position (file identity, offset, line number and the bytes just before the offset: ``Follower.position``)
is published in the same manifest as the rows read up to it, so after a crash or a restart the follower
resumes exactly where the published rows end: no line lost, none twice. Rows read since the last publish are
read again. The sink holds the store's writer lock while it follows: an ``ingest`` or ``prune`` meanwhile is
told the store is busy.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from dashboard.ingest.parse import Reject, concat_frames
from dashboard.store.layout import (
    Manifest,
    SourceRecord,
    check_dir,
    locked,
    publish,
    read_manifest,
    remove_unpublished,
)
from dashboard.store.parts import Batch, write_batch

BATCH_SECONDS = 5.0  # a line is in the store within about this long (plus one poll) of being read
BATCH_LINES = 100_000  # and a busy log publishes sooner: memory follows the batch
NOT_A_HEAD = "follow"  # a followed log is never recognised by `ingest` as a known file: its content moves on


@dataclass
class Pending:
    """Rows read since the last publish, and the counts and position they bring."""

    frames: list[pd.DataFrame] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)
    lines: int = 0
    parsed: int = 0
    rejected: int = 0
    since: float | None = None  # monotonic time of the first unpublished line


class StoreSink:
    """Publishes what a follower reads into a store, every ``batch_seconds`` or ``batch_lines`` lines."""

    def __init__(
        self,
        store: str | Path,
        path: str | Path,
        *,
        batch_seconds: float = BATCH_SECONDS,
        batch_lines: int = BATCH_LINES,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.store = check_dir(Path(store), create=True)
        self.path = str(Path(path).resolve())
        self.batch_seconds, self.batch_lines, self.clock = batch_seconds, batch_lines, clock
        self._lock = contextlib.ExitStack()
        self._lock.enter_context(locked(self.store))
        try:
            self.manifest = read_manifest(self.store) or Manifest()
            remove_unpublished(self.store, self.manifest)
        except BaseException:
            self._lock.close()
            raise
        self.record = next((s for s in self.manifest.sources if s.follow and s.follow.get("path") == self.path), None)
        self.pending = Pending()
        self.position: dict | None = None
        self.format = self.record.format if self.record else ""

    def resume(self) -> dict | None:
        """The follower position published last for this path (None: follow it from its start)."""
        return dict(self.record.follow) if self.record and self.record.follow else None

    def add(self, rows: pd.DataFrame, rejects: Sequence[Reject], lines: int, fmt: str, position: dict | None) -> None:
        """One poll's enriched rows and every reject, read up to ``position``; publishes when a batch is due."""
        pending = self.pending
        if lines:
            if len(rows):
                pending.frames.append(rows)
            pending.rejects.extend(rejects)
            pending.lines += lines
            pending.parsed += len(rows)
            pending.rejected += len(rejects)
            pending.since = self.clock() if pending.since is None else pending.since
        self.format = fmt
        if position is not None:
            self.position = position
        if pending.lines >= self.batch_lines or (
            pending.since is not None and self.clock() - pending.since >= self.batch_seconds
        ):
            self.flush()

    def flush(self) -> None:
        """Publish what is pending with the position it was read up to (nothing pending: nothing written)."""
        pending, position = self.pending, self.position
        if not pending.lines or position is None:
            return
        batch_id = self.manifest.next_batch
        rows = concat_frames(pending.frames)
        files = write_batch(self.store, batch_id, Batch(rows, pending.rejects)) if len(rows) or pending.rejects else []
        record = self.record or self._new_record()
        record = replace(
            record,
            follow={**position, "path": self.path},
            offset=int(position.get("offset", 0)),
            lines=record.lines + pending.lines,
            parsed=record.parsed + pending.parsed,
            rejected=record.rejected + pending.rejected,
            batches=[*record.batches, batch_id] if files else record.batches,
        )
        self.manifest = publish(self.store, self.manifest, record, files)
        self.record, self.pending = record, Pending()

    def _new_record(self) -> SourceRecord:
        ids = [s.id for s in self.manifest.sources]
        return SourceRecord(
            id=max(ids, default=0) + 1,
            names=[Path(self.path).name],
            format=self.format,
            head_sha256=NOT_A_HEAD,
            head_bytes=0,
            offset=0,
            lines=0,
            parsed=0,
            rejected=0,
            raw_size=0,
            compressed=False,
            complete=False,
        )

    def close(self) -> None:
        """Publish what is pending, then release the store."""
        try:
            self.flush()
        finally:
            self._lock.close()
