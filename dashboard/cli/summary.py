"""``databloom summary PATH...``: totals, time range, detected format, top browsers and countries, statuses, rejects."""

from __future__ import annotations

import argparse

from dashboard.cli.common import JSON_HELP, add_log_args, check_log_args, load_logs, print_json, print_summary


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The log arguments and --json."""
    add_log_args(parser)
    parser.add_argument("--json", action="store_true", help=JSON_HELP)


def run(args: argparse.Namespace) -> int:
    """Print the summary; exit 1 when no line of a non-empty log parsed."""
    from dashboard.analysis.summary import summarize

    check_log_args(args)
    doc = summarize(load_logs(args), args.bucket, args.tz)
    if args.json:
        print_json(doc)
    else:
        print_summary(doc)
    return 0 if doc["parsed"] or not doc["lines"] else 1
