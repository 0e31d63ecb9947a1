"""Response times: percentiles overall, per URL and over time, from the ``response_time_s`` column.

The parsers fill ``response_time_s`` (seconds) from Apache ``%D``/``%T``, nginx ``$request_time`` and the JSON
formats' durations. Percentiles interpolate linearly between the two nearest values (numpy's default), so the
page, ``summary --json`` and a spreadsheet agree. Rows without a time (``-`` in the log) are left out.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from dashboard.analysis.buckets import DEFAULT_BUCKET, DEFAULT_TZ, bucket_grid, bucket_starts, check_bucket, instants

COLUMN = "response_time_s"
PERCENTILES = {"p50": 0.50, "p95": 0.95, "p99": 0.99}
STATS = (*PERCENTILES, "max")
COLUMNS = ("requests", "total_s", "avg_s", *STATS)  # a response-time table's columns, per key
SLOW_MIN_REQUESTS = 5  # a URL requested fewer times is not ranked among the slowest (one outlier is no trend)
TOP_N = 10
NO_COLUMN = (
    "This log records no response times: add %D to Apache's LogFormat or $request_time to nginx's log_format "
    "to see them."
)
NO_VALUES = "No request in this selection has a response time (the log wrote '-' for each)."


def missing_reason(frame: pd.DataFrame) -> str | None:
    """Why there are no response-time figures for this frame, or None when there are."""
    if COLUMN not in frame.columns:
        return NO_COLUMN
    if not frame[COLUMN].notna().any():
        return NO_VALUES
    return None


def _seconds(frame: pd.DataFrame) -> np.ndarray:
    return frame[COLUMN].to_numpy(dtype=np.float64, na_value=np.nan)


def response_summary(frame: pd.DataFrame) -> dict[str, float] | None:
    """p50, p95, p99 and max in seconds over every timed request; None when there is none."""
    if missing_reason(frame) is not None:
        return None
    seconds = _seconds(frame)
    seconds = seconds[~np.isnan(seconds)]
    values = np.quantile(seconds, list(PERCENTILES.values()))
    return {**{k: float(v) for k, v in zip(PERCENTILES, values, strict=True)}, "max": float(seconds.max())}


def stats_by(keys: pd.Series | np.ndarray, seconds: np.ndarray) -> pd.DataFrame:
    """requests, total_s, avg_s, p50, p95, p99, max per key (timed rows only): every surface's response-time table."""
    keys = keys.reset_index(drop=True) if isinstance(keys, pd.Series) else pd.Series(keys)
    table = pd.DataFrame({"key": keys, "s": seconds})
    table = table[~np.isnan(seconds)]
    if table.empty:
        return pd.DataFrame({c: pd.Series(dtype=np.int64 if c == "requests" else np.float64) for c in COLUMNS})
    grouped = table.groupby("key", sort=True, observed=True)["s"]
    stats = grouped.agg(requests="size", total_s="sum", avg_s="mean", max="max")
    quantiles = grouped.quantile(list(PERCENTILES.values())).unstack()
    quantiles.columns = list(PERCENTILES)
    return stats.join(quantiles)[list(COLUMNS)]


def _url_table(stats: pd.DataFrame) -> pd.DataFrame:
    out = stats.reset_index().rename(columns={"key": "path"})
    out["path"] = out["path"].astype(str)
    out["requests"] = out["requests"].astype(np.int64)
    return out.reset_index(drop=True)


def by_url(frame: pd.DataFrame) -> pd.DataFrame | None:
    """Every URL's requests, time served (total and average) and percentiles; None without response times."""
    if missing_reason(frame) is not None:
        return None
    return _url_table(stats_by(frame["path"], _seconds(frame)))


def top_urls(frame: pd.DataFrame, top: int = TOP_N, table: pd.DataFrame | None = None) -> pd.DataFrame | None:
    """The most requested URLs with the time spent serving them (sum and average) beside their counts.

    ``table`` is ``by_url(frame)`` when the caller has it already (it is the costly part).
    """
    table = by_url(frame) if table is None else table
    if table is None:
        return None
    return most_requested(table, top).reset_index(drop=True)


def most_requested(table: pd.DataFrame, top: int = TOP_N) -> pd.DataFrame:
    """The ``top`` rows of a ``stats_by`` table by requests, then by time served."""
    return table.sort_values(["requests", "total_s"], ascending=False, kind="stable").head(top)


def slowest(
    frame: pd.DataFrame, top: int = TOP_N, min_requests: int = SLOW_MIN_REQUESTS, table: pd.DataFrame | None = None
) -> pd.DataFrame | None:
    """The slowest endpoints by p95, among URLs requested at least ``min_requests`` times (``table``: as above)."""
    table = by_url(frame) if table is None else table
    if table is None:
        return None
    table = table[table["requests"] >= min_requests]
    return table.sort_values(["p95", "requests"], ascending=False, kind="stable").head(top).reset_index(drop=True)


def over_time(frame: pd.DataFrame, bucket: str = DEFAULT_BUCKET, tz: str = DEFAULT_TZ) -> pd.DataFrame | None:
    """p50, p95, p99 and max per time bucket (``buckets``' DST policy), every bucket of the frame's span included
    (no timed request: 0 requests and blank figures); None without response times."""
    if missing_reason(frame) is not None:
        return None
    starts = bucket_starts(frame["time"], bucket, tz)
    stats = stats_by(starts, _seconds(frame))
    utc_ns = frame["time"].dt.tz_convert("UTC").dt.as_unit("ns").astype("int64")
    grid = instants(bucket_grid(int(utc_ns.min()), int(utc_ns.max()), check_bucket(bucket), tz), tz)
    stats.index = stats.index.tz_convert("UTC").as_unit("ns")
    full = stats.reindex(pd.DatetimeIndex(grid.dt.tz_convert("UTC")))
    full["requests"] = full["requests"].fillna(0).astype(np.int64)
    out = full.reset_index(drop=True)
    out.insert(0, "time", grid.to_numpy())
    return out[["time", "requests", *STATS]]
