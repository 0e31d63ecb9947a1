"""``databloom watch PATH --webhook URL``: follow a log, run the detectors as lines arrive, POST each new alert.

The watching itself (``AlertWatcher``) and the delivery (``WebhookSender``) live in ``dashboard.alerts``; this
module parses the options, checks them before anything starts, prints each new alert and the delivery counts.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import time

from dashboard.cli.common import CONFIG_HELP, CommandError, add_log_args, check_followable, print_json


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The followed path, --webhook, the log arguments, --config and the timing options."""
    from dashboard.alerts.watch import DEFAULT_CHECK_EVERY, DEFAULT_INTERVAL
    from dashboard.alerts.webhook import DEFAULT_COOLDOWN

    parser.add_argument("path", help="the log file to follow (it may not exist yet; its directory must)")
    parser.add_argument(
        "--webhook", required=True, metavar="URL", help="http(s) URL that receives one JSON object per alert"
    )
    add_log_args(parser, paths=False, bucket=False, tz=False)
    parser.add_argument("--config", default=None, metavar="FILE", help=CONFIG_HELP)
    parser.add_argument(
        "--interval",
        type=float,
        default=DEFAULT_INTERVAL,
        help="seconds between polls of the file (default %(default)s)",
    )
    parser.add_argument(
        "--check-every",
        type=float,
        default=DEFAULT_CHECK_EVERY,
        help="seconds between detector runs (default %(default)s)",
    )
    parser.add_argument(
        "--cooldown",
        type=float,
        default=DEFAULT_COOLDOWN,
        help="seconds before the same rule (detector + subject) posts again (default %(default)s)",
    )
    parser.add_argument("--seconds", type=float, default=None, help="stop after this long (default: until Ctrl-C)")


def run(args: argparse.Namespace) -> int:
    """Check config, path and URL; then poll until --seconds, Ctrl-C or SIGTERM, printing each new alert."""
    from dashboard.alerts import load_config
    from dashboard.alerts.watch import AlertWatcher
    from dashboard.alerts.webhook import WebhookSender
    from dashboard.live.livelog import LiveLog

    config = load_config(args.config)
    check_followable(args.path)
    live = LiveLog(args.path, args.format, geoip=args.geoip)
    try:
        sender = WebhookSender(args.webhook, cooldown=args.cooldown)
    except ValueError as exc:  # the URL's scheme
        live.close()
        raise CommandError(str(exc)) from exc
    watcher = AlertWatcher(live, sender.send, config, args.check_every)
    stop = {"now": False}
    previous = signal.signal(signal.SIGTERM, lambda *_: stop.update(now=True))
    deadline = None if args.seconds is None else time.monotonic() + args.seconds
    try:
        while not stop["now"] and (deadline is None or time.monotonic() < deadline):
            for alert in watcher.step():
                print_json(alert.to_dict())
                sys.stdout.flush()
            time.sleep(args.interval)
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        sender.close()
        live.close()
    print(json.dumps({"posted": watcher.posted, **sender.stats}), file=sys.stderr)
    return 0
