"""``databloom annotate "deploy v2.3" --at TIME [--tag deploy] [--file annotations.jsonl]``: record an event.

Appends one JSON line (the time resolved to an instant with its offset) to the annotations file that the
report (``--annotations``, or ``annotations.jsonl`` beside the log) and the app (``--annotations``) draw on
their time charts. The file is read first, so a bad line in it is reported (naming the line) before anything
is written.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from dashboard.cli.common import print_json

NOW = "now"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The label, --at, --tag, --file, --tz."""
    from dashboard.analysis.annotations import DEFAULT_NAME
    from dashboard.analysis.buckets import DEFAULT_TZ

    parser.add_argument("text", help='what happened, e.g. "deploy v2.3"')
    parser.add_argument(
        "--at",
        default=NOW,
        metavar="TIME",
        help="ISO 8601 time, e.g. 2026-06-01T14:05+02:00; without an offset it is wall time in --tz (default: now)",
    )
    parser.add_argument("--tag", default="", help="a category such as deploy, config, incident")
    parser.add_argument(
        "--file", default=DEFAULT_NAME, metavar="FILE", help="the annotations file to append to (default %(default)s)"
    )
    parser.add_argument(
        "--tz", default=DEFAULT_TZ, help=f"zone of a --at without an offset (default {DEFAULT_TZ}; use the log's)"
    )


def run(args: argparse.Namespace) -> int:
    """Check the zone, the time and the existing file; append the annotation; print it as JSON."""
    import pandas as pd

    from dashboard.analysis.annotations import CSV_SUFFIXES, AnnotationError, load_annotations, make_annotation
    from dashboard.analysis.buckets import check_tz

    check_tz(args.tz)
    path = Path(args.file)
    if path.suffix.lower() in CSV_SUFFIXES:
        raise AnnotationError(f"{path}: annotate appends JSON lines; name a .jsonl file (CSV files are read only)")
    at = pd.Timestamp.now(tz="UTC") if args.at == NOW else args.at
    annotation = make_annotation(at, args.text, args.tag or None, args.tz, "--at")
    existing = load_annotations(path, args.tz) if path.exists() else []
    line = json.dumps(annotation.to_dict(), ensure_ascii=False)
    prefix = ""
    if path.exists() and path.stat().st_size:
        with path.open("rb") as fh:
            fh.seek(-1, 2)
            prefix = "" if fh.read(1) == b"\n" else "\n"
    with path.open("a", encoding="utf-8") as fh:
        fh.write(prefix + line + "\n")
    print_json({"file": str(path), "annotations": len(existing) + 1, **annotation.to_dict()})
    return 0
