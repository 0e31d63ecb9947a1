"""A followed log kept parsed and enriched, poll by poll.

``LiveLog`` parses and enriches only the new lines a ``Follower`` hands over and appends them to a bounded store
of blocks, so the cost of a poll follows the new lines, not the rows already loaded. The frame is assembled (and
cached) only when it is read.
"""

from __future__ import annotations

import itertools
import logging
import os
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import pandas as pd

from dashboard.enrich import enrich
from dashboard.enrich.geo import GeoDatabase, open_geo_database
from dashboard.ingest.follow import Follower
from dashboard.ingest.formats import DETECT_SAMPLE_LINES, LogFormat, UnknownFormatError, get_format, resolve_format
from dashboard.ingest.parse import (
    MAX_REJECTS_KEPT,
    ParseResult,
    Reject,
    concat_frames,
    parse_chunk,
    to_pandas,
)
from dashboard.ingest.sources import Chunk
from dashboard.pipeline import LoadedLog
from dashboard.schema import empty_frame

LOG = logging.getLogger(__name__)
KEEP_ALL = 1 << 62
MERGE_MAX_ROWS = 32_768  # poll blocks are merged up to this size: bounded work per poll, few blocks overall
_INSTANCES = itertools.count()  # tells two LiveLogs of one path apart in fingerprints (a re-opened follow)


class Sink(Protocol):
    """Where a followed log's rows also go, with the follower's position (``store.follow.StoreSink``)."""

    def resume(self) -> dict | None: ...

    def add(self, rows: pd.DataFrame, rejects: list[Reject], lines: int, fmt: str, position: dict | None) -> None: ...

    def close(self) -> None: ...


@dataclass
class Block:
    """Rows of one or more polls, enriched, with their time range (for retention)."""

    frame: pd.DataFrame
    start: pd.Timestamp | None
    end: pd.Timestamp | None
    is_sorted: bool = False

    @classmethod
    def of(cls, frame: pd.DataFrame, is_sorted: bool = False) -> Block:
        if not len(frame):
            return cls(frame, None, None, True)
        times = frame["time"]
        if is_sorted:
            return cls(frame, times.iloc[0], times.iloc[-1], True)
        return cls(frame, times.min(), times.max(), False)

    def drop_first(self, count: int) -> Block:
        """Without its first ``count`` rows (cheap on a big sorted block: no scan of the times)."""
        frame = self.frame.iloc[count:]
        if self.is_sorted or not len(frame):
            return Block.of(frame, True)
        return Block(frame, frame["time"].min(), self.end, False)

    def drop_before(self, cutoff: pd.Timestamp) -> Block:
        """Without the rows older than ``cutoff`` (binary search on a sorted block)."""
        if self.is_sorted:
            return self.drop_first(int(self.frame["time"].searchsorted(cutoff, side="left")))
        return Block.of(self.frame[self.frame["time"] >= cutoff])


@dataclass
class PollResult:
    """What one poll brought: lines read, rows added (enriched), rejects, seconds spent."""

    lines: int
    rows: pd.DataFrame
    rejected: int
    seconds: float
    rotations: int
    reasons: Counter = field(default_factory=Counter)


