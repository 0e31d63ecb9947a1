"""Source → parse → enrich, in one call: what the CLI, the benchmark and the app all load logs with."""

from __future__ import annotations

import hashlib
import io
import os
import time
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from dashboard.enrich import enrich
from dashboard.enrich.agents import warm_up
from dashboard.enrich.geo import GeoDatabase, open_geo_database, resolve_geoip_path
from dashboard.ingest import scanner, snapshot
from dashboard.ingest.formats import LogFormat
from dashboard.ingest.parse import WORKERS, ParseResult, Source, parse_sources
from dashboard.memory import release_memory
from dashboard.resources import ASN_TABLE, SAMPLE_PARSED

SAMPLE_FORMAT = "combined_time_us"  # with response times, so the Audience and Explore pages show them


@dataclass
class LoadedLog:
    """A parsed and enriched log with the accounting of every line."""

    parse: ParseResult
    frame: pd.DataFrame
    # What the rows were made from (file stats, upload digest, followed lines, sample parameters): caches key on it.
    fingerprint: tuple[Hashable, ...] = ()

    @property
    def format_name(self) -> str:
        return self.parse.format.name

    @property
    def scanned(self) -> bool:
        """Whether the compiled scanner parsed this log (else the polars regex alone: the same rows, slower)."""
        return scanner.layout_for(self.parse.format) is not None


def load_log(
    sources: Sequence[Source] | Source,
    fmt: str | LogFormat | None = None,
    *,
    geo: GeoDatabase | None = None,
    geoip: str | Path | None = None,
    progress: Callable[[int], None] | None = None,
    workers: int = WORKERS,
    name: str | None = None,
    max_decompressed: int | None = None,
    timings: dict[str, float] | None = None,
    fingerprint: tuple[Hashable, ...] | None = None,
) -> LoadedLog:
    """Parse and enrich one or more logs; the frame comes sorted by time.

    ``timings``, when given, receives the seconds spent in ``parse_s`` and ``enrich_s``. ``fingerprint``
    defaults to ``source_fingerprint`` of the sources, format and GeoIP database.
    """
    if not isinstance(sources, list | tuple):
        sources = [sources]
    if fingerprint is None:
        geo_file = str(geo.path if geo is not None else resolve_geoip_path(geoip))
        fingerprint = source_fingerprint(sources, fmt, geo_file)
    started = time.perf_counter()
    warm_up()  # the user-agent engines build while the log parses, not after
    result = parse_sources(
        list(sources), fmt, workers=workers, progress=progress, name=name, max_decompressed=max_decompressed
    )
    frame = result.frame
    if not frame["time"].is_monotonic_increasing:
        frame = frame.sort_values("time", kind="stable", ignore_index=True)
    parsed = time.perf_counter()
    own_geo = geo is None
    geo = geo or open_geo_database(geoip)
    try:
        frame = enrich(frame, geo)
    finally:
        if own_geo:
            geo.close()
    result.frame = frame
    del frame
    release_memory()
    if timings is not None:
        timings.update(parse_s=parsed - started, enrich_s=time.perf_counter() - parsed)
    return LoadedLog(parse=result, frame=result.frame, fingerprint=fingerprint)


def source_fingerprint(
    sources: Sequence[Source], fmt: str | LogFormat | None, geo_file: str | None
) -> tuple[Hashable, ...]:
    """What identifies the data read: a file by path, size and mtime_ns; bytes in memory by their SHA-256.

    A stream that can be neither stat-ed nor hashed without reading it gets its object id: never shared.
    """
    parts: list[Hashable] = []
    for source in sources:
        if isinstance(source, str | os.PathLike):
            try:
                stat = os.stat(source)
            except OSError:  # not a file (stdin's "-", a missing path): reading it says what is wrong
                parts.append(("stream", os.fspath(source), id(source)))
                continue
            parts.append(("file", os.fspath(source), stat.st_size, stat.st_mtime_ns))
        elif isinstance(source, io.BytesIO):
            parts.append(("bytes", hashlib.sha256(source.getbuffer()).hexdigest()))
        else:
            parts.append(("stream", id(source)))
    fmt_key = (fmt.name, fmt.kind, fmt.pattern, fmt.json_paths) if isinstance(fmt, LogFormat) else fmt
    return (*parts, ("format", fmt_key), ("geoip", geo_file))


def sample_identity(lines: int, days: int, seed: int, geo_file: str | Path) -> tuple[Hashable, ...]:
    """What the sample's rows are made from: the generator's parameters and the bundled tables (name, size)."""
    tables = [Path(geo_file), ASN_TABLE]
    return ("sample", lines, days, seed, SAMPLE_FORMAT, *((t.name, t.stat().st_size) for t in tables))


def parse_sample(
    lines: int,
    days: int,
    seed: int,
    geo_file: str | Path,
    geo: GeoDatabase | None = None,
    fingerprint: tuple[Hashable, ...] | None = None,
) -> LoadedLog:
    """Generate the sample log in memory and load it: what its shipped parse must equal."""
    buffer = io.BytesIO(sample_text(lines, days, seed))
    return load_log(buffer, SAMPLE_FORMAT, geo=geo, geoip=geo_file, name="sample", fingerprint=fingerprint)


def sample_text(lines: int, days: int, seed: int) -> bytes:
    """The embedded sample log as its lines: what the pages parse, and what the Lines page shows."""
    from dashboard.sample import generate_sample

    return b"".join(generate_sample(lines, days=days, seed=seed, fmt=SAMPLE_FORMAT).chunks())


def load_sample(
    lines: int,
    days: int,
    seed: int,
    geo_file: str | Path,
    fingerprint: tuple[Hashable, ...],
    geo: GeoDatabase | None = None,
) -> LoadedLog:
    """The sample log: its shipped parse when made from the same parameters (a new server starts in a blink),
    else generated and parsed."""
    shipped = saved_log(SAMPLE_PARSED, sample_identity(lines, days, seed, geo_file), fingerprint)
    return shipped or parse_sample(lines, days, seed, geo_file, geo, fingerprint)


def save_log(loaded: LoadedLog, path: Path, made_from: tuple[Hashable, ...]) -> None:
    """Save a loaded log's parse (frame and accounting) to read it back with ``saved_log``."""
    snapshot.save_parsed(loaded.parse, path, made_from)


def saved_log(path: Path, made_from: tuple[Hashable, ...], fingerprint: tuple[Hashable, ...]) -> LoadedLog | None:
    """The log saved at ``path`` if it was made from ``made_from``; None otherwise (missing, other, damaged)."""
    if snapshot.made_from(path) != made_from:
        return None
    parse = snapshot.load_parsed(path)
    return LoadedLog(parse=parse, frame=parse.frame, fingerprint=fingerprint)
