"""The figures of one ingest (light: the CLI prints them; no data stack)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class IngestReport:
    """The figures of one ingest: lines read, parsed, rejected, rows added, sources skipped, seconds."""

    lines: int = 0
    parsed: int = 0
    rejected: int = 0
    rows: int = 0
    sources: int = 0
    skipped: int = 0
    batches: int = 0
    removed: int = 0
    seconds: float = 0.0
