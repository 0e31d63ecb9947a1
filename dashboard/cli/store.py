"""``databloom store info|prune DIR``: what a store holds, and dropping its oldest days."""

from __future__ import annotations

import argparse
import sys
from dataclasses import asdict

from dashboard.cli.common import JSON_HELP, error_line, print_json


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The two actions, each with the store directory."""
    actions = parser.add_subparsers(
        dest="action", required=True, metavar="ACTION", parser_class=argparse.ArgumentParser
    )
    info = actions.add_parser("info", help="rows, days, bytes on disk, sources, schema version")
    info.add_argument("store", metavar="DIR")
    info.add_argument("--json", action="store_true", help=JSON_HELP)
    prune = actions.add_parser("prune", help="drop whole days older than an age (rows and rollups)")
    prune.add_argument("store", metavar="DIR")
    prune.add_argument("--older-than", required=True, metavar="AGE", help="90d, 12w or 36h (days end at UTC midnight)")
    prune.add_argument("--json", action="store_true", help=JSON_HELP)


def run(args: argparse.Namespace) -> int:
    """Run the action; info exits 2 (after its figures) when a published file is damaged."""
    return run_info(args) if args.action == "info" else run_prune(args)


def run_info(args: argparse.Namespace) -> int:
    """The figures of a store; damaged files named in one error line."""
    from dashboard.store.query import store_info

    info = store_info(args.store)
    if args.json:
        print_json(info)
    else:
        days = f"{info['days']} ({info['first_day']} → {info['last_day']})" if info["days"] else "0"
        print(f"Store:     {info['store']} (schema {info['schema_version']})")
        print(f"Rows:      {info['rows']:,}    Rejected: {info['rejected']:,}    Days: {days}")
        print(f"On disk:   {info['bytes']:,} bytes in {info['files']:,} files, {info['batches']:,} batches")
        if info["pruned_rows"]:
            print(f"Pruned:    {info['pruned_rows']:,} rows before {info['pruned_before']}")
        print(f"Sources:   {len(info['sources'])}")
        for source in info["sources"]:
            state = "complete" if source["complete"] else f"{source['bytes']:,} bytes read"
            print(f"  {' ← '.join(reversed(source['names']))}: {source['lines']:,} lines, {state}")
    if info["problems"]:
        print(
            error_line(ValueError(f"{len(info['problems'])} damaged: " + "; ".join(info["problems"]))), file=sys.stderr
        )
        return 2
    return 0


def run_prune(args: argparse.Namespace) -> int:
    """Drop the old days, print what went."""
    from dashboard.store.prune import parse_age, prune

    report = prune(args.store, parse_age(args.older_than))
    if args.json:
        print_json(asdict(report))
    else:
        print(
            f"pruned: {report.days} days, {report.rows:,} rows, {report.rollup_cells:,} rollup cells, "
            f"{report.files} files, {report.bytes:,} bytes (before {report.cutoff})"
        )
    return 0
