"""Alert delivery formats and e-mail: Slack/Teams/generic payloads against a local HTTP server, SMTP against a
local sink that accepts, refuses or hangs, retries with backoff and the one line logged on giving up."""

from __future__ import annotations

import logging
import time

import pandas as pd
import pytest

from dashboard.alerts.alert import Alert
from dashboard.alerts.notify_email import (
    EmailSender,
    MailError,
    SmtpSettings,
    build_message,
    parse_server,
    send_with_retries,
)
from dashboard.alerts.webhook import WebhookError, WebhookSender
from support.receiver import Receiver, free_port
from support.smtp_sink import SmtpSink


def make_alert(subject: str = "5xx") -> Alert:
    start = pd.Timestamp("2026-06-01 10:00", tz="UTC")
    evidence = pd.DataFrame({"ip": ["192.0.2.7", "192.0.2.8"], "path": ["/a", "/<b>"], "status": [500, 503]})
    return Alert(
        start,
        start + pd.Timedelta("10min"),
        "status",
        "critical",
        subject,
        1.0,
        40.0,
        "40 5xx",
        evidence,
        unit="requests",
    )


@pytest.fixture
def sink():
    s = SmtpSink()
    yield s
    s.close()


def settings_for(port: int, **kwargs) -> SmtpSettings:
    return SmtpSettings("127.0.0.1", port, sender="watch@example.org", recipients=("ops@example.org",), **kwargs)


def test_generic_payload_is_the_alert_json_with_evidence(receiver: Receiver) -> None:
    with WebhookSender(receiver.url, payload_format="generic", backoff=0.01) as sender:
        assert sender.send(make_alert())
        assert sender.flush(5)
    (body,) = receiver.bodies
    assert body["detector"] == "status" and body["observed"] == 40.0 and body["unit"] == "requests"
    assert body["evidence"][1] == {"ip": "192.0.2.8", "path": "/<b>", "status": "503"}


def test_slack_payload_has_text_and_blocks(receiver: Receiver) -> None:
    with WebhookSender(receiver.url, payload_format="slack", backoff=0.01) as sender:
        assert sender.send(make_alert())
        assert sender.flush(5)
    (body,) = receiver.bodies
    assert set(body) == {"text", "blocks"}
    assert body["text"] == "CRITICAL status 5xx: 40 5xx"
    kinds = [block["type"] for block in body["blocks"]]
    assert kinds[0] == "section" and "context" in kinds
    texts = " ".join(str(block) for block in body["blocks"])
    assert "observed 40 vs expected 1 requests" in texts and "ip=192.0.2.7 path=/a status=500" in texts


def test_teams_payload_is_a_message_card(receiver: Receiver) -> None:
    with WebhookSender(receiver.url, payload_format="teams", backoff=0.01) as sender:
        assert sender.send(make_alert())
        assert sender.flush(5)
    (body,) = receiver.bodies
    assert body["@type"] == "MessageCard" and body["themeColor"] == "C62828"
    assert body["summary"] == "CRITICAL status 5xx: 40 5xx"
    facts = {f["name"]: f["value"] for f in body["sections"][0]["facts"]}
    assert facts["observed"] == "40.0" and facts["expected"] == "1.0" and facts["start"] == "2026-06-01T10:00:00+00:00"
    assert "192.0.2.8" in body["sections"][1]["text"]


def test_unknown_payload_format_is_an_error() -> None:
    with pytest.raises(WebhookError, match="slack"):
        WebhookSender("http://127.0.0.1:9/", payload_format="discord")


def test_alert_mail_reaches_the_smtp_sink(sink: SmtpSink) -> None:
    with EmailSender(settings_for(sink.port), backoff=0.01) as sender:
        assert sender.send(make_alert())
        assert sender.flush(10)
    assert sender.stats["sent"] == 1
    (message,) = sink.messages
    assert sink.envelopes == [("watch@example.org", ["ops@example.org"])]
    assert message["Subject"] == "[Data Bloom] CRITICAL status 5xx: 40 5xx"
    text = message.get_body(("plain",)).get_content()
    assert "observed: 40.0" in text and "ip=192.0.2.7 path=/a status=500" in text
    html_part = message.get_body(("html",)).get_content()
    assert "/&lt;b&gt;" in html_part and "/<b>" not in html_part


def test_refusing_then_accepting_server_is_retried_with_backoff(sink: SmtpSink) -> None:
    sink.mode = "refuse"
    waits: list[float] = []

    def wait(seconds: float) -> None:
        waits.append(seconds)
        if len(waits) == 2:
            sink.mode = "accept"

    message = build_message(settings_for(sink.port), "digest", "text")
    assert send_with_retries(settings_for(sink.port), message, retries=5, backoff=0.5, sleep=wait) == 3
    assert waits == [0.5, 1.0]  # exponential backoff
    assert len(sink.messages) == 1 and sink.connections == 3


def test_a_refusing_sender_thread_retries_until_the_server_accepts(sink: SmtpSink) -> None:
    sink.mode = "refuse"
    sender = EmailSender(settings_for(sink.port), backoff=0.05, max_backoff=0.2, retries=50)
    try:
        assert sender.send(make_alert())
        while sender.stats["retries"] < 2:  # refused twice, retried with backoff
            time.sleep(0.01)
        assert sink.messages == []
        sink.mode = "accept"
        assert sender.flush(20)
    finally:
        sender.close()
    assert sender.stats["sent"] == 1 and sender.stats["failed"] == 0 and len(sink.messages) == 1


def test_giving_up_logs_one_line(caplog) -> None:
    caplog.set_level(logging.WARNING, logger="dashboard.alerts")
    port = free_port()  # nobody listens: connection refused
    with EmailSender(settings_for(port), backoff=0.01, retries=2) as sender:
        assert sender.send(make_alert())
        assert sender.flush(10)
    assert sender.stats["failed"] == 1 and sender.stats["retries"] == 2
    lines = [r.getMessage() for r in caplog.records if r.name == "dashboard.alerts"]
    assert len(lines) == 1 and lines[0].startswith(f"email: gave up after 3 attempt(s): 127.0.0.1:{port}")


def test_send_with_retries_gives_up_with_a_mail_error() -> None:
    message = build_message(settings_for(free_port()), "digest", "text")
    with pytest.raises(MailError, match="gave up after 2 attempt"):
        send_with_retries(settings_for(free_port()), message, retries=1, sleep=lambda s: None)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("mail.example.org", ("mail.example.org", 25)), ("127.0.0.1:2525", ("127.0.0.1", 2525))],
)
def test_parse_server(text: str, expected: tuple[str, int]) -> None:
    assert parse_server(text) == expected


@pytest.mark.parametrize("text", ["", ":25", "host:port", "host:70000"])
def test_parse_server_rejects(text: str) -> None:
    with pytest.raises(MailError, match="HOST:PORT"):
        parse_server(text)
