"""The data behind the Explore page and the HTML report: figures and panels for a filter set and date range.

Pure (no Streamlit). Panels read the per-row arrays of ``rows.Prepared`` (built once per log and time zone).

Time buckets follow ``buckets``: the repeated hour when clocks go back is two buckets; times in the tables
are the buckets' tz-aware starts in the display zone.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import pandas as pd

from dashboard.analysis import timing
from dashboard.analysis.buckets import bucket_grid, bucket_ns, check_bucket, groups, instants
from dashboard.analysis.figures import LABELS, RESPONSE_FIGURE, Figure, headline
from dashboard.analysis.filters import Filter, filter_mask
from dashboard.analysis.ranges import DateRange, auto_bucket, data_range, previous_period
from dashboard.analysis.rows import Prepared, Rows, select_rows
from dashboard.analysis.top import alphabetical_ranks, ranked, rest_label, top_and_rest
from dashboard.analysis.visitors import visitors_per_group
from dashboard.schema import STATUS_LABELS, is_country, status_codes

TOP_N = 10
HEATMAP_COUNTRIES = 10
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def _bucket_ids(rows: Rows, bucket: str, shift: pd.Timedelta | None = None) -> np.ndarray:
    """Each row's bucket as the UTC nanosecond of its start (``buckets.bucket_ns``); ``shift`` moves the rows."""
    move = int(shift.value) if shift is not None else 0
    return bucket_ns(rows.take("utc_ns") + move, rows.take("wall_ns") + move, check_bucket(bucket), rows.prepared.tz)


def figures(rows: Rows) -> dict[str, float]:
    """Headline figures for a set of rows (``figures.headline``), plus the average response time when known."""
    prepared = rows.prepared
    n = len(rows)
    countries = 0
    if "country" in prepared.codes and n:
        present = np.flatnonzero(np.bincount(rows.take("codes:country"), minlength=len(prepared.values["country"])))
        countries = sum(1 for c in prepared.values["country"][present] if is_country(str(c)))
    out = headline(
        requests=n,
        visitors=int(np.count_nonzero(np.bincount(rows.take("visitor")))) if n else 0,  # ids are dense
        sent=round(rows.take("bytes").sum()) if n else 0,
        countries=countries,
        status_counts=np.bincount(status_codes(rows.take("status")), minlength=len(STATUS_LABELS)),
        bots=int(np.count_nonzero(rows.take("is_bot"))),
    )
    if "response_time_s" in prepared.frame.columns:
        times = rows.take("response_time_s")
        out[RESPONSE_FIGURE] = float(np.nanmean(times)) if n and not np.isnan(times).all() else 0.0
    return out


def figure_list(rows: Rows, previous_rows: Rows | None = None) -> list[Figure]:
    """The figures, with their previous-period values when ``previous_rows`` is given and has rows.

    A previous period without a request has no figures to compare with: zeros there would read as "new" and
    as share deltas against 0 %.
    """
    now = figures(rows)
    before = figures(previous_rows) if previous_rows is not None and len(previous_rows) else None
    return [Figure(key, LABELS[key], value, None if before is None else before[key]) for key, value in now.items()]


def _visitors(rows: Rows, group: np.ndarray, groups: int) -> np.ndarray:
    return visitors_per_group(rows.take("visitor"), rows.prepared.n_visitors, group, groups)


def top_table(
    rows: Rows,
    dimension: str,
    top: int = TOP_N,
    visitors: bool = False,
    drop_empty: bool = False,
) -> pd.DataFrame:
    """Per value of a dimension: requests, share of the panel's total, bytes (and visitors); top-N plus one
    "Other (N more)" row for the rest."""
    prepared = rows.prepared
    columns = [dimension, "requests", "share", "bytes", *(["visitors"] if visitors else [])]
    if dimension not in prepared.codes:
        return pd.DataFrame({c: [] for c in columns})
    codes, values = rows.take("codes:" + dimension), prepared.values[dimension]
    if drop_empty:
        empty = np.flatnonzero(values == "")
        if len(empty):
            keep = ~np.isin(codes, empty)
            codes, rows = codes[keep], rows.subset(keep)
    size = len(values)
    requests = np.bincount(codes, minlength=size)
    sent = np.bincount(codes, weights=rows.take("bytes"), minlength=size).astype(np.int64)
    head, rest = top_and_rest(requests, prepared.ranks[dimension], top)
    table = pd.DataFrame({dimension: values[head].astype(str), "requests": requests[head], "bytes": sent[head]})
    if visitors:  # per shown value, and for all the rest together as one group
        slot = np.full(size, len(head), dtype=np.int64)
        slot[head] = np.arange(len(head))
        per_slot = _visitors(rows, slot[codes], len(head) + 1)
        table["visitors"] = per_slot[: len(head)]
    if len(rest):
        other = {dimension: rest_label(len(rest)), "requests": requests[rest].sum(), "bytes": sent[rest].sum()}
        if visitors:
            other["visitors"] = int(per_slot[len(head)])
        table = pd.concat([table, pd.DataFrame([other])], ignore_index=True)
    total = max(int(requests.sum()), 1)
    table["share"] = table["requests"] / total
    return table[columns].astype({"requests": np.int64, "bytes": np.int64})


