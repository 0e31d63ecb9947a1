"""``python -m dashboard alerts PATH... [--config alerts.toml] [--format F] [--json]``: alerts of a log, headless."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from dashboard.alerts import Alert, AlertConfigError, detect_alerts, load_config
from dashboard.enrich.geo import GeoDatabaseError
from dashboard.ingest.formats import UnknownFormatError
from dashboard.ingest.sources import SourceError

EXPECTED_ERRORS = (AlertConfigError, UnknownFormatError, GeoDatabaseError, SourceError, OSError)


def _add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("paths", nargs="+", help="access log files (.gz and .bz2 are read transparently)")
    p.add_argument("--config", default=None, help="alerts TOML (default: the shipped dashboard/alerts.toml)")
    p.add_argument("--format", default=None, help="log format name or format string; detected when omitted")
    p.add_argument("--geoip", default=None, help="MaxMind/DB-IP .mmdb (default: bundled DB-IP country lite)")
    p.add_argument("--json", action="store_true", help="a JSON list of alerts on stdout")
    p.add_argument("--evidence", action="store_true", help="with --json: add message and evidence rows")


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``alerts`` sub-command to the main CLI's sub-parsers."""
    p = subparsers.add_parser("alerts", help="detect spikes, drops, error bursts, scanners and surges in logs")
    _add_arguments(p)
    p.set_defaults(func=cmd_alerts)


def format_alert(alert: Alert) -> str:
    """One human-readable line per alert."""
    folded = f" (+{alert.suppressed} folded by cooldown)" if alert.suppressed else ""
    return (
        f"{alert.start:%Y-%m-%d %H:%M}–{alert.end:%H:%M} UTC  {alert.severity:<8} {alert.detector:<13} "
        f"{alert.subject}: {alert.message}{folded}"
    )


def cmd_alerts(args: argparse.Namespace) -> int:
    """Load the logs, run the detectors, print the alerts; exit 2 on a bad config or unreadable log."""
    from dashboard.pipeline import load_log

    try:
        config = load_config(args.config)
        loaded = load_log(args.paths, args.format, geoip=args.geoip)
    except EXPECTED_ERRORS as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    alerts = detect_alerts(loaded.frame, config)
    if args.json:
        json.dump([a.to_dict(evidence=args.evidence) for a in alerts], sys.stdout, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        print(f"{len(alerts)} alert(s) in {loaded.parse.parsed:,} requests")
        for alert in alerts:
            print(format_alert(alert))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Stand-alone entry point (the arguments after ``alerts``)."""
    parser = argparse.ArgumentParser(prog="python -m dashboard alerts", description=__doc__)
    _add_arguments(parser)
    return cmd_alerts(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
