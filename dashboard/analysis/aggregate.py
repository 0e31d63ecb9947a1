"""Small tables from the frame: time buckets × a dimension, top-N, windows, visitors, headline figures, cube.

Time zones: the frame holds UTC instants. A bucket is a span of wall-clock time in the display zone. For
buckets shorter than a day each bucket keeps the UTC offset of its rows, so the repeated hour when clocks
go back is two buckets, not one bucket with double traffic; day buckets start at local midnight.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from dashboard.errors import DataBloomError
from dashboard.schema import NON_COUNTRIES

DEFAULT_BUCKET = "4h"
DEFAULT_TZ = "UTC"
OTHER = "Other"
CUBE_DIMENSIONS = ("bucket", "browser", "country", "status_class", "is_bot")
STATUS_CLASSES = ("1xx", "2xx", "3xx", "4xx", "5xx")
DAY = pd.Timedelta(days=1)


class AggregateError(DataBloomError):
    """A bucket size or time zone that cannot be used."""


def check_bucket(bucket: str) -> pd.Timedelta:
    """The bucket as a fixed span; rejects month/year aliases and non-positive spans."""
    try:
        span = pd.Timedelta(pd.tseries.frequencies.to_offset(bucket))
    except (ValueError, TypeError) as exc:
        raise AggregateError(f"bucket {bucket!r} is not a fixed time span such as 15min, 1h, 4h, 1D") from exc
    if span <= pd.Timedelta(0):
        raise AggregateError(f"bucket {bucket!r} must be longer than zero")
    return span


def check_tz(tz: str) -> str:
    """``tz`` if it names an IANA time zone, else AggregateError."""
    try:
        zoneinfo.ZoneInfo(tz)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError) as exc:
        raise AggregateError(f"unknown time zone {tz!r} (use an IANA name such as Europe/Berlin)") from exc
    return tz


def bucket_starts(times: pd.Series, bucket: str = DEFAULT_BUCKET, tz: str = DEFAULT_TZ) -> pd.Series:
    """Start of each row's bucket, as a tz-aware timestamp in ``tz``."""
    span = check_bucket(bucket)
    if times.empty:
        return times.dt.tz_convert(tz)
    if tz == "UTC":
        return times.dt.floor(span)
    local = times.dt.tz_convert(check_tz(tz))
    wall = local.dt.tz_localize(None)
    if span >= DAY:
        return wall.dt.floor(span).dt.tz_localize(tz, ambiguous=True, nonexistent="shift_forward")
    offset = wall - times.dt.tz_localize(None)
    return (wall.dt.floor(span) - offset).dt.tz_localize("UTC").dt.tz_convert(tz)


def status_class(status: pd.Series) -> pd.Categorical:
    """'2xx', '4xx', ... per status code ('other' outside 100-599)."""
    hundreds = status.to_numpy().astype(np.int64) // 100
    codes = np.where((hundreds >= 1) & (hundreds <= len(STATUS_CLASSES)), hundreds - 1, len(STATUS_CLASSES))
    return pd.Categorical.from_codes(codes, categories=[*STATUS_CLASSES, "other"])


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


def top_values(values: pd.Series, n: int, weights: pd.Series | None = None) -> list[str]:
    """The ``n`` most frequent values (by row count or by summed ``weights``)."""
    counts = values.value_counts() if weights is None else weights.groupby(values, observed=True).sum()
    counts = counts[counts > 0].sort_values(ascending=False, kind="stable")
    return [str(v) for v in counts.index[:n]]


def lump(values: pd.Series, keep: Sequence[str]) -> pd.Series:
    """Values outside ``keep`` become "Other": a categorical in ``keep`` order, then "Other"."""
    keep = [k for k in keep if k != OTHER]
    categories = [*keep, OTHER]
    position = {k: i for i, k in enumerate(keep)}
    if isinstance(values.dtype, pd.CategoricalDtype):
        per_category = np.array([position.get(str(c), len(keep)) for c in values.cat.categories] + [len(keep)])
        codes = per_category[values.cat.codes.to_numpy()]  # code -1 (missing) lands on the last slot: Other
    else:
        codes = np.array([position.get(str(v), len(keep)) for v in values.to_numpy()], dtype=np.int64)
    return pd.Series(pd.Categorical.from_codes(codes, categories=categories), index=values.index)


def _naive_utc(buckets: pd.Series) -> np.ndarray:
    """Bucket starts as naive UTC datetime64 (fast to group; object Timestamps are not)."""
    return buckets.dt.tz_convert("UTC").dt.tz_localize(None).to_numpy()


def _aware(naive_utc: pd.Series, tz: str) -> pd.Series:
    """Back from naive UTC to tz-aware timestamps in ``tz``."""
    return naive_utc.dt.tz_localize("UTC").dt.tz_convert(tz)


