"""A planned sample as log text: combined lines (optionally with %D) in the sample's zone (DST-aware), gzip, sidecar."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np

from dashboard.sample.agents import agents
from dashboard.sample.catalog import METHODS, PROTOCOLS, USERS

CHUNK_LINES = 100_000
GZIP_LEVEL = 3
SIDECAR_SUFFIX = ".incidents.json"
FORMATS = ("combined", "combined_time_us")  # the second appends Apache's %D (microseconds to serve)
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass
class Sample:
    """A generated log: the planned rows (numpy arrays) plus tables, formatted lazily in chunks."""

    seed: int
    lines: int
    start: datetime
    end: datetime
    tz: str
    incidents: list[dict]
    oddities: dict[str, int]
    bot_lines: int
    columns: dict[str, np.ndarray] = field(repr=False)
    ips: list[str] = field(repr=False)
    paths: list[str] = field(repr=False)
    referrers: list[str] = field(repr=False)
    overrides: dict[int, str] = field(repr=False)
    fmt: str = FORMATS[0]

    def chunks(self, size: int = CHUNK_LINES) -> Iterator[bytes]:
        """Yield the log as blocks of complete newline-terminated lines."""
        for i0 in range(0, self.lines, size):
            yield _format_block(self, i0, min(i0 + size, self.lines))

    def iter_lines(self) -> Iterator[bytes]:
        """Yield the log one line at a time, without the newline."""
        for block in self.chunks():
            yield from block[:-1].split(b"\n")

    def summary(self) -> dict:
        """The sidecar document: parameters, span, incidents and oddity counts."""
        return {
            "seed": self.seed,
            "lines": self.lines,
            "start": iso(self.start),
            "end": iso(self.end),
            "tz": self.tz,
            "bot_lines": self.bot_lines,
            "oddities": dict(self.oddities),
            "incidents": self.incidents,
        }


def iso(moment: datetime) -> str:
    """ISO 8601 in UTC with seconds."""
    return moment.astimezone(UTC).isoformat(timespec="seconds")


@lru_cache(maxsize=1)
def _clock() -> list[str]:
    """``HH:MM:SS`` for every second of a day."""
    return [f"{h:02d}:{m:02d}:{s:02d}" for h in range(24) for m in range(60) for s in range(60)]


@lru_cache(maxsize=64)
def _day_label(day: int) -> str:
    """``DD/Mon/YYYY`` of a day number since the epoch."""
    d = datetime(1970, 1, 1) + timedelta(days=day)
    return f"{d.day:02d}/{MONTHS[d.month - 1]}/{d.year}"


def _offset_label(seconds: int) -> str:
    """``+HHMM`` of an offset in seconds."""
    sign = "-" if seconds < 0 else "+"
    minutes = abs(seconds) // 60
    return f"{sign}{minutes // 60:02d}{minutes % 60:02d}"


def _offsets(epoch: np.ndarray, tz: str) -> np.ndarray:
    """UTC offset in seconds at each epoch second, from zoneinfo per 15-minute bucket (DST-aware)."""
    if tz == "UTC":
        return np.zeros(len(epoch), dtype=np.int64)
    zone = ZoneInfo(tz)
    buckets = epoch // 900
    first = int(buckets.min()) if len(buckets) else 0
    span = int(buckets.max()) - first + 1 if len(buckets) else 0
    table = np.array(
        [int(datetime.fromtimestamp((first + b) * 900, zone).utcoffset().total_seconds()) for b in range(span)],
        dtype=np.int64,
    )
    return table[buckets - first]


def timestamps(epoch: np.ndarray, tz: str) -> list[str]:
    """``DD/Mon/YYYY:HH:MM:SS +ZZZZ`` of float epoch seconds in a zone."""
    sec = np.floor(epoch).astype(np.int64)
    off = _offsets(sec, tz)
    local = sec + off
    clock = _clock()
    return [
        f"{_day_label(d)}:{clock[s]} {_offset_label(o)}"
        for d, s, o in zip((local // 86400).tolist(), (local % 86400).tolist(), off.tolist(), strict=True)
    ]


def _format_block(sample: Sample, i0: int, i1: int) -> bytes:
    """Format rows [i0, i1) into newline-terminated combined-format lines."""
    c = sample.columns
    t0 = sample.start.timestamp()
    sec = np.floor(t0 + c["t"][i0:i1]).astype(np.int64)
    off = _offsets(sec, sample.tz)
    local = sec + off
    days, day_idx = np.unique(local // 86400, return_inverse=True)
    offs, off_idx = np.unique(off, return_inverse=True)
    stamp = [f"{_day_label(int(d))}:" for d in days]
    zones = [f" {_offset_label(int(o))}" for o in offs]
    clock, ips, paths, refs = _clock(), sample.ips, sample.paths, sample.referrers
    uas = [a.ua for a in agents()]
    size = c["size"][i0:i1].astype(object)
    size[size < 0] = "-"
    lines = [
        f'{ips[ip]} - {USERS[u]} [{stamp[d]}{clock[s]}{zones[o]}] "{METHODS[m]} {paths[p]} {PROTOCOLS[q]}" '
        f'{st} {b} "{refs[r]}" "{uas[a]}"'
        for ip, u, d, s, o, m, p, q, st, b, r, a in zip(
            c["ip"][i0:i1].tolist(),
            c["user"][i0:i1].tolist(),
            day_idx.tolist(),
            (local % 86400).tolist(),
            off_idx.tolist(),
            c["method"][i0:i1].tolist(),
            c["path"][i0:i1].tolist(),
            c["proto"][i0:i1].tolist(),
            c["status"][i0:i1].tolist(),
            size.tolist(),
            c["ref"][i0:i1].tolist(),
            c["ua"][i0:i1].tolist(),
            strict=True,
        )
    ]
    for row, text in sample.overrides.items():
        if i0 <= row < i1:
            lines[row - i0] = text
    if sample.fmt == "combined_time_us":
        lines = [f"{line} {us}" for line, us in zip(lines, c["response_us"][i0:i1].tolist(), strict=True)]
    lines.append("")
    return "\n".join(lines).encode("utf-8", "surrogateescape")


def sidecar_path(path: str | Path) -> Path:
    """Where the incidents JSON of a log lives: ``<path>.incidents.json``."""
    return Path(f"{path}{SIDECAR_SUFFIX}")


def write(sample: Sample, path: str | Path) -> dict:
    """Write the log (gzip when the name ends in .gz, byte-identical per seed) and its incidents sidecar."""
    path = Path(path)
    with path.open("wb") as raw:
        if path.suffix == ".gz":
            with gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=GZIP_LEVEL, mtime=0) as out:
                for block in sample.chunks():
                    out.write(block)
        else:
            for block in sample.chunks():
                raw.write(block)
    summary = sample.summary()
    sidecar_path(path).write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    return {"path": str(path), "sidecar": str(sidecar_path(path)), **summary}
