"""What a log format is: a regex with canonical group names and a time format, or JSON paths per field.

The same regex serves the vectorized parser (polars, Rust regex) and the per-line reference parser (Python
``re``), so it uses only syntax both engines share.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from dashboard.errors import DataBloomError

# A quoted field as Apache and nginx write it: any character but a quote, or a backslash escape.
QUOTED = r'(?:[^"\\]|\\.)*'
CLF_TIME = "%d/%b/%Y:%H:%M:%S %z"
ISO_TIME = "iso8601"
EPOCH_TIME = "epoch"
EPOCH_MS_TIME = "epoch_ms"
EPOCH_US_TIME = "epoch_us"
# JSON values: ISO 8601, CLF (bracketed or not) or epoch seconds/milliseconds/microseconds, told apart per value.
ANY_TIME = "any"
DETECT_SAMPLE_LINES = 200

# Canonical field names a format may capture. ``request`` is split into method/path/query/protocol;
# ``target`` (path + query) is split at the first "?"; response times are converted to seconds;
# ``forwarded_for`` is recognised (so that it is never taken for the client) but not kept: the frame has no
# column for it.
RESPONSE_TIME_SCALES = {
    "response_time_s": 1.0,
    "response_time_ms": 1e-3,
    "response_time_us": 1e-6,
    "response_time_ns": 1e-9,
}
FIELD_NAMES = (
    "ip",
    "ident",
    "user",
    "time",
    "request",
    "method",
    "target",
    "path",
    "query",
    "protocol",
    "status",
    "bytes",
    "referrer",
    "user_agent",
    "vhost",
    "port",
    "forwarded_for",
    *RESPONSE_TIME_SCALES,
)


class UnknownFormatError(DataBloomError):
    """The format name or string is not understood, or no format fits the log's first lines."""


@dataclass(frozen=True)
class LogFormat:
    """A named log format: a regex with canonical group names, or JSON paths per field."""

    name: str
    kind: str  # "regex" or "json"
    pattern: str = ""
    time_format: str = CLF_TIME
    json_paths: tuple[tuple[str, tuple[str, ...]], ...] = ()
    source: str = ""
    description: str = ""
    quoted: frozenset[str] = field(default_factory=frozenset)
    # Fields written percent-encoded (CloudFront user agents and referrers: `%20` for a space).
    url_encoded: frozenset[str] = field(default_factory=frozenset)
    plus_spaces: frozenset[str] = field(default_factory=frozenset)  # "+" written for a space (IIS user agents)
    # Lines starting with this are the log's own headers (W3C ``#Fields:``, a CSV header), not requests.
    comment: str = ""

    @property
    def fields(self) -> tuple[str, ...]:
        """Canonical fields this format captures."""
        if self.kind == "json":
            return tuple(name for name, _ in self.json_paths)
        return tuple(re.compile(self.pattern).groupindex)


def strftime_to_regex(fmt: str) -> str:
    """Regex for text written by strftime ``fmt`` (the subset access logs use)."""
    pieces = {
        "d": r"\d{2}",
        "e": r"[ \d]\d",
        "m": r"\d{2}",
        "y": r"\d{2}",
        "Y": r"\d{4}",
        "H": r"\d{2}",
        "M": r"\d{2}",
        "S": r"\d{2}",
        "b": r"[A-Za-z]{3}",
        "h": r"[A-Za-z]{3}",
        "a": r"[A-Za-z]{3}",
        "z": r"[+-]\d{2}:?\d{2}|Z",
        "Z": r"[A-Za-z]+",
        "T": r"\d{2}:\d{2}:\d{2}",
        "F": r"\d{4}-\d{2}-\d{2}",
        "f": r"\d+",
        "j": r"\d{3}",
        "%": "%",
    }
    out, i = [], 0
    while i < len(fmt):
        if fmt[i] == "%" and i + 1 < len(fmt):
            code = fmt[i + 1]
            if code not in pieces:
                raise UnknownFormatError(f"time format {fmt!r}: %{code} is not supported")
            out.append(pieces[code])
            i += 2
        else:
            out.append(re.escape(fmt[i]))
            i += 1
    return "".join(out)


# Fields whose value may legitimately be "-" although their regex is numeric.
DASHABLE = {"port", "bytes", *RESPONSE_TIME_SCALES}
Piece = tuple[str, str | None, str, str | None]  # (literal before, field or None, regex, time format or None)


def regex_format(
    name: str, source: str, description: str, pieces: Sequence[Piece], tail: str, time_format: str
) -> LogFormat:
    """A regex LogFormat from a compiler's pieces."""
    pattern, quoted, time_format = assemble(pieces, tail, time_format)
    return LogFormat(
        name=name,
        kind="regex",
        pattern=pattern,
        time_format=time_format,
        source=source,
        quoted=quoted,
        description=description,
    )


def assemble(pieces: Sequence[Piece], tail: str, time_format: str) -> tuple[str, frozenset[str], str]:
    """Join literals and field regexes; a field between double quotes takes the quoted-string regex."""
    out, used, quoted = ["^"], set(), set()
    literals = [p[0] for p in pieces] + [tail]
    for i, (literal, field_name, regex, tf) in enumerate(pieces):
        out.append(re.escape(literal).replace("\\ ", " "))
        in_quotes = literal.endswith('"') and literals[i + 1].startswith('"')
        if in_quotes:
            regex = QUOTED
        if field_name == "time" and regex.startswith(r"\["):
            out.append(r"\[(?P<time>[^\]]*)\]")
            used.add("time")
            continue
        if field_name in DASHABLE and "-" not in regex and not in_quotes:
            regex = regex + "|-"
        if field_name and field_name not in used:
            used.add(field_name)
            if in_quotes:
                quoted.add(field_name)
            if tf:
                time_format = tf
            out.append(f"(?P<{field_name}>{regex})")
        else:
            out.append(f"(?:{regex})")
    out.append(re.escape(tail).replace("\\ ", " "))
    out.append("$")
    return "".join(out), frozenset(quoted), time_format
