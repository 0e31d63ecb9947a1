"""Source → parse → enrich, in one call: what the CLI, the benchmark and the app all load logs with."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from dashboard.enrich import enrich
from dashboard.enrich.agents import warm_up
from dashboard.enrich.geo import GeoDatabase, open_geo_database
from dashboard.ingest.formats import LogFormat
from dashboard.ingest.parse import WORKERS, ParseResult, Source, parse_sources


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
