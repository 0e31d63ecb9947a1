"""Why a line gave no row: the reject reasons, short and stable (tests and the UI group by them)."""

from __future__ import annotations

import json

from dashboard.ingest.formats import LogFormat
from dashboard.ingest.jsonpaths import get_path

NOT_THIS_FORMAT = "not this format"
UNTERMINATED_QUOTE = "unterminated quote"
BAD_TIMESTAMP = "bad timestamp"
LINE_TOO_LONG = "line too long"
BINARY = "binary"
EMPTY_LINE = "empty line"
TRUNCATED_LINE = "truncated last line"
HEADER_LINE = "header line"
BAD_STATUS = "bad status"
NO_TIME = "no time field"
NO_STATUS = "no status field"
NOT_JSON = "not JSON"
TRUNCATED_JSON = "truncated JSON"
JSON_ARRAY = "JSON array, not JSON lines"
NOT_AN_OBJECT = "JSON value, not an object"


def reject_reason(line: str, fmt: LogFormat) -> str:
    """Why a line that did not match the format failed, as a short reason."""
    if "\x00" in line:
        return BINARY
    if not line.strip():
        return EMPTY_LINE
    if fmt.comment and line.startswith(fmt.comment):
        return HEADER_LINE
    if fmt.kind == "json":
        return _json_reason(line, fmt)
    if fmt.kind == "regex" and (line.count('"') - line.count('\\"')) % 2:
        return UNTERMINATED_QUOTE
    return NOT_THIS_FORMAT


def _json_reason(line: str, fmt: LogFormat) -> str:
    """Why a line of a JSON log gave no row: not JSON, cut short, an array, or no time/status where expected."""
    text = line.strip()
    try:
        value = json.loads(text)
    except RecursionError:  # valid, but nested past what a log line holds
        return NOT_AN_OBJECT
    except ValueError:
        if text.startswith("{") and not text.endswith("}"):
            return TRUNCATED_JSON
        return JSON_ARRAY if text.startswith("[") else NOT_JSON
    if isinstance(value, list):
        return JSON_ARRAY
    if not isinstance(value, dict):
        return NOT_AN_OBJECT
    paths = dict(fmt.json_paths)
    found = {name: get_path(value, paths[name][0]) if name in paths else None for name in ("time", "status")}
    for name, missing in (("time", NO_TIME), ("status", NO_STATUS)):
        if found[name] is None or found[name] in ("", "-"):
            return missing
    status = str(found["status"])
    return BAD_TIMESTAMP if status.isdigit() and len(status) <= len("9999") else BAD_STATUS
