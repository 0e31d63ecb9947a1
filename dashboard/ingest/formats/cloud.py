"""GoAccess's other predefined formats: W3C (IIS, CloudFront), Squid, AWS ELB/ALB/S3, Cloud Storage, Traefik.

Each regex is written from the format's own documentation (field list and example line, README "Log formats").
W3C logs say their layout in a ``#Fields:`` header: the regex is built from it when present; without it the
IIS default field list is assumed, as GoAccess's W3C format does.
"""

from __future__ import annotations

import re

from dashboard.ingest.formats.apache import compile_apache
from dashboard.ingest.formats.base import (
    CLF_TIME,
    EPOCH_TIME,
    EPOCH_US_TIME,
    ISO_TIME,
    QUOTED,
    LogFormat,
    UnknownFormatError,
)

W3C_HEADER = "#Fields:"
W3C_COMMENT = "#"
IIS_FIELDS = (
    "date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) "
    "sc-status sc-substatus sc-win32-status time-taken"
)
# CloudFront's standard log, the first 19 of its fields (those present since 2013); later ones are a tail.
CLOUDFRONT_FIELDS = (
    "date time x-edge-location sc-bytes c-ip cs-method cs(Host) cs-uri-stem sc-status cs(Referer) cs(User-Agent) "
    "cs-uri-query cs(Cookie) x-edge-result-type x-edge-request-id x-host-header cs-protocol cs-bytes time-taken"
)
# W3C field → canonical field; time-taken is milliseconds in IIS, seconds in CloudFront.
W3C_FIELDS = {
    "c-ip": "ip",
    "cs-username": "user",
    "cs-method": "method",
    "cs-uri-stem": "path",
    "cs-uri-query": "query",
    "sc-status": "status",
    "sc-bytes": "bytes",
    "cs(user-agent)": "user_agent",
    "cs(referer)": "referrer",
    "x-host-header": "vhost",
    "cs-host": "vhost",
    "cs(host)": "vhost",
    "s-port": "port",
    "cs-version": "protocol",
    "cs-protocol-version": "protocol",
    "x-forwarded-for": "forwarded_for",
}
W3C_NUMERIC = {"status": r"\d{3}", "bytes": r"\d+|-", "port": r"\d+|-"}
TIME_TAKEN = r"\d+(?:\.\d+)?|-"


def compile_w3c(header: str, name: str | None = None, separator: str | None = None, tail: bool = False) -> LogFormat:
    """A regex LogFormat from a W3C ``#Fields:`` header (or its field list)."""
    names = header.removeprefix(W3C_HEADER).split()
    lowered = [n.lower() for n in names]
    cloudfront = "x-edge-location" in lowered
    name = name or ("cloudfront" if cloudfront else "w3c")
    sep = separator or ("\t" if cloudfront else " ")
    value = r"[^\t]*" if sep == "\t" else r"\S+"
    pieces, used, i = [], set(), 0
    time_format = ""
    while i < len(lowered):
        field = lowered[i]
        if field == "date" and i + 1 < len(lowered) and lowered[i + 1] == "time":
            pieces.append(rf"(?P<time>\d{{4}}-\d{{2}}-\d{{2}}{re.escape(sep)}\d{{2}}:\d{{2}}:\d{{2}})")
            time_format = f"%Y-%m-%d{sep}%H:%M:%S"
            used.add("time")
            i += 2
            continue
        canonical = W3C_FIELDS.get(field)
        if field == "time-taken":
            canonical = "response_time_s" if cloudfront else "response_time_ms"
        if canonical and canonical not in used:
            used.add(canonical)
            regex = TIME_TAKEN if canonical.startswith("response_time") else W3C_NUMERIC.get(canonical, value)
            pieces.append(f"(?P<{canonical}>{regex})")
        else:
            pieces.append(f"(?:{value})")
        i += 1
    if "time" not in used:
        raise UnknownFormatError(f"W3C header {header!r}: no adjacent date and time fields")
    pattern = "^" + re.escape(sep).join(pieces) + (f"(?:{re.escape(sep)}.*)?$" if tail else "$")
    return LogFormat(
        name=name,
        kind="regex",
        pattern=pattern,
        time_format=time_format,
        source=" ".join(names),
        description=("Amazon CloudFront standard log" if cloudfront else "W3C extended (IIS)") + f": {' '.join(names)}",
        url_encoded=frozenset({"user_agent", "referrer"} if cloudfront else ()),
        plus_spaces=frozenset() if cloudfront else frozenset({"user_agent"}),
        comment=W3C_COMMENT,
    )


