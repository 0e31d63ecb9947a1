"""The app's command-line options (``streamlit run app.py -- --log PATH ...``) and the path policy.

A hosted app must not let a visitor read the server's files: the page can only open the logs (and the store)
the operator named with ``--log`` (``--store``), or files inside a directory the operator allowed with ``--allow-dir``.
"""

from __future__ import annotations

import argparse
import os
import shlex
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from dashboard.analysis.annotations import default_path as default_annotations
from dashboard.errors import DataBloomError

SAMPLE_LINES = 100_000
SAMPLE_DAYS = 7
SAMPLE_SEED = 1
FOLLOW_ROWS = 2_000_000
MAX_UPLOAD_DECOMPRESSED_MB = 2048
# The same options as the command line, for hosts where the command line cannot be changed (and tests).
ARGS_ENV = "DATABLOOM_ARGS"


class PathNotAllowedError(DataBloomError):
    """A path outside what the operator configured."""


@dataclass(frozen=True)
class AppConfig:
    """What the operator chose on the command line."""

    logs: tuple[Path, ...] = ()
    format: str | None = None
    geoip: str | None = None
    allow_dirs: tuple[Path, ...] = field(default_factory=tuple)
    sample_lines: int = SAMPLE_LINES
    alerts_config: str | None = None
    follow: Path | None = None
    cube: Path | None = None
    store: Path | None = None
    max_decompressed: int = MAX_UPLOAD_DECOMPRESSED_MB << 20
    follow_rows: int = FOLLOW_ROWS
    annotations: Path | None = None  # --annotations, else annotations.jsonl beside the first --log/--follow
    page_rules: Path | None = None  # --page-rules: what counts as a page, an asset or other


def parse_app_args(argv: Sequence[str], environ: dict[str, str] | None = None) -> AppConfig:
    """Options after ``--`` on the streamlit command line, then ``DATABLOOM_ARGS``; unknown ones are ignored."""
    environ = os.environ if environ is None else environ
    argv = [*argv, *shlex.split(environ.get(ARGS_ENV, ""))]
    parser = argparse.ArgumentParser(prog="streamlit run app.py --", add_help=False)
    parser.add_argument("--log", action="append", default=[], help="a log file to open (repeatable)")
    parser.add_argument("--format", default=None)
    parser.add_argument("--geoip", default=None)
    parser.add_argument(
        "--allow-dir", action="append", default=[], help="let the page open log files inside this directory"
    )
    parser.add_argument("--sample-lines", type=int, default=SAMPLE_LINES)
    parser.add_argument("--follow", default=None, help="follow this growing log (tail -F) and update the page live")
    parser.add_argument(
        "--max-decompressed-mb",
        type=int,
        default=MAX_UPLOAD_DECOMPRESSED_MB,
        help="a compressed upload that expands past this is refused (gzip bombs)",
    )
    parser.add_argument("--cube", default=None, help="open a cube written by 'python -m dashboard cube'")
    parser.add_argument("--store", default=None, help="open a store written by 'databloom ingest' (a directory)")
    parser.add_argument("--follow-rows", type=int, default=FOLLOW_ROWS, help="rows a followed log keeps")
    parser.add_argument("--alerts-config", default=None, help="alerts TOML (default: the shipped alerts.toml)")
    parser.add_argument("--annotations", default=None, help="deploy markers (JSON lines or CSV) for the time charts")
    parser.add_argument("--page-rules", default=None, help="TOML rules for pages vs assets (see the README)")
    args, _ = parser.parse_known_args(list(argv))
    beside = default_annotations([*args.log, *([args.follow] if args.follow else [])])
    return AppConfig(
        logs=tuple(Path(p).resolve() for p in args.log),
        format=args.format,
        geoip=args.geoip or environ.get("DATABLOOM_GEOIP"),
        allow_dirs=tuple(Path(p).resolve() for p in args.allow_dir),
        sample_lines=args.sample_lines,
        alerts_config=args.alerts_config,
        follow=Path(args.follow).resolve() if args.follow else None,
        follow_rows=args.follow_rows,
        cube=Path(args.cube).resolve() if args.cube else None,
        store=Path(args.store).resolve() if args.store else None,
        max_decompressed=args.max_decompressed_mb << 20,
        annotations=Path(args.annotations).resolve() if args.annotations else beside,
        page_rules=Path(args.page_rules).resolve() if args.page_rules else None,
    )


PathTest = Callable[[Path], bool]


def _allowed(config: AppConfig, requested: str, what: tuple[str, str], named: PathTest, kind: PathTest) -> Path:
    """The resolved path of ``requested`` if the operator named it (``named``) or it is a ``kind`` of file inside an
    --allow-dir; a relative path is looked for in the allowed directories. ``what``: (the thing, its empty form)."""
    if not requested or "\x00" in requested:
        raise PathNotAllowedError(f"no {what[1]} given")
    path = Path(requested)
    candidates = [path] if path.is_absolute() else [d / path for d in config.allow_dirs]
    for candidate in candidates:
        resolved = candidate.resolve()
        if named(resolved) or (any(resolved.is_relative_to(d) for d in config.allow_dirs) and kind(resolved)):
            return resolved
    raise PathNotAllowedError(f"{requested!r} is not a {what[0]} this server was configured to open")


def allowed_path(config: AppConfig, requested: str) -> Path:
    """The resolved path if the operator allowed it (named with --log, or a file inside an --allow-dir)."""
    return _allowed(config, requested, ("log", "path"), lambda p: p in config.logs, Path.is_file)


def allowed_store(config: AppConfig, requested: str) -> Path:
    """The resolved store directory if the operator allowed it (named with --store, or inside an --allow-dir)."""
    return _allowed(config, requested, ("store", "store directory"), lambda p: p == config.store, lambda p: True)
