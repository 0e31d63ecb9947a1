"""``databloom summary PATH...`` (or ``--store DIR``): totals, time range, format, top browsers and countries,
statuses, rejects."""

from __future__ import annotations

import argparse

from dashboard.cli.common import (
    JSON_HELP,
    PATHS_HELP,
    CommandError,
    add_log_args,
    check_log_args,
    check_source_args,
    load_logs,
    print_json,
    print_summary,
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The log arguments (or --store) and --json."""
    parser.add_argument("paths", nargs="*", metavar="PATH", help=PATHS_HELP)
    add_log_args(parser, paths=False)
    parser.add_argument("--store", default=None, metavar="DIR", help="summarize a store instead of logs")
    parser.add_argument("--pages-only", action="store_true", help="count page views only (see the README's Audience)")
    parser.add_argument("--json", action="store_true", help=JSON_HELP)


def run(args: argparse.Namespace) -> int:
    """Print the summary; exit 1 when no line of a non-empty log parsed."""
    from dashboard.analysis.summary import summarize

    check_log_args(args)
    check_source_args(args)
    if args.store and args.pages_only:
        raise CommandError("--pages-only needs log PATHs: a store keeps no page/asset classification yet")
    if args.store:
        from dashboard.store.query import open_store, summarize_store

        with open_store(args.store) as store:
            doc = summarize_store(store, args.bucket, args.tz)
    else:
        doc = summarize(load_logs(args), args.bucket, args.tz, pages_only=args.pages_only)
    if args.json:
        print_json(doc)
    else:
        print_summary(doc)
    return 0 if doc["parsed"] or not doc["lines"] else 1
