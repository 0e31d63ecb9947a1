"""The registry of log formats, and compilers for Apache ``LogFormat`` and nginx ``log_format`` strings.

A format is data: a regular expression with named groups (canonical field names, see ``FIELD_NAMES``) and
the way its timestamp is written, or, for JSON lines, a JSON path per field. The same regex serves the
vectorized parser (polars, Rust regex) and the per-line reference parser (Python ``re``), so it uses only
syntax both engines share.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from dashboard.errors import DataBloomError

# A quoted field as Apache and nginx write it: any character but a quote, or a backslash escape.
QUOTED = r'(?:[^"\\]|\\.)*'
CLF_TIME = "%d/%b/%Y:%H:%M:%S %z"
ISO_TIME = "iso8601"
EPOCH_TIME = "epoch"
EPOCH_MS_TIME = "epoch_ms"
DETECT_SAMPLE_LINES = 200

# Canonical field names a format may capture. ``request`` is split into method/path/query/protocol;
# ``target`` (path + query) is split at the first "?"; response times are converted to seconds.
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
    "response_time_s",
    "response_time_ms",
    "response_time_us",
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

    @property
    def fields(self) -> tuple[str, ...]:
        """Canonical fields this format captures."""
        if self.kind == "json":
            return tuple(name for name, _ in self.json_paths)
        return tuple(re.compile(self.pattern).groupindex)


# --- Apache LogFormat -------------------------------------------------------------------------------------

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


def _strftime_to_regex(fmt: str) -> str:
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


def _apache_time(arg: str) -> tuple[str, str]:
    """Regex and time_format for ``%{arg}t``."""
    if arg in ("", None):
        return r"\[[^\]]*\]", CLF_TIME
    if arg in ("sec", "begin:sec", "end:sec"):
        return r"\d+", EPOCH_TIME
    if arg in ("msec", "begin:msec", "end:msec"):
        return r"\d+", EPOCH_MS_TIME
    fmt = arg.removeprefix("begin:").removeprefix("end:")
    return _strftime_to_regex(fmt), fmt


def compile_apache(fmt: str, name: str = "custom") -> LogFormat:
    """Compile an Apache ``LogFormat`` string into a LogFormat."""
    pieces: list[tuple[str, str | None, str, str | None]] = []  # (literal, field, regex, time_fmt)
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
    return _regex_format(name, fmt, f"Apache LogFormat {fmt!r}", pieces, fmt[pos:], time_format)


# --- nginx log_format -----------------------------------------------------------------------------------

NGINX_VARIABLES: dict[str, tuple[str | None, str]] = {
    "remote_addr": ("ip", r"\S+"),
    "realip_remote_addr": ("ip", r"\S+"),
    "remote_user": ("user", r"\S+"),
    "time_local": ("time", r"\d{2}/[A-Za-z]{3}/\d{4}:\d{2}:\d{2}:\d{2} [+-]\d{4}"),
    "time_iso8601": ("time", r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[+-]\d{2}:\d{2}|Z)"),
    "msec": ("time", r"\d+(?:\.\d+)?"),
    "request": ("request", r"\S+ \S+ \S+"),
    "request_method": ("method", r"[A-Za-z]+"),
    "request_uri": ("target", r"\S+"),
    "uri": ("path", r"\S+"),
    "document_uri": ("path", r"\S+"),
    "args": ("query", r"\S*"),
    "query_string": ("query", r"\S*"),
    "server_protocol": ("protocol", r"\S+"),
    "status": ("status", r"\d{3}"),
    "body_bytes_sent": ("bytes", r"\d+|-"),
    "bytes_sent": ("bytes", r"\d+|-"),
    "http_referer": ("referrer", r"\S+"),
    "http_user_agent": ("user_agent", r"\S+"),
    "request_time": ("response_time_s", r"\d+(?:\.\d+)?|-"),
    "host": ("vhost", r"\S+"),
    "http_host": ("vhost", r"\S+"),
    "server_name": ("vhost", r"\S+"),
    "server_port": ("port", r"\d+|-"),
}
NGINX_TOKEN = re.compile(r"\$(?:\{(\w+)\}|(\w+))")
NGINX_TIME_FORMATS = {"time_local": CLF_TIME, "time_iso8601": ISO_TIME, "msec": EPOCH_TIME}
# Fields whose value may legitimately be "-" although their regex is numeric.
DASHABLE = {"port", "bytes", "response_time_s", "response_time_ms", "response_time_us"}


def compile_nginx(fmt: str, name: str = "custom") -> LogFormat:
    """Compile an nginx ``log_format`` string into a LogFormat."""
    if "escape=json" in fmt or fmt.lstrip().startswith("'{") or fmt.lstrip().startswith("{"):
        raise UnknownFormatError("JSON log_format: use the 'nginx_json' format")
    fmt = fmt.strip().strip("'")
    pieces: list[tuple[str, str | None, str, str | None]] = []
    pos, time_format = 0, CLF_TIME
    for m in NGINX_TOKEN.finditer(fmt):
        literal = fmt[pos : m.start()]
        pos = m.end()
        var = m.group(1) or m.group(2)
        field_name, regex = NGINX_VARIABLES.get(var, (None, r"\S+"))
        pieces.append((literal, field_name, regex, NGINX_TIME_FORMATS.get(var)))
    return _regex_format(name, fmt, f"nginx log_format {fmt!r}", pieces, fmt[pos:], time_format)


def _regex_format(
    name: str,
    source: str,
    description: str,
    pieces: Sequence[tuple[str, str | None, str, str | None]],
    tail: str,
    time_format: str,
) -> LogFormat:
    """A regex LogFormat from a compiler's pieces."""
    pattern, quoted, time_format = _assemble(pieces, tail, time_format)
    return LogFormat(
        name=name,
        kind="regex",
        pattern=pattern,
        time_format=time_format,
        source=source,
        quoted=quoted,
        description=description,
    )


