"""POST alerts as JSON to a webhook without ever blocking the caller (the log follower).

``send`` only checks the per-rule cooldown and puts the payload on a bounded queue; a daemon thread does
the HTTP, retrying failures (connection refused, timeouts, 5xx, 429) with exponential backoff. When the
queue is full the new payload is dropped and counted, so a dead webhook costs ingestion nothing.
"""

from __future__ import annotations

import json
import queue
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any

from dashboard.alerts.alert import Alert

DEFAULT_COOLDOWN = 300.0  # seconds between two posts of the same rule (detector + subject)
DEFAULT_QUEUE = 100
DEFAULT_RETRIES = 5
DEFAULT_BACKOFF = 0.5  # first retry delay in seconds, doubled on each attempt
MAX_BACKOFF = 60.0
DEFAULT_TIMEOUT = 5.0
RETRY_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})
USER_AGENT = "DataBloom-webhook/1"


class WebhookSender:
    """Deliver JSON payloads to ``url`` on a background thread, with per-key cooldown, bounded queue, retries."""

    def __init__(
        self,
        url: str,
        *,
        cooldown: float = DEFAULT_COOLDOWN,
        max_queue: int = DEFAULT_QUEUE,
        retries: int = DEFAULT_RETRIES,
        backoff: float = DEFAULT_BACKOFF,
        max_backoff: float = MAX_BACKOFF,
        timeout: float = DEFAULT_TIMEOUT,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not url.startswith(("http://", "https://")):
            raise ValueError(f"webhook URL must be http:// or https://, got {url!r}")
        self.url, self.cooldown, self.retries = url, cooldown, retries
        self.backoff, self.max_backoff, self.timeout = backoff, max_backoff, timeout
        self._clock = clock
        self._queue: queue.Queue[bytes] = queue.Queue(maxsize=max_queue)
        self._last: dict[str, float] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self.stats = {"queued": 0, "sent": 0, "failed": 0, "dropped": 0, "suppressed": 0, "retries": 0}
        self._thread = threading.Thread(target=self._run, name="webhook-sender", daemon=True)
        self._thread.start()

    # -- caller side (never blocks) ---------------------------------------------------------------------
    def send(self, payload: Alert | dict[str, Any], key: str | None = None) -> bool:
        """Queue one payload; False when it is within its rule's cooldown, the queue is full or we are closed."""
        if isinstance(payload, Alert):
            key = key or f"{payload.detector}:{payload.subject}"
            doc = payload.to_dict(evidence=True)
        else:
            doc = payload
            if key is None and "detector" in doc:
                key = f"{doc['detector']}:{doc.get('subject', '')}"
        body = json.dumps(doc, ensure_ascii=False, default=str).encode("utf-8")
        with self._lock:
            if self._stop.is_set():
                return False
            now = self._clock()
            if key is not None and key in self._last and now - self._last[key] < self.cooldown:
                self.stats["suppressed"] += 1
                return False
            try:
                self._queue.put_nowait(body)
            except queue.Full:
                self.stats["dropped"] += 1
                return False
            if key is not None:
                self._last[key] = now
            self.stats["queued"] += 1
        return True

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until every queued payload was delivered or given up; False on timeout."""
        deadline = time.monotonic() + timeout
        while self._queue.unfinished_tasks:
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.01)
        return True

    def close(self, timeout: float = 5.0) -> None:
        """Deliver what is queued (up to ``timeout`` seconds), then stop the thread."""
        self.flush(timeout)
        with self._lock:
            self._stop.set()
        self._thread.join(timeout=1.0)

    def __enter__(self) -> WebhookSender:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- background thread ------------------------------------------------------------------------------
    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                body = self._queue.get(timeout=0.1)
            except queue.Empty:
                continue
            try:
                self._deliver(body)
            finally:
                self._queue.task_done()

    def _deliver(self, body: bytes) -> None:
        """POST with retries and exponential backoff; the stop event cuts a wait short."""
        for attempt in range(self.retries + 1):
            if attempt:
                self.stats["retries"] += 1
                delay = min(self.backoff * 2 ** (attempt - 1), self.max_backoff)
                if self._stop.wait(delay):
                    break
            outcome = self._post(body)
            if outcome == "sent":
                self.stats["sent"] += 1
                return
            if outcome == "fatal":
                break
        self.stats["failed"] += 1

    def _post(self, body: bytes) -> str:
        """One attempt: "sent", "retry" or "fatal" (a 4xx other than the retryable ones)."""
        request = urllib.request.Request(
            self.url,
            data=body,
            method="POST",
            headers={"Content-Type": "application/json", "User-Agent": USER_AGENT},
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                response.read()
            return "sent"
        except urllib.error.HTTPError as exc:
            return "retry" if exc.code in RETRY_STATUSES else "fatal"
        except (urllib.error.URLError, OSError, TimeoutError):
            return "retry"
