"""WebhookSender against a real HTTP server on 127.0.0.1: delivery, cooldown, full queue, down then back."""

from __future__ import annotations

import threading
import time

import pandas as pd
import pytest

from dashboard.alerts.detectors import Alert
from dashboard.alerts.webhook import WebhookSender
from support.receiver import Receiver, free_port


def make_alert(subject: str = "5xx") -> Alert:
    start = pd.Timestamp("2026-06-01 10:00", tz="UTC")
    return Alert(start, start + pd.Timedelta("10min"), "status", "critical", subject, 1.0, 40.0, "40 5xx")


def test_delivers_alert_json(receiver: Receiver) -> None:
    with WebhookSender(receiver.url, backoff=0.01) as sender:
        assert sender.send(make_alert())
        assert sender.flush(5)
    assert len(receiver.bodies) == 1
    body = receiver.bodies[0]
    assert body["detector"] == "status" and body["subject"] == "5xx" and body["observed"] == 40.0
    assert body["start"] == "2026-06-01T10:00:00+00:00" and body["message"] == "40 5xx"
    assert sender.stats["sent"] == 1


def test_cooldown_per_rule(receiver: Receiver) -> None:
    now = [0.0]
    sender = WebhookSender(receiver.url, cooldown=60, clock=lambda: now[0])
    assert sender.send(make_alert("5xx"))
    assert not sender.send(make_alert("5xx"))  # same rule, within the cooldown
    assert sender.send(make_alert("404"))  # another rule
    now[0] = 61.0
    assert sender.send(make_alert("5xx"))  # the cooldown has passed
    assert sender.flush(5)
    sender.close()
    assert sender.stats["suppressed"] == 1 and sender.stats["sent"] == 3
    assert [b["subject"] for b in receiver.bodies] == ["5xx", "404", "5xx"]


def test_server_down_then_back_is_retried_with_backoff() -> None:
    port = free_port()
    sender = WebhookSender(f"http://127.0.0.1:{port}/hook", backoff=0.05, max_backoff=0.2, retries=30, timeout=1)
    assert sender.send({"detector": "scanner", "subject": "192.0.2.1"})
    time.sleep(0.3)
    assert sender.stats["sent"] == 0 and sender.stats["retries"] >= 1
    receiver = Receiver(port)
    try:
        assert sender.flush(10)
        assert receiver.bodies == [{"detector": "scanner", "subject": "192.0.2.1"}]
        assert sender.stats["sent"] == 1 and sender.stats["failed"] == 0
    finally:
        sender.close()
        receiver.close()


def test_gives_up_after_retries_and_on_client_errors(receiver: Receiver) -> None:
    receiver.status = 503
    sender = WebhookSender(receiver.url, backoff=0.01, retries=2)
    sender.send({"n": 1})
    assert sender.flush(5)
    assert sender.stats == {**sender.stats, "failed": 1, "retries": 2, "sent": 0}
    receiver.status = 400  # not retryable
    sender.send({"n": 2})
    assert sender.flush(5)
    sender.close()
    assert sender.stats["failed"] == 2 and sender.stats["retries"] == 2


def test_full_queue_drops_instead_of_blocking() -> None:
    sender = WebhookSender(f"http://127.0.0.1:{free_port()}/", max_queue=2, backoff=5, retries=1)
    results = [sender.send({"n": i}) for i in range(10)]
    assert results.count(True) <= 3 and sender.stats["dropped"] >= 7
    sender.close(timeout=0.1)


def test_send_returns_while_the_endpoint_still_hangs(monkeypatch) -> None:
    """The caller never waits for the network: send() returns while a delivery is stuck (no clock involved)."""
    entered, release = threading.Event(), threading.Event()

    def stuck(self, body: bytes) -> str:
        entered.set()
        release.wait()
        return "sent"

    monkeypatch.setattr(WebhookSender, "attempt", stuck)
    sender = WebhookSender("http://127.0.0.1:9/hook", backoff=0.01)
    try:
        assert sender.send({"n": 1})
        assert entered.wait(5), "the sender thread took the first alert"
        assert sender.send({"n": 2}) and sender.send({"n": 3})  # queued behind the stuck one, not blocking
        assert sender.stats["sent"] == 0
    finally:
        release.set()
        sender.close(timeout=5)


def test_rejects_non_http_urls() -> None:
    with pytest.raises(ValueError, match="http"):
        WebhookSender("file:///etc/passwd")
