"""Syslog messages (RFC 5424, RFC 3164, or priority only) → the access-log payload, written as one line."""

from __future__ import annotations

import re
from dataclasses import dataclass

from dashboard.errors import DataBloomError

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
