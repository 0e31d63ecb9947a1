"""JSON lines: which key holds which field, from a documented alias table matched case-insensitively.

Each field lists the key names real configurations write, most specific first: nginx variable names and the
community ``log_format`` configs, Matomo's importer, Elastic's nginx sample, Caddy v2, Traefik, Envoy. The
paths are resolved once per log from its first lines (the keys as they are spelled there), then handed to
polars ``json_path_match``. A log where no key gives the client, the time or the status stops with one error
naming the keys seen, instead of parsing every line into empty fields.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from dashboard.ingest.formats.base import ANY_TIME, LogFormat, UnknownFormatError
from dashboard.ingest.formats.nginx import json_path

# field → key paths (lower case, "." between nested keys), first found wins. README "Log formats" shows it.
JSON_ALIASES: dict[str, tuple[str, ...]] = {
    "ip": (
        "remote_addr",
        "realip_remote_addr",
        "client_ip",
        "clientip",
        "request.client_ip",
        "request.remote_ip",
        "remote_ip",
        "remoteip",
        "clienthost",
        "clientaddr",
        "downstream_remote_address",
        "client",
        "ip",
        "c-ip",
        "client.ip",
        "source.ip",
        "remote",
        "remote_host",
        "remotehost",
        "addr",
    ),
    "user": ("remote_user", "user", "username", "clientusername", "user_id", "cs-username", "auth_user"),
    "time": (
        "time_iso8601",
        "time_local",
        "@timestamp",
        "timestamp",
        "time",
        "ts",
        "date",
        "datetime",
        "starttime",
        "start_time",
        "startutc",
        "startlocal",
        "msec",
    ),
    "request": ("request", "request_line", "requestline", "http_request", "req"),
    "method": (
        "request_method",
        "method",
        "requestmethod",
        "request.method",
        "http_method",
        "verb",
        "cs-method",
        "http.request.method",
    ),
    "target": (
        "request_uri",
        "uri",
        "requesturi",
        "request.uri",
        "path",
        "requestpath",
        "url",
        "url.original",
        "cs-uri",
        "document_uri",
    ),
    "query": ("args", "query_string", "querystring", "query", "cs-uri-query"),
    "protocol": (
        "server_protocol",
        "protocol",
        "requestprotocol",
        "request.proto",
        "proto",
        "http_version",
        "httpversion",
        "cs-version",
    ),
    "status": (
        "status",
        "status_code",
        "statuscode",
        "response",
        "response_code",
        "responsecode",
        "downstreamstatus",
        "originstatus",
        "sc-status",
        "http_status",
        "http.response.status_code",
    ),
    "bytes": (
        "body_bytes_sent",
        "bytes_sent",
        "bytes",
        "size",
        "length",
        "body_bytes",
        "response_size",
        "resp_size",
        "downstreamcontentsize",
        "sc-bytes",
        "http.response.body.bytes",
    ),
    "referrer": (
        "http_referer",
        "http_referrer",
        "referer",
        "referrer",
        "request.headers.referer",
        "request_referer",
        "cs(referer)",
        "http.request.referrer",
    ),
    "user_agent": (
        "http_user_agent",
        "user_agent",
        "useragent",
        "agent",
        "ua",
        "request.headers.user-agent",
        "request_user-agent",
        "cs(user-agent)",
        "user_agent.original",
    ),
    "vhost": (
        "vhost",
        "server_name",
        "http_host",
        "host",
        "hostname",
        "request.host",
        "requesthost",
        "authority",
        "virtual_host",
        "cs-host",
        "cs(host)",
    ),
    "forwarded_for": (
        "http_x_forwarded_for",
        "x_forwarded_for",
        "x-forwarded-for",
        "request.headers.x-forwarded-for",
        "request_x-forwarded-for",
        "forwarded_for",
        "xff",
    ),
    "response_time_s": ("request_time", "request_time_s"),
    "response_time_ms": ("generation_time_milli", "request_time_ms", "time_taken", "time-taken", "duration_ms"),
    "response_time_us": ("request_time_us", "duration_us"),
}
# ``duration`` is written in seconds by Caddy, nanoseconds by Traefik, milliseconds by Envoy.
DURATION_UNITS = {"caddy": "response_time_s", "traefik_json": "response_time_ns", "envoy_json": "response_time_ms"}
FAMILY_KEYS = {
    "traefik_json": {"clienthost", "startutc", "downstreamstatus", "routername"},
    "envoy_json": {"downstream_remote_address", "upstream_host", "response_flags", "upstream_cluster"},
    "nginx_json": {"remote_addr", "time_local", "time_iso8601", "body_bytes_sent", "http_user_agent", "request_time"},
}
REQUIRED = (("ip", "the client"), ("time", "the time"), ("status", "the status"))
EXAMPLE = '--format \'{"client":"$remote_addr","time":"$time_iso8601","request":"$request","status":"$status"}\''
MAX_DEPTH = 4


class JsonKeysError(UnknownFormatError):
    """A JSON log whose keys give no client, time or status."""


def _flatten(obj: dict, seen: dict[str, tuple[tuple[str, ...], list]], prefix: tuple[str, ...] = ()) -> None:
    """Every key path of ``obj`` (lower-cased, dotted) → its keys as spelled and the values seen there."""
    for key, value in obj.items():
        keys = (*prefix, str(key))
        if isinstance(value, dict):
            if len(keys) < MAX_DEPTH:
                _flatten(value, seen, keys)
            continue
        lower = ".".join(k.lower() for k in keys)
        seen.setdefault(lower, (keys, []))[1].append(value)


def _is_address(value: object) -> bool:
    """True for an IPv4/IPv6 address, with or without a port."""
    text = str(value).strip()
    for candidate in (text, text.rsplit(":", 1)[0], text.strip("[]"), text.rsplit(":", 1)[0].strip("[]")):
        try:
            ipaddress.ip_address(candidate)
            return True
        except ValueError:
            continue
    return False


def family(objects: list[dict]) -> str:
    """The name of the JSON layout: ``caddy``, ``traefik_json``, ``envoy_json``, ``nginx_json`` or ``json``."""
    first = objects[0]
    request = first.get("request")
    if isinstance(request, dict) and ("remote_ip" in request or "client_ip" in request):
        return "caddy"
    keys = {str(k).lower() for obj in objects for k in obj}
    for name, marks in FAMILY_KEYS.items():
        if keys & marks:
            return name
    return "json"


def resolve_json(objects: Iterable[dict], name: str | None = None, description: str = "") -> LogFormat:
    """A JSON LogFormat with one path per field, found in the sample objects through ``JSON_ALIASES``."""
    objects = list(objects)
    if not objects:
        raise JsonKeysError("JSON lines: no line of the sample is a JSON object")
    seen: dict[str, tuple[tuple[str, ...], list]] = {}
    for obj in objects:
        _flatten(obj, seen)
    kind = family(objects)
    aliases = dict(JSON_ALIASES)
    duration = DURATION_UNITS.get(kind, "response_time_s")
    aliases[duration] = (*aliases.get(duration, ()), "duration")
    chosen: dict[str, str] = {}
    taken: set[str] = set()
    for field_name, names in aliases.items():
        for alias in names:
            if alias in seen and alias not in taken:
                keys, values = seen[alias]
                if field_name == "request" and not any(isinstance(v, str) and " " in v for v in values):
                    continue  # Caddy's and Elastic ECS's "request" is an object or a bare word
                suffix = "[0]" if any(isinstance(v, list) for v in values) else ""
                chosen[field_name] = json_path(keys) + suffix
                taken.add(alias)
                break
    if "ip" not in chosen:  # a client under an unlisted key ("host": "$remote_addr"): every value an address
        for keys, values in seen.values():
            texts = [v for v in values if isinstance(v, str) and v not in ("", "-")]
            if texts and all(_is_address(v) for v in texts):
                chosen["ip"] = json_path(keys)
                chosen = {f: p for f, p in chosen.items() if f == "ip" or p != chosen["ip"]}
                break
    missing = [label for field_name, label in REQUIRED if field_name not in chosen]
    if missing:
        keys_seen = ", ".join(sorted({".".join(keys) for keys, _ in seen.values()})[:30]) or "none"
        raise JsonKeysError(
            f"JSON lines: no key gives {', '.join(missing)}; keys seen: {keys_seen}",
            cli=f'give the nginx log_format that wrote the log, e.g. {EXAMPLE}, or see README "Log formats"',
            web="choose custom… as the log format in the sidebar and paste the nginx log_format that wrote the log",
        )
    return LogFormat(
        name=name or kind,
        kind="json",
        json_paths=tuple((field_name, (path,)) for field_name, path in chosen.items()),
        time_format=ANY_TIME,
        description=description or f"JSON lines ({kind} key names)",
    )
