"""Time buckets: the one policy for bucket sizes, time zones and daylight saving, on every page and in every file.

A bucket is a span of wall-clock time in the display zone, floored to the bucket size (a day starts at local
midnight) and keyed by the UTC instant at which it starts, so a wall-clock start that happens twice when clocks
go back is two buckets, each labelled with its UTC offset.

The Traffic page (slider, heatmap, timeline), the Explore page, the report, ``summary`` and the cube files, on
pandas or Spark, all bucket through ``bucket_ns``.
"""

from __future__ import annotations

import zoneinfo

import numpy as np
import pandas as pd

from dashboard.errors import DataBloomError

DEFAULT_BUCKET = "4h"
DEFAULT_TZ = "UTC"
BUCKETS = ("1min", "5min", "15min", "1h", "4h", "1D")  # the sizes the pages offer
LIVE_BUCKET = "1min"  # a followed log starts at minute scale: the newest requests are its point
DAY = pd.Timedelta(days=1)
GRID_STEP = pd.Timedelta(minutes=15)  # UTC offsets are multiples of 15 min: a probe per step meets every bucket
LABEL_FORMAT = "%Y-%m-%d %H:%M"
OFFSET_FORMAT = "%z"


class BucketError(DataBloomError):
    """A bucket size or time zone that cannot be used."""


def check_bucket(bucket: str) -> pd.Timedelta:
    """The bucket as a fixed span; rejects month/year aliases and non-positive spans."""
    try:
        span = pd.Timedelta(pd.tseries.frequencies.to_offset(bucket))
    except (ValueError, TypeError) as exc:
        raise BucketError(f"bucket {bucket!r} is not a fixed time span such as 15min, 1h, 4h, 1D") from exc
    if span <= pd.Timedelta(0):
        raise BucketError(f"bucket {bucket!r} must be longer than zero")
    return span


def check_tz(tz: str) -> str:
    """``tz`` if it names an IANA time zone, else BucketError."""
    try:
        zoneinfo.ZoneInfo(tz)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError) as exc:
        raise BucketError(f"unknown time zone {tz!r} (use an IANA name such as Europe/Berlin)") from exc
    return tz


def _naive_ns(times: pd.Series) -> np.ndarray:
    return times.dt.tz_localize(None).to_numpy().astype("datetime64[ns]").astype(np.int64)


