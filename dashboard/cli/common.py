"""What the commands share: the log arguments (declared once), progress on stderr, output helpers, the errors
the CLI turns into one line.

Light on purpose: importing it must not import pandas, polars, pyarrow or ua-parser, so that ``--help`` is fast.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from dashboard.errors import DataBloomError

# What a command may raise on bad input, configuration or files: one line on stderr and exit 2 (cli.main).
EXPECTED_ERRORS: tuple[type[BaseException], ...] = (DataBloomError, OSError)
TOP_SHOWN = 10
REJECTS_SHOWN = 5
PROGRESS_EVERY_S = 0.2

PATHS_HELP = "access log files (.gz and .bz2 are read transparently)"
FORMAT_HELP = (
    "format name (combined, common, vhost_combined, ...), an Apache LogFormat or nginx log_format string; "
    "detected from the first lines when omitted"
)
PAGE_RULES_HELP = "TOML rules for pages vs assets (asset_extensions, add_asset_prefixes, ...; see the README)"
GEOIP_HELP = "MaxMind/DB-IP .mmdb (default: the bundled DB-IP country lite, or $DATABLOOM_GEOIP)"
CONFIG_HELP = "alerts TOML (default: the shipped dashboard/alerts/alerts.toml)"
JSON_HELP = "machine-readable JSON on stdout"
STORE_HELP = "read a store written by `databloom ingest` instead of logs"


class CommandError(DataBloomError):
    """A bad option value the CLI itself finds (or that the core reports as a plain ValueError)."""


def add_log_args(parser: argparse.ArgumentParser, *, paths: bool = True, bucket: bool = True, tz: bool = True) -> None:
    """Declare the log arguments once for every command: paths, --format, --geoip and, where used, --bucket, --tz."""
    from dashboard.analysis.buckets import DEFAULT_BUCKET, DEFAULT_TZ

    if paths:
        parser.add_argument("paths", nargs="+", metavar="PATH", help=PATHS_HELP)
    parser.add_argument("--format", default=None, help=FORMAT_HELP)
    parser.add_argument("--geoip", default=None, metavar="FILE", help=GEOIP_HELP)
    parser.add_argument("--page-rules", default=None, metavar="FILE", help=PAGE_RULES_HELP)
    if bucket:
        parser.add_argument(
            "--bucket", default=DEFAULT_BUCKET, help=f"time bucket, a pandas offset alias (default {DEFAULT_BUCKET})"
        )
    if tz:
        parser.add_argument(
            "--tz", default=DEFAULT_TZ, help=f"IANA time zone for buckets and times (default {DEFAULT_TZ})"
        )


def add_source_args(parser: argparse.ArgumentParser, *, bucket: bool = True, tz: bool = True) -> None:
    """Log PATHs or ``--store DIR`` (one of the two), with the log arguments."""
    parser.add_argument("paths", nargs="*", metavar="PATH", help=PATHS_HELP)
    add_log_args(parser, paths=False, bucket=bucket, tz=tz)
    parser.add_argument("--store", default=None, metavar="DIR", help=STORE_HELP)


def check_source_args(args: argparse.Namespace) -> None:
    """Exactly one of log PATHs and ``--store``."""
    if bool(args.paths) == bool(args.store):
        raise CommandError("give log PATHs or --store DIR (one of the two)")


def load_source(args: argparse.Namespace):
    """The command's logs, or every row of its store with the store's line accounting (a ``LoadedLog``)."""
    if not args.store:
        return load_logs(args)
    from dashboard.store.query import open_store
    from dashboard.store.rows import store_log

    with open_store(args.store) as store:
        return store_log(store)


@contextmanager
def page_rules(args: argparse.Namespace) -> Iterator[None]:
    """Classify pages and assets with ``--page-rules FILE`` during the command (PageRulesError, one line)."""
    if not getattr(args, "page_rules", None):
        yield
        return
    from dashboard.analysis.pages import active_rules, load_rules, use_rules

    previous = active_rules()
    use_rules(load_rules(args.page_rules))
    try:
        yield
    finally:
        use_rules(previous)


def check_log_args(args: argparse.Namespace) -> None:
    """Fail on a bad --bucket or --tz before any log is read (a BucketError, one line)."""
    from dashboard.analysis.buckets import check_bucket, check_tz

    if getattr(args, "bucket", None) is not None:
        check_bucket(args.bucket)
    if getattr(args, "tz", None) is not None:
        check_tz(args.tz)


def check_followable(path: str) -> Path:
    """A followed log may appear later, but its directory must exist now (else the wait would be endless)."""
    target = Path(path)
    if target.is_dir():
        raise CommandError(f"{path} is a directory, not a log file")
    if not target.parent.is_dir():
        raise CommandError(
            f"{path}: no such directory {str(target.parent)!r} (the log may appear later, not its directory)"
        )
    return target


class Progress:
    """A one-line progress report on stderr (bytes read), only when stderr is a terminal."""

    def __init__(self, total: int | None) -> None:
        self.total, self.last = total, 0.0
        self.enabled = sys.stderr.isatty()

    def __call__(self, done: int) -> None:
        now = time.monotonic()
        if not self.enabled or now - self.last < PROGRESS_EVERY_S:
            return
        self.last = now
        if self.total:
            sys.stderr.write(f"\rparsing… {min(done / self.total, 1):6.1%}")
        else:
            sys.stderr.write(f"\rparsing… {done / 1e6:,.0f} MB")
        sys.stderr.flush()

    def close(self) -> None:
        if self.enabled:
            sys.stderr.write("\r" + " " * 40 + "\r")


def total_size(paths: Sequence[str]) -> int | None:
    """The bytes to read, for the progress percentage; None when a path cannot be sized (the load reports why)."""
    try:
        return sum(Path(p).stat().st_size for p in paths)
    except OSError:
        return None


def load_logs(args: argparse.Namespace):
    """``pipeline.load_log`` of the command's paths, format and GeoIP file, with progress on a terminal."""
    from dashboard.pipeline import load_log

    progress = Progress(total_size(args.paths))
    try:
        return load_log(args.paths, args.format, geoip=args.geoip, progress=progress)
    finally:
        progress.close()


