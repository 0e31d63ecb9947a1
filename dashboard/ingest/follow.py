"""Follow a growing log across rotations (``tail -F``): a path becomes chunks of new complete lines."""

from __future__ import annotations

import logging
import os
import time
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from dashboard.ingest.sources import MAX_LINE_BYTES, Chunk, LineSplitter

LOG = logging.getLogger(__name__)

POLL_READ_BYTES = 64 << 20  # at most this much is read per file and poll; the rest waits for the next poll
READ_BYTES = 1 << 20
FINGERPRINT_BYTES = 64  # bytes just before the offset, re-read each poll to notice a truncate-and-regrow
ROTATED_GRACE_S = 5.0  # a rotated-away file is still drained this long after its last growth (late writers)
ROTATED_SUFFIXES = (".1",)  # where copytruncate puts the copy: lines not yet read are recovered from it
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

    def __init__(self, handle, st: os.stat_result, offset: int = 0, max_line_bytes: int = MAX_LINE_BYTES) -> None:
        self.handle = handle
        self.ino, self.dev = st.st_ino, st.st_dev
        self.offset = offset
        self.lines = LineSplitter(max_line_bytes)
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
        offset = reader.offset - reader.lines.unfinished_bytes  # an unfinished last line is read again on restart
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
                reader = _Reader(handle, st, offset, self.max_line_bytes)
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
        self._current = _Reader(handle, st, offset, self.max_line_bytes)
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
        if (rest := reader.lines.finish(self._next_line)) is not None:
            self.stats.dropped_partial += 1
            self._emit(rest)
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
            reader.lines.feed(block)
            if reader.lines.complete:
                self._emit(reader.lines.take(self._next_line))

    def _emit(self, chunk: Chunk) -> None:
        chunk.data = bytes(chunk.data)  # immutable: callers keep lines across polls and hash them
        count = chunk.line_count()
        self._chunks.append(chunk)
        self._next_line += count
        self.stats.lines += count


def _pread(handle, offset: int, size: int) -> bytes:
    return os.pread(handle.fileno(), size, offset) if size > 0 else b""
