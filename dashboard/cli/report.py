"""``python -m dashboard report PATH... -o report.html``: the self-contained HTML report from the command line."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from dashboard.analysis.aggregate import DEFAULT_TZ, check_tz
from dashboard.analysis.explore import PRESETS
from dashboard.analysis.filters import FilterError, parse_param

DEFAULT_OUT = "report.html"


def cmd_report(args: argparse.Namespace) -> int:
    from dashboard.pipeline import load_log
    from dashboard.render.report import build_report

    check_tz(args.tz)
    try:
        filters = [parse_param(text) for text in args.filter]
    except FilterError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    started = time.perf_counter()
    loaded = load_log(args.paths, args.format, geoip=args.geoip)
    document = build_report(loaded, tz=args.tz, preset=args.range, filters=filters, anonymise=args.anonymise)
    out = Path(args.out)
    out.write_text(document, encoding="utf-8")
    print(
        json.dumps(
            {
                "out": str(out),
                "bytes": out.stat().st_size,
                "lines": loaded.parse.lines,
                "rejected": loaded.parse.rejected,
                "seconds": round(time.perf_counter() - started, 2),
            }
        )
    )
    return 0


def register(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add the ``report`` subcommand to ``python -m dashboard``."""
    p = subparsers.add_parser("report", help="write a self-contained HTML report (opens offline)")
    p.add_argument("paths", nargs="+", help="access log files (.gz and .bz2 are read transparently)")
    p.add_argument("-o", "--out", default=DEFAULT_OUT, help=f"output HTML file (default {DEFAULT_OUT})")
    p.add_argument("--format", default=None, help="format name or LogFormat / log_format string (default: detect)")
    p.add_argument("--geoip", default=None, help="MaxMind/DB-IP .mmdb (default: bundled DB-IP country lite)")
    p.add_argument("--tz", default=DEFAULT_TZ, help="IANA time zone for times and buckets (default UTC)")
    p.add_argument(
        "--range",
        choices=list(PRESETS),
        default="all",
        help="date range counted back from the end of the log; anything but 'all' is compared with the period before",
    )
    p.add_argument(
        "--filter",
        action="append",
        default=[],
        metavar="FIELD:OP:VALUE",
        help="a filter as in the Explore page's URL, e.g. country:is:US, status:is:4xx, path:regex:^/api (repeatable)",
    )
    p.add_argument("--anonymise", action="store_true", help="mask the last IPv4 octet / last 80 bits of IPv6")
    p.set_defaults(func=cmd_report)
    return p