def groups(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(distinct keys in order, each row's position among them); sorted keys (time-sorted rows) need no sort."""
    keys = np.asarray(keys)
    if len(keys) and (keys[1:] >= keys[:-1]).all():
        change = np.empty(len(keys), bool)
        change[0] = True
        np.not_equal(keys[1:], keys[:-1], out=change[1:])
        return keys[change], np.cumsum(change) - 1
    uniques, inverse = np.unique(keys, return_inverse=True)
    return uniques, inverse.reshape(-1)


def _localize(wall_ns: np.ndarray, tz: str) -> np.ndarray:
    """Wall-clock nanoseconds in ``tz`` → UTC nanoseconds (a repeated time: its first, summer-time instant)."""
    local = pd.DatetimeIndex(wall_ns.astype("datetime64[ns]"))
    return local.tz_localize(tz, ambiguous=True, nonexistent="shift_forward").tz_convert("UTC").tz_localize(None).asi8


def bucket_ns(utc_ns: np.ndarray, wall_ns: np.ndarray, span: pd.Timedelta, tz: str) -> np.ndarray:
    """The UTC nanosecond starting each row's bucket, from its UTC and wall-clock nanoseconds in ``tz``.

    The start is the row's wall-clock time floored to the span, at the row's own UTC offset when that floor
    exists at it (so the two copies of a repeated hour stay apart), else at the offset the zone has there.
    """
    step = int(span.value)
    floor = wall_ns // step * step
    start = floor - (wall_ns - utc_ns)
    if tz == "UTC" or not len(start):
        return start
    if (start[1:] >= start[:-1]).all():  # time-sorted rows: runs of equal (start, floor), no sort
        change = np.empty(len(start), bool)
        change[0] = True
        np.not_equal(start[1:], start[:-1], out=change[1:])
        change[1:] |= floor[1:] != floor[:-1]
        firsts, keys, inverse = start[change], floor[change], np.cumsum(change) - 1
    else:
        distinct, inverse = np.unique(np.stack([start, floor], axis=1), axis=0, return_inverse=True)
        firsts, keys, inverse = distinct[:, 0].copy(), distinct[:, 1], inverse.reshape(-1)
    walls = pd.DatetimeIndex(firsts.astype("datetime64[ns]")).tz_localize("UTC").tz_convert(tz).tz_localize(None)
    # A floor across a clock change from its row takes the zone's offset there; a day starts at local midnight.
    wrong = np.ones(len(firsts), bool) if span >= DAY else walls.asi8 != keys
    if wrong.any():
        firsts[wrong] = _localize(keys[wrong], tz)
    return firsts[inverse]


def wall_ns(utc_ns: np.ndarray, tz: str) -> np.ndarray:
    """UTC nanoseconds → wall-clock nanoseconds in ``tz``."""
    if tz == "UTC":
        return np.asarray(utc_ns, dtype=np.int64)
    index = pd.DatetimeIndex(np.asarray(utc_ns, dtype=np.int64).astype("datetime64[ns]")).tz_localize("UTC")
    return index.tz_convert(tz).tz_localize(None).asi8


def bucket_grid(first_ns: int, last_ns: int, span: pd.Timedelta, tz: str) -> np.ndarray:
    """UTC starts of every bucket from the one holding ``first_ns`` to the one holding ``last_ns``, empty or not.

    A series drawn on this grid shows an hour without requests as zero, not as the value before it carried on.
    Probes every ``min(span, GRID_STEP)`` go through ``bucket_ns``, so the DST policy is the same as for rows.
    """
    if last_ns < first_ns:
        return np.zeros(0, np.int64)
    step = int(min(span, GRID_STEP).value)
    probes = np.append(np.arange(int(first_ns), int(last_ns), step, dtype=np.int64), np.int64(last_ns))
    return np.unique(bucket_ns(probes, wall_ns(probes, tz), span, tz))


def span_buckets(first: pd.Timestamp | None, last: pd.Timestamp | None, bucket: str, tz: str) -> int:
    """How many buckets the span from ``first`` to ``last`` covers, empty ones included (the slider's positions)."""
    if first is None or last is None:
        return 0
    return len(bucket_grid(pd.Timestamp(first).value, pd.Timestamp(last).value, check_bucket(bucket), tz))


def bucket_starts(times: pd.Series, bucket: str = DEFAULT_BUCKET, tz: str = DEFAULT_TZ) -> pd.Series:
    """Start of each row's bucket, as a tz-aware timestamp in ``tz``."""
    span = check_bucket(bucket)
    check_tz(tz)
    if times.empty:
        return times.dt.tz_convert(tz)
    utc_ns = _naive_ns(times.dt.tz_convert("UTC"))
    wall_ns = utc_ns if tz == "UTC" else _naive_ns(times.dt.tz_convert(tz))
    starts = bucket_ns(utc_ns, wall_ns, span, tz).astype("datetime64[ns]")
    out = pd.Series(starts, index=times.index, name=times.name).dt.tz_localize("UTC").dt.tz_convert(tz)
    return out.dt.as_unit(times.dt.unit)


def instants(starts_ns: np.ndarray, tz: str) -> pd.Series:
    """UTC nanoseconds → tz-aware timestamps in ``tz``."""
    naive = pd.Series(np.asarray(starts_ns, dtype=np.int64).astype("datetime64[ns]"))
    return naive.dt.tz_localize("UTC").dt.tz_convert(tz)


def bucket_labels(starts: list[pd.Timestamp] | pd.Series, fmt: str = LABEL_FORMAT) -> list[str]:
    """Readable labels of tz-aware bucket starts; a wall time that occurs twice gets its UTC offset."""
    starts = list(starts)
    labels = [b.strftime(fmt) for b in starts]
    seen: dict[str, int] = {}
    for label in labels:
        seen[label] = seen.get(label, 0) + 1
    return [
        f"{label} ({b.strftime(OFFSET_FORMAT)})" if seen[label] > 1 else label
        for label, b in zip(labels, starts, strict=True)
    ]


def window(frame: pd.DataFrame, start: pd.Timestamp | None, end: pd.Timestamp | None) -> pd.DataFrame:
    """Rows with ``start <= time < end`` (a frame sorted by time is sliced, not scanned)."""
    if start is None and end is None:
        return frame
    times = frame["time"]
    if times.is_monotonic_increasing:
        lo = 0 if start is None else times.searchsorted(start, side="left")
        hi = len(frame) if end is None else times.searchsorted(end, side="left")
        return frame.iloc[lo:hi]
    mask = np.ones(len(frame), bool)
    if start is not None:
        mask &= (times >= start).to_numpy()
    if end is not None:
        mask &= (times < end).to_numpy()
    return frame[mask]


def window_end(starts: list[pd.Timestamp], last: int, bucket: str) -> pd.Timestamp:
    """End (exclusive) of the window that ends with bucket number ``last``."""
    span = check_bucket(bucket)
    return min(starts[last + 1], starts[last] + span) if last + 1 < len(starts) else starts[last] + span
