"""Follow a growing log across rotations (``tail -F``) and keep it parsed and enriched, poll by poll.

``Follower`` turns a path into chunks of new complete lines; ``LiveLog`` parses and enriches only those lines
and appends them to a bounded store of blocks, so the cost of a poll follows the new lines, not the rows
already loaded. The frame is assembled (and cached) only when it is read.
"""

from __future__ import annotations

import logging
import os
import time
from collections import Counter, deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from pandas.api.types import union_categoricals

from .enrich import enrich
from .formats import DETECT_SAMPLE_LINES, LogFormat, UnknownFormatError, get_format, resolve_format
from .geo import GeoDatabase, open_geo_database
from .parse import MAX_REJECTS_KEPT, ParseResult, Reject, empty_frame, parse_chunk, to_pandas
from .pipeline import LoadedLog
from .sources import MAX_LINE_BYTES, REJECT_RAW_BYTES, Chunk

LOG = logging.getLogger(__name__)

POLL_READ_BYTES = 64 << 20  # at most this much is read per file and poll; the rest waits for the next poll
READ_BYTES = 1 << 20
FINGERPRINT_BYTES = 64  # bytes just before the offset, re-read each poll to notice a truncate-and-regrow
ROTATED_GRACE_S = 5.0  # a rotated-away file is still drained this long after its last growth (late writers)
ROTATED_SUFFIXES = (".1",)  # where copytruncate puts the copy: lines not yet read are recovered from it
MERGE_MAX_ROWS = 32_768  # poll blocks are merged up to this size: bounded work per poll, few blocks overall
DEFAULT_POLL_S = 2.0
# File times come from a coarse kernel clock that can lag time.time_ns() by a few ms: a copy written just after
# a poll may carry an mtime slightly before it.
MTIME_SLACK_NS = 100_000_000
RECOVERED_KEPT = 16


@dataclass
class FollowStats:
    """Cumulative counters of a follower."""

    lines: int = 0
    bytes: int = 0
    rotations: int = 0
    truncations: int = 0
    recovered_bytes: int = 0
    dropped_partial: int = 0


class _Reader:
    """One open file: its identity, how far it has been read, and the bytes of a line not yet complete."""

    def __init__(self, handle, st: os.stat_result, offset: int = 0) -> None:
        self.handle = handle
        self.ino, self.dev = st.st_ino, st.st_dev
        self.offset = offset
        self.pending = bytearray()
        self.skipping: bytes | None = None  # first bytes of an over-long line whose rest is being skipped
        self.tail = b""  # the last FINGERPRINT_BYTES read before ``offset``
        self.last_growth = time.monotonic()
        self.mtime_ns: int | None = st.st_mtime_ns
        self.checked_ns = time.time_ns()

    def close(self) -> None:
        self.handle.close()


