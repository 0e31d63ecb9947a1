"""``databloom cube PATH... --out cube.parquet``: the aggregated cube as Parquet, on pandas or Apache Spark.

PySpark is optional: it is imported only when ``--engine spark`` runs, so the CLI works without it.
"""

from __future__ import annotations

import argparse
import time

from dashboard.cli.common import REJECTS_SHOWN, CommandError, add_log_args, check_log_args, load_logs, print_json

ENGINES = ("pandas", "spark")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The log arguments, --out, --engine and --master."""
    from dashboard.spark.cube import DEFAULT_MASTER

    add_log_args(parser)
    parser.add_argument("--out", required=True, metavar="FILE", help="the cube's Parquet file")
    parser.add_argument(
        "--engine",
        choices=ENGINES,
        default=ENGINES[0],
        help="pandas: this machine, in memory (default); spark: Apache Spark (pip install -r requirements-spark.txt)",
    )
    parser.add_argument(
        "--master",
        default=DEFAULT_MASTER,
        help=f"Spark master for --engine spark: {DEFAULT_MASTER} (default), local[N], spark://HOST:7077, yarn, k8s://...",
    )


def run(args: argparse.Namespace) -> int:
    """Build and save the cube (and the per-bucket visitors next to it); print the accounting as JSON."""
    check_log_args(args)
    if args.engine == "spark":
        return run_spark(args)
    from dashboard.analysis.cube import bucket_visitors, build_cube, save_cube, visitors_path

    loaded = load_logs(args)
    cube = build_cube(loaded.frame, args.bucket, args.tz)
    save_cube(cube, args.out)
    bucket_visitors(loaded.frame, args.bucket, args.tz).to_parquet(visitors_path(args.out), index=False)
    parse = loaded.parse
    print_json(
        {
            "lines": parse.lines,
            "parsed": parse.parsed,
            "rejected": parse.rejected,
            "cells": len(cube),
            "out": str(args.out),
        }
    )
    return 0


def run_spark(args: argparse.Namespace) -> int:
    """The cube on Spark, printing the pandas engine's keys plus a few; Spark's errors end as one line too."""
    from dashboard.analysis.cube import visitors_path
    from dashboard.spark.cube import build_cube_spark, spark_errors

    errors = spark_errors()  # SparkEngineError (a DataBloomError) when PySpark is missing
    began = time.perf_counter()
    try:
        cube, report = build_cube_spark(
            args.paths,
            str(args.out),
            fmt=args.format,
            bucket=args.bucket,
            tz=args.tz,
            geoip=args.geoip,
            master=args.master,
        )
    except errors as exc:  # a JVM error message can run to a stack trace: its first line says what happened
        lines = str(exc).strip().splitlines()
        raise CommandError(lines[0] if lines else type(exc).__name__) from exc
    print_json(
        {
            "lines": report["lines"],
            "parsed": report["parsed"],
            "rejected": report["rejected"],
            "cells": len(cube),
            "out": str(args.out),
            "engine": "spark",
            "master": args.master,
            "format": report["format"],
            "reject_reasons": report["reasons"],
            "rejects": report["rejects"][:REJECTS_SHOWN],
            "visitors_out": visitors_path(str(args.out)),
            "seconds": round(time.perf_counter() - began, 2),
        }
    )
    return 0 if report["parsed"] or not report["lines"] else 1
