"""``databloom sample --out FILE``: the deterministic sample log, with its injected incidents in a sidecar."""

from __future__ import annotations

import argparse
import inspect

from dashboard.cli.common import check_log_args, print_json

SAMPLE_LINES = 100_000  # the CLI's default size: a few seconds to write, enough for every incident kind


def _count(text: str) -> int:
    """A line count: an integer >= 0."""
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be >= 0, got {text}")
    return value


def _positive(text: str) -> float:
    """A number of days: > 0."""
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be > 0, got {text}")
    return value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """--out, --lines, --days, --seed, --tz, --format, --no-incidents; defaults are the generator's own."""
    from dashboard.sample import FORMATS, write_sample

    defaults = {name: p.default for name, p in inspect.signature(write_sample).parameters.items()}
    parser.add_argument("--out", required=True, metavar="FILE", help="output path (.gz to compress)")
    parser.add_argument("--lines", type=_count, default=SAMPLE_LINES, help=f"lines to write (default {SAMPLE_LINES:,})")
    parser.add_argument("--days", type=_positive, default=defaults["days"], help="days covered (default %(default)s)")
    parser.add_argument("--seed", type=int, default=defaults["seed"], help="random seed (default %(default)s)")
    parser.add_argument("--tz", default=defaults["tz"], help="zone of the timestamps written (default %(default)s)")
    parser.add_argument(
        "--format",
        choices=FORMATS,
        default=defaults["fmt"],
        help="combined, or combined_time_us: combined + response time in microseconds (%%D) (default %(default)s)",
    )
    parser.add_argument("--no-incidents", action="store_true", help="plain traffic, without the injected incidents")


def run(args: argparse.Namespace) -> int:
    """Write the log and its sidecar; print what was written as JSON."""
    from dashboard.sample import write_sample

    check_log_args(args)
    info = write_sample(
        args.out, args.lines, args.days, args.seed, args.tz, incidents=not args.no_incidents, fmt=args.format
    )
    print_json(info)
    return 0
