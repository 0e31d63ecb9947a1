"""Deterministic generator of realistic access-log traffic: demo data, benchmark input, alert ground truth.

One seed gives one byte-identical log in the Apache/nginx "combined" format, plus a list of injected
incidents with exact UTC windows (the ground truth an alert detector is scored against).

How the traffic is built (all random choices drawn as numpy arrays, then formatted in chunks):

- A visitor population (IP + user agent) from ~85 countries weighted like real web traffic; IPs are drawn
  from real networks of the bundled DB-IP database (found by probing the address space, ~0.15 s), ~10 %
  IPv6, a few private addresses. Visitors come back in sessions: landing page from a search engine or
  social site, a few more pages with internal referrers, static assets and API calls.
- Session starts follow a diurnal curve in each country's local time and a weekly one (weekends lower),
  with multiplicative noise; bots (~20 % of lines) follow a flat curve; load-balancer health checks are
  periodic.
- Incidents (when asked, from INCIDENT_MIN_LINES lines on) sit in non-overlapping minute-aligned windows
  that depend only on the seed, the span and its start, not on the line count.
- Real-world oddities (escaped quotes, spaces in URLs, ``"-"`` requests, TLS garbage, raw UTF-8 and latin-1
  bytes...) replace a few ordinary lines, so the line count stays exact.

The package, by concern: ``catalog`` (the tables), ``agents``, ``site``, ``networks``, ``humans``, ``bots``,
``incidents``, ``oddities``, ``traffic`` (the generator that plans every row) and ``writer`` (the log text).
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from dashboard.sample.agents import Agent, agents
from dashboard.sample.incidents import INCIDENT_KINDS, INCIDENT_MIN_LINES, INCIDENT_MINUTES
from dashboard.sample.networks import DB_PATH
from dashboard.sample.oddities import MALFORMED_ODDITIES
from dashboard.sample.traffic import Generator
from dashboard.sample.writer import FORMATS, Sample, sidecar_path, write

__all__ = [
    "DB_PATH",
    "DEFAULT_DAYS",
    "FORMATS",
    "INCIDENT_KINDS",
    "INCIDENT_MINUTES",
    "MALFORMED_ODDITIES",
    "Agent",
    "Sample",
    "agents",
    "generate_sample",
    "sidecar_path",
    "write_sample",
]

DEFAULT_DATE = (2026, 6, 1)  # a Monday; midnight in the requested zone
DEFAULT_DAYS = 7.0


def _resolve_start(start: datetime | None, tz: str) -> datetime:
    """The span start as an aware datetime: default midnight of DEFAULT_DATE in ``tz``; naive means ``tz``."""
    zone = ZoneInfo(tz)
    if start is None:
        return datetime(*DEFAULT_DATE, tzinfo=zone)
    if start.tzinfo is None:
        return start.replace(tzinfo=zone)
    return start


def generate_sample(
    lines: int,
    days: float = DEFAULT_DAYS,
    seed: int = 0,
    start: datetime | None = None,
    tz: str = "UTC",
    incidents: bool = True,
    fmt: str = FORMATS[0],
) -> Sample:
    """Plan a deterministic sample of exactly ``lines`` lines over ``days`` days; format it lazily in ``fmt``."""
    if lines < 0 or days <= 0:
        raise ValueError("lines must be >= 0 and days > 0")
    if fmt not in FORMATS:
        raise ValueError(f"the sample is written as one of {', '.join(FORMATS)}, not {fmt}")
    gen = Generator(lines, days, seed, _resolve_start(start, tz), tz, incidents and lines >= INCIDENT_MIN_LINES)
    return dataclasses.replace(gen.build(), fmt=fmt)


def write_sample(
    path: str | Path,
    lines: int,
    days: float = DEFAULT_DAYS,
    seed: int = 0,
    tz: str = "UTC",
    incidents: bool = True,
    start: datetime | None = None,
    fmt: str = FORMATS[0],
) -> dict:
    """Write the log (gzip when the name ends in .gz, byte-identical per seed) and its incidents sidecar."""
    return write(generate_sample(lines, days, seed, start, tz, incidents, fmt), path)
