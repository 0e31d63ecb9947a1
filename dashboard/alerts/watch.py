"""``watch``: follow a log, run the detectors as lines arrive, and post each new alert to a webhook.

Ingestion never waits for the webhook: alerts go through ``WebhookSender``'s bounded queue and background
thread (cooldown per rule, retries with backoff). An alert is new when its (detector, subject, start) was not
posted before: an ongoing incident whose window grows is posted once.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import time
from collections.abc import Callable
from typing import Any

from dashboard.alerts import Alert, detect_alerts, load_config

DEFAULT_INTERVAL = 2.0
DEFAULT_CHECK_EVERY = 30.0


class AlertWatcher:
    """Polls a LiveLog; every ``check_every`` seconds runs the detectors and hands new alerts to ``deliver``."""

    def __init__(
        self,
        live,
        deliver: Callable[[Alert], Any],
        config: dict | None = None,
        check_every: float = DEFAULT_CHECK_EVERY,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.live, self.deliver, self.config = live, deliver, config or load_config(None)
        self.check_every, self.clock = check_every, clock
        self.seen: set[tuple[str, str, str]] = set()
        self.last_check: float | None = None
        self.posted = 0

    def step(self) -> list[Alert]:
        """One poll; when a check is due, the alerts not posted before (already handed to ``deliver``)."""
        self.live.poll()
        now = self.clock()
        if self.last_check is not None and now - self.last_check < self.check_every:
            return []
        self.last_check = now
        fresh = []
        for alert in detect_alerts(self.live.frame, self.config):
            key = (alert.detector, alert.subject, alert.start.isoformat())
            if key not in self.seen:
                self.seen.add(key)
                fresh.append(alert)
                self.deliver(alert)
        self.posted += len(fresh)
        return fresh


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``watch PATH --webhook URL`` to the main CLI."""
    p = subparsers.add_parser("watch", help="follow a log and POST each new alert as JSON to a webhook")
    p.add_argument("path")
    p.add_argument("--webhook", required=True, help="http(s) URL that receives one JSON object per alert")
    p.add_argument("--config", default=None, help="alerts TOML (default: the shipped dashboard/alerts.toml)")
    p.add_argument("--format", default=None)
    p.add_argument("--geoip", default=None)
    p.add_argument("--interval", type=float, default=DEFAULT_INTERVAL, help="seconds between polls of the file")
    p.add_argument("--check-every", type=float, default=DEFAULT_CHECK_EVERY, help="seconds between detector runs")
    p.add_argument("--cooldown", type=float, default=600.0, help="seconds before the same rule posts again")
    p.add_argument("--seconds", type=float, default=None, help="stop after this long (default: until Ctrl-C)")
    p.set_defaults(func=cmd_watch)


def cmd_watch(args: argparse.Namespace) -> int:
    from dashboard.alerts.webhook import WebhookSender
    from dashboard.live.livelog import LiveLog

    config = load_config(args.config)
    try:
        sender = WebhookSender(args.webhook, cooldown=args.cooldown)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    live = LiveLog(args.path, args.format, geoip=args.geoip)
    watcher = AlertWatcher(live, sender.send, config, args.check_every)
    stop = {"now": False}
    signal.signal(signal.SIGTERM, lambda *_: stop.update(now=True))
    deadline = None if args.seconds is None else time.monotonic() + args.seconds
    try:
        while not stop["now"] and (deadline is None or time.monotonic() < deadline):
            for alert in watcher.step():
                print(json.dumps(alert.to_dict()), flush=True)
            time.sleep(args.interval)
    except KeyboardInterrupt:
        pass
    finally:
        sender.close()
    print(json.dumps({"posted": watcher.posted, **sender.stats}), file=sys.stderr)
    return 0
