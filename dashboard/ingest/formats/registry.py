"""The registry of named formats, ``--format`` resolution and auto-detection from a log's first lines."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import replace

from dashboard.ingest.formats.apache import APACHE_TOKEN, compile_apache
from dashboard.ingest.formats.base import ANY_TIME, DETECT_SAMPLE_LINES, LogFormat, UnknownFormatError
from dashboard.ingest.formats.cloud import (
    CLOUD_FORMATS,
    CLOUDFRONT_FIELDS,
    IIS_FIELDS,
    compile_w3c,
    traefik_clf,
    w3c_header,
)
from dashboard.ingest.formats.jsonlines import JSON_ALIASES, JsonKeysError, resolve_json
from dashboard.ingest.formats.nginx import NGINX_TOKEN, compile_nginx, json_path

COMBINED = '%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-Agent}i"'
VHOST_COMBINED = '%v:%p %h %l %u %t "%r" %>s %O "%{Referer}i" "%{User-Agent}i"'
APACHE_SPECS: tuple[tuple[str, str, str], ...] = (
    # (name, Apache LogFormat, description) in detection order: most specific first.
    ("vhost_combined_time_us", VHOST_COMBINED + " %D", "vhost_combined + response time in microseconds (%D)"),
    ("vhost_combined_time", VHOST_COMBINED + " %T", "vhost_combined + response time in seconds (%T)"),
    ("vhost_combined", VHOST_COMBINED, "Apache vhost_combined: virtual host and port before the combined fields"),
    ("vcommon", '%v:%p %h %l %u %t "%r" %>s %b', "Apache vhost_common: virtual host and port before CLF"),
    ("combined_time_us", COMBINED + " %D", "combined + response time in microseconds (Apache %D)"),
    ("combined_time", COMBINED + " %T", "combined + response time in seconds (Apache %T, nginx $request_time)"),
    ("combined", COMBINED, "Apache/nginx combined (the default of both)"),
    ("common", '%h %l %u %t "%r" %>s %b', "Common Log Format"),
)
JSON_NAMES = {
    "json": "JSON lines, keys read through the alias table",
    "nginx_json": "JSON lines, nginx log_format escape=json style",
    "caddy": "Caddy v2 JSON access log",
    "traefik_json": "Traefik JSON access log",
    "envoy_json": "Envoy JSON access log",
}
W3C_NAMES = ("w3c", "cloudfront")


def _build_registry() -> dict[str, LogFormat]:
    registry: dict[str, LogFormat] = {}
    for name, spec, description in APACHE_SPECS:
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
        if name == "vcommon":
            registry["traefik_clf"] = traefik_clf()  # before combined, which it extends
    for fmt in CLOUD_FORMATS:
        registry[fmt.name] = fmt
    registry["w3c"] = compile_w3c(IIS_FIELDS, "w3c")
    registry["cloudfront"] = compile_w3c(CLOUDFRONT_FIELDS, "cloudfront", tail=True)
    for name, description in JSON_NAMES.items():
        registry[name] = LogFormat(name=name, kind="json", time_format=ANY_TIME, description=description)
    return registry


FORMATS: dict[str, LogFormat] = _build_registry()


def get_format(spec: str) -> LogFormat:
    """A format by registry name, or compiled from an Apache (``%h``) or nginx (``$remote_addr``) string."""
    spec = spec.strip()
    if spec in FORMATS:
        return FORMATS[spec]
    if spec.startswith("#Fields:"):
        return compile_w3c(spec)
    if "$" in spec and NGINX_TOKEN.search(spec) and ("{" in spec or not APACHE_TOKEN.search(spec)):
        return compile_nginx(spec)
    if "%" in spec and APACHE_TOKEN.search(spec):
        return compile_apache(spec)
    names = ", ".join(FORMATS)
    raise UnknownFormatError(
        f"unknown format {spec!r}: use one of {names}, an Apache/nginx format string or a W3C #Fields: line"
    )


def _objects(lines: Sequence[str]) -> list[dict]:
    """The first lines that are JSON objects, decoded."""
    objects = []
    for line in lines[:DETECT_SAMPLE_LINES]:
        if not line.lstrip().startswith("{"):
            continue
        try:
            value = json.loads(line)
        except (ValueError, RecursionError):
            continue
        if isinstance(value, dict):
            objects.append(value)
    return objects


def detect_format(lines: Sequence[str]) -> LogFormat:
    """The registry format that matches most of the first lines (JSON and W3C are recognised by their shape)."""
    sample = [line for line in lines[:DETECT_SAMPLE_LINES] if line.strip()]
    if not sample:
        raise UnknownFormatError("cannot detect the log format: the log has no non-empty line")
    header = w3c_header(sample)
    if header:
        return compile_w3c(header)
    objects = _objects(sample)
    if len(objects) * 2 > len(sample):
        return resolve_json(objects)
    if sample[0].lstrip().startswith("[") and sum(line.lstrip().startswith(("[", "{")) for line in sample) * 2 > len(
        sample
    ):
        raise UnknownFormatError(
            "the log is a JSON array, not JSON lines (one object per line): convert it with jq -c '.[]'"
        )
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
            f"cannot detect the log format: no known format matches most of the first {len(sample)} lines",
            cli="give --format NAME or an Apache/nginx format string",
            web="choose the log format in the sidebar, or custom… with the server's Apache/nginx format string",
        )
    return best


def _unmapped(fmt: LogFormat) -> LogFormat:
    """A JSON format reading only the commonest time and status keys: lines without them are rejected."""
    paths = tuple((name, (json_path((JSON_ALIASES[name][0],)),)) for name in ("time", "status"))
    return replace(fmt, json_paths=paths)


def resolve_format(spec: str | LogFormat | None, first_lines: Sequence[str], strict: bool = True) -> LogFormat:
    """The format named by ``spec``, or detected from ``first_lines`` when spec is None or "auto".

    A named JSON format takes its key paths from the first lines; a named W3C format takes their ``#Fields:``.
    Not ``strict``, JSON keys that give no client, time or status leave every line to be rejected with its
    reason instead of stopping (a chunk parsed on its own, where the source was already judged).
    """
    if spec is None or spec == "auto":
        return detect_format(first_lines)
    fmt = spec if isinstance(spec, LogFormat) else get_format(spec)
    if fmt.kind == "json" and not fmt.json_paths:
        objects = _objects(first_lines)
        if not objects:  # not JSON at all: every line is rejected with its reason, none guessed
            return _unmapped(fmt)
        try:
            return resolve_json(objects, fmt.name, fmt.description)
        except JsonKeysError:
            if strict:
                raise
            return _unmapped(fmt)
    if fmt.name in W3C_NAMES and not isinstance(spec, LogFormat):
        header = w3c_header([line for line in first_lines[:DETECT_SAMPLE_LINES]])
        return compile_w3c(header, tail=fmt.name == "cloudfront") if header else fmt
    return fmt
