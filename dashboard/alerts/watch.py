"""Follow a log, run the detectors as lines arrive, and hand each new alert to senders (``databloom watch``).

Ingestion never waits for a destination: alerts go through each sender's bounded queue and background thread
(``notify.QueuedSender``: cooldown per rule, retries with backoff; webhook and e-mail alike). An alert is new
when its (detector, subject, start) was not posted before: an ongoing incident whose window grows is posted once.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from dashboard.alerts import Alert, detect_alerts, load_config

DEFAULT_INTERVAL = 2.0
DEFAULT_CHECK_EVERY = 30.0


def fan_out(senders: list) -> Callable[[Alert], list[bool]]:
    """One ``deliver`` that queues an alert on every sender (each returns at once)."""

    def deliver(alert: Alert) -> list[bool]:
        return [sender.send(alert) for sender in senders]

    return deliver


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
