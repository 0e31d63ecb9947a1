"""Source → parse → enrich, in one call: what the CLI, the benchmark and the app all load logs with."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .agents import warm_up
from .aggregate import DEFAULT_BUCKET, DEFAULT_TZ, bucket_starts, status_class, unique_visitors
from .enrich import enrich
from .formats import LogFormat
from .geo import GeoDatabase, open_geo_database
from .parse import WORKERS, ParseResult, Source, parse_sources
from .schema import is_country

SUMMARY_REJECTS = 20


@dataclass
class LoadedLog:
    """A parsed and enriched log with the accounting of every line."""

    parse: ParseResult
    frame: pd.DataFrame

    @property
    def format_name(self) -> str:
        return self.parse.format.name


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
) -> LoadedLog:
    """Parse and enrich one or more logs; the frame comes sorted by time.

    ``timings``, when given, receives the seconds spent in ``parse_s`` and ``enrich_s``.
    """
    if not isinstance(sources, list | tuple):
        sources = [sources]
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
    if timings is not None:
        timings.update(parse_s=parsed - started, enrich_s=time.perf_counter() - parsed)
    return LoadedLog(parse=result, frame=frame)


def _counts(series: pd.Series) -> dict[str, int]:
    counts = series.value_counts()
    return {str(k): int(v) for k, v in counts.items() if v}


def summarize(loaded: LoadedLog, bucket: str = DEFAULT_BUCKET, tz: str = DEFAULT_TZ) -> dict:
    """The ``summary --json`` document: accounting, time range, browsers, countries, statuses, visitors."""
    frame, parse = loaded.frame, loaded.parse
    times = frame["time"].dt.tz_convert(tz) if len(frame) else frame["time"]
    countries = _counts(frame["country"]) if len(frame) else {}
    statuses = _counts(pd.Series(status_class(frame["status"]))) if len(frame) else {}
    return {
        "format": parse.format.name,
        "sources": parse.sources,
        "lines": parse.lines,
        "parsed": parse.parsed,
        "rejected": parse.rejected,
        "start": times.iloc[0].isoformat() if len(frame) else None,
        "end": times.iloc[-1].isoformat() if len(frame) else None,
        "browsers": _counts(frame["browser"]) if len(frame) else {},
        "countries": {k: v for k, v in countries.items() if is_country(k)},
        "non_country": {k: v for k, v in countries.items() if not is_country(k)},
        "statuses": statuses,
        "bots": int(frame["is_bot"].sum()) if len(frame) else 0,
        "visitors": unique_visitors(frame, tz),
        "bytes": int(frame["bytes"].sum()) if len(frame) else 0,
        "buckets": int(bucket_starts(frame["time"], bucket, tz).nunique()) if len(frame) else 0,
        "bucket": bucket,
        "tz": tz,
        "reject_reasons": dict(parse.reasons.most_common()),
        "rejects": [{"source": r.source, "line": r.line, "reason": r.reason, "raw": r.raw} for r in parse.rejects],
    }
