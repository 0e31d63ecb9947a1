"""``databloom ingest PATH_OR_GLOB... --store DIR``: add what is new in the logs to a store (see README "The store").

Incremental and idempotent: a file already ingested adds nothing, also renamed or compressed by logrotate; a
grown file adds its new lines only. A second ingest into the same store stops with one line and exit 2.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import asdict

from dashboard.cli.common import FORMAT_HELP, GEOIP_HELP, JSON_HELP, PROGRESS_EVERY_S, CommandError, print_json

STORE_HELP = "the store directory (created when missing)"
ENGINES = ("embedded", "spark")


class LineProgress:
    """Lines read so far and the rate, on one line of stderr, only when stderr is a terminal."""

    def __init__(self) -> None:
        self.started = self.last = time.monotonic()
        self.enabled = sys.stderr.isatty()

    def __call__(self, lines: int) -> None:
        now = time.monotonic()
        if not self.enabled or now - self.last < PROGRESS_EVERY_S:
            return
        self.last = now
        rate = lines / max(now - self.started, 1e-9)
        sys.stderr.write(f"\ringesting… {lines:,} lines ({rate:,.0f} lines/s)")
        sys.stderr.flush()

    def close(self) -> None:
        if self.enabled:
            sys.stderr.write("\r" + " " * 60 + "\r")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Paths or globs, --store, --format, --geoip, --json."""
    parser.add_argument("paths", nargs="+", metavar="PATH_OR_GLOB", help="access logs (.gz, .bz2) or quoted globs")
    parser.add_argument("--store", required=True, metavar="DIR", help=STORE_HELP)
    parser.add_argument("--format", default=None, help=FORMAT_HELP)
    parser.add_argument("--geoip", default=None, metavar="FILE", help=GEOIP_HELP)
    parser.add_argument("--json", action="store_true", help=JSON_HELP)
    parser.add_argument(
        "--engine",
        choices=ENGINES,
        default="embedded",
        help="embedded: this machine, incremental (default); spark: Apache Spark, one batch of every line given "
        "(pip install -r requirements-spark.txt; paths may be hdfs:// or s3a://)",
    )
    parser.add_argument(
        "--master", default="local[*]", help="Spark master for --engine spark: local[N], spark://HOST:7077, yarn…"
    )


def run_spark(args: argparse.Namespace):
    """The ingest on Spark; a Spark error ends as its first line (a JVM message can run to a stack trace)."""
    from dashboard.spark.cube import spark_errors
    from dashboard.spark.store import ingest_spark

    errors = spark_errors()  # SparkEngineError (a DataBloomError) when PySpark is missing
    try:
        return ingest_spark(args.paths, args.store, args.format, geoip=args.geoip, master=args.master)
    except errors as exc:
        lines = str(exc).strip().splitlines()
        raise CommandError(lines[0] if lines else type(exc).__name__) from exc


def run(args: argparse.Namespace) -> int:
    """Ingest, then print one line of figures."""
    if args.engine == "spark":
        report = run_spark(args)
    else:
        from dashboard.store.ingest import ingest

        progress = LineProgress()
        try:
            report = ingest(args.paths, args.store, args.format, geoip=args.geoip, progress=progress)
        finally:
            progress.close()
    if args.json:
        print_json(asdict(report))
        return 0
    rate = report.lines / report.seconds if report.seconds else 0.0
    print(
        f"ingested: {report.lines:,} lines, {report.parsed:,} parsed, {report.rejected:,} rejected, "
        f"{report.rows:,} new rows, {report.skipped:,} sources skipped, {report.seconds:.1f} s "
        f"({rate:,.0f} lines/s)"
    )
    return 0
