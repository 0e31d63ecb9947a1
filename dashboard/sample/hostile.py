"""Hostile inputs for the adversarial suite and bench/adversarial.py: valid lines per format, mutations,
pathological lines, streaming gzip bombs, lazily generated huge lines, payloads, and peak-RSS probes.

A plain module (not a conftest) so that the bench script can import it too.
"""

from __future__ import annotations

import io
import json
import random
import zlib
from collections.abc import Iterator
from pathlib import Path

from dashboard.ingest.formats import FORMATS

UA = "Mozilla/5.0 (X11; Linux x86_64; rv:126.0) Gecko/20100101 Firefox/126.0"
CLF = '8.8.8.8 - alice [01/Jun/2026:10:00:00 +0200] "GET /a?b=c HTTP/1.1" 200 512'
COMBINED = CLF + f' "https://ref.example/" "{UA}"'
NGINX_JSON = {
    "time_iso8601": "2026-06-01T10:00:00+02:00",
    "remote_addr": "203.0.113.9",
    "remote_user": "-",
    "request": "GET /j?x=1 HTTP/2.0",
    "status": "200",
    "body_bytes_sent": "42",
    "http_referer": "",
    "http_user_agent": UA,
    "request_time": "0.010",
    "host": "example.org",
}
CADDY = {
    "level": "info",
    "ts": 1780300800.5,
    "msg": "handled request",
    "request": {
        "remote_ip": "198.51.100.3",
        "proto": "HTTP/3.0",
        "method": "GET",
        "host": "caddy.example",
        "uri": "/c?q=z",
        "headers": {"User-Agent": [UA], "Referer": ["https://r.example/"]},
    },
    "duration": 0.00123,
    "size": 321,
    "status": 404,
}
VALID: dict[str, bytes] = {
    "vhost_combined": ("www.example.org:443 " + CLF + f' "-" "{UA}"').encode(),
    "combined_time_us": (COMBINED + " 1234").encode(),
    "combined_time": (COMBINED + " 0.012").encode(),
    "combined": COMBINED.encode(),
    "common": CLF.encode(),
    "nginx_json": json.dumps(NGINX_JSON).encode(),
    "caddy": json.dumps(CADDY).encode(),
    "json": json.dumps(
        {"ip": "203.0.113.9", "date": "2026-06-01T10:00:00+02:00", "path": "/m", "status": 200}
    ).encode(),
    "traefik_json": json.dumps(
        {"ClientHost": "203.0.113.9", "StartUTC": "2026-06-01T08:00:00Z", "DownstreamStatus": 200, "Duration": 1500}
    ).encode(),
    "envoy_json": json.dumps(
        {"downstream_remote_address": "203.0.113.9:443", "start_time": "2026-06-01T08:00:00.000Z", "response_code": 503}
    ).encode(),
    "vhost_combined_time_us": ("www.example.org:443 " + COMBINED + " 1234").encode(),
    "vhost_combined_time": ("www.example.org:443 " + COMBINED + " 0.012").encode(),
    "vcommon": ("www.example.org:80 " + CLF).encode(),
    "traefik_clf": (COMBINED + ' 42 "web@docker" "http://10.0.0.5:8080" 3ms').encode(),
    "s3": (
        'owner bucket [01/Jun/2026:10:00:00 +0200] 8.8.8.8 arn 3E57 REST.GET.OBJECT key "GET /bucket/key HTTP/1.1" '
        f'200 - 113 113 7 6 "-" "{UA}" - id SigV4 ECDHE AuthHeader bucket.s3.amazonaws.com TLSv1.2 - -'
    ).encode(),
    "alb": (
        "http 2026-06-01T08:00:00.186641Z app/lb/50dc 8.8.8.8:2817 10.0.0.1:80 0.000 0.001 0.000 200 200 34 366 "
        f'"GET http://www.example.com:80/ HTTP/1.1" "{UA}" - - arn "Root=1" "-" "-" 0 2026-06-01T08:00:00Z "forward"'
    ).encode(),
    "elb": (
        "2026-06-01T08:00:00.945958Z lb 8.8.8.8:2817 10.0.0.1:80 0.000073 0.001048 0.000057 200 200 0 29 "
        f'"GET http://www.example.com:80/ HTTP/1.1" "{UA}" - -'
    ).encode(),
    "squid": b"1780300800.123     95 8.8.8.8 TCP_MISS/200 41446 GET http://www.example.com/ - HIER_DIRECT/1.2.3.4 -",
    "cloud_storage": (
        '"1780300800000000","8.8.8.8","1","","GET","/b/o?alt=media","200","0","1024","19000","storage.googleapis.com",'
        f'"","{UA}","AAAA","GET_Object","b","o"'
    ).encode(),
    "w3c": b"2026-06-01 08:00:00 10.0.0.5 GET /index.html q=1 443 - 8.8.8.8 Mozilla/5.0+(X11) https://r.ex/ 200 0 0 15",
    "cloudfront": (
        b"2026-06-01\t08:00:00\tLAX1\t392\t8.8.8.8\tGET\td1.cloudfront.net\t/i.html\t200\t-\tMozilla/5.0%20(X11)\t-\t-"
        b"\tHit\tid==\td1.cloudfront.net\thttps\t23\t0.001"
    ),
}
assert set(VALID) == set(FORMATS), "a format without a valid line to fuzz"