def counts_by_bucket(
    frame: pd.DataFrame,
    dimension: str,
    bucket: str = DEFAULT_BUCKET,
    tz: str = DEFAULT_TZ,
    top: int | None = 10,
    buckets: pd.Series | None = None,
) -> pd.DataFrame:
    """Long table: bucket, <dimension>, requests, bytes (top-N values, the rest as "Other")."""
    if buckets is None:
        buckets = bucket_starts(frame["time"], bucket, tz)
    values = dimension_values(frame, dimension)
    if top is not None:
        values = lump(values, top_values(values, top))
    grouped = (
        pd.DataFrame({"bucket": _naive_utc(buckets), dimension: values.array, "bytes": frame["bytes"].to_numpy()})
        .groupby(["bucket", dimension], observed=True, sort=True)
        .agg(requests=("bytes", "size"), bytes=("bytes", "sum"))
        .reset_index()
    )
    grouped = grouped[grouped["requests"] > 0].reset_index(drop=True)
    grouped["bucket"] = _aware(grouped["bucket"], buckets.dt.tz if len(buckets) else tz)
    return grouped


def dimension_values(frame: pd.DataFrame, dimension: str) -> pd.Series:
    """The column to group by for a dimension name (a few are derived)."""
    if dimension == "status_class":
        return pd.Series(status_class(frame["status"]), index=frame.index)
    if dimension == "bot":
        return pd.Series(np.where(frame["is_bot"].to_numpy(), "bot", "human"), index=frame.index)
    if dimension not in frame.columns:
        raise AggregateError(f"no column {dimension!r} in this log")
    return frame[dimension]


def totals(frame: pd.DataFrame, dimension: str, top: int | None = None) -> pd.DataFrame:
    """Per value of a dimension: requests, bytes, share of requests; sorted, top-N with "Other"."""
    values = dimension_values(frame, dimension)
    grouped = (
        pd.DataFrame({dimension: values.astype(str).to_numpy(), "bytes": frame["bytes"].to_numpy()})
        .groupby(dimension, sort=False)
        .agg(requests=("bytes", "size"), bytes=("bytes", "sum"))
        .sort_values(["requests", "bytes"], ascending=False, kind="stable")
        .reset_index()
    )
    if top is not None and len(grouped) > top:
        head, rest = grouped.iloc[:top], grouped.iloc[top:]
        other = pd.DataFrame({dimension: [OTHER], "requests": [rest["requests"].sum()], "bytes": [rest["bytes"].sum()]})
        grouped = pd.concat([head, other], ignore_index=True)
    total = max(int(grouped["requests"].sum()), 1)
    grouped["share"] = grouped["requests"] / total
    return grouped


def visitor_keys(frame: pd.DataFrame, tz: str = DEFAULT_TZ) -> np.ndarray:
    """One integer per row identifying (ip, user agent, local day): GoAccess's notion of a visitor."""
    ip = (
        frame["ip"].cat.codes.to_numpy().astype(np.int64)
        if isinstance(frame["ip"].dtype, pd.CategoricalDtype)
        else pd.factorize(frame["ip"])[0].astype(np.int64)
    )
    ua_col = frame["user_agent"]
    if isinstance(ua_col.dtype, pd.CategoricalDtype):
        ua, n_ua = ua_col.cat.codes.to_numpy().astype(np.int64), len(ua_col.cat.categories) + 1
    else:
        codes, uniques = pd.factorize(ua_col)
        ua, n_ua = codes.astype(np.int64), len(uniques) + 1
    local = frame["time"] if tz == "UTC" else frame["time"].dt.tz_convert(tz)
    day = local.dt.tz_localize(None).to_numpy().astype("datetime64[D]").astype(np.int64)
    day = day - (day.min() if len(day) else 0)
    n_days = int(day.max()) + 1 if len(day) else 1
    return (ip * n_ua + ua) * n_days + day


def unique_visitors(frame: pd.DataFrame, tz: str = DEFAULT_TZ) -> int:
    """Distinct (ip, user agent, day) triples."""
    if frame.empty:
        return 0
    return int(pd.unique(visitor_keys(frame, tz)).size)


def headline(frame: pd.DataFrame, tz: str = DEFAULT_TZ) -> dict[str, float | int]:
    """The figures at the top of the page for a (window of the) frame."""
    n = len(frame)
    status = frame["status"].to_numpy()
    countries = 0
    if "country" in frame.columns and n:
        present = pd.unique(frame["country"].array)
        countries = sum(1 for c in present if str(c) not in NON_COUNTRIES)
    return {
        "requests": n,
        "visitors": unique_visitors(frame, tz),
        "bytes": int(frame["bytes"].sum()) if n else 0,
        "countries": countries,
        "share_4xx": float(((status >= 400) & (status < 500)).mean()) if n else 0.0,
        "share_5xx": float((status >= 500).mean()) if n else 0.0,
        "share_bots": float(frame["is_bot"].mean()) if n and "is_bot" in frame.columns else 0.0,
    }