def _assemble(
    pieces: Sequence[tuple[str, str | None, str, str | None]], tail: str, time_format: str
) -> tuple[str, frozenset[str], str]:
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


# --- JSON lines -----------------------------------------------------------------------------------------

NGINX_JSON_PATHS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("time", ("$.time_iso8601", "$.time_local", "$['@timestamp']", "$.timestamp", "$.time", "$.msec")),
    ("ip", ("$.remote_addr", "$.client_ip", "$.ip", "$.realip_remote_addr")),
    ("user", ("$.remote_user", "$.user")),
    ("request", ("$.request",)),
    ("method", ("$.request_method", "$.method")),
    ("target", ("$.request_uri", "$.uri")),
    ("query", ("$.args", "$.query_string")),
    ("protocol", ("$.server_protocol", "$.protocol")),
    ("status", ("$.status",)),
    ("bytes", ("$.body_bytes_sent", "$.bytes_sent", "$.bytes")),
    ("referrer", ("$.http_referer", "$.referer", "$.referrer")),
    ("user_agent", ("$.http_user_agent", "$.user_agent")),
    ("vhost", ("$.host", "$.server_name", "$.http_host", "$.vhost")),
    ("port", ("$.server_port",)),
    ("response_time_s", ("$.request_time",)),
)
CADDY_JSON_PATHS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("time", ("$.ts",)),
    ("ip", ("$.request.client_ip", "$.request.remote_ip")),
    ("user", ("$.user_id",)),
    ("method", ("$.request.method",)),
    ("target", ("$.request.uri",)),
    ("protocol", ("$.request.proto",)),
    ("status", ("$.status",)),
    ("bytes", ("$.size",)),
    ("referrer", ("$.request.headers.Referer[0]",)),
    ("user_agent", ("$.request.headers['User-Agent'][0]",)),
    ("vhost", ("$.request.host",)),
    ("response_time_s", ("$.duration",)),
)

# --- the registry ---------------------------------------------------------------------------------------

COMBINED = '%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-Agent}i"'
REGISTRY_SPECS: tuple[tuple[str, str, str], ...] = (
    # (name, Apache LogFormat, description) in detection order: most specific first.
    (
        "vhost_combined",
        '%v:%p %h %l %u %t "%r" %>s %O "%{Referer}i" "%{User-Agent}i"',
        "Apache vhost_combined: virtual host and port before the combined fields",
    ),
    ("combined_time_us", COMBINED + " %D", "combined + response time in microseconds (Apache %D)"),
    (
        "combined_time",
        COMBINED + " %T",
        "combined + response time in seconds (Apache %T, nginx $request_time)",
    ),
    ("combined", COMBINED, "Apache/nginx combined (the default of both)"),
    ("common", '%h %l %u %t "%r" %>s %b', "Common Log Format"),
)


