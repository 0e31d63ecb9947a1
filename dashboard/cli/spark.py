"""``python -m dashboard cube --engine spark``: the cube job on Apache Spark, wired into the CLI's ``cube`` command.

PySpark is optional: this module imports it only when the Spark engine runs, so the CLI works without it.
"""

from __future__ import annotations

import argparse
import json
import sys
import time

from dashboard.spark.cube import DEFAULT_MASTER, SparkEngineError, visitors_path

ENGINES = ("pandas", "spark")
REJECTS_SHOWN = 5


def add_spark_arguments(parser: argparse.ArgumentParser) -> None:
    """Add ``--engine`` and ``--master`` to the ``cube`` subcommand."""
    parser.add_argument(
        "--engine",
        choices=ENGINES,
        default="pandas",
        help="pandas: this machine, in memory (default); spark: Apache Spark (pip install -r requirements-spark.txt)",
    )
    parser.add_argument(
        "--master",
        default=DEFAULT_MASTER,
        help="Spark master for --engine spark: local[*] (default), local[N], spark://HOST:7077, yarn, k8s://...",
    )


def run_cube_spark(args: argparse.Namespace) -> int:
    """Run the cube on Spark and print the accounting as JSON (the pandas engine's keys, plus a few)."""
    from dashboard.spark.cube import build_cube_spark, spark_errors

    try:
        errors = spark_errors()
    except SparkEngineError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
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
    except errors as exc:
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        print(f"error: {message}", file=sys.stderr)
        return 2
    doc = {
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
    print(json.dumps(doc, ensure_ascii=False))
    return 0 if report["parsed"] or not report["lines"] else 1
