"""Realistic parse cases shared by the parser, scanner and reference tests."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pandas as pd
import pytest

from support.loglines import UA_CHROME, combined

T = "01/Jun/2026:10:00:00 +0000"


def utc(*args: int) -> pd.Timestamp:
    return pd.Timestamp(datetime(*args, tzinfo=UTC))


# (line, expected fields) for lines that must parse, in the combined format.
COMBINED_CASES = [
    pytest.param(
        combined("203.0.113.9", T, "GET /index.html HTTP/1.1", 200, 5123, "https://example.com/", UA_CHROME),
        {
            "ip": "203.0.113.9",
            "method": "GET",
            "path": "/index.html",
            "query": "",
            "protocol": "HTTP/1.1",
            "status": 200,
            "bytes": 5123,
            "referrer": "https://example.com/",
            "user_agent": UA_CHROME,
            "time": utc(2026, 6, 1, 10),
        },
        id="plain",
    ),
    pytest.param(
        combined("198.51.100.4", T, "GET /app.js HTTP/2.0", 304, "-"),
        {"protocol": "HTTP/2.0", "path": "/app.js", "bytes": 0, "status": 304},
        id="http2-and-dash-bytes",
    ),
    pytest.param(
        combined("198.51.100.4", T, "GET /q?x=1&y=2 HTTP/3", 200, 10),
        {"protocol": "HTTP/3", "path": "/q", "query": "x=1&y=2"},
        id="http3-with-query",
    ),
    pytest.param(
        combined("198.51.100.4", T, "GET /a b.html HTTP/1.1", 404, 10),
        {"path": "/a b.html", "protocol": "HTTP/1.1", "status": 404},
        id="space-in-url",
    ),
    pytest.param(
        combined("198.51.100.4", T, "-", 400, 0, "-", "-"),
        {"method": "", "path": "", "protocol": "", "status": 400, "user_agent": "", "referrer": ""},
        id="dash-request",
    ),
    pytest.param(
        combined("198.51.100.4", T, "GET /", 200, 10),
        {"method": "GET", "path": "/", "protocol": ""},
        id="no-protocol",
    ),
    pytest.param(
        combined("198.51.100.4", T, "GET / HTTP/1.1", 200, 10, "-", 'Mozilla/5.0 \\"quoted\\" (X11)'),
        {"user_agent": 'Mozilla/5.0 "quoted" (X11)'},
        id="escaped-quote-in-ua",
    ),
    pytest.param(
        combined("198.51.100.4", T, 'GET /say\\"hi\\" HTTP/1.1', 200, 10),
        {"path": '/say"hi"', "protocol": "HTTP/1.1"},
        id="escaped-quote-in-request",
    ),
    pytest.param(
        combined("2001:db8:85a3::8a2e:370:7334", T, "GET / HTTP/1.1", 200, 1),
        {"ip": "2001:db8:85a3::8a2e:370:7334"},
        id="ipv6",
    ),
    pytest.param(
        combined("192.0.2.1", "01/Jun/2026:10:00:00 +0530", "GET / HTTP/1.1", 200, 1),
        {"time": utc(2026, 6, 1, 4, 30)},
        id="offset-plus-0530",
    ),
    pytest.param(
        combined("192.0.2.1", "31/Dec/2025:23:30:00 -0800", "GET / HTTP/1.1", 200, 1),
        {"time": utc(2026, 1, 1, 7, 30)},
        id="offset-minus-0800-crosses-year",
    ),
    pytest.param(
        combined("192.0.2.1", T, "GET /café/ñ HTTP/1.1", 200, 1, "-", "Agent/1.0 (日本語)"),
        {"path": "/café/ñ", "user_agent": "Agent/1.0 (日本語)"},
        id="raw-utf8",
    ),
    pytest.param(
        combined("192.0.2.1", T, "\\x16\\x03\\x01\\x02\\x00\\x01\\x00\\x01\\xfc\\x03\\x03", 400, 157),
        {"method": "", "path": "\\x16\\x03\\x01\\x02\\x00\\x01\\x00\\x01\\xfc\\x03\\x03", "status": 400},
        id="tls-garbage-request",
    ),
    pytest.param(
        combined("192.0.2.1", T, "GET / HTTP/1.1", 200, 1, user="frank"),
        {"user": "frank", "ident": ""},
        id="authenticated-user",
    ),
    pytest.param(
        combined("192.0.2.1", T, "OPTIONS * HTTP/1.1", 200, 0),
        {"method": "OPTIONS", "path": "*"},
        id="options-star",
    ),
]


REJECT_CASES = [
    pytest.param("", "empty line", id="empty"),
    pytest.param("this is not a log line", "not this format", id="garbage"),
    pytest.param(
        combined("192.0.2.1", "31/Feb/2026:10:00:00 +0000", "GET / HTTP/1.1", 200, 1),
        "bad timestamp",
        id="impossible-date",
    ),
    pytest.param(combined("192.0.2.1", "yesterday", "GET / HTTP/1.1", 200, 1), "bad timestamp", id="words-as-time"),
    pytest.param(
        '192.0.2.1 - - [01/Jun/2026:10:00:00 +0000] "GET / HTTP/1.1 200 5 "-" "-"',
        "unterminated quote",
        id="unterminated-quote",
    ),
    pytest.param(combined("192.0.2.1", T, "GET / HTTP/1.1", 999_9, 1), "not this format", id="bad-status"),
    pytest.param(combined("192.0.2.1", T, "GET / HTTP/1.1", 200, 1).encode() + b"\x00\x00", "binary", id="nul"),
]


VALID = combined(
    "198.51.100.7",
    "01/Jun/2026:10:00:00 +0200",
    "GET /a?b=c HTTP/1.1",
    200,
    512,
    "https://ref.example/",
    'Mozilla/5.0 \\"x\\"',
).encode()


def mutate(line: bytes, rng: random.Random, edits: int) -> bytes:
    data = bytearray(line)
    for _ in range(edits):
        op = rng.randrange(4)
        pos = rng.randrange(len(data) + 1)
        if op == 0 and data:
            del data[min(pos, len(data) - 1)]
        elif op == 1:
            data.insert(pos, rng.choice(b'"\\[] -\x00\xff\xe9\n\r{}%'))
        elif op == 2 and data:
            data[min(pos, len(data) - 1)] = rng.randrange(256)
        else:
            data[pos:pos] = data[: rng.randrange(1, 20)]
    return bytes(data)
