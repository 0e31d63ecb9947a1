"""``databloom watch PATH --webhook URL | --email-to ADDR``: follow a log, run the detectors as lines arrive, and
deliver each new alert (webhook as generic JSON, Slack or Teams; e-mail over SMTP).

The watching itself (``AlertWatcher``) and the delivery (``WebhookSender``, ``EmailSender``) live in
``dashboard.alerts``; this module parses the options, checks them before anything starts, prints each new alert
and the delivery counts. The SMTP options are declared here once and shared with ``report --email``.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sys
import time

from dashboard.cli.common import CONFIG_HELP, CommandError, add_log_args, check_followable, print_json


def add_smtp_args(parser: argparse.ArgumentParser) -> None:
    """--smtp, --smtp-from, --smtp-user, --starttls (the password is read from $DATABLOOM_SMTP_PASSWORD)."""
    from dashboard.alerts.notify_email import DEFAULT_SENDER, PASSWORD_ENV

    parser.add_argument(
        "--smtp", default="localhost", metavar="HOST[:PORT]", help="SMTP server for e-mail (default %(default)s:25)"
    )
    parser.add_argument("--smtp-from", default=DEFAULT_SENDER, metavar="ADDR", help="sender (default %(default)s)")
    parser.add_argument(
        "--smtp-user", default=None, metavar="USER", help=f"log in as USER, with the password in ${PASSWORD_ENV}"
    )
    parser.add_argument("--starttls", action="store_true", help="upgrade the SMTP connection with STARTTLS")


def smtp_settings(args: argparse.Namespace, recipients: list[str]):
    """The SmtpSettings the options describe (addresses and server checked: a MailError names the bad one)."""
    from dashboard.alerts.notify_email import PASSWORD_ENV, SmtpSettings, check_address, parse_server

    host, port = parse_server(args.smtp)
    return SmtpSettings(
        host=host,
        port=port,
        sender=check_address(args.smtp_from),
        recipients=tuple(check_address(a) for a in recipients),
        starttls=args.starttls,
        user=args.smtp_user,
        password=os.environ.get(PASSWORD_ENV) if args.smtp_user else None,
    )


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The followed path, the destinations, the log arguments, --config and the timing options."""
    from dashboard.alerts.notify import DEFAULT_COOLDOWN, PAYLOAD_FORMATS
    from dashboard.alerts.watch import DEFAULT_CHECK_EVERY, DEFAULT_INTERVAL

    parser.add_argument("path", help="the log file to follow (it may not exist yet; its directory must)")
    parser.add_argument("--webhook", default=None, metavar="URL", help="http(s) URL that receives each alert")
    parser.add_argument(
        "--webhook-format",
        choices=list(PAYLOAD_FORMATS),
        default="generic",
        help="the webhook's payload: the alert's JSON (generic), Slack blocks, a Teams Workflows Adaptive Card "
        "(teams) or an Office 365 connector MessageCard (teams-legacy)",
    )
    parser.add_argument("--anonymise", action="store_true", help="mask the addresses each alert shows")
    parser.add_argument(
        "--email-to", action="append", default=[], metavar="ADDR", help="mail each alert to ADDR (repeatable)"
    )
    add_smtp_args(parser)
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
        help="seconds before the same rule (detector + subject) is delivered again (default %(default)s)",
    )
    parser.add_argument("--seconds", type=float, default=None, help="stop after this long (default: until Ctrl-C)")


def make_senders(args: argparse.Namespace) -> list:
    """The destinations the options name (at least one), checked before the log is opened."""
    from dashboard.alerts.notify_email import EmailSender
    from dashboard.alerts.webhook import WebhookSender

    if not args.webhook and not args.email_to:
        raise CommandError("nowhere to deliver alerts: give --webhook URL and/or --email-to ADDR")
    settings = smtp_settings(args, args.email_to) if args.email_to else None
    senders = []
    policy = {"cooldown": args.cooldown, "anonymise": args.anonymise}
    if args.webhook:
        senders.append(WebhookSender(args.webhook, payload_format=args.webhook_format, **policy))
    if settings is not None:
        senders.append(EmailSender(settings, **policy))
    return senders


def run(args: argparse.Namespace) -> int:
    """Check config, path and destinations; then poll until --seconds, Ctrl-C or SIGTERM, printing each new alert."""
    from dashboard.alerts import load_config
    from dashboard.alerts.mask import shown_alert
    from dashboard.alerts.watch import AlertWatcher, fan_out
    from dashboard.live.livelog import LiveLog

    logging.basicConfig(format="%(name)s: %(message)s", stream=sys.stderr)  # a given-up delivery: one line
    config = load_config(args.config)
    check_followable(args.path)
    senders = make_senders(args)
    live = LiveLog(args.path, args.format, geoip=args.geoip)
    watcher = AlertWatcher(live, fan_out(senders), config, args.check_every)
    stop = {"now": False}
    previous = signal.signal(signal.SIGTERM, lambda *_: stop.update(now=True))
    deadline = None if args.seconds is None else time.monotonic() + args.seconds
    try:
        while not stop["now"] and (deadline is None or time.monotonic() < deadline):
            for alert in watcher.step():
                print_json(shown_alert(alert, args.anonymise).to_dict())
                sys.stdout.flush()
            time.sleep(args.interval)
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        for sender in senders:
            sender.close()
        live.close()
    stats = {key: sum(s.stats[key] for s in senders) for key in senders[0].stats}
    print(json.dumps({"posted": watcher.posted, **stats}), file=sys.stderr)
    return 0
