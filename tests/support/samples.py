"""Sample logs as lists of lines, for tests that compare or count them (the product streams ``Sample.chunks``)."""

from __future__ import annotations

from datetime import datetime

from dashboard.sample import DEFAULT_DAYS, generate_sample


def generate_lines(
    lines: int,
    days: float = DEFAULT_DAYS,
    seed: int = 0,
    start: datetime | None = None,
    tz: str = "UTC",
    incidents: bool = True,
) -> tuple[list[bytes], list[dict]]:
    """The lines (bytes, no newline) and the incidents of a sample."""
    sample = generate_sample(lines, days, seed, start, tz, incidents)
    return list(sample.iter_lines()), sample.incidents