def _sorted_codes(values: pd.Series | pd.Categorical | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes whose order is the values' sorted order, and the sorted distinct values (-1 = missing)."""
    cat = values.array if isinstance(values, pd.Series) else values
    if not isinstance(cat, pd.Categorical):
        cat = pd.Categorical(cat)
    labels = np.asarray(cat.categories)
    order = np.argsort(labels, kind="stable")
    rank = np.empty(len(order) + 1, np.int64)
    rank[order] = np.arange(len(order))
    rank[-1] = -1  # code -1 (missing) indexes the last slot
    return rank[cat.codes], labels[order]


def _bucket_codes(naive: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Codes of bucket starts in time order (a time-sorted frame needs no sort), and the distinct starts."""
    ints = naive.view(np.int64)
    if len(ints) and (ints[1:] >= ints[:-1]).all():
        change = np.empty(len(ints), bool)
        change[0] = True
        np.not_equal(ints[1:], ints[:-1], out=change[1:])
        return np.cumsum(change) - 1, naive[change]
    uniques, codes = np.unique(naive, return_inverse=True)
    return codes.reshape(-1), uniques


def build_cube(frame: pd.DataFrame, bucket: str = DEFAULT_BUCKET, tz: str = DEFAULT_TZ) -> pd.DataFrame:
    """bucket × browser × country × status_class × is_bot → requests, bytes (only non-empty cells).

    Cells come sorted by those columns (strings in code-point order). The five keys are folded into one
    integer per row and counted with bincount: a third of pandas' multi-key groupby time on 1M rows.
    """
    bucket_codes, starts = _bucket_codes(_naive_utc(bucket_starts(frame["time"], bucket, tz)))
    keys = [
        (bucket_codes, starts),
        _sorted_codes(frame["browser"]),
        _sorted_codes(frame["country"]),
        _sorted_codes(status_class(frame["status"])),
        (frame["is_bot"].to_numpy(dtype=bool).astype(np.int64), np.array([False, True])),
    ]
    present = np.ones(len(frame), bool)
    key = np.zeros(len(frame), np.int64)
    for codes, labels in keys:
        present &= codes >= 0
        key = key * len(labels) + codes
    row_bytes = frame["bytes"].to_numpy(dtype=np.int64)
    key, row_bytes = key[present], row_bytes[present]
    first_seen, cells = pd.factorize(key)  # hashing, then sorting only the distinct cells
    order = np.argsort(cells, kind="stable")
    rank = np.empty(len(order), np.int64)
    rank[order] = np.arange(len(order))
    cells, inverse = cells[order], rank[first_seen]
    requests = np.bincount(inverse, minlength=len(cells)).astype(np.int64)
    if row_bytes.sum(dtype=np.float64) < 2**53:  # float sums stay exact below 2**53
        total_bytes = np.bincount(inverse, weights=row_bytes, minlength=len(cells)).astype(np.int64)
    else:
        total_bytes = pd.Series(row_bytes).groupby(inverse).sum().to_numpy()
    columns = {}
    rest = cells
    for name, (_, labels) in reversed(list(zip(CUBE_DIMENSIONS, keys, strict=True))):
        rest, index = np.divmod(rest, len(labels))
        columns[name] = labels[index]
    cube = pd.DataFrame({name: columns[name] for name in CUBE_DIMENSIONS})
    for col in ("browser", "country", "status_class"):
        cube[col] = cube[col].astype(str)
    cube["requests"] = requests
    cube["bytes"] = total_bytes
    cube["bucket"] = _aware(pd.Series(columns["bucket"], name="bucket"), tz)
    return cube


def bucket_visitors(frame: pd.DataFrame, bucket: str = DEFAULT_BUCKET, tz: str = DEFAULT_TZ) -> pd.DataFrame:
    """Distinct (ip, user agent) per bucket: the visitors table saved next to a cube."""
    if frame.empty:
        return pd.DataFrame({"bucket": pd.Series([], dtype=f"datetime64[us, {tz}]"), "visitors": []})
    buckets = bucket_starts(frame["time"], bucket, tz)
    keys = visitor_keys(frame, tz)
    table = (
        pd.DataFrame({"bucket": _naive_utc(buckets), "key": keys})
        .groupby("bucket", sort=True)["key"]
        .nunique()
        .rename("visitors")
        .reset_index()
    )
    table["bucket"] = _aware(table["bucket"], tz)
    return table


def save_cube(cube: pd.DataFrame, path: str | Path) -> None:
    """Write the cube as Parquet."""
    cube.to_parquet(path, index=False)
