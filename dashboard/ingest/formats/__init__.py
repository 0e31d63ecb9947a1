"""Log formats: the registry, the Apache/nginx/W3C compilers, JSON key aliases and auto-detection.

A format is data (``base.LogFormat``): a regex with canonical group names and the way its timestamp is written,
or, for JSON lines, a JSON path per field.
"""

from dashboard.ingest.formats.apache import APACHE_DIRECTIVES, APACHE_TOKEN, compile_apache
from dashboard.ingest.formats.base import (
    ANY_TIME,
    CLF_TIME,
    DETECT_SAMPLE_LINES,
    EPOCH_MS_TIME,
    EPOCH_TIME,
    EPOCH_US_TIME,
    FIELD_NAMES,
    ISO_TIME,
    QUOTED,
    RESPONSE_TIME_SCALES,
    LogFormat,
    UnknownFormatError,
)
from dashboard.ingest.formats.cloud import compile_w3c
from dashboard.ingest.formats.jsonlines import JSON_ALIASES, JsonKeysError, resolve_json
from dashboard.ingest.formats.nginx import NGINX_TOKEN, NGINX_VARIABLES, compile_nginx, compile_nginx_json
from dashboard.ingest.formats.registry import COMBINED, FORMATS, detect_format, get_format, resolve_format

__all__ = [
    "ANY_TIME",
    "APACHE_DIRECTIVES",
    "APACHE_TOKEN",
    "CLF_TIME",
    "COMBINED",
    "DETECT_SAMPLE_LINES",
    "EPOCH_MS_TIME",
    "EPOCH_TIME",
    "EPOCH_US_TIME",
    "FIELD_NAMES",
    "FORMATS",
    "ISO_TIME",
    "JSON_ALIASES",
    "NGINX_TOKEN",
    "NGINX_VARIABLES",
    "QUOTED",
    "RESPONSE_TIME_SCALES",
    "JsonKeysError",
    "LogFormat",
    "UnknownFormatError",
    "compile_apache",
    "compile_nginx",
    "compile_nginx_json",
    "compile_w3c",
    "detect_format",
    "get_format",
    "resolve_format",
    "resolve_json",
]
