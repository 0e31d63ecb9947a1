"""A syslog receiver that writes the access-log payload of each message to a file the dashboard can follow.

nginx (``access_log syslog:server=HOST:PORT``) sends RFC 3164 messages tagged ``nginx:``; ``logger`` sends
RFC 3164 or RFC 5424. Over TCP a connection uses octet-counting (``LEN SP MSG``) or newline framing (RFC
6587), recognised from its first byte. The header is stripped, the payload appended to the output file as one
line (an embedded newline is written as ``\\x0A``, the way nginx escapes bytes), flushed per batch, and the
file is rotated by rename + create at ``max_bytes``. Nothing a client sends can stop the receiver: malformed
messages are counted and logged, oversized ones are cut and counted.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import re
import signal
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from dashboard.errors import DataBloomError

LOG = logging.getLogger(__name__)

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 5514  # 514 needs root; point the server at this one or pass --udp/--tcp
MAX_MESSAGE_BYTES = 64 << 10  # longer messages are cut here (nginx sends at most ~2 KiB; RFC 5424 asks for 2 KiB)
MAX_LEN_DIGITS = 10  # octet-counting header: at most this many digits before the space
UDP_DATAGRAM_BYTES = 65_535
UDP_RCVBUF_BYTES = 8 << 20  # requested socket buffer; the kernel may cap it (net.core.rmem_max)
FLUSH_INTERVAL_S = 0.05
FLUSH_BYTES = 1 << 20
BACKUPS = 9
DRAIN_IDLE_S = 0.1  # on stop, wait until nothing has arrived for this long…
DRAIN_TIMEOUT_S = 2.0  # …but not longer than this
MALFORMED_LOGGED = 10  # the first malformed messages are logged at warning level, then every MALFORMED_EVERY-th
MALFORMED_EVERY = 1000
MAX_PRI = 191
UTF8_BOM = b"\xef\xbb\xbf"

PRI = re.compile(rb"<(\d{1,3})>")
RFC5424_HEADER = re.compile(rb"1 (\S+) (\S+) (\S+) (\S+) (\S+) ")
RFC3164_TIME = re.compile(rb"(?:[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d|\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\S*) ")
TAG = re.compile(rb"[\w./-]{1,64}(?:\[[^\]\s]*\])?:")


class MalformedMessage(DataBloomError):
    """A message that is not syslog: no priority, a broken RFC 5424 header, or nothing to write."""


@dataclass(frozen=True)
class SyslogMessage:
    """The parts of a syslog message the receiver uses; ``rfc`` is 5424, 3164, or 0 (priority only)."""

    facility: int
    severity: int
    rfc: int
    hostname: str
    app: str
    payload: bytes


def _text(value: bytes) -> str:
    return "" if value == b"-" else value.decode("utf-8", "backslashreplace")


def _skip_structured_data(data: bytes) -> int:
    """Index just past RFC 5424 STRUCTURED-DATA at the start of ``data`` (``-`` or ``[id k="v"]...``)."""
    if data.startswith(b"-"):
        return 1
    i, n = 0, len(data)
    if not data.startswith(b"["):
        raise MalformedMessage("RFC 5424: structured data must be '-' or start with '['")
    while i < n and data[i : i + 1] == b"[":
        i += 1
        quoted = False
        while True:
            if i >= n:
                raise MalformedMessage("RFC 5424: unterminated structured data")
            c = data[i : i + 1]
            if quoted and c == b"\\":
                i += 2
                continue
            if c == b'"':
                quoted = not quoted
            elif c == b"]" and not quoted:
                i += 1
                break
            i += 1
    return i


def parse_message(data: bytes) -> SyslogMessage:
    """Split a syslog message into header fields and the payload (RFC 5424, RFC 3164, or priority only).

    A message with a priority but neither header layout is kept whole as the payload, as RFC 3164 §4.3.3 tells
    relays to do.
    """
    data = data.rstrip(b"\r\n\x00")
    m = PRI.match(data)
    if not m or int(m.group(1)) > MAX_PRI:
        raise MalformedMessage("no <PRI> priority at the start")
    pri = int(m.group(1))
    rest = data[m.end() :]
    hostname = app = ""
    if rest.startswith(b"1 "):
        h = RFC5424_HEADER.match(rest)
        if not h:
            raise MalformedMessage("RFC 5424: incomplete header")
        body = rest[h.end() :]
        end = _skip_structured_data(body)
        if end < len(body) and body[end : end + 1] != b" ":
            raise MalformedMessage("RFC 5424: no space after structured data")
        payload = body[end + 1 :]
        payload = payload.removeprefix(UTF8_BOM)
        rfc, hostname, app = 5424, _text(h.group(2)), _text(h.group(3))
    elif t := RFC3164_TIME.match(rest):
        rfc, rest = 3164, rest[t.end() :]
        first, _, after = rest.partition(b" ")
        if TAG.fullmatch(first):  # no hostname (local senders, nginx ``nohostname``)
            app, payload = _text(first.rstrip(b":")), after
        else:
            hostname = _text(first)
            second, _, after2 = after.partition(b" ")
            if TAG.fullmatch(second):
                app, payload = _text(second.rstrip(b":")), after2
            else:
                payload = after
    else:
        rfc, payload = 0, rest
    if not payload.strip():
        raise MalformedMessage("empty message")
    return SyslogMessage(pri >> 3, pri & 7, rfc, hostname, app.split("[", 1)[0], payload)


def as_line(payload: bytes) -> bytes:
    """The payload as one log line: CR and LF inside it are written as ``\\x0D`` / ``\\x0A``."""
    if b"\n" in payload or b"\r" in payload:
        payload = payload.replace(b"\r", b"\\x0D").replace(b"\n", b"\\x0A")
    return payload + b"\n"


class FramingError(DataBloomError):
    """An octet-counting stream whose length header is not digits and a space: the stream cannot resync."""


class TcpFramer:
    """Splits one TCP stream into messages; the first byte picks the framing (digit: octet-counting, else LF).

    ``feed`` returns ``(message, oversized)`` pairs; a message longer than ``max_bytes`` is cut and the rest of
    it skipped without being held in memory.
    """

    def __init__(self, max_bytes: int = MAX_MESSAGE_BYTES) -> None:
        self.max_bytes = max_bytes
        self.octet: bool | None = None
        self.buf = bytearray()
        self.remaining = 0  # octet-counting: bytes of the current message still to come
        self.cut = False  # the current message has been cut at max_bytes
        self.current = bytearray()  # octet-counting: kept bytes of the current message

    def feed(self, data: bytes) -> list[tuple[bytes, bool]]:
        if self.octet is None:
            stripped = data.lstrip(b"\r\n")
            if not stripped and not self.buf:
                return []
            self.octet = (stripped or self.buf)[:1].isdigit()
        return self._octets(data) if self.octet else self._lines(data)

    def finish(self) -> tuple[list[tuple[bytes, bool]], int]:
        """Messages left at the end of the stream, and how many incomplete ones were dropped."""
        if self.octet:
            incomplete = int(bool(self.remaining or self.current or self.buf.strip()))
            self.buf.clear()
            self.current.clear()
            self.remaining = 0
            return [], incomplete
        out = []
        if self.buf.strip() or self.cut:
            out.append((bytes(self.buf), self.cut))
        self.buf.clear()
        self.cut = False
        return out, 0

    def _lines(self, data: bytes) -> list[tuple[bytes, bool]]:
        out: list[tuple[bytes, bool]] = []
        start = 0
        while True:
            nl = data.find(b"\n", start)
            if nl < 0:
                break
            piece = data[start:nl]
            start = nl + 1
            if self.cut:
                out.append((bytes(self.buf), True))
                self.buf.clear()
                self.cut = False
                continue
            if self.buf:
                self.buf += piece
                piece = bytes(self.buf)
                self.buf.clear()
            if len(piece) > self.max_bytes:
                out.append((piece[: self.max_bytes], True))
            elif piece.strip(b"\r"):
                out.append((piece, False))
        if not self.cut:
            self.buf += data[start:]
            if len(self.buf) > self.max_bytes:
                del self.buf[self.max_bytes :]
                self.cut = True
        return out

    def _octets(self, data: bytes) -> list[tuple[bytes, bool]]:
        out: list[tuple[bytes, bool]] = []
        if self.buf:  # a length header split across reads
            data = bytes(self.buf) + data
            self.buf.clear()
        i, n = 0, len(data)
        while i < n:
            if self.remaining == 0:
                while i < n and data[i] in b"\r\n":
                    i += 1
                if i >= n:
                    break
                space = data.find(b" ", i, i + MAX_LEN_DIGITS + 1)
                if space < 0:
                    tail = data[i:]
                    if len(tail) > MAX_LEN_DIGITS or not tail.isdigit():
                        raise FramingError(f"bad octet-counting header {tail[:20]!r}")
                    self.buf += tail
                    break
                header = data[i:space]
                if not header.isdigit() or int(header) == 0:
                    raise FramingError(f"bad octet-counting header {header[:20]!r}")
                self.remaining, self.cut, i = int(header), False, space + 1
                continue
            end = min(n, i + self.remaining)
            if not self.current and end - i == self.remaining <= self.max_bytes:
                out.append((data[i:end], False))  # the common case: a whole message in this read
                self.remaining, i = 0, end
                continue
            keep = min(end, i + max(self.max_bytes - len(self.current), 0))
            self.current += data[i:keep]
            self.cut = self.cut or keep < end
            self.remaining -= end - i
            i = end
            if self.remaining == 0:
                out.append((bytes(self.current), self.cut))
                self.current.clear()
                self.cut = False
        return out


class RotatingFile:
    """An append-only file rotated by rename + create at ``max_bytes`` (FILE → FILE.1 → FILE.2 …)."""

    def __init__(self, path: str | os.PathLike, max_bytes: int | None = None, backups: int = BACKUPS) -> None:
        self.path = Path(path)
        self.max_bytes = max_bytes
        self.backups = backups
        self.rotations = 0
        self.handle = open(self.path, "ab")  # noqa: SIM115 - owned by this object
        self.size = self.handle.tell()

    def write_lines(self, lines: list[bytes]) -> int:
        """Append whole lines (rotating between lines when the limit is reached) and flush; returns bytes."""
        written = 0
        batch: list[bytes] = []
        batch_bytes = 0
        for line in lines:
            if self.max_bytes and self.size + batch_bytes + len(line) > self.max_bytes and self.size + batch_bytes:
                self.handle.write(b"".join(batch))
                self.size += batch_bytes
                written += batch_bytes
                batch, batch_bytes = [], 0
                self.rotate()
            batch.append(line)
            batch_bytes += len(line)
        if batch:
            self.handle.write(b"".join(batch))
            self.size += batch_bytes
            written += batch_bytes
        self.handle.flush()
        return written

    def rotate(self) -> None:
        """FILE.(n-1) → FILE.n …, FILE → FILE.1, then a new empty FILE (the oldest beyond ``backups`` goes)."""
        self.handle.flush()
        self.handle.close()
        name = self.path.name
        for k in range(self.backups - 1, 0, -1):
            older = self.path.with_name(f"{name}.{k}")
            if older.exists():
                os.replace(older, self.path.with_name(f"{name}.{k + 1}"))
        if self.backups > 0:
            os.replace(self.path, self.path.with_name(f"{name}.1"))
        else:
            self.path.unlink()
        self.handle = open(self.path, "ab")  # noqa: SIM115 - owned by this object
        self.size = 0
        self.rotations += 1

    def close(self) -> None:
        self.handle.flush()
        self.handle.close()


@dataclass
class ReceiverStats:
    """Counters of a receiver: messages received, lines written, malformed and oversized messages."""

    received: int = 0
    written: int = 0
    malformed: int = 0
    oversized: int = 0
    connections: int = 0
    bytes_written: int = 0
    rotations: int = 0
    dropped: int = 0  # lines that could not be written (disk full, file gone): counted, never silently lost


def parse_address(text: str, default_host: str = DEFAULT_HOST) -> tuple[str, int]:
    """``HOST:PORT``, ``[V6]:PORT`` or ``PORT`` → (host, port)."""
    text = text.strip()
    if text.isdigit():
        return default_host, int(text)
    host, sep, port = text.rpartition(":")
    if not sep or not port.isdigit() or not host:
        raise ValueError(f"expected HOST:PORT, got {text!r}")
    return host.strip("[]"), int(port)


class _Udp(asyncio.DatagramProtocol):
    def __init__(self, receiver: SyslogReceiver) -> None:
        self.receiver = receiver

    def datagram_received(self, data: bytes, addr: tuple) -> None:
        cut = len(data) > self.receiver.max_message
        self.receiver.handle(data[: self.receiver.max_message] if cut else data, cut)

    def error_received(self, exc: Exception) -> None:
        LOG.warning("syslog UDP error: %s", exc)


class _Tcp(asyncio.Protocol):
    def __init__(self, receiver: SyslogReceiver) -> None:
        self.receiver = receiver
        self.framer = TcpFramer(receiver.max_message)
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        self.receiver._last_data = time.monotonic()
        self.receiver.stats.connections += 1
        self.receiver.connections.add(self)

    def data_received(self, data: bytes) -> None:
        try:
            messages = self.framer.feed(data)
        except FramingError as exc:
            self.receiver.malformed(f"TCP framing: {exc}; closing the connection")
            self.framer = TcpFramer(self.receiver.max_message)
            self.framer.octet = True
            if self.transport:
                self.transport.close()
            return
        for message, cut in messages:
            self.receiver.handle(message, cut)

    def connection_lost(self, exc: Exception | None) -> None:
        self.finish()
        self.receiver.connections.discard(self)

    def finish(self) -> None:
        """Hand over what the stream left (a last unterminated message) and count an incomplete one."""
        messages, incomplete = self.framer.finish()
        for message, cut in messages:
            self.receiver.handle(message, cut)
        for _ in range(incomplete):
            self.receiver.malformed("TCP: connection closed in the middle of an octet-counted message")


class SyslogReceiver:
    """UDP and/or TCP syslog servers appending payload lines to ``out``.

    Use ``start()``/``stop()`` (a background thread with its own event loop) or ``run()`` in the main thread
    (stops on SIGTERM/SIGINT or after ``seconds``). Stopping closes the listening sockets, keeps reading until
    the clients have been quiet for DRAIN_IDLE_S (at most DRAIN_TIMEOUT_S), writes what the connections left
    and closes the file: nothing already received is lost.
    """

    def __init__(
        self,
        out: str | os.PathLike,
        *,
        udp: tuple[str, int] | None = None,
        tcp: tuple[str, int] | None = None,
        max_bytes: int | None = None,
        backups: int = BACKUPS,
        max_message: int = MAX_MESSAGE_BYTES,
    ) -> None:
        if udp is None and tcp is None:
            raise ValueError("give a UDP and/or a TCP address to listen on")
        self.out, self.udp, self.tcp = Path(out), udp, tcp
        self.max_bytes, self.backups, self.max_message = max_bytes, backups, max_message
        self.stats = ReceiverStats()
        self.error: OSError | None = None  # the last write error, reported when the receiver stops
        self.connections: set[_Tcp] = set()
        self.udp_address: tuple[str, int] | None = None
        self.tcp_address: tuple[str, int] | None = None
        self._pending: list[bytes] = []
        self._pending_bytes = 0
        self._flush_handle: asyncio.TimerHandle | None = None
        self._file: RotatingFile | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._udp_transport: asyncio.DatagramTransport | None = None
        self._tcp_server: asyncio.Server | None = None
        self._thread: threading.Thread | None = None
        self._last_data = 0.0
        self._stopping: asyncio.Event | None = None

    # --- messages ----------------------------------------------------------------------------------------

    def handle(self, data: bytes, oversized: bool = False) -> None:
        """One framed message: count it, strip its header, queue its payload for the next flush."""
        self._last_data = time.monotonic()
        self.stats.received += 1
        if oversized:
            self.stats.oversized += 1
        try:
            payload = parse_message(data).payload
        except MalformedMessage as exc:
            self.malformed(f"{exc}: {data[:80]!r}")
            return
        line = as_line(payload)
        self._pending.append(line)
        self._pending_bytes += len(line)
        if self._pending_bytes >= FLUSH_BYTES:
            self.flush()
        elif self._flush_handle is None and self._loop is not None:
            self._flush_handle = self._loop.call_later(FLUSH_INTERVAL_S, self.flush)

    def malformed(self, why: str) -> None:
        """Count (and log, rate-limited) a message that cannot be written."""
        self.stats.malformed += 1
        n = self.stats.malformed
        if n <= MALFORMED_LOGGED or n % MALFORMED_EVERY == 0:
            LOG.warning("malformed syslog message #%d: %s", n, why)

    def flush(self) -> None:
        """Write the queued lines to the file and flush it (one batch)."""
        if self._flush_handle is not None:
            self._flush_handle.cancel()
            self._flush_handle = None
        if not self._pending or self._file is None:
            return
        lines, self._pending, self._pending_bytes = self._pending, [], 0
        try:
            self.stats.bytes_written += self._file.write_lines(lines)
        except OSError as exc:
            self.stats.dropped += len(lines)
            if self.error is None:
                LOG.error("cannot write %s: %s (lines are counted as dropped)", self.out, exc)
            self.error = exc
            return
        self.stats.written += len(lines)
        self.stats.rotations = self._file.rotations

    # --- lifecycle -----------------------------------------------------------------------------------------

    async def open(self) -> None:
        """Bind the sockets and open the output file (in the running loop)."""
        self._loop = asyncio.get_running_loop()
        self._stopping = asyncio.Event()
        self._file = RotatingFile(self.out, self.max_bytes, self.backups)
        try:
            if self.udp is not None:
                sock = socket.socket(socket.AF_INET6 if ":" in self.udp[0] else socket.AF_INET, socket.SOCK_DGRAM)
                with contextlib.suppress(OSError):
                    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, UDP_RCVBUF_BYTES)
                sock.bind(self.udp)
                transport, _ = await self._loop.create_datagram_endpoint(lambda: _Udp(self), sock=sock)
                self._udp_transport = transport
                self.udp_address = sock.getsockname()[:2]
            if self.tcp is not None:
                self._tcp_server = await self._loop.create_server(
                    lambda: _Tcp(self), self.tcp[0], self.tcp[1], reuse_address=True
                )
                self.tcp_address = self._tcp_server.sockets[0].getsockname()[:2]
        except OSError:
            await self.close()
            raise

    async def close(self) -> None:
        """Drain what clients are still sending (accepting queued connections), write everything, close."""
        began = time.monotonic()
        while (
            time.monotonic() - began < DRAIN_TIMEOUT_S and time.monotonic() - max(began, self._last_data) < DRAIN_IDLE_S
        ):
            await asyncio.sleep(DRAIN_IDLE_S / 4)
        if self._tcp_server is not None:
            self._tcp_server.close()
        if self._udp_transport is not None:
            self._udp_transport.close()
        await asyncio.sleep(0)  # let the transports deliver what they have already read
        for conn in list(self.connections):
            if conn.transport is not None:
                conn.transport.close()
            conn.finish()
        self.connections.clear()
        if self._tcp_server is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._tcp_server.wait_closed(), DRAIN_TIMEOUT_S)
        self.flush()
        if self._file is not None:
            self._file.close()
            self._file = None

    async def serve(self, seconds: float | None = None) -> None:
        """Open, serve until ``request_stop()`` (or ``seconds``), then close cleanly."""
        await self.open()
        try:
            assert self._stopping is not None
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), seconds)
        finally:
            await self.close()

    def request_stop(self) -> None:
        """Ask a serving receiver to stop (thread-safe, signal-safe)."""
        if self._loop is not None and self._stopping is not None:
            self._loop.call_soon_threadsafe(self._stopping.set)

    def run(self, seconds: float | None = None, on_ready: Callable[[SyslogReceiver], None] | None = None) -> None:
        """Serve in the calling (main) thread; SIGTERM and SIGINT stop it cleanly."""

        async def main() -> None:
            loop = asyncio.get_running_loop()
            await self.open()
            for sig in (signal.SIGTERM, signal.SIGINT):
                with contextlib.suppress(NotImplementedError, RuntimeError):
                    loop.add_signal_handler(sig, self.request_stop)
            if on_ready:
                on_ready(self)
            try:
                assert self._stopping is not None
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stopping.wait(), seconds)
            finally:
                await self.close()

        asyncio.run(main())

    def start(self) -> SyslogReceiver:
        """Serve on a background thread; returns once the sockets are bound (raises if binding failed)."""
        ready = threading.Event()
        failure: list[BaseException] = []

        def target() -> None:
            async def main() -> None:
                try:
                    await self.open()
                except BaseException as exc:
                    failure.append(exc)
                    ready.set()
                    return
                ready.set()
                assert self._stopping is not None
                await self._stopping.wait()
                await self.close()

            asyncio.run(main())

        self._thread = threading.Thread(target=target, name="syslog-receiver", daemon=True)
        self._thread.start()
        ready.wait()
        if failure:
            self._thread.join()
            raise failure[0]
        return self

    def stop(self, timeout: float = DRAIN_TIMEOUT_S * 3) -> ReceiverStats:
        """Stop a receiver started with ``start()``, draining and writing everything received."""
        self.request_stop()
        if self._thread is not None:
            self._thread.join(timeout)
        return self.stats

    def snapshot(self) -> dict:
        """The counters as a plain dict."""
        return asdict(self.stats)

    def __enter__(self) -> SyslogReceiver:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
