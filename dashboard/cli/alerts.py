"""``databloom alerts PATH... [--config alerts.toml] [--json]`` (or ``--store DIR``): the alerts of a log, headless.

A store's alerts are computed from its rows: the detectors work per client and path (scanners, surges, the
clients behind a rate change), which the rollups do not keep.
"""

from __future__ import annotations

import argparse

from dashboard.cli.common import CONFIG_HELP, add_source_args, check_source_args, load_source, print_json


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The log arguments or --store (no buckets: the detectors choose theirs), --config, --json, --evidence."""
    add_source_args(parser, bucket=False, tz=False)
    parser.add_argument("--config", default=None, metavar="FILE", help=CONFIG_HELP)
    parser.add_argument("--json", action="store_true", help="a JSON list of alerts on stdout")
    parser.add_argument("--evidence", action="store_true", help="with --json: add the evidence rows")
    parser.add_argument("--anonymise", action="store_true", help="mask the addresses the alerts show")


def format_alert(alert) -> str:
    """One human-readable line per alert."""
    folded = f" (+{alert.suppressed} folded by cooldown)" if alert.suppressed else ""
    return (
        f"{alert.start:%Y-%m-%d %H:%M}–{alert.end:%H:%M} UTC  {alert.severity:<8} {alert.detector:<13} "
        f"{alert.subject}: {alert.message} [{alert.figures_text}]{folded}"
    )


def run(args: argparse.Namespace) -> int:
    """Check the configuration first (a bad key fails before the log is read), load, detect, print."""
    from dashboard.alerts import detect_alerts, load_config
    from dashboard.alerts.mask import shown_alert

    check_source_args(args)
    config = load_config(args.config)
    loaded = load_source(args)
    alerts = [shown_alert(a, args.anonymise) for a in detect_alerts(loaded.frame, config)]
    if args.json:
        print_json([a.to_dict(evidence=args.evidence) for a in alerts])
    else:
        print(f"{len(alerts)} alert(s) in {loaded.parse.parsed:,} requests")
        for alert in alerts:
            print(format_alert(alert))
    return 0
