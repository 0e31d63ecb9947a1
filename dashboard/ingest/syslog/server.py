"""The asyncio UDP/TCP syslog server: framed messages → payload lines, batched into the rotating file.

Nothing a client sends can stop the receiver: malformed messages are counted and logged, oversized ones are cut
and counted. Stopping drains what clients are still sending, so nothing already received is lost.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from dashboard.ingest.syslog.framing import MAX_MESSAGE_BYTES, FramingError, TcpFramer
from dashboard.ingest.syslog.message import MalformedMessage, as_line, parse_message
from dashboard.ingest.syslog.writer import BACKUPS, RotatingFile

LOG = logging.getLogger(__name__)

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 5514  # 514 needs root; point the server at this one or pass --udp/--tcp
UDP_RCVBUF_BYTES = 8 << 20  # requested socket buffer; the kernel may cap it (net.core.rmem_max)
FLUSH_INTERVAL_S = 0.05
FLUSH_BYTES = 1 << 20
DRAIN_IDLE_S = 0.1  # on stop, wait until nothing has arrived for this long…
DRAIN_TIMEOUT_S = 2.0  # …but not longer than this
MALFORMED_LOGGED = 10  # the first malformed messages are logged at warning level, then every MALFORMED_EVERY-th
MALFORMED_EVERY = 1000


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
