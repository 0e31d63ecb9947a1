"""POST alerts as JSON to a webhook (generic, Slack, Teams Workflows or legacy Teams) without blocking the caller.

The queue, cooldown, retries and backoff are ``notify.QueuedSender``'s; this module does one HTTP attempt.
Connection refused, timeouts, 5xx and 429 are retried; other 4xx are given up at once.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

from dashboard.alerts.alert import Alert
from dashboard.alerts.notify import (
    DEFAULT_COOLDOWN,
    PAYLOAD_FORMATS,
    QueuedSender,
)
from dashboard.errors import DataBloomError

DEFAULT_TIMEOUT = 5.0
RETRY_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})
USER_AGENT = "DataBloom-webhook/1"

__all__ = ["DEFAULT_COOLDOWN", "WebhookError", "WebhookSender"]


class WebhookError(DataBloomError, ValueError):
    """A webhook URL or payload format that cannot be used."""


class WebhookSender(QueuedSender):
    """Deliver alerts to ``url`` as ``payload_format`` JSON (see ``notify.PAYLOAD_FORMATS``) on a background thread."""

    name = "webhook"

    def __init__(
        self, url: str, *, payload_format: str = "generic", timeout: float = DEFAULT_TIMEOUT, **policy: Any
    ) -> None:
        """``policy``: ``QueuedSender``'s keyword arguments (cooldown, queue, retries, backoff, clock, anonymise)."""
        if not url.startswith(("http://", "https://")):
            raise WebhookError(f"webhook URL must be http:// or https://, got {url!r}")
        if payload_format not in PAYLOAD_FORMATS:
            raise WebhookError(f"unknown webhook format {payload_format!r} (known: {', '.join(PAYLOAD_FORMATS)})")
        self.url, self.timeout, self.payload_format = url, timeout, payload_format
        super().__init__(**policy)

    def prepare(self, doc: dict[str, Any], alert: Alert | None) -> bytes:
        """The JSON body in the chosen format."""
        payload = PAYLOAD_FORMATS[self.payload_format](doc)
        return json.dumps(payload, ensure_ascii=False, default=str).encode("utf-8")

    def attempt(self, message: bytes) -> str:
        """One POST: "sent", "retry" or "fatal" (a 4xx other than the retryable ones)."""
        request = urllib.request.Request(
            self.url,
            data=message,
            method="POST",
            headers={"Content-Type": "application/json", "User-Agent": USER_AGENT},
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                response.read()
            return "sent"
        except urllib.error.HTTPError as exc:
            self.last_error = f"{self.url}: HTTP {exc.code}"
            return "retry" if exc.code in RETRY_STATUSES else "fatal"
        except (urllib.error.URLError, OSError, TimeoutError) as exc:
            self.last_error = f"{self.url}: {getattr(exc, 'reason', exc)}"
            return "retry"
