"""Alert delivery formats and e-mail: Slack/Teams/generic payloads against a local HTTP server, SMTP against a
local sink that accepts, refuses or hangs, retries with backoff and the one line logged on giving up."""

from __future__ import annotations

import html
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


def test_teams_legacy_payload_is_a_message_card(receiver: Receiver) -> None:
    with WebhookSender(receiver.url, payload_format="teams-legacy", backoff=0.01) as sender:
        assert sender.send(make_alert())
        assert sender.flush(5)
    (body,) = receiver.bodies
    assert body["@type"] == "MessageCard" and body["themeColor"] == "C62828"
    assert body["summary"] == "CRITICAL status 5xx: 40 5xx"
    facts = {f["name"]: f["value"] for f in body["sections"][0]["facts"]}
    assert facts["observed"] == "40.0" and facts["expected"] == "1.0" and facts["start"] == "2026-06-01T10:00:00+00:00"
    assert "192.0.2.8" in body["sections"][1]["text"]


def test_teams_payload_is_a_workflows_adaptive_card(receiver: Receiver) -> None:
    with WebhookSender(receiver.url, payload_format="teams", backoff=0.01) as sender:
        assert sender.send(make_alert())
        assert sender.flush(5)
    (body,) = receiver.bodies
    # The envelope a Teams Workflows webhook ("post to a channel when a webhook request is received") reads.
    assert set(body) == {"type", "attachments"} and body["type"] == "message"
    (attachment,) = body["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = attachment["content"]
    assert card["type"] == "AdaptiveCard" and card["version"] == "1.4"
    assert card["$schema"] == "http://adaptivecards.io/schemas/adaptive-card.json"
    assert {element["type"] for element in card["body"]} == {"TextBlock", "FactSet"}
    texts = [e["text"] for e in card["body"] if e["type"] == "TextBlock"]
    assert all(isinstance(t, str) and t for t in texts)
    assert "CRITICAL status 5xx: 40 5xx" in texts
    assert "ip=192.0.2.8 path=/<b> status=503" in texts
    headline = next(e for e in card["body"] if e.get("text") == "CRITICAL status 5xx: 40 5xx")
    assert headline["color"] == "Attention" and headline["wrap"] is True
    (facts,) = [e["facts"] for e in card["body"] if e["type"] == "FactSet"]
    assert all(set(f) == {"title", "value"} and isinstance(f["value"], str) for f in facts)
    shown = {f["title"]: f["value"] for f in facts}
    assert shown["observed"] == "40 requests" and shown["expected"] == "1 requests"
    assert shown["start"] == "2026-06-01T10:00:00+00:00"


def test_an_anonymising_sender_masks_what_the_alert_shows(receiver: Receiver) -> None:
    alert = make_alert("192.0.2.7")
    with WebhookSender(receiver.url, backoff=0.01, anonymise=True) as sender:
        assert sender.send(alert)
        assert sender.flush(5)
    (body,) = receiver.bodies
    assert body["subject"] == "192.0.2.0"
    assert [row["ip"] for row in body["evidence"]] == ["192.0.2.0", "192.0.2.0"]
    assert alert.evidence["ip"].tolist() == ["192.0.2.7", "192.0.2.8"]  # the alert itself is left as it was


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


def masking_case() -> Alert:
    """An alert whose evidence quotes addresses in the ip column (IPv4, IPv6, a host name) and inside text."""
    start = pd.Timestamp("2026-06-01 10:00", tz="UTC")
    evidence = pd.DataFrame(
        {
            "ip": ["198.51.100.23", "2001:db8:1:2:3:4:5:6", "crawler.example.net"],
            "referrer": ["http://203.0.113.9/x", "-", "https://example.org/"],
            "path": ["/a", "/b?from=198.51.100.23", "/c"],
        }
    )
    message = "198.51.100.23 requested 60 distinct URLs"
    return Alert(start, start + pd.Timedelta("10min"), "scanner", "warning", "198.51.100.23", 1, 60, message, evidence)


MASKED_EVIDENCE = [
    {"ip": "198.51.100.0", "referrer": "http://203.0.113.0/x", "path": "/a"},
    {"ip": "2001:db8:1::", "referrer": "-", "path": "/b?from=198.51.100.0"},
    {"ip": "(masked)", "referrer": "https://example.org/", "path": "/c"},
]


def _alerts_page(alert):  # no annotations: AppTest runs this source on its own
    from dashboard.views import alerts_panel

    alerts_panel.render([alert], [alert.start], ["10:00"], "UTC", anonymise=True)


def test_every_surface_masks_alert_evidence_the_same_way(receiver, monkeypatch, tmp_path, capsys) -> None:
    import json
    import re

    from streamlit.testing.v1 import AppTest

    import dashboard.alerts
    from dashboard.cli import main
    from dashboard.pipeline import load_log
    from dashboard.render import report
    from support.loglines import combined

    alert = masking_case()
    page = AppTest.from_function(_alerts_page, args=(alert,), default_timeout=60).run()
    assert not page.exception
    (shown,) = [d.value for d in page.dataframe if "referrer" in d.value.columns]
    assert shown.to_dict(orient="records") == MASKED_EVIDENCE
    assert "198.51.100.23" not in " ".join(e.label for e in page.expander)

    with WebhookSender(receiver.url, backoff=0.01, anonymise=True) as sender:
        assert sender.send(alert)
        assert sender.flush(5)
    assert receiver.bodies[0]["evidence"] == MASKED_EVIDENCE

    log = tmp_path / "access.log"
    log.write_text(combined("192.0.2.1", "01/Jun/2026:10:01:00 +0000", "GET / HTTP/1.1", 200, 10) + "\n")
    monkeypatch.setattr(dashboard.alerts, "detect_alerts", lambda frame, config=None: [alert])
    assert main(["alerts", str(log), "--json", "--evidence", "--anonymise"]) == 0
    (printed,) = json.loads(capsys.readouterr().out)
    assert printed["evidence"] == MASKED_EVIDENCE and printed["subject"] == "198.51.100.0"

    monkeypatch.setattr(report, "detect_alerts", lambda frame, config=None: [alert])
    document = report.make_report(load_log(str(log)), anonymise=True).html
    block = document[document.index('<div class="alert') :]
    rows = re.findall(r"<tr>(<td.*?)</tr>", block[: block.index("</table>")])
    cells = [[html.unescape(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row)] for row in rows]
    assert cells == [list(row.values()) for row in MASKED_EVIDENCE]
    assert "198.51.100.23" not in document
