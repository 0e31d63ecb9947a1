"""``databloom`` (or ``python -m dashboard``): one parser over a registry of commands, one error path.

Each command is a module with ``add_arguments(parser)`` and ``run(args) -> int``, imported only when its command
is parsed, so ``databloom --help`` imports none of the data stack. Expected errors (``EXPECTED_ERRORS``) become
one line on stderr and exit status 2; Ctrl-C exits 130; a closed stdout (``| head``) ends the run quietly.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence
from typing import Any

from dashboard.cli.common import EXPECTED_ERRORS, error_line, page_rules

PROG = "databloom"
EXIT_ERROR = 2
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as a shell reports Ctrl-C
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE, as `cat` ends when the reader of its output has gone

# name → (module, one-line help). The README's "Command line" table lists exactly these (a test checks it).
COMMANDS: dict[str, tuple[str, str]] = {
    "summary": ("dashboard.cli.summary", "totals, time range, top browsers/countries, statuses, rejects"),
    "sample": ("dashboard.cli.sample", "write the deterministic sample log (with its incidents sidecar)"),
    "ingest": ("dashboard.cli.ingest", "add what is new in logs to a store (Parquet by day, incremental)"),
    "store": ("dashboard.cli.store", "a store's figures (info) and dropping its oldest days (prune)"),
    "cube": ("dashboard.cli.cube", "aggregate logs into the Parquet cube (pandas or Spark engine)"),
    "tail": ("dashboard.cli.tail", "follow a growing log across rotations, then print its summary"),
    "listen": ("dashboard.cli.listen", "receive syslog (UDP/TCP) and append the access-log lines to a file"),
    "alerts": ("dashboard.cli.alerts", "detect spikes, drops, error bursts, scanners and surges in logs"),
    "watch": ("dashboard.cli.watch", "follow a log and deliver each new alert (webhook, Slack, Teams, e-mail)"),
    "annotate": ("dashboard.cli.annotate", "record a deploy or other event for the time charts and the report"),
    "report": ("dashboard.cli.report", "write a self-contained HTML report (opens offline)"),
    "bench": ("dashboard.cli.bench", "1M-line end-to-end benchmark against GoAccess (when installed)"),
}


class CommandParser(argparse.ArgumentParser):
    """A command's parser that imports its module and declares its arguments the first time it is used."""

    def __init__(self, *args: Any, module: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.module, self.loaded = module, False

    def load(self) -> CommandParser:
        """Import the command's module and add its arguments (once)."""
        if not self.loaded:
            self.loaded = True
            command = importlib.import_module(self.module)
            command.add_arguments(self)
            self.set_defaults(run=command.run)
        return self

    def parse_known_args(self, args: Sequence[str] | None = None, namespace: Any = None) -> Any:
        return super(CommandParser, self.load()).parse_known_args(args, namespace)

    def format_usage(self) -> str:
        return super(CommandParser, self.load()).format_usage()

    def format_help(self) -> str:
        return super(CommandParser, self.load()).format_help()


def build_parser() -> argparse.ArgumentParser:
    """The whole CLI; a command's arguments are declared when that command is parsed."""
    parser = argparse.ArgumentParser(prog=PROG, description="Data Bloom: access-log analytics from the command line")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND", parser_class=CommandParser)
    for name, (module, summary) in COMMANDS.items():
        sub.add_parser(name, module=module, help=summary, description=summary)
    return parser


def _stdout_is_broken() -> bool:
    """True when stdout is a pipe whose reader has gone (so a BrokenPipeError came from our output)."""
    try:
        import select

        poller = select.poll()
        poller.register(sys.stdout.fileno(), select.POLLOUT)
        return any(events & select.POLLERR for _, events in poller.poll(0))
    except (AttributeError, OSError, ValueError):  # no poll() on this platform, or stdout is not a file
        return True


def _silence_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's final flush cannot fail (and print) again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass


def main(argv: Sequence[str] | None = None) -> int:
    """Parse ``argv``, run the command, turn expected errors into one line on stderr; the exit status."""
    try:
        try:
            args = build_parser().parse_args(argv)
        except SystemExit:  # --help or a usage error: argparse has written its text
            sys.stdout.flush()
            raise
        with page_rules(args):
            code = args.run(args)
        sys.stdout.flush()
        return code
    except BrokenPipeError as exc:
        if not _stdout_is_broken():
            print(error_line(exc), file=sys.stderr)
            return EXIT_ERROR
        _silence_stdout()
        return EXIT_BROKEN_PIPE
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except EXPECTED_ERRORS as exc:
        print(error_line(exc), file=sys.stderr)
        return EXIT_ERROR
    except ModuleNotFoundError as exc:
        if (exc.name or "").partition(".")[0] == "dashboard":
            raise  # a bug of ours, not an installation to repair
        print(f"error: {missing_package(exc.name)}", file=sys.stderr)
        return EXIT_ERROR


def missing_package(name: str | None) -> str:
    """What to do when a package the command imports is not installed in this Python (commands import lazily)."""
    return (
        f"the package {name!r} is not installed in this Python ({sys.executable}): install Data Bloom as the "
        "README says (pip install -r requirements.txt) and run it from that environment"
    )
