"""``databloom report PATH... -o report.html`` (or ``--store DIR``): the self-contained HTML report (figures,
charts, tables)."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from dashboard.cli.common import add_source_args, check_log_args, check_source_args, load_source, print_json

DEFAULT_OUT = "report.html"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The log arguments or --store (no bucket: the report picks its own), -o, --range, --filter, --anonymise."""
    from dashboard.analysis.ranges import PRESETS

    add_source_args(parser, bucket=False)
    parser.add_argument(
        "-o", "--out", default=DEFAULT_OUT, metavar="FILE", help="output HTML file (default %(default)s)"
    )
    parser.add_argument(
        "--range",
        choices=list(PRESETS),
        default="all",
        help="date range counted back from the end of the log; anything but 'all' is compared with the period before",
    )
    parser.add_argument(
        "--filter",
        action="append",
        default=[],
        metavar="FIELD:OP:VALUE",
        help="a filter as in the Explore page's URL, e.g. country:is:US, status:is:4xx, path:regex:^/api (repeatable)",
    )
    parser.add_argument("--anonymise", action="store_true", help="mask the last IPv4 octet / last 80 bits of IPv6")


def run(args: argparse.Namespace) -> int:
    """Check zone and filters before reading the log; write the report; print what was written as JSON."""
    from dashboard.analysis.filters import parse_param
    from dashboard.render.report import build_report

    check_log_args(args)
    check_source_args(args)
    filters = [parse_param(text) for text in args.filter]
    started = time.perf_counter()
    loaded = load_source(args)
    document = build_report(loaded, tz=args.tz, preset=args.range, filters=filters, anonymise=args.anonymise)
    out = Path(args.out)
    out.write_text(document, encoding="utf-8")
    parse = loaded.parse
    print_json(
        {
            "out": str(out),
            "bytes": out.stat().st_size,
            "lines": parse.lines,
            "rejected": parse.rejected,
            "seconds": round(time.perf_counter() - started, 2),
        }
    )
    return 0
