"""Date ranges of the Explore page and the report: presets counted back from the data, whole local days, the
previous period, and the bucket size that fits a range."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from dashboard.analysis.buckets import check_tz
from dashboard.errors import DataBloomError

PRESETS: dict[str, pd.Timedelta | None] = {
    "all": None,
    "week": pd.Timedelta(days=7),
    "day": pd.Timedelta(days=1),
    "hour": pd.Timedelta(hours=1),
}
AUTO_BUCKETS = ("1min", "5min", "15min", "1h", "4h", "1D")
MAX_BUCKETS = 200
RESOLUTION = pd.Timedelta(microseconds=1)  # the end of "the data" is its last instant plus this


class RangeError(DataBloomError):
    """A date range that cannot be used (unknown preset, end before start)."""


@dataclass(frozen=True)
class DateRange:
    """``start <= time < end`` in UTC."""

    start: pd.Timestamp
    end: pd.Timestamp

    @property
    def length(self) -> pd.Timedelta:
        return self.end - self.start


def data_range(times: pd.Series) -> DateRange | None:
    """From the first instant of the data to just after its last (None for an empty log)."""
    if times.empty:
        return None
    return DateRange(times.iloc[0] if times.is_monotonic_increasing else times.min(), times.max() + RESOLUTION)


def preset_range(times: pd.Series, preset: str) -> DateRange | None:
    """The range of a preset, counted back from the end of the data (``all``: the whole log)."""
    if preset not in PRESETS:
        raise RangeError(f"unknown date range {preset!r} (one of {', '.join(PRESETS)})")
    whole = data_range(times)
    span = PRESETS[preset]
    if whole is None or span is None:
        return whole
    return DateRange(max(whole.end - span, whole.start), whole.end) if span < whole.length else whole


def custom_range(first_day: object, last_day: object, tz: str) -> DateRange:
    """Whole local days ``first_day`` … ``last_day`` (inclusive) in ``tz``."""
    start = pd.Timestamp(first_day).tz_localize(None).normalize()
    end = pd.Timestamp(last_day).tz_localize(None).normalize() + pd.Timedelta(days=1)
    if end <= start:
        raise RangeError("the end date is before the start date")
    zone = check_tz(tz)
    return DateRange(
        start.tz_localize(zone, ambiguous=True, nonexistent="shift_forward").tz_convert("UTC"),
        end.tz_localize(zone, ambiguous=True, nonexistent="shift_forward").tz_convert("UTC"),
    )


def previous_period(current: DateRange) -> DateRange:
    """The period of the same length just before ``current``."""
    return DateRange(current.start - current.length, current.start)


def auto_bucket(length: pd.Timedelta) -> str:
    """The finest bucket that draws at most MAX_BUCKETS bars over ``length``."""
    for bucket in AUTO_BUCKETS:
        if length / pd.Timedelta(bucket) <= MAX_BUCKETS:
            return bucket
    return AUTO_BUCKETS[-1]
