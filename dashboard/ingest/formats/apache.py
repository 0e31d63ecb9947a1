"""The Apache ``LogFormat`` compiler: ``%h %l %u %t "%r" %>s %b`` → a regex LogFormat."""

from __future__ import annotations

import re

from dashboard.ingest.formats.base import (
    CLF_TIME,
    EPOCH_MS_TIME,
    EPOCH_TIME,
    LogFormat,
    Piece,
    regex_format,
    strftime_to_regex,
)

# directive → (field name or None for "capture nothing useful", regex when unquoted)
APACHE_DIRECTIVES: dict[str, tuple[str | None, str]] = {
    "h": ("ip", r"\S+"),
    "a": ("ip", r"\S+"),
    "l": ("ident", r"\S+"),
    "u": ("user", r"\S+"),
    "t": ("time", r"\[[^\]]*\]"),
    "r": ("request", r"\S+ \S+ \S+"),
    "m": ("method", r"[A-Za-z]+|-"),
    "U": ("path", r"[^\s?]*"),
    "q": ("query", r"(?:\?\S*)?"),
    "H": ("protocol", r"\S+"),
    "s": ("status", r"\d{3}"),
    ">s": ("status", r"\d{3}"),
    "<s": ("status", r"\d{3}"),
    "b": ("bytes", r"\d+|-"),
    "B": ("bytes", r"\d+"),
    "O": ("bytes", r"\d+|-"),
    "I": (None, r"\d+|-"),
    "S": (None, r"\d+|-"),
    "D": ("response_time_us", r"\d+"),
    "T": ("response_time_s", r"\d+(?:\.\d+)?"),
    "v": ("vhost", r"\S+"),
    "V": ("vhost", r"\S+"),
    "p": ("port", r"\d+|-"),
}
APACHE_HEADERS = {"referer": "referrer", "user-agent": "user_agent", "host": "vhost"}
APACHE_TOKEN = re.compile(r"%([<>]?)(?:\{([^}]*)\})?([a-zA-Z%])")


def _apache_time(arg: str) -> tuple[str, str]:
    """Regex and time_format for ``%{arg}t``."""
    if arg in ("", None):
        return r"\[[^\]]*\]", CLF_TIME
    if arg in ("sec", "begin:sec", "end:sec"):
        return r"\d+", EPOCH_TIME
    if arg in ("msec", "begin:msec", "end:msec"):
        return r"\d+", EPOCH_MS_TIME
    fmt = arg.removeprefix("begin:").removeprefix("end:")
    return strftime_to_regex(fmt), fmt


def compile_apache(fmt: str, name: str = "custom") -> LogFormat:
    """Compile an Apache ``LogFormat`` string into a LogFormat."""
    pieces: list[Piece] = []
    pos, time_format = 0, CLF_TIME
    for m in APACHE_TOKEN.finditer(fmt):
        literal = fmt[pos : m.start()]
        pos = m.end()
        modifier, arg, code = m.group(1), m.group(2), m.group(3)
        if code == "%":
            pieces.append((literal + "%", None, "", None))
            continue
        if code == "t":
            regex, tf = _apache_time(arg or "")
            pieces.append((literal, "time", regex, tf))
            continue
        if code in ("i", "o", "C", "e", "n", "x") and arg is not None:
            field_name = APACHE_HEADERS.get(arg.lower()) if code == "i" else None
            pieces.append((literal, field_name, r"\S+", None))
            continue
        if code == "T" and arg in ("ms", "us", "s"):
            unit = {"ms": "response_time_ms", "us": "response_time_us", "s": "response_time_s"}[arg]
            pieces.append((literal, unit, r"\d+(?:\.\d+)?", None))
            continue
        key = modifier + code
        if key not in APACHE_DIRECTIVES and code not in APACHE_DIRECTIVES:
            # Unknown directive: still consume one token so the line can match.
            pieces.append((literal, None, r"\S+", None))
            continue
        field_name, regex = APACHE_DIRECTIVES.get(key) or APACHE_DIRECTIVES[code]
        pieces.append((literal, field_name, regex, None))
    return regex_format(name, fmt, f"Apache LogFormat {fmt!r}", pieces, fmt[pos:], time_format)
