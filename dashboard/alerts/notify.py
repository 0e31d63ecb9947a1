"""Alert delivery that never blocks the caller (the log follower), and the payload formats of chat webhooks.

``QueuedSender.send`` only checks the per-rule cooldown and puts the prepared message on a bounded queue; a
daemon thread delivers it, retrying failures with exponential backoff. When the queue is full the new message
is dropped and counted, so a dead destination costs ingestion nothing. A message given up is logged once.
Destinations subclass it: ``webhook.WebhookSender`` (generic JSON, Slack, Teams), ``notify_email.EmailSender``.
With ``anonymise`` set, an alert's addresses are masked before it is prepared (``mask.shown_alert``, as on the
page and in the report).
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import Any

from dashboard.alerts.alert import Alert
from dashboard.alerts.mask import shown_alert

DEFAULT_COOLDOWN = 300.0  # seconds between two deliveries of the same rule (detector + subject)
DEFAULT_QUEUE = 100
DEFAULT_RETRIES = 5
DEFAULT_BACKOFF = 0.5  # first retry delay in seconds, doubled on each attempt
MAX_BACKOFF = 60.0
EVIDENCE_SHOWN = 5  # evidence rows a chat message or an e-mail shows
SEVERITY_COLOURS = {"critical": "C62828", "warning": "F9A825"}
ADAPTIVE_CARD_VERSION = "1.4"  # what Teams renders in Workflows posts (1.5 features show on desktop only)
ADAPTIVE_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
ADAPTIVE_COLOURS = {"critical": "Attention", "warning": "Warning"}  # Adaptive Card text colours, not hex
FACT_KEYS = ("start", "end", "severity", "detector", "subject", "expected_text", "observed_text")

logger = logging.getLogger("dashboard.alerts")


class QueuedSender(ABC):
    """Deliver messages on a background thread, with per-key cooldown, bounded queue and retries with backoff.

    A subclass implements ``prepare`` (alert or dict → what ``attempt`` sends) and ``attempt`` (one try:
    "sent", "retry" or "fatal"), and passes the delivery policy (these keyword arguments) through unchanged.
    ``anonymise`` masks the addresses an alert shows before it is prepared.
    """

    name = "sender"

    def __init__(
        self,
        *,
        cooldown: float = DEFAULT_COOLDOWN,
        max_queue: int = DEFAULT_QUEUE,
        retries: int = DEFAULT_RETRIES,
        backoff: float = DEFAULT_BACKOFF,
        max_backoff: float = MAX_BACKOFF,
        clock: Callable[[], float] = time.monotonic,
        anonymise: bool = False,
    ) -> None:
        self.anonymise = anonymise
        self.cooldown, self.retries = cooldown, retries
        self.backoff, self.max_backoff = backoff, max_backoff
        self._clock = clock
        self._queue: queue.Queue[Any] = queue.Queue(maxsize=max_queue)
        self._last: dict[str, float] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self.last_error = ""
        self.stats = {"queued": 0, "sent": 0, "failed": 0, "dropped": 0, "suppressed": 0, "retries": 0}
        self._thread = threading.Thread(target=self._run, name=f"{self.name}-sender", daemon=True)
        self._thread.start()

    @abstractmethod
    def prepare(self, doc: dict[str, Any], alert: Alert | None) -> Any:
        """The message for one alert (its JSON form with evidence, and the Alert when there is one)."""

    @abstractmethod
    def attempt(self, message: Any) -> str:
        """One delivery attempt: "sent", "retry" or "fatal"; sets ``last_error`` when it fails."""

    # -- caller side (never blocks) ---------------------------------------------------------------------
    def send(self, payload: Alert | dict[str, Any], key: str | None = None) -> bool:
        """Queue one payload; False when it is within its rule's cooldown, the queue is full or we are closed."""
        if isinstance(payload, Alert):
            key = key or f"{payload.detector}:{payload.subject}"
            payload = shown_alert(payload, self.anonymise)
            message = self.prepare(payload.to_dict(evidence=True), payload)
        else:
            if key is None and "detector" in payload:
                key = f"{payload['detector']}:{payload.get('subject', '')}"
            message = self.prepare(payload, None)
        with self._lock:
            if self._stop.is_set():
                return False
            now = self._clock()
            if key is not None and key in self._last and now - self._last[key] < self.cooldown:
                self.stats["suppressed"] += 1
                return False
            try:
                self._queue.put_nowait(message)
            except queue.Full:
                self.stats["dropped"] += 1
                return False
            if key is not None:
                self._last[key] = now
            self.stats["queued"] += 1
        return True

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until every queued message was delivered or given up; False on timeout."""
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

    def __enter__(self) -> QueuedSender:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- background thread ------------------------------------------------------------------------------
    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                message = self._queue.get(timeout=0.1)
            except queue.Empty:
                continue
            try:
                self._deliver(message)
            finally:
                self._queue.task_done()

    def _deliver(self, message: Any) -> None:
        """Attempts with exponential backoff; the stop event cuts a wait short; a give-up is logged once."""
        attempts = 0
        for attempt in range(self.retries + 1):
            if attempt:
                self.stats["retries"] += 1
                delay = min(self.backoff * 2 ** (attempt - 1), self.max_backoff)
                if self._stop.wait(delay):
                    break
            attempts += 1
            outcome = self.attempt(message)
            if outcome == "sent":
                self.stats["sent"] += 1
                return
            if outcome == "fatal":
                break
        self.stats["failed"] += 1
        logger.warning("%s: gave up after %d attempt(s): %s", self.name, attempts, self.last_error or "stopped")


def _figures(doc: dict[str, Any]) -> str:
    """'observed 40 vs expected 1 requests' (or '' for a payload that is not an alert)."""
    if "observed" not in doc:
        return ""
    return f"observed {doc['observed']:g} vs expected {doc.get('expected', 0):g} {doc.get('unit', '')}".strip()


def headline(doc: dict[str, Any]) -> str:
    """One line saying what fired: severity, detector, subject and message."""
    parts = [str(doc.get("severity", "")).upper(), str(doc.get("detector", "alert")), str(doc.get("subject", ""))]
    title = " ".join(p for p in parts if p)
    return f"{title}: {doc['message']}" if doc.get("message") else title


def evidence_lines(doc: dict[str, Any], shown: int = EVIDENCE_SHOWN) -> list[str]:
    """The first evidence rows as 'key=value …' lines."""
    rows = doc.get("evidence") or []
    return [" ".join(f"{k}={v}" for k, v in row.items()) for row in rows[:shown]]


def generic_payload(doc: dict[str, Any]) -> dict[str, Any]:
    """The alert's own JSON (with evidence): what a script or a log collector wants."""
    return doc