def period_grid(period: DateRange | None, bucket: str, tz: str) -> np.ndarray | None:
    """Every bucket of the period (UTC nanoseconds), empty ones included; None without a period."""
    if period is None:
        return None
    return bucket_grid(period.start.value, period.end.value - 1, check_bucket(bucket), tz)


def _on_grid(uniq: np.ndarray, grid: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """The grid (with any bucket outside it added) and where each of ``uniq`` sits on it."""
    full = uniq if grid is None else np.union1d(grid, uniq)
    return full, np.searchsorted(full, uniq)


def traffic(rows: Rows, bucket: str, shift: pd.Timedelta | None = None, grid: np.ndarray | None = None) -> pd.DataFrame:
    """Per bucket: requests, unique visitors (per bucket), bytes; ``shift`` moves times (the ghost period).

    With a ``grid`` every bucket of it has a row, zeros included.
    """
    tz = rows.prepared.tz
    uniq, inverse = groups(_bucket_ids(rows, bucket, shift)) if len(rows) else (np.zeros(0, np.int64), None)
    full, at = _on_grid(uniq, grid)
    requests = np.zeros(len(full), np.int64)
    sent = np.zeros(len(full), np.int64)
    visitors = np.zeros(len(full), np.int64)
    if len(rows):
        requests[at] = np.bincount(inverse, minlength=len(uniq))
        sent[at] = np.bincount(inverse, weights=rows.take("bytes"), minlength=len(uniq)).astype(np.int64)
        visitors[at] = _visitors(rows, inverse, len(uniq))
    return pd.DataFrame({"time": instants(full, tz), "requests": requests, "visitors": visitors, "bytes": sent})


def status_over_time(rows: Rows, bucket: str, grid: np.ndarray | None = None) -> pd.DataFrame:
    """Long table: time, status_class, requests; classes in order. Without a grid only non-empty cells; with
    one, every bucket × every class that occurs, zeros included (an empty bucket is a row of zeros)."""
    names = np.array(STATUS_LABELS, dtype=object)
    uniq, inverse = groups(_bucket_ids(rows, bucket)) if len(rows) else (np.zeros(0, np.int64), np.zeros(0, int))
    classes = status_codes(rows.take("status")) if len(rows) else np.zeros(0, np.int64)
    full, at = _on_grid(uniq, grid)
    grid_counts = np.bincount(at[inverse] * len(names) + classes, minlength=len(full) * len(names))
    if grid is None:
        cell = np.flatnonzero(grid_counts)
    else:
        present = np.flatnonzero(grid_counts.reshape(len(full), len(names)).sum(axis=0))
        cell = (np.arange(len(full))[:, None] * len(names) + present[None, :]).ravel()
    return pd.DataFrame(
        {
            "time": instants(full[cell // len(names)], rows.prepared.tz),
            "status_class": names[cell % len(names)],
            "requests": grid_counts[cell].astype(np.int64),
        }
    )


def weekday_hour(rows: Rows) -> pd.DataFrame:
    """Unique visitors per weekday × hour of day (all 168 cells, zeros included)."""
    cells = rows.take("weekday").astype(np.int64) * 24 + rows.take("hour")
    visitors = _visitors(rows, cells, 168)
    requests = np.bincount(cells, minlength=168)
    return pd.DataFrame(
        {
            "weekday": np.repeat(np.array(WEEKDAYS, dtype=object), 24),
            "hour": np.tile(np.arange(24), 7),
            "visitors": visitors,
            "requests": requests,
        }
    )


def country_hour(rows: Rows, top: int = HEATMAP_COUNTRIES) -> pd.DataFrame:
    """Requests per country × hour of day for the ``top`` countries (every hour present, zeros included)."""
    prepared = rows.prepared
    if "country" not in prepared.codes or not len(rows):
        return pd.DataFrame({"country": [], "hour": [], "requests": []})
    codes, values = rows.take("codes:country"), prepared.values["country"]
    totals = np.bincount(codes, minlength=len(values))
    shown = ranked(totals, alphabetical_ranks(values))[:top]
    grid = np.bincount(codes * 24 + rows.take("hour"), minlength=len(values) * 24).reshape(len(values), 24)
    return pd.DataFrame(
        {
            "country": np.repeat(values[shown].astype(str), 24),
            "hour": np.tile(np.arange(24), len(shown)),
            "requests": grid[shown].ravel(),
        }
    )


def response_by_url(rows: Rows, top: int = TOP_N) -> pd.DataFrame | None:
    """The ``top`` URLs by requests with their time served and percentiles (``timing.top_urls``' table, computed
    on the selection's path codes); None without the column."""
    prepared = rows.prepared
    if timing.COLUMN not in prepared.frame.columns or "path" not in prepared.codes:
        return None
    table = timing.most_requested(timing.stats_by(rows.take("codes:path"), rows.take(timing.COLUMN)), top)
    paths = prepared.values["path"][table.index.to_numpy(np.int64)].astype(str)
    return table.reset_index(drop=True).assign(path=paths)[["path", *table.columns]]


def response_over_time(rows: Rows, bucket: str, grid: np.ndarray | None = None) -> pd.DataFrame | None:
    """Average and p95 response time per bucket (empty buckets of ``grid`` as blanks); None without the column."""
    prepared = rows.prepared
    if timing.COLUMN not in prepared.frame.columns:
        return None
    table = timing.stats_by(_bucket_ids(rows, bucket), rows.take(timing.COLUMN))
    full, at = _on_grid(table.index.to_numpy(np.int64), grid)
    avg, p95 = np.full(len(full), np.nan), np.full(len(full), np.nan)
    avg[at], p95[at] = table["avg_s"].to_numpy(), table["p95"].to_numpy()
    return pd.DataFrame({"time": instants(full, prepared.tz), "avg_s": avg, "p95_s": p95})


@dataclass(frozen=True)
class ExploreData:
    """Everything the Explore page and the report draw for one filter set and date range."""

    period: DateRange | None
    previous: DateRange | None
    bucket: str
    figures: list[Figure]
    traffic: pd.DataFrame
    previous_traffic: pd.DataFrame | None
    status: pd.DataFrame
    tops: dict[str, pd.DataFrame]
    weekday_hour: pd.DataFrame
    country_hour: pd.DataFrame
    response_by_url: pd.DataFrame | None
    response_over_time: pd.DataFrame | None
    country_totals: pd.DataFrame  # every country (no Other), for the map
    previous_empty: bool = False  # compared with a previous period that has no request: no deltas

    @property
    def comparison_note(self) -> str | None:
        """What the page and the report say instead of deltas when the previous period is empty."""
        return NO_PREVIOUS if self.previous_empty else None


ALL_VALUES = 1_000_000
NO_PREVIOUS = "no data in the previous period: nothing to compare with"

# Panel key → (title, dimension, options): the top-N tables, in the order the page shows them.
TOP_PANELS: dict[str, tuple[str, str, dict]] = {
    "urls": ("Top URLs", "path", {"visitors": True}),
    "not_found": ("Top 404 URLs", "path", {}),
    "referrers": ("Referring sites", "referrer", {"drop_empty": True}),
    "browsers": ("Browsers", "browser", {}),
    "os": ("Operating systems", "os", {}),
    "devices": ("Devices", "device", {}),
    "bots": ("Bots by crawler", "crawler", {}),
    "countries": ("Countries", "country", {}),
    "vhosts": ("Virtual hosts", "vhost", {}),
    "ips": ("Top clients (IP)", "ip", {}),
}


def explore(
    prepared: Prepared,
    filters: Sequence[Filter] = (),
    period: DateRange | None = None,
    compare: bool = False,
    top: int = TOP_N,
    bucket: str | None = None,
) -> ExploreData:
    """Apply the filters and the date range, and compute every panel (and the previous period's figures)."""
    mask = filter_mask(prepared.frame, filters) if filters else None
    whole = data_range(prepared.frame["time"])
    shown = period or whole
    rows = select_rows(prepared, mask, period)
    previous = previous_period(shown) if compare and shown is not None else None
    previous_rows = select_rows(prepared, mask, previous) if previous is not None else None
    bucket = bucket or auto_bucket(shown.length if shown is not None else pd.Timedelta(hours=1))

    def top_tables() -> dict[str, pd.DataFrame]:
        tops = {}
        for key, (_title, dimension, options) in TOP_PANELS.items():
            if dimension not in prepared.codes:
                continue
            subset = rows
            if key == "not_found":
                subset = rows.subset(rows.take("status") == 404)
            elif key == "bots":
                subset = rows.subset(rows.take("is_bot"))
            tops[key] = top_table(subset, dimension, top, **options)
        return tops

    # Two halves of about equal work on two threads: numpy releases the GIL for most of it (1M rows, all
    # panels: 206 → 120 ms on 2 cores). The pool lives for this call only: no thread outlives a rerun.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="explore-tops") as pool:
        pending = pool.submit(top_tables)
        panels = _panels(rows, previous_rows, shown, bucket, top)
        tops = pending.result()
    previous_empty = previous_rows is not None and not len(previous_rows)
    return ExploreData(
        period=shown, previous=previous, bucket=bucket, tops=tops, previous_empty=previous_empty, **panels
    )


def _panels(rows: Rows, previous_rows: Rows | None, shown: DateRange | None, bucket: str, top: int) -> dict:
    """Every panel but the top-N tables; the time series have every bucket of the period, zeros included."""
    grid = period_grid(shown, bucket, rows.prepared.tz)
    ghost = previous_rows is not None and len(previous_rows)
    return dict(
        figures=figure_list(rows, previous_rows),
        traffic=traffic(rows, bucket, grid=grid),
        previous_traffic=traffic(previous_rows, bucket, shift=shown.length, grid=grid) if ghost else None,
        status=status_over_time(rows, bucket, grid),
        weekday_hour=weekday_hour(rows),
        country_hour=country_hour(rows),
        response_by_url=response_by_url(rows, top),
        response_over_time=response_over_time(rows, bucket, grid),
        country_totals=top_table(rows, "country", top=ALL_VALUES),
    )
