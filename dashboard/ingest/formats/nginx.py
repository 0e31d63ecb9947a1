"""The nginx ``log_format`` compilers: a text format → a regex LogFormat; a JSON one → exact JSON paths.

A JSON ``log_format`` says which key holds which ``$variable``: the mapping is taken from it, so a config that
writes the client under ``"host"`` or the agent under ``"ua"`` parses as written, not as guessed.
"""

from __future__ import annotations

import json
import re

from dashboard.ingest.formats.base import (
    ANY_TIME,
    CLF_TIME,
    EPOCH_TIME,
    ISO_TIME,
    LogFormat,
    Piece,
    UnknownFormatError,
    regex_format,
)

NGINX_VARIABLES: dict[str, tuple[str | None, str]] = {
    "remote_addr": ("ip", r"\S+"),
    "realip_remote_addr": ("ip", r"\S+"),
    "binary_remote_addr": (None, r"\S+"),
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
    "http_x_forwarded_for": ("forwarded_for", r"\S+"),
    "request_time": ("response_time_s", r"\d+(?:\.\d+)?|-"),
    "host": ("vhost", r"\S+"),
    "http_host": ("vhost", r"\S+"),
    "server_name": ("vhost", r"\S+"),
    "server_port": ("port", r"\d+|-"),
}
NGINX_TOKEN = re.compile(r"\$(?:\{(\w+)\}|(\w+))")
NGINX_TIME_FORMATS = {"time_local": CLF_TIME, "time_iso8601": ISO_TIME, "msec": EPOCH_TIME}
# The text regex path keeps forwarded-for out of its groups (nothing reads it); JSON maps it so no guess takes it.
TEXT_IGNORED = {"forwarded_for"}
UNQUOTED_VARIABLE = re.compile(r'("[^"]*"\s*:\s*)\$(?:\{(\w+)\}|(\w+))')
PLACEHOLDER = "\x00{}\x00"
PLACEHOLDER_TOKEN = re.compile("\x00(\\w+)\x00")


def is_json_log_format(fmt: str) -> bool:
    """True for an nginx ``log_format`` that writes JSON (``escape=json`` or a ``{...}`` template)."""
    body = fmt.strip()
    return "escape=json" in body or body.lstrip("'").startswith("{") or "'{" in body


def compile_nginx(fmt: str, name: str = "custom") -> LogFormat:
    """Compile an nginx ``log_format`` string (text or JSON) into a LogFormat."""
    if is_json_log_format(fmt):
        return compile_nginx_json(fmt)
    fmt = fmt.strip().strip("'")
    pieces: list[Piece] = []
    pos, time_format = 0, CLF_TIME
    for m in NGINX_TOKEN.finditer(fmt):
        literal = fmt[pos : m.start()]
        pos = m.end()
        var = m.group(1) or m.group(2)
        field_name, regex = NGINX_VARIABLES.get(var, (None, r"\S+"))
        field_name = None if field_name in TEXT_IGNORED else field_name
        pieces.append((literal, field_name, regex, NGINX_TIME_FORMATS.get(var)))
    return regex_format(name, fmt, f"nginx log_format {fmt!r}", pieces, fmt[pos:], time_format)


def _template(fmt: str) -> str:
    """The JSON template of a ``log_format`` line: without ``log_format NAME``, ``escape=``, quotes and ``;``."""
    body = fmt.strip().rstrip(";").strip()
    body = re.sub(r"^log_format\s+\S+\s+", "", body)
    body = re.sub(r"^escape=\w+\s+", "", body)
    pieces = re.findall(r"'([^']*)'", body)
    return "".join(pieces) if pieces else body


def _leaves(value: object, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], str]]:
    """(key path, string) for every string in a decoded template."""
    if isinstance(value, dict):
        return [leaf for key, sub in value.items() for leaf in _leaves(sub, (*path, str(key)))]
    return [(path, value)] if isinstance(value, str) else []


def json_path(keys: tuple[str, ...]) -> str:
    """``('request', 'User-Agent')`` → ``$['request']['User-Agent']`` (bracket steps take any key)."""
    return "$" + "".join(f"['{key}']" for key in keys)


def compile_nginx_json(fmt: str, name: str = "nginx_json") -> LogFormat:
    """Exact JSON paths from an nginx JSON ``log_format``: each key takes the field of its ``$variable``."""
    template = _template(fmt)
    # Variables become JSON strings, so that unquoted ones (``"status":$status``) decode as well.
    quoted_vars = UNQUOTED_VARIABLE.sub(
        lambda m: f'{m.group(1)}"{PLACEHOLDER.format(m.group(2) or m.group(3))}"', template
    )
    marked = NGINX_TOKEN.sub(lambda m: PLACEHOLDER.format(m.group(1) or m.group(2)), quoted_vars)
    try:
        decoded = json.loads(marked.replace("\x00", "\\u0000"))
    except ValueError as exc:
        raise UnknownFormatError(f"nginx JSON log_format {fmt!r} is not a JSON template: {exc}") from None
    paths: dict[str, str] = {}
    for keys, text in _leaves(decoded):
        if any("'" in key for key in keys):
            continue
        variables = PLACEHOLDER_TOKEN.findall(text.replace("\\u0000", "\x00"))
        field_name = NGINX_VARIABLES.get(variables[0], (None, ""))[0] if variables else None
        if field_name and field_name not in paths:
            paths[field_name] = json_path(keys)
    missing = [label for label, key in (("the time", "time"), ("the status", "status")) if key not in paths]
    if missing:
        raise UnknownFormatError(
            f"nginx JSON log_format {fmt!r}: no variable gives {' or '.join(missing)} "
            "($time_iso8601, $time_local or $msec; $status)"
        )
    return LogFormat(
        name=name,
        kind="json",
        json_paths=tuple((field_name, (path,)) for field_name, path in paths.items()),
        time_format=ANY_TIME,
        source=fmt,
        description=f"nginx JSON log_format {fmt!r}",
    )
