"""A slow, obvious per-line parser: the oracle the vectorized parser is checked against."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from dashboard.ingest.formats import CLF_TIME, LogFormat
from dashboard.ingest.sources import MAX_LINE_BYTES


def server_unescape(value: str) -> str:
    """Apache/nginx escapes decoded one character at a time; ``\\xhh`` runs only when all are printable UTF-8."""
    runs = re.findall(r"(?:\\x[0-9A-Fa-f]{2})+", value)
    try:
        decode_hex = all(bytes.fromhex(r.replace("\\x", "")).decode("utf-8").isprintable() for r in runs)
    except UnicodeDecodeError:
        decode_hex = False
    out, pending, i = [], bytearray(), 0
    while i < len(value):
        if decode_hex and re.fullmatch(r"\\x[0-9A-Fa-f]{2}", value[i : i + 4]):
            pending.append(int(value[i + 2 : i + 4], 16))
            i += 4
            continue
        if pending:
            out.append(pending.decode("utf-8"))
            pending = bytearray()
        if value[i] == "\\" and value[i + 1 : i + 2] in ('"', "\\"):
            out.append(value[i + 1])
            i += 2
        else:
            out.append(value[i])
            i += 1
    if pending:
        out.append(pending.decode("utf-8"))
    return "".join(out)


def parse_line(raw: bytes, fmt: LogFormat) -> dict | str:
    """The fields of one line as the frame should hold them, or the reject reason."""
    if len(raw) > MAX_LINE_BYTES:
        return "line too long"
    text = raw.decode("utf-8", "backslashreplace").rstrip("\r\n")
    if "\x00" in text:
        return "binary"
    m = re.match(fmt.pattern, text)
    if not m:
        return "empty line" if not text.strip() else "no match"
    fields = m.groupdict()
    assert fmt.time_format == CLF_TIME
    try:
        time = datetime.strptime(fields["time"], CLF_TIME).astimezone(UTC)
    except ValueError:
        return "bad timestamp"

    def text_field(name: str) -> str:
        value = fields.get(name) or ""
        if name in fmt.quoted:
            value = server_unescape(value)
        return "" if value == "-" else value

    request = fields["request"]
    tokens = request.split(" ")
    if len(tokens) >= 2 and re.fullmatch(r"[A-Za-z][A-Za-z0-9_-]*", tokens[0]):
        method = tokens[0]
        if len(tokens) >= 3 and re.fullmatch(r"HTTP/\d+(\.\d+)?", tokens[-1]):
            protocol, target = tokens[-1], " ".join(tokens[1:-1])
        else:
            protocol, target = "", " ".join(tokens[1:])
    else:
        method, protocol, target = "", "", "" if request == "-" else request
    path, _, query = (server_unescape(part) for part in target.partition("?"))
    return {
        "time": time,
        "ip": fields["ip"],
        "ident": text_field("ident"),
        "user": text_field("user"),
        "method": method,
        "path": path,
        "query": query,
        "protocol": protocol,
        "status": int(fields["status"]),
        "bytes": 0 if fields["bytes"] == "-" else int(fields["bytes"]),
        "referrer": text_field("referrer"),
        "user_agent": text_field("user_agent"),
    }
