"""``databloom listen --out FILE``: receive access-log lines as syslog (UDP/TCP) and append them to a file."""

from __future__ import annotations

import argparse
import json
import sys

from dashboard.cli.common import CommandError, error_line, print_json

MAX_PORT = 65_535


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Addresses, output file, rotation and duration."""
    from dashboard.ingest.syslog import BACKUPS, DEFAULT_HOST, DEFAULT_PORT

    parser.add_argument("--udp", default=None, help=f"HOST:PORT or PORT (host {DEFAULT_HOST} by default)")
    parser.add_argument(
        "--tcp", default=None, help=f"HOST:PORT or PORT (both on {DEFAULT_HOST}:{DEFAULT_PORT} if neither is given)"
    )
    parser.add_argument(
        "--out", required=True, metavar="FILE", help="the file to append to (rotated by rename + create)"
    )
    parser.add_argument("--max-bytes", type=int, default=None, help="rotate the file at this size")
    parser.add_argument("--backups", type=int, default=BACKUPS, help="rotated files kept (FILE.1 … FILE.N)")
    parser.add_argument("--seconds", type=float, default=None, help="stop after this long (default: until SIGTERM)")


def address(text: str | None) -> tuple[str, int] | None:
    """``--udp``/``--tcp`` as (host, port); a malformed address or a port out of range is a CommandError."""
    from dashboard.ingest.syslog import parse_address

    if text is None:
        return None
    try:
        host, port = parse_address(text)
    except ValueError as exc:
        raise CommandError(str(exc)) from exc
    if port > MAX_PORT:
        raise CommandError(f"port {port} out of range (0-{MAX_PORT}) in {text!r}")
    return host, port


def run(args: argparse.Namespace) -> int:
    """Receive until --seconds or SIGTERM; print the counts as JSON; exit 2 when lines could not be written."""
    from dashboard.ingest.syslog import DEFAULT_HOST, DEFAULT_PORT, SyslogReceiver

    udp, tcp = address(args.udp), address(args.tcp)
    if udp is None and tcp is None:
        udp = tcp = (DEFAULT_HOST, DEFAULT_PORT)
    receiver = SyslogReceiver(args.out, udp=udp, tcp=tcp, max_bytes=args.max_bytes, backups=args.backups)

    def ready(r: SyslogReceiver) -> None:
        where = {"udp": r.udp_address, "tcp": r.tcp_address, "out": str(r.out)}
        print(json.dumps({"listening": where}), file=sys.stderr, flush=True)

    receiver.run(seconds=args.seconds, on_ready=ready)
    print_json(receiver.snapshot())
    if receiver.error is not None:
        print(error_line(receiver.error), file=sys.stderr)
        return 2
    return 0