def slack_payload(doc: dict[str, Any]) -> dict[str, Any]:
    """A Slack incoming-webhook message: ``text`` (the notification) plus Block Kit ``blocks``."""
    text = headline(doc)
    fields = [
        {"type": "mrkdwn", "text": f"*{label}*\n{doc[key]}"}
        for label, key in (("Window", "start"), ("Until", "end"), ("Severity", "severity"), ("Detector", "detector"))
        if key in doc
    ]
    blocks: list[dict[str, Any]] = [{"type": "section", "text": {"type": "mrkdwn", "text": f"*{text}*"}}]
    if fields:
        blocks.append({"type": "section", "fields": fields})
    if _figures(doc):
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": _figures(doc)}]})
    evidence = evidence_lines(doc)
    if evidence:
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": "```" + "\n".join(evidence) + "```"}})
    return {"text": text, "blocks": blocks}


def teams_legacy_payload(doc: dict[str, Any]) -> dict[str, Any]:
    """A MessageCard, for the Office 365 connectors' incoming webhooks (retired by Microsoft; kept for those left)."""
    facts = [
        {"name": key, "value": str(doc[key])}
        for key in ("start", "end", "severity", "detector", "subject", "expected", "observed", "unit")
        if key in doc
    ]
    sections: list[dict[str, Any]] = [{"activityTitle": headline(doc), "facts": facts, "markdown": True}]
    evidence = evidence_lines(doc)
    if evidence:
        sections.append({"title": "Evidence", "text": "\n\n".join(f"`{line}`" for line in evidence)})
    return {
        "@type": "MessageCard",
        "@context": "https://schema.org/extensions",
        "summary": headline(doc),
        "themeColor": SEVERITY_COLOURS.get(str(doc.get("severity")), "607D8B"),
        "title": "Data Bloom alert",
        "sections": sections,
    }


def adaptive_card(doc: dict[str, Any]) -> dict[str, Any]:
    """The alert as an Adaptive Card 1.4: the headline, a fact set of its window and figures, the evidence rows."""
    body: list[dict[str, Any]] = [
        {"type": "TextBlock", "text": "Data Bloom alert", "size": "Small", "isSubtle": True},
        {
            "type": "TextBlock",
            "text": headline(doc),
            "weight": "Bolder",
            "size": "Medium",
            "wrap": True,
            "color": ADAPTIVE_COLOURS.get(str(doc.get("severity")), "Default"),
        },
    ]
    facts = [{"title": key.removesuffix("_text"), "value": str(doc[key])} for key in FACT_KEYS if key in doc]
    if facts:
        body.append({"type": "FactSet", "facts": facts})
    evidence = evidence_lines(doc)
    if evidence:
        body.append({"type": "TextBlock", "text": "Evidence", "weight": "Bolder", "spacing": "Medium"})
        body.extend(
            {"type": "TextBlock", "text": line, "fontType": "Monospace", "wrap": True, "spacing": "None"}
            for line in evidence
        )
    return {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": ADAPTIVE_CARD_VERSION,
        "body": body,
        "msteams": {"width": "Full"},
    }


def teams_payload(doc: dict[str, Any]) -> dict[str, Any]:
    """A Teams Workflows webhook post ("Post to a channel when a webhook request is received"): a message whose
    one attachment is the alert's Adaptive Card."""
    return {
        "type": "message",
        "attachments": [{"contentType": ADAPTIVE_CONTENT_TYPE, "contentUrl": None, "content": adaptive_card(doc)}],
    }


# name → payload builder: the ``--webhook-format`` choices of ``databloom watch``.
PAYLOAD_FORMATS: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "generic": generic_payload,
    "slack": slack_payload,
    "teams": teams_payload,
    "teams-legacy": teams_legacy_payload,
}
