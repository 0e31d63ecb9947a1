"""E-mail over SMTP (``smtplib``, STARTTLS optional): alert mails on the sender thread, and one-off messages.

``EmailSender`` is a ``notify.QueuedSender``: a refusing or hanging server is retried with backoff on the
worker thread and never holds up reading the log. ``send_message`` is the one SMTP conversation both use (the
report's weekly digest calls it directly). The password comes from ``$DATABLOOM_SMTP_PASSWORD``, never argv.
"""

from __future__ import annotations

import html
import smtplib
import socket
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any

from dashboard.alerts.alert import Alert
from dashboard.alerts.notify import (
    DEFAULT_BACKOFF,
    DEFAULT_RETRIES,
    MAX_BACKOFF,
    QueuedSender,
    evidence_lines,
    headline,
)
from dashboard.errors import DataBloomError

DEFAULT_SMTP_PORT = 25
DEFAULT_SMTP_TIMEOUT = 10.0
DEFAULT_SENDER = "databloom@localhost"
PASSWORD_ENV = "DATABLOOM_SMTP_PASSWORD"
SUBJECT_PREFIX = "[Data Bloom]"
# Replies after which trying again cannot help (authentication, bad recipient): given up at once.
FATAL_ERRORS = (smtplib.SMTPAuthenticationError, smtplib.SMTPRecipientsRefused, smtplib.SMTPNotSupportedError)


class MailError(DataBloomError):
    """An SMTP setting that cannot be used, or a message the server would not take."""


@dataclass(frozen=True)
class SmtpSettings:
    """Where and how to send: server, envelope, STARTTLS and optional login."""

    host: str
    port: int = DEFAULT_SMTP_PORT
    sender: str = DEFAULT_SENDER
    recipients: tuple[str, ...] = ()
    starttls: bool = False
    user: str | None = None
    password: str | None = None
    timeout: float = DEFAULT_SMTP_TIMEOUT


def parse_server(text: str) -> tuple[str, int]:
    """'mail.example.com[:587]' → (host, port); a MailError naming the value when it is not that."""
    host, _, port = text.strip().rpartition(":") if ":" in text else (text.strip(), "", "")
    if not host or (port and not port.isdigit()) or (port and not 0 < int(port) < 65536):
        raise MailError(f"SMTP server {text!r} is not HOST or HOST:PORT")
    return host, int(port) if port else DEFAULT_SMTP_PORT


def check_address(address: str) -> str:
    """The address when it looks like one (local@domain, no spaces or line breaks); a MailError otherwise."""
    local, at, domain = address.strip().rpartition("@")
    if not at or not local or not domain or any(c.isspace() for c in address.strip()):
        raise MailError(f"{address!r} is not an e-mail address")
    return address.strip()


def build_message(
    settings: SmtpSettings,
    subject: str,
    text: str,
    html_body: str | None = None,
    attachments: Sequence[tuple[str, bytes, str]] = (),
) -> EmailMessage:
    """A MIME message: plain text, an HTML alternative, attachments as (filename, bytes, 'type/subtype')."""
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = settings.sender
    message["To"] = ", ".join(settings.recipients)
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain="databloom")
    message.set_content(text)
    if html_body is not None:
        message.add_alternative(html_body, subtype="html")
    for filename, data, mime in attachments:
        maintype, _, subtype = mime.partition("/")
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return message


def send_message(settings: SmtpSettings, message: EmailMessage) -> None:
    """One SMTP conversation (connect, STARTTLS if asked, login if a user is set, send); raises on failure."""
    with smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout) as smtp:
        smtp.ehlo()
        if settings.starttls:
            smtp.starttls()
            smtp.ehlo()
        if settings.user:
            smtp.login(settings.user, settings.password or "")
        smtp.send_message(message, from_addr=settings.sender, to_addrs=list(settings.recipients))


def send_with_retries(
    settings: SmtpSettings,
    message: EmailMessage,
    retries: int = DEFAULT_RETRIES,
    backoff: float | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> int:
    """Send now, retrying transient failures with exponential backoff; the attempts made, or a MailError."""
    backoff = DEFAULT_BACKOFF if backoff is None else backoff
    for attempt in range(retries + 1):
        if attempt:
            sleep(min(backoff * 2 ** (attempt - 1), MAX_BACKOFF))
        try:
            send_message(settings, message)
            return attempt + 1
        except FATAL_ERRORS as exc:
            raise MailError(f"{settings.host}:{settings.port} refused the message: {describe(exc)}") from exc
        except (smtplib.SMTPException, OSError) as exc:
            error = exc
    raise MailError(f"{settings.host}:{settings.port}: gave up after {retries + 1} attempt(s): {describe(error)}")


def describe(exc: BaseException) -> str:
    """A one-line reason for an SMTP or socket failure."""
    if isinstance(exc, smtplib.SMTPResponseException):
        error = exc.smtp_error
        return f"{exc.smtp_code} {error.decode(errors='replace') if isinstance(error, bytes) else error}"
    if isinstance(exc, socket.timeout | TimeoutError):
        return "timed out"
    return str(exc) or type(exc).__name__


def alert_subject(doc: dict[str, Any]) -> str:
    """The subject line of an alert mail."""
    return f"{SUBJECT_PREFIX} {headline(doc)}"[:200]


def alert_bodies(doc: dict[str, Any]) -> tuple[str, str]:
    """The plain-text and HTML bodies of an alert mail: the figures, the window and the evidence lines."""
    keys = ("start", "end", "severity", "detector", "subject", "expected", "observed", "unit", "message")
    facts = [(key, str(doc[key])) for key in keys if key in doc]
    evidence = evidence_lines(doc)
    text = "\n".join([headline(doc), "", *(f"{k}: {v}" for k, v in facts)])
    if evidence:
        text += "\n\nEvidence:\n" + "\n".join(evidence)
    rows = "".join(f"<tr><th>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>" for k, v in facts)
    lines = "".join(f"<li><code>{html.escape(line)}</code></li>" for line in evidence)
    body = f"<h2>{html.escape(headline(doc))}</h2><table>{rows}</table>"
    if lines:
        body += f"<h3>Evidence</h3><ul>{lines}</ul>"
    return text, f"<!DOCTYPE html><html><body>{body}</body></html>"


class EmailSender(QueuedSender):
    """Mail each alert to ``settings.recipients`` on a background thread (cooldown, queue, retries as webhooks)."""

    name = "email"

    def __init__(self, settings: SmtpSettings, **policy: Any) -> None:
        """``policy``: ``QueuedSender``'s keyword arguments (cooldown, queue, retries, backoff, clock, anonymise)."""
        if not settings.recipients:
            raise MailError("no recipient for alert e-mails (give --email-to)")
        self.settings = settings
        super().__init__(**policy)

    def prepare(self, doc: dict[str, Any], alert: Alert | None) -> EmailMessage:
        """The alert as a MIME message (text + HTML)."""
        text, body = alert_bodies(doc)
        return build_message(self.settings, alert_subject(doc), text, body)

    def attempt(self, message: EmailMessage) -> str:
        """One SMTP conversation: "sent", "fatal" (auth, refused recipients) or "retry"."""
        try:
            send_message(self.settings, message)
            return "sent"
        except FATAL_ERRORS as exc:
            self.last_error = f"{self.settings.host}:{self.settings.port}: {describe(exc)}"
            return "fatal"
        except (smtplib.SMTPException, OSError) as exc:
            self.last_error = f"{self.settings.host}:{self.settings.port}: {describe(exc)}"
            return "retry"
