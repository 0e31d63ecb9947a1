"""TCP syslog framing (RFC 6587): octet-counting (``LEN SP MSG``) or newline-terminated, picked by the first byte."""

from __future__ import annotations

from dashboard.errors import DataBloomError

MAX_MESSAGE_BYTES = 64 << 10  # longer messages are cut here (nginx sends at most ~2 KiB; RFC 5424 asks for 2 KiB)
MAX_LEN_DIGITS = 10  # octet-counting header: at most this many digits before the space


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
