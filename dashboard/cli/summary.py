"""``databloom summary PATH...`` (or ``--store DIR``): totals, time range, format, top browsers and countries,
statuses, rejects, page views, visits, response times, the top networks and bots by kind of network."""

from __future__ import annotations

import argparse

from dashboard.cli.common import (
    JSON_HELP,
    PATHS_HELP,
    add_log_args,
    check_log_args,
    check_source_args,
    load_logs,
    load_source,
    print_json,
    print_summary,
)

NETWORKS_SHOWN = 5  # the text summary's networks; --json has the top 10


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The log arguments (or --store) and --json."""
    parser.add_argument("paths", nargs="*", metavar="PATH", help=PATHS_HELP)
    add_log_args(parser, paths=False)
    parser.add_argument("--store", default=None, metavar="DIR", help="summarize a store instead of logs")
    parser.add_argument("--pages-only", action="store_true", help="count page views only (see the README's Audience)")
    parser.add_argument("--json", action="store_true", help=JSON_HELP)


def print_networks(doc: dict) -> None:
    """The top networks and the bots per kind of network, briefly."""
    if doc.get("networks_missing"):
        print(f"Networks:  {doc['networks_missing']}")
    if not doc.get("networks"):
        return
    print("Networks:")
    for row in doc["networks"][:NETWORKS_SHOWN]:
        asn = f"AS{row['asn']}" if row["asn"] else "—"
        print(f"  {asn:<10} {row['name'][:30]:<30} {row['kind']:<12} {row['requests']:>12,}")
    kinds = doc["bots_by_network_kind"]
    print("Bots by network: " + ", ".join(f"{kind} {figures['bot_requests']:,}" for kind, figures in kinds.items()))


def run(args: argparse.Namespace) -> int:
    """Print the summary; exit 1 when no line of a non-empty log parsed."""
    from dashboard.analysis.summary import summarize

    check_log_args(args)
    check_source_args(args)
    if args.store and args.pages_only:  # the rollups have no kind: every row, counted as a log's
        doc = summarize(load_source(args), args.bucket, args.tz, pages_only=True)
    elif args.store:
        from dashboard.store.query import open_store, summarize_store

        with open_store(args.store) as store:
            doc = summarize_store(store, args.bucket, args.tz)
    else:
        doc = summarize(load_logs(args), args.bucket, args.tz, pages_only=args.pages_only)
    if args.json:
        print_json(doc)
    else:
        print_summary(doc)
        print_networks(doc)
    return 0 if doc["parsed"] or not doc["lines"] else 1