def print_json(doc: Any) -> None:
    """One JSON document on one line of stdout (non-ASCII kept readable)."""
    json.dump(doc, sys.stdout, ensure_ascii=False, default=str)
    sys.stdout.write("\n")


def print_summary(doc: dict) -> None:
    """The ``summary`` document for people."""
    print(f"Log:       {', '.join(doc['sources'])}")
    print(f"Format:    {doc['format']}")
    print(f"Lines:     {doc['lines']:,} = {doc['parsed']:,} parsed + {doc['rejected']:,} rejected")
    print(f"Time:      {doc['start']} → {doc['end']} ({doc['tz']})")
    print(f"Visitors:  {doc['visitors']:,}    Bytes: {doc['bytes']:,}    Bots: {doc['bots']:,}")
    print(f"Buckets:   {doc['buckets']} of {doc['bucket']}")
    for title, key in (("Browsers", "browsers"), ("Countries", "countries"), ("Statuses", "statuses")):
        items = sorted(doc[key].items(), key=lambda kv: -kv[1])[:TOP_SHOWN]
        print(f"{title}:")
        for name, count in items:
            print(f"  {name:<24} {count:>12,}")
    if doc["rejected"]:
        print("Rejects:   " + ", ".join(f"{r}: {n:,}" for r, n in doc["reject_reasons"].items()))
        for r in doc["rejects"][:REJECTS_SHOWN]:
            print(f"  {r['source']}:{r['line']}: {r['reason']}: {r['raw'][:100]!r}")


def error_line(exc: BaseException) -> str:
    """The exception as the one line the CLI prints: ``error: …`` (multi-line messages folded)."""
    if isinstance(exc, OSError) and exc.strerror and exc.filename is not None:
        message = f"{exc.filename}: {exc.strerror}"
    else:
        message = " ".join(part.strip() for part in str(exc).splitlines() if part.strip())
    return f"error: {message or type(exc).__name__}"