class Follower:
    """``tail -F`` over one path: each ``poll()`` returns chunks of the new complete lines only.

    Rotation handling:

    - **rename + create** (logrotate's default): the path names a new inode. The old file is read to its end
      through the still-open handle, then the new file is read from offset 0. The old handle stays open for
      ``grace`` seconds after its last growth, so a server that keeps writing to it until it reopens its log
      loses nothing.
    - **copytruncate**: the file is smaller than the offset (or the bytes just before the offset changed: a
      truncate followed by regrowth before the poll). Lines appended after the previous poll and before the
      copy are read from the rotated copy (``path`` + one of ``rotated_suffixes``) when its bytes match what
      was read; then the file is read from 0. Lines written between logrotate's copy and its truncate exist
      in neither file: nobody can recover those.
    - a file that **disappears** is drained through the open handle; when a file appears again at the path it
      is read from 0. A follower started before the file exists waits for it.

    Line numbers run across files and rotations (the n-th line ever delivered is line n). A line still
    unterminated when its file is abandoned (truncated, or rotated and drained) is delivered as an
    unterminated last line so the parser rejects it visibly instead of losing it silently.
    """

    def __init__(
        self,
        path: str | os.PathLike,
        *,
        from_start: bool = True,
        grace: float = ROTATED_GRACE_S,
        rotated_suffixes: Sequence[str] = ROTATED_SUFFIXES,
        max_line_bytes: int = MAX_LINE_BYTES,
        max_read_bytes: int = POLL_READ_BYTES,
        resume: dict | None = None,
    ) -> None:
        self.path = Path(path)
        self.grace = grace
        self.rotated_suffixes = tuple(rotated_suffixes)
        self.max_line_bytes = max_line_bytes
        self.max_read_bytes = max_read_bytes
        self.stats = FollowStats()
        self._current: _Reader | None = None
        self._draining: list[_Reader] = []
        self._next_line = 1
        self._chunks: list[Chunk] = []
        self._recovered: deque[tuple[int, int, int, int]] = deque(maxlen=RECOVERED_KEPT)
        if not (resume and self._resume(resume)):
            self._open_current(at_end=not from_start)

    # --- resuming after a restart -------------------------------------------------------------------------

    def position(self) -> dict | None:
        """Where the current file has been read up to (whole lines only), to resume from after a restart."""
        reader = self._current
        if reader is None:
            return None
        offset = reader.offset - len(reader.pending)  # a partial last line is read again after the restart
        start = max(0, offset - FINGERPRINT_BYTES)
        fingerprint = _pread(reader.handle, start, offset - start)
        return {
            "ino": reader.ino,
            "dev": reader.dev,
            "offset": offset,
            "line": self._next_line,
            "fingerprint": fingerprint.hex(),
        }

    def _resume(self, state: dict) -> bool:
        """Continue where a previous follower stopped: in the same file, or in its rotated copy then the new file.

        The file is recognised by inode and by the bytes just before the saved offset; when neither the file at the
        path nor a rotated copy matches, the follower starts afresh (from_start) and says so.
        """
        for candidate in (self.path, *(Path(f"{self.path}{suffix}") for suffix in self.rotated_suffixes)):
            try:
                handle = open(candidate, "rb")  # noqa: SIM115 - kept open across polls
            except OSError:
                continue
            st = os.fstat(handle.fileno())
            offset = int(state.get("offset", -1))
            expected = bytes.fromhex(state.get("fingerprint", ""))
            same = (st.st_ino, st.st_dev) == (state.get("ino"), state.get("dev")) and len(
                expected
            ) <= offset <= st.st_size
            if same and _pread(handle, offset - len(expected), len(expected)) == expected:
                handle.seek(offset)
                reader = _Reader(handle, st, offset)
                reader.tail = expected[-FINGERPRINT_BYTES:]
                self._next_line = int(state.get("line", 1))
                if candidate == self.path:
                    self._current = reader
                else:  # rotated while we were down: finish the copy, then read the new file from its start
                    self.stats.rotations += 1
                    self._draining.append(reader)
                    self._open_current(at_end=False)
                return True
            handle.close()
        LOG.warning(
            "%s: the saved position matches no file (rotated away or rewritten): reading from the start", self.path
        )
        return False

    @property
    def rotations(self) -> int:
        return self.stats.rotations

    @property
    def lines(self) -> int:
        return self.stats.lines

    def poll(self) -> list[Chunk]:
        """New complete lines since the previous poll, in chunks, after noticing rotations and truncations."""
        self._chunks = []
        for reader in list(self._draining):
            if self._truncated(reader, os.fstat(reader.handle.fileno()).st_size):
                LOG.warning("%s: a rotated file was rewritten in place; no longer reading it", self.path)
                self._abandon(reader)
                self._draining.remove(reader)
                continue
            self._read(reader)
            if time.monotonic() - reader.last_growth >= self.grace:
                self._abandon(reader)
                self._draining.remove(reader)
        if self._current is None:
            self._open_current(at_end=False)
        if self._current is not None:
            self._check_truncation(self._current)  # before reading: regrown bytes must not pass for new lines
            self._read(self._current)
            self._check_replaced(self._current)
        return self._chunks

    def close(self) -> None:
        """Close every open handle (unread data stays unread)."""
        for reader in [*self._draining, *([self._current] if self._current else [])]:
            reader.close()
        self._draining, self._current = [], None

    def __enter__(self) -> Follower:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- files ----------------------------------------------------------------------------------------

    def _open_current(self, at_end: bool) -> None:
        try:
            handle = open(self.path, "rb")  # noqa: SIM115 - kept open across polls
        except (FileNotFoundError, NotADirectoryError):
            return
        except OSError as exc:
            LOG.warning("cannot open %s: %s", self.path, exc)
            return
        st = os.fstat(handle.fileno())
        offset = st.st_size if at_end else 0
        if at_end:
            handle.seek(offset)
        self._current = _Reader(handle, st, offset)
        if at_end and offset:
            self._current.tail = _pread(handle, max(0, offset - FINGERPRINT_BYTES), min(offset, FINGERPRINT_BYTES))

    def _check_replaced(self, reader: _Reader) -> None:
        """After reading: does the path now name another file (rename + create, delete + create)?"""
        try:
            st = os.stat(self.path)
        except (FileNotFoundError, NotADirectoryError):
            return  # deleted or renamed away, not yet recreated: keep reading through the open handle
        deleted = os.fstat(reader.handle.fileno()).st_nlink == 0  # catches a recreated file reusing the inode
        if (st.st_ino, st.st_dev) == (reader.ino, reader.dev) and not deleted:
            return
        self.stats.rotations += 1
        LOG.info("%s rotated (new file at the path): draining the old one, reading the new one from 0", self.path)
        self._read(reader)
        reader.last_growth = time.monotonic()
        self._draining.append(reader)
        self._current = None
        self._open_current(at_end=False)
        if self._current is not None:
            self._read(self._current)

    def _check_truncation(self, reader: _Reader) -> None:
        """Before reading: was the file truncated (copytruncate), possibly regrown since the last poll?

        With nothing read yet (offset 0) neither the size nor the fingerprint can tell: a file that was written
        and copytruncated back to empty since the last poll only shows a new mtime; then a copy written since
        that poll (and not one of the files being drained) is read from its start.
        """
        st = os.fstat(reader.handle.fileno())
        checked_ns, mtime_ns = reader.checked_ns, reader.mtime_ns
        reader.checked_ns, reader.mtime_ns = time.time_ns(), st.st_mtime_ns
        if self._truncated(reader, st.st_size):
            self.stats.truncations += 1
            self.stats.rotations += 1
            LOG.info("%s truncated (copytruncate?): reading it from 0", self.path)
            self._recover_from_copy(reader)
            self._abandon(reader)
            reader.offset, reader.tail = 0, b""
            reader.handle.seek(0)
        elif (
            reader.offset == 0 == st.st_size
            and st.st_mtime_ns != mtime_ns
            and self._recover_from_copy(reader, since_ns=checked_ns)
        ):
            self.stats.truncations += 1
            self.stats.rotations += 1
            self._abandon(reader)
            reader.offset, reader.tail = 0, b""
            reader.handle.seek(0)

    def _truncated(self, reader: _Reader, size: int) -> bool:
        if size < reader.offset:
            return True
        if not reader.tail:
            return False
        start = reader.offset - len(reader.tail)
        return _pread(reader.handle, start, len(reader.tail)) != reader.tail

    def _recover_from_copy(self, reader: _Reader, since_ns: int | None = None) -> bool:
        """Read the lines that reached the rotated copy after our last read (copytruncate's copy step)."""
        draining = {(r.ino, r.dev) for r in self._draining}
        for suffix in self.rotated_suffixes:
            copy = self.path.with_name(self.path.name + suffix)
            try:
                handle = open(copy, "rb")  # noqa: SIM115 - closed below
            except OSError:
                continue
            with handle:
                st = os.fstat(handle.fileno())
                if st.st_size <= reader.offset or st.st_ino == reader.ino or (st.st_ino, st.st_dev) in draining:
                    continue
                if since_ns is not None and st.st_mtime_ns < since_ns - MTIME_SLACK_NS:
                    continue
                identity = (st.st_ino, st.st_dev, st.st_mtime_ns, st.st_size)
                if identity in self._recovered:
                    continue  # never the same copy twice
                start = reader.offset - len(reader.tail)
                if _pread(handle, start, len(reader.tail)) != reader.tail:
                    continue
                before = reader.offset
                handle.seek(reader.offset)
                self._read(reader, handle)
                self.stats.recovered_bytes += reader.offset - before
                self._recovered.append(identity)
                return True
        return False

    def _abandon(self, reader: _Reader) -> None:
        """Deliver a last unterminated line of a file that will not be read further (rejected by the parser)."""
        if reader.pending or reader.skipping is not None:
            self.stats.dropped_partial += 1
            long_lines = {0: reader.skipping} if reader.skipping is not None else {}
            self._emit(bytes(reader.pending) if reader.skipping is None else b"", long_lines, True)
            reader.pending.clear()
            reader.skipping = None
        if reader is not self._current:
            reader.close()

    # --- bytes → lines -------------------------------------------------------------------------------

    def _read(self, reader: _Reader, handle=None) -> None:
        """Read ``reader``'s file (or ``handle`` standing in for it) from its offset up to the end."""
        handle = handle or reader.handle
        budget = self.max_read_bytes
        while budget > 0 and (block := handle.read(min(READ_BYTES, budget))):
            budget -= len(block)
            reader.offset += len(block)
            reader.tail = (reader.tail + block)[-FINGERPRINT_BYTES:]
            reader.last_growth = time.monotonic()
            self.stats.bytes += len(block)
            self._split(reader, block)

    def _split(self, reader: _Reader, block: bytes) -> None:
        long_lines: dict[int, bytes] = {}
        if reader.skipping is not None:
            nl = block.find(b"\n")
            if nl < 0:
                return
            long_lines[reader.pending.count(b"\n")] = reader.skipping
            reader.pending += b"\n"
            reader.skipping = None
            block = block[nl + 1 :]
        reader.pending += block
        last_nl = reader.pending.rfind(b"\n")
        if len(reader.pending) - (last_nl + 1) > self.max_line_bytes:
            reader.skipping = bytes(reader.pending[last_nl + 1 : last_nl + 1 + REJECT_RAW_BYTES])
            del reader.pending[last_nl + 1 :]
        if last_nl >= 0:
            data = bytes(reader.pending[: last_nl + 1])
            del reader.pending[: last_nl + 1]
            self._emit(data, long_lines, False)

    def _emit(self, data: bytes, long_lines: dict[int, bytes], unterminated: bool) -> None:
        count = data.count(b"\n") + (1 if unterminated else 0)
        self._chunks.append(Chunk(data, self._next_line, long_lines, unterminated))
        self._next_line += count
        self.stats.lines += count


