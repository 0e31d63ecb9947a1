"""``databloom tail PATH``: follow a growing log across rotations, then print its summary (plus ``rotations``)."""

from __future__ import annotations

import argparse
import contextlib
import json
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from dashboard.cli.common import (
    JSON_HELP,
    CommandError,
    add_log_args,
    check_followable,
    check_log_args,
    print_json,
    print_summary,
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The followed path, the log arguments, polling, retention and resume options."""
    from dashboard.ingest.follow import DEFAULT_POLL_S

    parser.add_argument("path", help="the log file to follow (it may not exist yet; its directory must)")
    add_log_args(parser, paths=False)
    parser.add_argument("--seconds", type=float, default=None, help="stop after this long (default: until Ctrl-C)")
    parser.add_argument(
        "--interval", type=float, default=DEFAULT_POLL_S, help="seconds between polls (default %(default)s)"
    )
    parser.add_argument(
        "--state",
        default=None,
        metavar="FILE",
        help="save the read position here after each poll and resume from it on the next start",
    )
    parser.add_argument(
        "--store",
        default=None,
        metavar="DIR",
        help="also append the lines to this store, with the read position: a restart resumes from it",
    )
    parser.add_argument(
        "--batch-seconds",
        type=float,
        default=None,
        help="with --store: publish the lines read at least this often (default 5)",
    )
    parser.add_argument("--max-rows", type=int, default=None, help="keep at most this many rows in memory")
    parser.add_argument("--max-hours", type=float, default=None, help="keep only rows this recent (log time)")
    parser.add_argument("--json", action="store_true", help=JSON_HELP)


def live_summary(live, bucket: str, tz: str) -> dict:
    """``summarize`` of a followed log, plus ``rotations`` and ``retained`` (rows kept in memory).

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
def sigterm_as_interrupt() -> Iterator[None]:
    """In the main thread, SIGTERM ends a follow like Ctrl-C does (the summary is still printed)."""
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


def read_position(state: Path | None) -> dict | None:
    """The position saved by a previous run, None when there is none yet."""
    if state is None or not state.exists():
        return None
    try:
        position = json.loads(state.read_text())
    except (ValueError, UnicodeDecodeError) as exc:
        raise CommandError(f"{state}: not a saved position (delete it to start afresh): {exc}") from exc
    if not isinstance(position, dict):
        raise CommandError(f"{state}: not a saved position (delete it to start afresh)")
    return position


def save_position(follower, state: Path) -> None:
    """Write the follower's position atomically (rename), so a kill never leaves half a state file."""
    position = follower.position()
    if position is None:
        return
    tmp = state.with_name(state.name + ".tmp")
    tmp.write_text(json.dumps(position))
    tmp.replace(state)


def open_sink(args: argparse.Namespace):
    """The store the followed lines also go to (``--store``), holding its writer lock; None without it."""
    if args.store is None:
        if args.batch_seconds is not None:
            raise CommandError("--batch-seconds goes with --store")
        return None
    from dashboard.store.follow import BATCH_SECONDS, StoreSink

    seconds = BATCH_SECONDS if args.batch_seconds is None else args.batch_seconds
    if seconds < 0:
        raise CommandError("--batch-seconds: a number of seconds, 0 or more")
    return StoreSink(args.store, args.path, batch_seconds=seconds)


def run(args: argparse.Namespace) -> int:
    """Follow until --seconds, Ctrl-C or SIGTERM; then print the summary."""
    from dashboard.ingest.follow import Follower
    from dashboard.live.livelog import LiveLog

    check_log_args(args)
    check_followable(args.path)
    state = Path(args.state) if args.state else None
    sink = open_sink(args)
    try:
        resume = sink.resume() if sink is not None else None
        follower = Follower(args.path, resume=resume or read_position(state))
    except BaseException:
        if sink is not None:
            sink.close()
        raise
    try:
        live = LiveLog(
            follower, args.format, geoip=args.geoip, max_rows=args.max_rows, max_age=args.max_hours, sink=sink
        )
    except BaseException:
        follower.close()
        if sink is not None:
            sink.close()
        raise
    try:
        deadline = None if args.seconds is None else time.monotonic() + args.seconds
        with sigterm_as_interrupt():
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
        print_json(doc)
    else:
        print_summary(doc)
        print(f"Rotations: {doc['rotations']}")
    return 0