def _build_registry() -> dict[str, LogFormat]:
    registry: dict[str, LogFormat] = {}
    for name, spec, description in REGISTRY_SPECS:
        compiled = compile_apache(spec, name)
        pattern = compiled.pattern
        if name == "combined":
            # Many servers append fields to combined (forwarded-for, upstream times): still combined.
            pattern = pattern.removesuffix("$") + r"(?: .*)?$"
        registry[name] = LogFormat(
            name=name,
            kind="regex",
            pattern=pattern,
            time_format=compiled.time_format,
            source=spec,
            quoted=compiled.quoted,
            description=description,
        )
    registry["nginx_json"] = LogFormat(
        name="nginx_json",
        kind="json",
        json_paths=NGINX_JSON_PATHS,
        time_format=ISO_TIME,
        description="JSON lines, nginx log_format escape=json style",
    )
    registry["caddy"] = LogFormat(
        name="caddy",
        kind="json",
        json_paths=CADDY_JSON_PATHS,
        time_format=EPOCH_TIME,
        description="Caddy v2 JSON access log",
    )
    return registry


FORMATS: dict[str, LogFormat] = _build_registry()


def get_format(spec: str) -> LogFormat:
    """A format by registry name, or compiled from an Apache (``%h``) or nginx (``$remote_addr``) string."""
    spec = spec.strip()
    if spec in FORMATS:
        return FORMATS[spec]
    if "%" in spec and APACHE_TOKEN.search(spec):
        return compile_apache(spec)
    if "$" in spec and NGINX_TOKEN.search(spec):
        return compile_nginx(spec)
    names = ", ".join(FORMATS)
    raise UnknownFormatError(f"unknown format {spec!r}: use one of {names}, or an Apache/nginx format string")


def _json_format_for(sample: dict) -> str:
    """The JSON format whose layout the decoded line has."""
    request = sample.get("request")
    if isinstance(request, dict) and ("remote_ip" in request or "client_ip" in request):
        return "caddy"
    return "nginx_json"


def _resolve_json_paths(fmt: LogFormat, samples: Iterable[dict]) -> LogFormat:
    """Keep, per field, the first candidate JSON path present in the sample lines."""
    from dashboard.ingest.jsonpaths import path_present

    samples = list(samples)
    chosen = []
    for name, candidates in fmt.json_paths:
        present = [p for p in candidates if any(path_present(s, p) for s in samples)]
        if present:
            chosen.append((name, (present[0],)))
    return LogFormat(
        name=fmt.name,
        kind="json",
        json_paths=tuple(chosen),
        time_format=fmt.time_format,
        description=fmt.description,
    )


def detect_format(lines: Sequence[str]) -> LogFormat:
    """The registry format that matches most of the first lines (JSON lines are recognised by their shape)."""
    sample = [line for line in lines[:DETECT_SAMPLE_LINES] if line.strip()]
    if not sample:
        raise UnknownFormatError("cannot detect the log format: the log has no non-empty line")
    objects = []
    for line in sample:
        if line.lstrip().startswith("{"):
            try:
                value = json.loads(line)
            except ValueError:
                continue
            if isinstance(value, dict):
                objects.append(value)
    if len(objects) * 2 > len(sample):
        return _resolve_json_paths(FORMATS[_json_format_for(objects[0])], objects)
    best, best_hits = None, 0
    for fmt in FORMATS.values():
        if fmt.kind != "regex":
            continue
        regex = re.compile(fmt.pattern)
        hits = sum(1 for line in sample if regex.match(line))
        if hits > best_hits:
            best, best_hits = fmt, hits
    if best is None or best_hits * 2 < len(sample):
        if sum("\x00" in line for line in sample) * 2 >= len(sample):
            raise UnknownFormatError("cannot detect the log format: the file looks binary, not a text log")
        raise UnknownFormatError(
            f"cannot detect the log format: no known format matches most of the first {len(sample)} lines "
            "(give --format NAME or an Apache/nginx format string)"
        )
    return best


def resolve_format(spec: str | None, first_lines: Sequence[str]) -> LogFormat:
    """The format named by ``spec``, or detected from ``first_lines`` when spec is None or "auto"."""
    if spec and spec != "auto":
        fmt = get_format(spec)
        if fmt.kind == "json":
            objects = []
            for line in first_lines[:DETECT_SAMPLE_LINES]:
                try:
                    value = json.loads(line)
                except ValueError:
                    continue
                if isinstance(value, dict):
                    objects.append(value)
            return _resolve_json_paths(fmt, objects) if objects else fmt
        return fmt
    return detect_format(first_lines)