def w3c_header(lines: list[str]) -> str | None:
    """The last ``#Fields:`` line among the first lines (IIS writes a new one at each restart)."""
    headers = [line for line in lines if line.startswith(W3C_HEADER)]
    return headers[-1] if headers else None


def _regex(name: str, pattern: str, time_format: str, description: str, **extra: object) -> LogFormat:
    quoted = frozenset(n for n in ("request", "referrer", "user_agent", "vhost") if f'"(?P<{n}>{QUOTED})"' in pattern)
    return LogFormat(
        name=name,
        kind="regex",
        pattern=pattern,
        time_format=time_format,
        description=description,
        quoted=quoted,
        **extra,
    )


Q = QUOTED
# An AWS processing time: seconds, or -1 when the request never reached a target.
AWS_TIME = r"(?:(?P<response_time_s>\d+(?:\.\d+)?)|-1)"
AWS_COMMON = (
    rf"(?P<ip>\S+):\d+ \S+ -?[\d.]+ {AWS_TIME} -?[\d.]+ (?P<status>\d{{3}}|-) \S+ \d+ (?P<bytes>\d+) "
    rf'"(?P<request>{Q})" "(?P<user_agent>{Q})"(?: .*)?$'
)

CLOUD_FORMATS: tuple[LogFormat, ...] = (
    _regex(
        "s3",
        rf'^\S+ (?P<vhost>\S+) \[(?P<time>[^\]]*)\] (?P<ip>\S+) \S+ \S+ \S+ \S+ "(?P<request>{Q})" '
        rf"(?P<status>\d{{3}}|-) \S+ (?P<bytes>\d+|-) \S+ (?P<response_time_ms>\d+|-) \S+ "
        rf'"(?P<referrer>{Q})" "(?P<user_agent>{Q})"(?: .*)?$',
        CLF_TIME,
        "Amazon S3 server access log (bucket as vhost)",
    ),
    _regex(
        "alb",
        r"^[a-z0-9]+ (?P<time>\d{4}-\d{2}-\d{2}T\S+) (?P<vhost>\S+) " + AWS_COMMON,
        ISO_TIME,
        "AWS Application Load Balancer (target processing time as response time)",
    ),
    _regex(
        "elb",
        r"^(?P<time>\d{4}-\d{2}-\d{2}T\S+) (?P<vhost>\S+) " + AWS_COMMON,
        ISO_TIME,
        "AWS Classic Elastic Load Balancer (backend processing time as response time)",
    ),
    _regex(
        "squid",
        r"^(?:[A-Z][a-z]{2} +\d+ \d{2}:\d{2}:\d{2} (?P<vhost>\S+) [^:\s]+: )?"
        r"(?P<time>\d+(?:\.\d+)?) +(?P<response_time_ms>\d+) (?P<ip>\S+) [^/\s]+/(?P<status>\d{3}) "
        r"(?P<bytes>\d+) (?P<method>\S+) (?P<target>\S+) (?P<user>\S+) \S+ \S+(?: .*)?$",
        EPOCH_TIME,
        "Squid native access.log, as a file or through syslog (host as vhost)",
    ),
    _regex(
        "cloud_storage",
        r'^"(?P<time>\d+)","(?P<ip>[^"]*)",[^,]*,[^,]*,"(?P<method>[^"]*)","(?P<target>[^"]*)",'
        r'"(?P<status>\d{3})","[^"]*","(?P<bytes>\d*)","(?P<response_time_us>\d*)","(?P<vhost>[^"]*)",'
        r'"(?P<referrer>(?:[^"]|"")*)","(?P<user_agent>(?:[^"]|"")*)"(?:,.*)?$',
        EPOCH_US_TIME,
        "Google Cloud Storage usage log (CSV)",
        comment='"time_micros"',
    ),
)
TRAEFIK_CLF = '%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-Agent}i" %k "%v" "%{backend}x" %{ms}Tms'


def traefik_clf() -> LogFormat:
    """Traefik's common log format: combined + request count, "router", "backend URL", duration in ms."""
    compiled = compile_apache(TRAEFIK_CLF, "traefik_clf")
    return LogFormat(
        name="traefik_clf",
        kind="regex",
        pattern=compiled.pattern,
        time_format=CLF_TIME,
        source=TRAEFIK_CLF,
        quoted=compiled.quoted,
        description="Traefik access log, common format (router name as vhost)",
    )