LIMIT = 64 << 10  # sources.MAX_LINE_BYTES
UNDER = LIMIT - 100
OVER = LIMIT + 100
INSERTS = (b'"', b"\\", b"\x00", b"\r", b'\\"', b"[", b"]", b"{", b"}", b" ", b"\xff", b"\xc3", b"\n", b"%", b"-")


def mutate(line: bytes, rng: random.Random) -> bytes:
    """One random mutation (or a few stacked) of a valid line."""
    for _ in range(rng.randint(1, 3)):
        kind = rng.randrange(8)
        pos = rng.randint(0, len(line))
        if kind == 0:  # truncation
            line = line[:pos]
        elif kind == 1:  # insert a special byte
            line = line[:pos] + rng.choice(INSERTS) * rng.randint(1, 5) + line[pos:]
        elif kind == 2:  # delete a span
            line = line[:pos] + line[pos + rng.randint(1, 20) :]
        elif kind == 3:  # overwrite with random bytes
            junk = bytes(rng.getrandbits(8) for _ in range(rng.randint(1, 16)))
            line = line[:pos] + junk + line[pos + len(junk) :]
        elif kind == 4:  # duplicate a span
            line = line[:pos] + line[pos : pos + rng.randint(1, 40)] * rng.randint(2, 4) + line[pos:]
        elif kind == 5:  # swap a digit (timestamps, status, sizes)
            line = line[:pos] + str(rng.randrange(10)).encode() + line[pos + 1 :]
        elif kind == 6:  # a different line entirely
            line = bytes(rng.getrandbits(8) for _ in range(rng.randint(0, 200)))
        else:  # a long run of one special byte
            line = line[:pos] + rng.choice(INSERTS) * rng.randint(100, 5000) + line[pos:]
    return line


def fuzzed_lines(count: int, seed: int) -> Iterator[bytes]:
    """``count`` mutated lines spread over every format's valid line (a quarter left valid)."""
    rng = random.Random(seed)
    valid = list(VALID.values())
    for i in range(count):
        line = valid[i % len(valid)]
        yield line if rng.random() < 0.25 else mutate(line, rng)


def _nested(open_: bytes, close: bytes, size: int) -> bytes:
    half = size // (len(open_) + len(close))
    return open_ * half + close * half


