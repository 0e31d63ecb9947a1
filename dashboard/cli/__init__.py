"""``python -m dashboard``: summary, sample, cube and bench from the command line."""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from dashboard.alerts.watch import register as register_watch
from dashboard.analysis.aggregate import (
    DEFAULT_BUCKET,
    DEFAULT_TZ,
    AggregateError,
    bucket_visitors,
    build_cube,
    check_bucket,
    check_tz,
    save_cube,
)
from dashboard.analysis.cubes import visitors_path
from dashboard.cli.alerts import register as register_alerts
from dashboard.cli.realtime import register as register_realtime
from dashboard.cli.report import register as register_report
from dashboard.cli.spark import add_spark_arguments
from dashboard.enrich.geo import GeoDatabaseError
from dashboard.ingest.formats import UnknownFormatError
from dashboard.ingest.sources import SourceError
from dashboard.render.report import ReportError

EXPECTED_ERRORS = (ReportError, UnknownFormatError, GeoDatabaseError, SourceError, AggregateError, OSError)
TOP_SHOWN = 10
REJECTS_SHOWN = 5


class Progress:
    """A one-line progress report on stderr (bytes read), only when stderr is a terminal."""

    def __init__(self, total: int | None) -> None:
        self.total, self.last = total, 0.0
        self.enabled = sys.stderr.isatty()

    def __call__(self, done: int) -> None:
        now = time.monotonic()
        if not self.enabled or now - self.last < 0.2:
            return
        self.last = now
        if self.total:
            sys.stderr.write(f"\rparsing… {min(done / self.total, 1):6.1%}")
        else:
            sys.stderr.write(f"\rparsing… {done / 1e6:,.0f} MB")
        sys.stderr.flush()

    def close(self) -> None:
        if self.enabled:
            sys.stderr.write("\r" + " " * 40 + "\r")


def _total_size(paths: Sequence[str]) -> int | None:
    try:
        return sum(Path(p).stat().st_size for p in paths)
    except OSError:
        return None


def _load(args: argparse.Namespace):
    from dashboard.pipeline import load_log

    progress = Progress(_total_size(args.paths))
    try:
        return load_log(args.paths, args.format, geoip=args.geoip, progress=progress)
    finally:
        progress.close()


def _print_summary(doc: dict) -> None:
    """Human-readable summary."""
    print(f"Log:       {', '.join(doc['sources'])}")
    print(f"Format:    {doc['format']}")
    print(f"Lines:     {doc['lines']:,} = {doc['parsed']:,} parsed + {doc['rejected']:,} rejected")
    print(f"Time:      {doc['start']} → {doc['end']} ({doc['tz']})")
    print(f"Visitors:  {doc['visitors']:,}    Bytes: {doc['bytes']:,}    Bots: {doc['bots']:,}")
    print(f"Buckets:   {doc['buckets']} of {doc['bucket']}")
    for title, key in (("Browsers", "browsers"), ("Countries", "countries"), ("Statuses", "statuses")):
        items = sorted(doc[key].items(), key=lambda kv: -kv[1])[:TOP_SHOWN]
        print(f"{title}:")
        for name, count in items:
            print(f"  {name:<24} {count:>12,}")
    if doc["rejected"]:
        print("Rejects:   " + ", ".join(f"{r}: {n:,}" for r, n in doc["reject_reasons"].items()))
        for r in doc["rejects"][:REJECTS_SHOWN]:
            print(f"  {r['source']}:{r['line']}: {r['reason']}: {r['raw'][:100]!r}")


def cmd_summary(args: argparse.Namespace) -> int:
    from dashboard.analysis.summary import summarize

    check_bucket(args.bucket)
    check_tz(args.tz)
    loaded = _load(args)
    doc = summarize(loaded, args.bucket, args.tz)
    if args.json:
        json.dump(doc, sys.stdout, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        _print_summary(doc)
    return 0 if doc["parsed"] or not doc["lines"] else 1


def cmd_sample(args: argparse.Namespace) -> int:
    from dashboard.sample import write_sample

    info = write_sample(args.out, lines=args.lines, days=args.days, seed=args.seed, tz=args.tz)
    print(json.dumps(info, default=str))
    return 0


def cmd_cube(args: argparse.Namespace) -> int:
    check_bucket(args.bucket)
    check_tz(args.tz)
    if args.engine == "spark":
        from dashboard.cli.spark import run_cube_spark

        return run_cube_spark(args)
    loaded = _load(args)
    cube = build_cube(loaded.frame, args.bucket, args.tz)
    save_cube(cube, args.out)
    bucket_visitors(loaded.frame, args.bucket, args.tz).to_parquet(visitors_path(args.out), index=False)
    doc = {
        "lines": loaded.parse.lines,
        "parsed": loaded.parse.parsed,
        "rejected": loaded.parse.rejected,
        "cells": len(cube),
        "out": str(args.out),
    }
    print(json.dumps(doc))
    return 0


def cmd_bench(args: argparse.Namespace) -> int:
    from dashboard.cli.bench import run_bench

    return run_bench(lines=args.lines, repeats=args.repeats, keep=args.keep)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m dashboard", description="Data Bloom: access-log analytics")
    sub = parser.add_subparsers(dest="command", required=True)

    def log_args(p: argparse.ArgumentParser) -> None:
        p.add_argument("paths", nargs="+", help="access log files (.gz and .bz2 are read transparently)")
        p.add_argument(
            "--format",
            default=None,
            help="format name (combined, common, vhost_combined, ...), an Apache LogFormat or nginx "
            "log_format string; detected from the first lines when omitted",
        )
        p.add_argument("--geoip", default=None, help="MaxMind/DB-IP .mmdb (default: bundled DB-IP country lite)")
        p.add_argument("--bucket", default=DEFAULT_BUCKET, help="time bucket, a pandas offset alias (default 4h)")
        p.add_argument("--tz", default=DEFAULT_TZ, help="IANA time zone for buckets and times (default UTC)")

    p = sub.add_parser("summary", help="totals, time range, top browsers/countries, statuses, rejects")
    log_args(p)
    p.add_argument("--json", action="store_true", help="machine-readable JSON on stdout")
    p.set_defaults(func=cmd_summary)

    p = sub.add_parser("sample", help="write the deterministic sample log (with incidents sidecar)")
    p.add_argument("--lines", type=int, default=100_000)
    p.add_argument("--days", type=float, default=7)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--tz", default="UTC", help="zone of the timestamps written")
    p.add_argument("--out", required=True, help="output path (.gz to compress)")
    p.set_defaults(func=cmd_sample)

    p = sub.add_parser("cube", help="aggregate logs into the Parquet cube")
    log_args(p)
    p.add_argument("--out", required=True)
    add_spark_arguments(p)
    p.set_defaults(func=cmd_cube)

    p = sub.add_parser("bench", help="1M-line end-to-end benchmark against GoAccess (when installed)")
    p.add_argument("--lines", type=int, default=1_000_000)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--keep", default=None, help="keep the generated log at this path")
    p.set_defaults(func=cmd_bench)

    register_alerts(sub)
    register_realtime(sub)
    register_watch(sub)
    register_report(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except EXPECTED_ERRORS as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
