"""``databloom report PATH... -o report.html`` (or ``--store DIR``): the self-contained HTML report (figures,
charts, tables, map, alerts, annotations); ``--email ADDR`` also mails it as a digest (HTML body, the report
attached)."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from dashboard.cli.common import (
    CONFIG_HELP,
    add_source_args,
    check_log_args,
    check_source_args,
    load_source,
    print_json,
)

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
    add_notify_arguments(parser)


def add_notify_arguments(parser: argparse.ArgumentParser) -> None:
    """--annotations, the alerts --config, and --email with the SMTP options of ``watch``."""
    from dashboard.analysis.annotations import DEFAULT_NAME
    from dashboard.cli.watch import add_smtp_args

    parser.add_argument(
        "--annotations",
        default=None,
        metavar="FILE",
        help=f"deploys and other events to draw (JSON lines or CSV; default: {DEFAULT_NAME} beside the first log)",
    )
    parser.add_argument("--config", default=None, metavar="FILE", help=CONFIG_HELP)
    parser.add_argument(
        "--email", action="append", default=[], metavar="ADDR", help="mail the report as a digest to ADDR (repeatable)"
    )
    add_smtp_args(parser)


def read_annotations(args: argparse.Namespace) -> list:
    """The annotations named by --annotations, or those beside the first log (none when there is no file)."""
    from dashboard.analysis.annotations import default_path, load_annotations

    path = args.annotations or default_path(args.paths)
    return load_annotations(path, args.tz) if path else []


def mail_digest(args: argparse.Namespace, report, out: Path) -> dict:
    """Send the digest (retried with backoff); what was sent, for the JSON line."""
    from dashboard.alerts.notify_email import SUBJECT_PREFIX, build_message, send_with_retries
    from dashboard.cli.watch import smtp_settings

    settings = smtp_settings(args, args.email)
    names = ", ".join(Path(p).name for p in args.paths) or str(args.store)
    subject = f"{SUBJECT_PREFIX} report {args.range}: {names}"[:200]
    text = f"{len(report.alerts)} alert(s). The report is attached: {out.name} (one HTML file that opens offline)."
    attachment = (out.name, out.read_bytes(), "text/html")
    message = build_message(settings, subject, text, report.digest, [attachment])
    attempts = send_with_retries(settings, message)
    return {"emailed": list(settings.recipients), "attempts": attempts}


def run(args: argparse.Namespace) -> int:
    """Check zone and filters before reading the log; write the report; print what was written as JSON."""
    from dashboard.alerts import load_config
    from dashboard.analysis.filters import parse_param
    from dashboard.cli.watch import smtp_settings
    from dashboard.render.report import make_report

    check_log_args(args)
    check_source_args(args)
    filters = [parse_param(text) for text in args.filter]
    if args.email:
        smtp_settings(args, args.email)  # a bad address or server fails before the log is read
    annotations = read_annotations(args)
    alerts_config = load_config(args.config)
    started = time.perf_counter()
    loaded = load_source(args)
    report = make_report(
        loaded,
        tz=args.tz,
        preset=args.range,
        filters=filters,
        anonymise=args.anonymise,
        annotations=annotations,
        alerts_config=alerts_config,
    )
    out = Path(args.out)
    out.write_text(report.html, encoding="utf-8")
    sent = mail_digest(args, report, out) if args.email else {}
    parse = loaded.parse
    print_json(
        {
            "out": str(out),
            "bytes": out.stat().st_size,
            "lines": parse.lines,
            "rejected": parse.rejected,
            "seconds": round(time.perf_counter() - started, 2),
            "alerts": len(report.alerts),
            **sent,
        }
    )
    return 0