class LiveLog:
    """A followed log kept parsed and enriched: each poll parses and enriches only the new lines.

    Retention keeps the last ``max_rows`` rows and/or the rows within ``max_age`` of the newest time seen
    (log time, not wall-clock time, so a replayed log behaves like a live one). Counters (lines, parsed,
    rejected, reasons, rejects) are cumulative over everything ingested, including rows retention dropped.
    """

    def __init__(
        self,
        path: str | os.PathLike | Follower,
        fmt: str | LogFormat | None = None,
        *,
        geo: GeoDatabase | None = None,
        geoip: str | Path | None = None,
        max_rows: int | None = None,
        max_age: pd.Timedelta | float | None = None,
        name: str | None = None,
        from_start: bool = True,
        sink: Sink | None = None,
    ) -> None:
        self.sink = sink
        if isinstance(path, Follower):
            self.follower = path
        else:
            resume = sink.resume() if sink is not None else None
            self.follower = Follower(path, from_start=from_start, resume=resume)
        self.name = name or self.follower.path.name
        self.format_spec = fmt
        self.format: LogFormat | None = fmt if isinstance(fmt, LogFormat) else None
        if isinstance(fmt, str) and fmt != "auto":
            named = get_format(fmt)  # a bad name fails now, not at the first line
            self.format = named if named.kind != "json" else None  # JSON paths are resolved from the lines
        self._own_geo = geo is None
        self.geo = geo or open_geo_database(geoip)
        self.max_rows = max_rows
        self.max_age = pd.Timedelta(hours=max_age) if isinstance(max_age, int | float) else max_age
        self.lines = 0
        self.parsed = 0
        self.rejected = 0
        self.reasons: Counter = Counter()
        self.rejects: deque[Reject] = deque(maxlen=MAX_REJECTS_KEPT)
        self.blocks: deque[Block] = deque()
        self.rows = 0
        self.newest: pd.Timestamp | None = None
        self._undetected: list[Chunk] = []
        self._frame: pd.DataFrame | None = None
        self.instance = next(_INSTANCES)

    @property
    def rotations(self) -> int:
        return self.follower.rotations

    def poll(self) -> PollResult:
        """Read new lines, parse and enrich them, append them, apply retention."""
        began = time.perf_counter()
        chunks = self.follower.poll()
        if self.format is None:
            chunks = self._detect(chunks)
        frames, lines, rejected, reasons, rejects = [], 0, 0, Counter(), []
        keep = KEEP_ALL if self.sink is not None else MAX_REJECTS_KEPT  # a store records every reject
        for chunk in chunks:
            result = parse_chunk(chunk, self.format, self.name, keep=keep)
            lines += result.lines
            rejected += result.rejected
            reasons.update(result.reasons)
            rejects.extend(result.rejects)
            if result.frame.height:
                frames.append(result.frame)
        self.rejects.extend(rejects)
        if frames:
            rows = enrich(to_pandas(frames, self.format), self.geo)
            self._append(rows)
        else:
            rows = empty_frame()  # built only when needed: ~30 ms of pandas construction
        if self.sink is not None and not self._undetected:  # held lines are not read yet: the position waits
            self.sink.add(rows, rejects, lines, self.format.name if self.format else "", self.follower.position())
        self.lines += lines
        self.rejected += rejected
        self.parsed += len(rows)
        self.reasons.update(reasons)
        self._retain()
        return PollResult(lines, rows, rejected, time.perf_counter() - began, self.rotations, reasons)

    def _detect(self, chunks: list[Chunk]) -> list[Chunk]:
        """Hold chunks until the format is known; detection needs a majority of recognisable lines."""
        self._undetected.extend(chunks)
        text = b"".join(c.data[: 1 << 20] for c in self._undetected).decode("utf-8", "backslashreplace")
        first = [line.rstrip("\r") for line in text.split("\n")[:DETECT_SAMPLE_LINES] if line]
        if not first:
            return []
        try:
            self.format = resolve_format(self.format_spec if isinstance(self.format_spec, str) else None, first)
        except UnknownFormatError:
            if len(first) < DETECT_SAMPLE_LINES:
                return []  # maybe the next lines settle it
            raise
        held, self._undetected = self._undetected, []
        return held

    def _append(self, rows: pd.DataFrame) -> None:
        """Append a poll's rows as a block; merge small trailing blocks (bounded work: MERGE_MAX_ROWS)."""
        self.blocks.append(Block.of(rows))
        self.rows += len(rows)
        end = rows["time"].max()
        self.newest = end if self.newest is None or end > self.newest else self.newest
        while len(self.blocks) >= 2:
            a, b = self.blocks[-2], self.blocks[-1]
            if len(a.frame) > len(b.frame) or len(a.frame) + len(b.frame) > MERGE_MAX_ROWS:
                break
            self.blocks.pop()
            self.blocks[-1] = Block.of(concat_frames([a.frame, b.frame]))
        self._frame = None

    def _retain(self) -> None:
        """Drop the oldest rows beyond ``max_rows`` and those older than ``max_age`` before the newest time."""
        before = self.rows
        if self.max_rows is not None:
            while self.blocks and self.rows - len(self.blocks[0].frame) >= self.max_rows:
                self.rows -= len(self.blocks.popleft().frame)
            if self.rows > self.max_rows:
                self._replace_first(self.blocks[0].drop_first(self.rows - self.max_rows))
        if self.max_age is not None and self.newest is not None:
            cutoff = self.newest - self.max_age
            while self.blocks and (self.blocks[0].end is None or self.blocks[0].end < cutoff):
                self.rows -= len(self.blocks.popleft().frame)
            if self.blocks and self.blocks[0].start is not None and self.blocks[0].start < cutoff:
                self._replace_first(self.blocks[0].drop_before(cutoff))
        if self.rows != before:
            self._frame = None

    def _replace_first(self, block: Block) -> None:
        self.rows += len(block.frame) - len(self.blocks[0].frame)
        self.blocks[0] = block

    @property
    def frame(self) -> pd.DataFrame:
        """The retained rows sorted by time, assembled on first read after a change and cached."""
        if self._frame is None:
            if not self.rows:  # an empty or just-rotated file: the enriched columns are still there
                self._frame = enrich(empty_frame(), self.geo)
                return self._frame
            frame = concat_frames([b.frame for b in self.blocks])
            if len(frame) and not frame["time"].is_monotonic_increasing:
                frame = frame.sort_values("time", kind="stable", ignore_index=True)
            frame = frame.reset_index(drop=True)
            if len(self.blocks) > 1:
                self.blocks = deque([Block.of(frame, True)])  # one sorted block from now on: cheaper next time
            self._frame = frame
        return self._frame

    def loaded(self) -> LoadedLog:
        """A ``LoadedLog`` of the retained rows with the cumulative accounting (for ``pipeline.summarize``)."""
        fmt = self.format or resolve_format(self.format_spec if isinstance(self.format_spec, str) else "combined", [])
        result = ParseResult(
            frame=self.frame,
            format=fmt,
            lines=self.lines,
            rejected=self.rejected,
            reasons=Counter(self.reasons),
            rejects=list(self.rejects),
            sources=[str(self.follower.path)],
        )
        fingerprint = ("follow", str(self.follower.path), self.instance, self.lines, self.rows)
        return LoadedLog(parse=result, frame=self.frame, fingerprint=fingerprint)

    def close(self) -> None:
        """Publish what the sink holds, close the follower (and the geo database when this object opened it)."""
        try:
            if self.sink is not None:
                self.sink.close()
        finally:
            self.follower.close()
        if self._own_geo:
            self.geo.close()

    def __enter__(self) -> LiveLog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