def _pread(handle, offset: int, size: int) -> bytes:
    return os.pread(handle.fileno(), size, offset) if size > 0 else b""


# --- parsed and enriched ----------------------------------------------------------------------------------


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


def concat_frames(frames: Sequence[pd.DataFrame]) -> pd.DataFrame:
    """Concatenate enriched frames column by column, keeping categoricals categorical (union of categories)."""
    frames = [f for f in frames if len(f)]
    if not frames:
        return empty_frame()
    if len(frames) == 1:
        return frames[0]
    columns = {}
    for name in frames[0].columns:
        parts = [f[name] for f in frames]
        if all(isinstance(p.dtype, pd.CategoricalDtype) for p in parts):
            columns[name] = pd.Series(union_categoricals([p.array for p in parts]), name=name)
        else:
            columns[name] = pd.concat(parts, ignore_index=True)
    return pd.DataFrame(columns)


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
    ) -> None:
        self.follower = path if isinstance(path, Follower) else Follower(path, from_start=from_start)
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

    @property
    def rotations(self) -> int:
        return self.follower.rotations

    def poll(self) -> PollResult:
        """Read new lines, parse and enrich them, append them, apply retention."""
        began = time.perf_counter()
        chunks = self.follower.poll()
        if self.format is None:
            chunks = self._detect(chunks)
        frames, lines, rejected, reasons = [], 0, 0, Counter()
        for chunk in chunks:
            result = parse_chunk(chunk, self.format, self.name)
            lines += result.lines
            rejected += result.rejected
            reasons.update(result.reasons)
            self.rejects.extend(result.rejects)
            if result.frame.height:
                frames.append(result.frame)
        if frames:
            rows = enrich(to_pandas(frames, self.format), self.geo)
            self._append(rows)
        else:
            rows = empty_frame()  # built only when needed: ~30 ms of pandas construction
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
        return LoadedLog(parse=result, frame=self.frame)

    def close(self) -> None:
        """Close the follower (and the geo database when this object opened it)."""
        self.follower.close()
        if self._own_geo:
            self.geo.close()

    def __enter__(self) -> LiveLog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
