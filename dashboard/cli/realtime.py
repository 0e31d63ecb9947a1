"""``python -m dashboard tail`` (follow a log, then summarize it) and ``listen`` (syslog → file)."""

from __future__ import annotations

import argparse
import contextlib
import json
import signal
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

from dashboard.analysis.aggregate import DEFAULT_BUCKET, DEFAULT_TZ, check_bucket
from dashboard.ingest.follow import DEFAULT_POLL_S, Follower
from dashboard.ingest.syslog import BACKUPS, DEFAULT_HOST, DEFAULT_PORT, SyslogReceiver, parse_address
from dashboard.live.livelog import LiveLog


def live_summary(live: LiveLog, bucket: str = DEFAULT_BUCKET, tz: str = DEFAULT_TZ) -> dict:
    """``pipeline.summarize`` of a followed log, plus ``rotations`` and ``retained`` (rows kept in memory).

    ``parsed`` counts every row ever parsed (``lines == parsed + rejected``); the figures about rows (time
    range, browsers, visitors…) describe the retained rows, which are all of them unless a retention is set.
    """
    from dashboard.analysis.summary import summarize

    doc = summarize(live.loaded(), bucket, tz)
    doc["retained"] = doc["parsed"]
    doc["parsed"] = live.parsed
    doc["rotations"] = live.rotations
    return doc


@contextlib.contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """In the main thread, SIGTERM ends a ``tail`` like Ctrl-C does (the summary is still printed)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def save_position(follower: Follower, state: Path) -> None:
    """Write the follower's position atomically (rename), so a kill never leaves half a state file."""
    position = follower.position()
    if position is None:
        return
    tmp = state.with_name(state.name + ".tmp")
    tmp.write_text(json.dumps(position))
    tmp.replace(state)


def cmd_tail(args: argparse.Namespace) -> int:
    check_bucket(args.bucket)
    state = Path(args.state) if args.state else None
    resume = json.loads(state.read_text()) if state is not None and state.exists() else None
    follower = Follower(args.path, resume=resume)
    live = LiveLog(follower, args.format, geoip=args.geoip, max_rows=args.max_rows, max_age=args.max_hours)
    try:
        deadline = None if args.seconds is None else time.monotonic() + args.seconds
        with _sigterm_as_interrupt():
            try:
                while True:
                    live.poll()
                    if state is not None:
                        save_position(follower, state)
                    if deadline is not None and time.monotonic() >= deadline:
                        break
                    pause = args.interval if deadline is None else min(args.interval, deadline - time.monotonic())
                    time.sleep(max(pause, 0))
            except KeyboardInterrupt:
                pass
        doc = live_summary(live, args.bucket, args.tz)
    finally:
        live.close()
    if args.json:
        json.dump(doc, sys.stdout, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        from dashboard.cli import _print_summary

        _print_summary(doc)
        print(f"Rotations: {doc['rotations']}")
    return 0


def cmd_listen(args: argparse.Namespace) -> int:
    udp = parse_address(args.udp) if args.udp else None
    tcp = parse_address(args.tcp) if args.tcp else None
    if udp is None and tcp is None:
        udp = tcp = (DEFAULT_HOST, DEFAULT_PORT)
    receiver = SyslogReceiver(args.out, udp=udp, tcp=tcp, max_bytes=args.max_bytes, backups=args.backups)

    def ready(r: SyslogReceiver) -> None:
        where = {"udp": r.udp_address, "tcp": r.tcp_address, "out": str(r.out)}
        print(json.dumps({"listening": where}), file=sys.stderr, flush=True)

    receiver.run(seconds=args.seconds, on_ready=ready)
    print(json.dumps(receiver.snapshot()))
    if receiver.error is not None:
        print(f"error: {receiver.error}", file=sys.stderr)
        return 2
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``tail`` and ``listen`` subcommands to the CLI's subparsers."""
    p = subparsers.add_parser("tail", help="follow a growing log across rotations, then print its summary")
    p.add_argument("path", help="the log file to follow (it may not exist yet)")
    p.add_argument("--seconds", type=float, default=None, help="stop after this long (default: until Ctrl-C)")
    p.add_argument("--interval", type=float, default=DEFAULT_POLL_S, help="seconds between polls (default 2)")
    p.add_argument(
        "--state", default=None, help="save the read position here after each poll and resume from it on the next start"
    )
    p.add_argument("--json", action="store_true", help="machine-readable JSON on stdout")
    p.add_argument("--format", default=None, help="format name or Apache/nginx format string (default: detect)")
    p.add_argument("--geoip", default=None, help="MaxMind/DB-IP .mmdb (default: bundled DB-IP country lite)")
    p.add_argument("--max-rows", type=int, default=None, help="keep at most this many rows in memory")
    p.add_argument("--max-hours", type=float, default=None, help="keep only rows this recent (log time)")
    p.add_argument("--bucket", default=DEFAULT_BUCKET, help="time bucket, a pandas offset alias (default 4h)")
    p.add_argument("--tz", default=DEFAULT_TZ, help="IANA time zone for buckets and times (default UTC)")
    p.set_defaults(func=cmd_tail)

    p = subparsers.add_parser("listen", help="receive syslog (UDP/TCP) and append the access-log lines to a file")
    p.add_argument("--udp", default=None, help=f"HOST:PORT or PORT (host {DEFAULT_HOST} by default)")
    p.add_argument("--tcp", default=None, help=f"HOST:PORT or PORT (both on {DEFAULT_HOST}:{DEFAULT_PORT} if neither)")
    p.add_argument("--out", required=True, help="the file to append to (rotated by rename + create)")
    p.add_argument("--max-bytes", type=int, default=None, help="rotate the file at this size")
    p.add_argument("--backups", type=int, default=BACKUPS, help="rotated files kept (FILE.1 … FILE.N)")
    p.add_argument("--seconds", type=float, default=None, help="stop after this long (default: until SIGTERM)")
    p.set_defaults(func=cmd_listen)


def build_parser() -> argparse.ArgumentParser:
    """A parser with only the realtime subcommands (``cli.build_parser`` adds them to the full CLI)."""
    parser = argparse.ArgumentParser(prog="python -m dashboard", description="Data Bloom: realtime commands")
    register(parser.add_subparsers(dest="command", required=True))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``tail`` or ``listen``; expected errors become one line on stderr and exit code 2."""
    from dashboard.cli import EXPECTED_ERRORS

    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except (*EXPECTED_ERRORS, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
