"""Annotations: deploys and other events (time, text, optional tag) drawn on every time chart and in the report.

Files are JSON lines (``{"time": "2026-06-01T14:05:00+02:00", "text": "deploy v2.3", "tag": "deploy"}``, one
object a line; blank lines and ``#`` comments skipped) or CSV with a header ``time,text[,tag]``. A time with an
offset (or ``Z``) is that instant; a time without one is wall-clock time in the zone the log is shown in (the
report's ``--tz``, the app's sidebar zone), and one that clocks skip or repeat there is refused. Every error
names the file and line. ``annotations.jsonl`` beside a log is picked up when no file is named.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from dashboard.analysis.buckets import check_tz
from dashboard.errors import DataBloomError

DEFAULT_NAME = "annotations.jsonl"
CSV_SUFFIXES = (".csv",)
MAX_TEXT = 200  # characters kept of a label: a chart label, not a changelog
COLUMNS = ("time", "text", "tag")


class AnnotationError(DataBloomError):
    """An annotations file or time that cannot be read; the message names the file and line."""


@dataclass(frozen=True)
class Annotation:
    """One event: its UTC instant, its label, an optional tag (deploy, incident…) and where it was read."""

    time: pd.Timestamp
    text: str
    tag: str = ""
    line: int = 0

    def to_dict(self) -> dict[str, str]:
        """The JSON-lines form (time in UTC with its offset)."""
        doc = {"time": self.time.isoformat(), "text": self.text}
        if self.tag:
            doc["tag"] = self.tag
        return doc


def parse_time(value: object, tz: str, where: str = "time") -> pd.Timestamp:
    """An ISO 8601 time (or epoch seconds) as a UTC instant; naive times are wall-clock times in ``tz``."""
    if isinstance(value, bool) or value is None or (isinstance(value, str) and not value.strip()):
        raise AnnotationError(f"{where}: missing time")
    bad = f"{where}: {value!r} is not a time such as 2026-06-01T14:05:00+02:00"
    if isinstance(value, str) and not value.strip()[:1].isdigit():  # pandas reads "now", "today": not here
        raise AnnotationError(bad)
    try:
        stamp = pd.Timestamp(value, unit="s") if isinstance(value, int | float) else pd.Timestamp(str(value).strip())
    except (ValueError, TypeError, OverflowError) as exc:
        raise AnnotationError(bad) from exc
    if stamp is pd.NaT:
        raise AnnotationError(bad)
    if stamp.tzinfo is None:
        try:
            stamp = stamp.tz_localize(check_tz(tz), ambiguous="raise", nonexistent="raise")
        except (ValueError, OverflowError) as exc:  # pytz/pandas raise subclasses of ValueError for both cases
            raise AnnotationError(
                f"{where}: {value!r} does not name one instant in {tz} (clocks change then): add an offset"
            ) from exc
    return stamp.tz_convert("UTC")


def make_annotation(time: object, text: object, tag: object, tz: str, where: str, line: int = 0) -> Annotation:
    """A validated annotation (text required, trimmed to ``MAX_TEXT``)."""
    if not isinstance(text, str) or not text.strip():
        raise AnnotationError(f"{where}: missing text")
    if tag is not None and not isinstance(tag, str):
        raise AnnotationError(f"{where}: tag must be a string, got {tag!r}")
    label = " ".join(text.split())[:MAX_TEXT]
    return Annotation(parse_time(time, tz, where), label, (tag or "").strip(), line)


def _json_lines(text: str, tz: str, source: str) -> list[Annotation]:
    found = []
    for number, raw in enumerate(text.splitlines(), 1):
        stripped = raw.strip()
        if not stripped or stripped.startswith("#"):
            continue
        where = f"{source}:{number}"
        try:
            doc = json.loads(stripped)
        except json.JSONDecodeError as exc:
            raise AnnotationError(f"{where}: not a JSON object: {exc.msg}") from exc
        if not isinstance(doc, dict):
            raise AnnotationError(f"{where}: expected a JSON object with time and text")
        unknown = set(doc) - set(COLUMNS)
        if unknown:
            raise AnnotationError(f"{where}: unknown key {sorted(unknown)[0]!r} (known: {', '.join(COLUMNS)})")
        found.append(make_annotation(doc.get("time"), doc.get("text"), doc.get("tag"), tz, where, number))
    return found


def _csv(text: str, tz: str, source: str) -> list[Annotation]:
    reader = csv.reader(io.StringIO(text))
    header = [h.strip().lower() for h in next(reader, [])]
    if "time" not in header or "text" not in header or set(header) - set(COLUMNS):
        raise AnnotationError(f"{source}:1: expected a header time,text[,tag], got {','.join(header)!r}")
    found = []
    for row in reader:
        number = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        where = f"{source}:{number}"
        if len(row) != len(header):
            raise AnnotationError(f"{where}: {len(row)} fields, the header has {len(header)}")
        doc = dict(zip(header, row, strict=True))
        found.append(make_annotation(doc["time"], doc["text"], doc.get("tag"), tz, where, number))
    return found


def parse_annotations(text: str, tz: str, source: str = "annotations", kind: str = "jsonl") -> list[Annotation]:
    """The annotations of a file's text (``kind`` "jsonl" or "csv"), sorted by time."""
    found = _csv(text, tz, source) if kind == "csv" else _json_lines(text, tz, source)
    return sorted(found, key=lambda a: a.time)


def load_annotations(path: str | Path, tz: str) -> list[Annotation]:
    """Read an annotations file (CSV by its ``.csv`` suffix, else JSON lines)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise AnnotationError(f"{path}: not UTF-8 text") from exc
    except OSError as exc:
        raise AnnotationError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    kind = "csv" if path.suffix.lower() in CSV_SUFFIXES else "jsonl"
    return parse_annotations(text, tz, str(path), kind)


def default_path(logs: Iterable[str | Path]) -> Path | None:
    """``annotations.jsonl`` beside the first log, when it exists."""
    for log in logs:
        candidate = Path(log).resolve().parent / DEFAULT_NAME
        return candidate if candidate.is_file() else None
    return None


def within(annotations: Sequence[Annotation], start: pd.Timestamp | None, end: pd.Timestamp | None) -> list[Annotation]:
    """The annotations in [start, end) (an open side when None): what a chart of that range shows."""
    return [a for a in annotations if (start is None or a.time >= start) and (end is None or a.time < end)]


def annotation_table(annotations: Sequence[Annotation], tz: str) -> pd.DataFrame:
    """time (wall-clock in ``tz`` with its offset), text, tag: the report's list of annotations."""
    return pd.DataFrame(
        {
            "time": [a.time.tz_convert(tz).strftime("%Y-%m-%d %H:%M %z") for a in annotations],
            "text": [a.text for a in annotations],
            "tag": [a.tag for a in annotations],
        },
        columns=list(COLUMNS),
    )