def pathological_lines() -> dict[str, bytes]:
    """Lines built to make a backtracking regex or a recursive parser blow up (name → line)."""
    prefix = COMBINED.encode()[: COMBINED.index("[")]
    ua_prefix = COMBINED.encode()[: COMBINED.rindex('"')]
    json_prefix = b'{"remote_addr": "1.2.3.4", "http_user_agent": "'
    return {
        "100k quotes": b'"' * 100_000,
        "100k spaces": b" " * 100_000,
        '60 KB of \\"': b'\\"' * 30_000,
        "quotes under limit": b'"' * UNDER,
        "spaces under limit": b" " * UNDER,
        "backslashes under limit": b"\\" * UNDER,
        "escaped quotes in UA": ua_prefix + b'\\"' * (UNDER // 2 - len(ua_prefix)) + b'"',
        'unclosed UA of \\"': ua_prefix + b'\\" ' * ((UNDER - len(ua_prefix)) // 3),
        "quote-space runs": prefix + b'" "' * ((UNDER - len(prefix)) // 3),
        "nested brackets": prefix + _nested(b"[", b"]", UNDER - len(prefix)),
        "nested braces": _nested(b"{", b"}", UNDER),
        "nested JSON arrays": _nested(b"[", b"]", UNDER),
        "nested JSON objects": _nested(b'{"a":', b"}", UNDER),
        'JSON with 60 KB UA of \\"': json_prefix + b'\\"' * ((UNDER - len(json_prefix)) // 2) + b'"}',
        "just under 64 KiB": ua_prefix + b"x" * (LIMIT - 2 - len(ua_prefix)) + b'"',
        "just over 64 KiB": ua_prefix + b"x" * (LIMIT + 2 - len(ua_prefix)) + b'"',
        "over 64 KiB of JSON": json_prefix + b"y" * OVER + b'"}',
        "NUL run": b"\x00" * UNDER,
        "CR run": b"\r" * UNDER,
        "invalid UTF-8 run": b"\xff\xc3" * (UNDER // 2),
        "digits and colons": b"1:" * (UNDER // 2),
    }


def expected_lines(data: bytes) -> int:
    """How many lines the sources layer sees in ``data``."""
    return data.count(b"\n") + (1 if data and not data.endswith(b"\n") else 0)


# --- huge inputs, built lazily ------------------------------------------------------------------------


def gzip_bomb(decompressed: int, block: int = 1 << 20) -> bytes:
    """Gzip of ``decompressed`` zero bytes, built block by block (~1 KB of output per MB, little memory)."""
    comp = zlib.compressobj(9, zlib.DEFLATED, 31)
    zeros = bytes(block)
    parts = []
    left = decompressed
    while left > 0:
        parts.append(comp.compress(zeros[: min(block, left)]))
        left -= block
    parts.append(comp.flush())
    return b"".join(parts)


class LazyLine(io.RawIOBase):
    """A stream of ``size`` bytes forming one line (``fill`` repeated, then a newline), never held in memory.

    Seekable because ``sources.open_binary`` calls ``seek(0)`` on any file object with a ``seek`` method (a
    non-seekable stream fails there: see the report).
    """

    def __init__(self, size: int, fill: bytes = b"a", name: str = "huge.log") -> None:
        self.size, self.pos, self.name = size, 0, name
        self.block = (fill * ((1 << 20) // len(fill) + 1))[: 1 << 20]

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self.pos, io.SEEK_END: self.size}[whence]
        self.pos = max(0, min(self.size, base + offset))
        return self.pos

    def tell(self) -> int:
        return self.pos

    def readinto(self, buffer) -> int:
        left = self.size - self.pos
        if left <= 0:
            return 0
        n = min(len(buffer), left, len(self.block))
        buffer[:n] = self.block[:n]
        self.pos += n
        if self.pos == self.size:
            buffer[n - 1 : n] = b"\n"
        return n


def lazy_line(size: int, fill: bytes = b"a") -> io.BufferedReader:
    """A buffered (peekable) reader over ``LazyLine``: what ``parse_source`` gets for a file object."""
    return io.BufferedReader(LazyLine(size, fill))


# --- memory --------------------------------------------------------------------------------------------

STATUS = Path("/proc/self/status")


def reset_peak_rss() -> bool:
    """Reset VmHWM to the current RSS (Linux ≥ 4.0); False where that is not possible."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def rss_kb(field: str = "VmHWM") -> int:
    """Peak (VmHWM) or current (VmRSS) resident memory of this process in KiB, from /proc/self/status."""
    for line in STATUS.read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"{field} not in {STATUS}")


# --- hostile content -----------------------------------------------------------------------------------

PAYLOADS = {
    "script": "<script>alert('xss-script')</script>",
    "img": "<img src=x onerror=alert('xss-img')>",
    "svg": "<svg onload=alert('xss-svg')>",
    "js_url": "javascript:alert('xss-url')",
    "template": "{{7*7}}${7*7}",
    "markdown": "**bold-x** [a](javascript:alert('xss-md'))",
    "latex": "$x^2$ $$\\frac{1}{2}$$",
    "ansi": "\x1b[31mred\x1b[0m",
    "formula": "=cmd|' /C calc'!A0",
    "plus": "+1+1",
    "minus": "-2+3",
    "at": "@SUM(1+1)",
}
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def hostile_log(good_lines: int = 40) -> bytes:
    """A combined log whose paths, referrers, agents and users carry every payload, plus rejected lines.

    Quotes inside payloads are written escaped (``\\"``) the way servers do, so the lines still parse.
    """
    out = []
    payloads = list(PAYLOADS.values())
    for i in range(good_lines):
        p = payloads[i % len(payloads)]
        q = payloads[(i + 3) % len(payloads)].replace(" ", "%20")
        esc = p.replace('"', '\\"')
        user = payloads[(i + 5) % len(payloads)].replace(" ", "_")
        minute = f"{i % 60:02d}"
        out.append(
            f'8.8.{i % 4}.{i % 200 + 1} - {user} [01/Jun/2026:1{i % 10}:{minute}:00 +0000] "GET /{q} HTTP/1.1" '
            f'{(200, 404, 500)[i % 3]} {i} "{esc}" "{esc}"'
        )
    out += [f"{p} not a log line" for p in payloads]
    return ("\n".join(out) + "\n").encode()
