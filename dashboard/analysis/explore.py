"""The data behind the Explore page and the HTML report: date ranges, the previous period, figures and panels.

Pure (no Streamlit). A log is *prepared* once per time zone: per-row integer arrays (UTC and wall-clock
nanoseconds, hour, weekday, visitor key, category codes). Changing a filter or the date range then costs a
mask, a ``searchsorted`` on the sorted times and a few ``bincount`` calls, never a pass over strings.

Time buckets are wall-clock spans in the display zone (the repeated hour when clocks go back falls into one
bucket here); times in the tables are naive wall-clock timestamps in that zone.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from dashboard.analysis.aggregate import OTHER, STATUS_CLASSES, check_tz, visitor_keys
from dashboard.analysis.filters import Filter, filter_mask, referrer_domains
from dashboard.errors import DataBloomError
from dashboard.schema import NON_COUNTRIES

PRESETS: dict[str, pd.Timedelta | None] = {
    "all": None,
    "week": pd.Timedelta(days=7),
    "day": pd.Timedelta(days=1),
    "hour": pd.Timedelta(hours=1),
}
AUTO_BUCKETS = ("1min", "5min", "15min", "1h", "4h", "1D")
MAX_BUCKETS = 200
TOP_N = 10
# The top-N panels run on one of these while the calling thread computes the rest; one worker per concurrent
# rerun (sessions rerun in their own threads), so no session queues behind another.
_POOL = ThreadPoolExecutor(max_workers=8, thread_name_prefix="explore-tops")
HEATMAP_COUNTRIES = 10
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
RESOLUTION = pd.Timedelta(microseconds=1)  # the end of "the data" is its last instant plus this
P95 = 0.95
# Columns whose distinct values the panels group by (the referrer is grouped by its domain).
DIMENSIONS = ("path", "os", "device", "crawler", "browser", "country", "method", "vhost", "referrer", "ip")
FIGURES = (
    ("requests", "Requests"),
    ("visitors", "Unique visitors"),
    ("bytes", "Bytes"),
    ("countries", "Countries"),
    ("share_4xx", "4xx"),
    ("share_5xx", "5xx"),
    ("share_bots", "Bots"),
)
RESPONSE_FIGURE = ("response_avg", "Avg response")


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


@dataclass(frozen=True)
class Prepared:
    """Per-row arrays of one (possibly anonymised) frame in one time zone; built once, read on every rerun."""

    frame: pd.DataFrame
    tz: str
    utc_ns: np.ndarray  # int64, sorted
    wall_ns: np.ndarray  # int64, wall-clock time in tz as if it were UTC
    hour: np.ndarray  # int8
    weekday: np.ndarray  # int8, Monday = 0
    visitor: np.ndarray  # int64, dense id of (ip, user agent, local day)
    n_visitors: int
    status: np.ndarray  # int64
    bytes: np.ndarray  # float64 (exact below 2**53; bincount weights are float64 anyway)
    is_bot: np.ndarray  # bool
    codes: dict[str, np.ndarray] = field(default_factory=dict)  # per dimension: codes into values, -1 → ""
    values: dict[str, np.ndarray] = field(default_factory=dict)  # per dimension: strings, "" appended last
    ranks: dict[str, np.ndarray] = field(default_factory=dict)  # per dimension: alphabetical rank of each value

    def __hash__(self) -> int:  # identity: Streamlit caches key on it by id
        return id(self)


def _codes_values(column: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    if isinstance(column.dtype, pd.CategoricalDtype):
        codes, categories = column.cat.codes.to_numpy(), column.cat.categories
    else:
        codes, categories = pd.factorize(column, use_na_sentinel=True)
    values = np.array([*map(str, categories), ""], dtype=object)
    return np.where(codes < 0, len(values) - 1, codes).astype(np.int32), values


def prepare(frame: pd.DataFrame, tz: str = "UTC") -> Prepared:
    """Compute the per-row arrays (the frame must be sorted by time, as ``load_log`` returns it)."""
    check_tz(tz)
    times = frame["time"]
    if not times.is_monotonic_increasing:
        frame = frame.sort_values("time", kind="stable", ignore_index=True)
        times = frame["time"]
    utc_ns = times.dt.tz_convert("UTC").dt.tz_localize(None).to_numpy().astype("datetime64[ns]").astype(np.int64)
    local = times.dt.tz_convert(tz).dt.tz_localize(None)
    wall_ns = local.to_numpy().astype("datetime64[ns]").astype(np.int64)
    codes, values = {}, {}
    for name in DIMENSIONS:
        if name not in frame.columns:
            continue
        codes[name], values[name] = _codes_values(frame[name])
    if "referrer" in values:  # group referrers by their domain: re-code through the distinct domains
        domains = referrer_domains(tuple(values["referrer"].tolist()))
        uniques, inverse = np.unique(domains, return_inverse=True)
        codes["referrer"] = inverse.astype(np.int32)[codes["referrer"]]
        values["referrer"] = uniques
    visitor = pd.factorize(visitor_keys(frame, tz))[0].astype(np.int64) if len(frame) else np.zeros(0, np.int64)
    ranks = {name: np.argsort(np.argsort(v.astype(str), kind="stable"), kind="stable") for name, v in values.items()}
    return Prepared(
        frame=frame,
        tz=tz,
        utc_ns=utc_ns,
        wall_ns=wall_ns,
        hour=local.dt.hour.to_numpy().astype(np.int8),
        weekday=local.dt.day_of_week.to_numpy().astype(np.int8),
        visitor=visitor,
        n_visitors=int(visitor.max()) + 1 if len(visitor) else 0,
        status=frame["status"].to_numpy().astype(np.int64),
        bytes=frame["bytes"].to_numpy().astype(np.float64),
        is_bot=frame["is_bot"].to_numpy(dtype=bool),
        codes=codes,
        values=values,
        ranks=ranks,
    )


class Rows:
    """Selected rows of a prepared log: their positions (a slice when contiguous) and, gathered once on first
    use, their per-row arrays; every panel of one rerun reads the same gathered arrays."""

    def __init__(self, prepared: Prepared, index: np.ndarray | slice) -> None:
        self.prepared = prepared
        self.index = index
        self._taken: dict[str, np.ndarray] = {}

    def __len__(self) -> int:
        if isinstance(self.index, slice):
            return self.index.stop - self.index.start
        return len(self.index)

    def take(self, name: str) -> np.ndarray:
        """A per-row array of these rows: a Prepared field, ``codes:<dimension>`` or ``response_time_s``."""
        if name not in self._taken:
            if name.startswith("codes:"):
                source = self.prepared.codes[name.removeprefix("codes:")]
            elif name == "response_time_s":
                source = self.prepared.frame[name].to_numpy(dtype=float)
            else:
                source = getattr(self.prepared, name)
            self._taken[name] = source[self.index]
        return self._taken[name]

    def subset(self, keep: np.ndarray) -> Rows:
        """The rows where ``keep`` (aligned with these rows) is true."""
        if isinstance(self.index, slice):
            return Rows(self.prepared, self.index.start + np.flatnonzero(keep))
        return Rows(self.prepared, self.index[keep])


def select_rows(prepared: Prepared, mask: np.ndarray | None, period: DateRange | None) -> Rows:
    """The rows in ``period`` that pass ``mask`` (None: every row)."""
    lo, hi = 0, len(prepared.utc_ns)
    if period is not None:
        bounds = np.array([_ns(period.start), _ns(period.end)], dtype=np.int64)
        lo, hi = (int(i) for i in np.searchsorted(prepared.utc_ns, bounds, side="left"))
    if mask is None:
        return Rows(prepared, slice(lo, hi))
    return Rows(prepared, lo + np.flatnonzero(mask[lo:hi]))


def _ns(ts: pd.Timestamp) -> int:
    return int(pd.Timestamp(ts).tz_convert("UTC").as_unit("ns").value)


@dataclass(frozen=True)
class Figure:
    """A headline figure with its value in the previous period (None without comparison)."""

    key: str
    label: str
    value: float
    previous: float | None = None

    @property
    def delta(self) -> float | None:
        return None if self.previous is None else self.value - self.previous

    @property
    def change(self) -> float | None:
        """Relative change (0.25 = +25%); None when there is no previous value or it is zero."""
        return None if not self.previous else (self.value - self.previous) / self.previous


def figures(rows: Rows) -> dict[str, float]:
    """Headline figures for a set of rows."""
    prepared = rows.prepared
    n = len(rows)
    status = rows.take("status")
    out: dict[str, float] = {
        "requests": n,
        "visitors": int(np.count_nonzero(np.bincount(rows.take("visitor")))) if n else 0,  # ids are dense
        "bytes": round(rows.take("bytes").sum()) if n else 0,
        "countries": 0,
        "share_4xx": float(((status >= 400) & (status < 500)).mean()) if n else 0.0,
        "share_5xx": float((status >= 500).mean()) if n else 0.0,
        "share_bots": float(rows.take("is_bot").mean()) if n else 0.0,
    }
    if "country" in prepared.codes and n:
        present = np.flatnonzero(np.bincount(rows.take("codes:country"), minlength=len(prepared.values["country"])))
        out["countries"] = sum(1 for c in prepared.values["country"][present] if c and c not in NON_COUNTRIES)
    if "response_time_s" in prepared.frame.columns:
        times = rows.take("response_time_s")
        out["response_avg"] = float(np.nanmean(times)) if n and not np.isnan(times).all() else 0.0
    return out


def headline(rows: Rows, previous_rows: Rows | None = None) -> list[Figure]:
    """The figures, with their previous-period values when ``previous_rows`` is given."""
    now = figures(rows)
    before = figures(previous_rows) if previous_rows is not None else None
    specs = [*FIGURES, RESPONSE_FIGURE] if "response_avg" in now else list(FIGURES)
    return [Figure(key, label, now[key], None if before is None else before[key]) for key, label in specs]


BITMAP_LIMIT = 50_000_000  # visitors × groups up to this: count distinct pairs with a bitmap, else by hashing


def visitors_per_group(rows: Rows, group: np.ndarray, groups: int) -> np.ndarray:
    """Distinct visitors in each of ``groups`` groups (``group`` is each row's group number)."""
    if not len(rows):
        return np.zeros(groups, dtype=np.int64)
    pairs = rows.take("visitor") * groups + group
    cells = rows.prepared.n_visitors * groups
    if cells <= BITMAP_LIMIT:
        seen = np.zeros(cells, dtype=bool)
        seen[pairs] = True
        distinct = np.flatnonzero(seen)
    else:
        distinct = pd.unique(pairs)
    return np.bincount(distinct % groups, minlength=groups)


def top_table(
    rows: Rows,
    dimension: str,
    top: int = TOP_N,
    visitors: bool = False,
    drop_empty: bool = False,
) -> pd.DataFrame:
    """Per value of a dimension: requests, share of the panel's total, bytes (and visitors); top-N plus Other."""
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
    present = np.flatnonzero(requests)
    order = present[np.lexsort((prepared.ranks[dimension][present], -requests[present]))]
    head, rest = order[:top], order[top:]
    table = pd.DataFrame({dimension: values[head].astype(str), "requests": requests[head], "bytes": sent[head]})
    if visitors:  # per shown value, and for all the rest together as one group
        slot = np.full(size, len(head), dtype=np.int64)
        slot[head] = np.arange(len(head))
        per_slot = visitors_per_group(rows, slot[codes], len(head) + 1)
        table["visitors"] = per_slot[: len(head)]
    if len(rest):
        other = {dimension: OTHER, "requests": requests[rest].sum(), "bytes": sent[rest].sum()}
        if visitors:
            other["visitors"] = int(per_slot[len(head)])
        table = pd.concat([table, pd.DataFrame([other])], ignore_index=True)
    total = max(int(requests.sum()), 1)
    table["share"] = table["requests"] / total
    return table[columns].astype({"requests": np.int64, "bytes": np.int64})


DENSE_BUCKETS = 1_000_000  # above this many possible buckets, group by sorting instead of counting


def _bucket_ids(wall_ns: np.ndarray, span_ns: int) -> np.ndarray:
    return wall_ns // span_ns


def _group_ids(ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(distinct ids in order, each row's position among them): counting when dense, sorting otherwise."""
    if not len(ids):
        return ids, ids
    low, high = int(ids.min()), int(ids.max())
    if high - low >= DENSE_BUCKETS:
        return np.unique(ids, return_inverse=True)
    offset = ids - low
    present = np.flatnonzero(np.bincount(offset, minlength=high - low + 1))
    position = np.full(high - low + 1, -1, dtype=np.int64)
    position[present] = np.arange(len(present))
    return present + low, position[offset]


def traffic(rows: Rows, bucket: str, shift: pd.Timedelta | None = None) -> pd.DataFrame:
    """Per bucket: requests, unique visitors (per bucket), bytes; ``shift`` moves times (the ghost period)."""
    span = int(pd.Timedelta(bucket).value)
    wall = rows.take("wall_ns") + (int(shift.value) if shift is not None else 0)
    ids = _bucket_ids(wall, span)
    if not len(ids):
        return pd.DataFrame({"time": pd.Series(dtype="datetime64[ns]"), "requests": [], "visitors": [], "bytes": []})
    uniq, inverse = _group_ids(ids)
    requests = np.bincount(inverse, minlength=len(uniq))
    sent = np.bincount(inverse, weights=rows.take("bytes"), minlength=len(uniq)).astype(np.int64)
    visitors = visitors_per_group(rows, inverse, len(uniq))
    return pd.DataFrame(
        {"time": pd.to_datetime(uniq * span, unit="ns"), "requests": requests, "visitors": visitors, "bytes": sent}
    )


def status_over_time(rows: Rows, bucket: str) -> pd.DataFrame:
    """Long table: time, status_class, requests (only non-empty cells, classes in order)."""
    span = int(pd.Timedelta(bucket).value)
    ids = _bucket_ids(rows.take("wall_ns"), span)
    hundreds = rows.take("status") // 100
    classes = np.where((hundreds >= 1) & (hundreds <= len(STATUS_CLASSES)), hundreds - 1, len(STATUS_CLASSES))
    names = np.array([*STATUS_CLASSES, "other"], dtype=object)
    uniq, inverse = _group_ids(ids)
    grid = np.bincount(inverse * len(names) + classes, minlength=len(uniq) * len(names))
    cell = np.flatnonzero(grid)
    return pd.DataFrame(
        {
            "time": pd.to_datetime(uniq[cell // len(names)] * span, unit="ns"),
            "status_class": names[cell % len(names)],
            "requests": grid[cell].astype(np.int64),
        }
    )


def weekday_hour(rows: Rows) -> pd.DataFrame:
    """Unique visitors per weekday × hour of day (all 168 cells, zeros included)."""
    cells = rows.take("weekday").astype(np.int64) * 24 + rows.take("hour")
    visitors = visitors_per_group(rows, cells, 168)
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
    present = np.flatnonzero(totals)
    ranked = present[np.lexsort((values[present].astype(str), -totals[present]))][:top]
    grid = np.bincount(codes * 24 + rows.take("hour"), minlength=len(values) * 24).reshape(len(values), 24)
    return pd.DataFrame(
        {
            "country": np.repeat(values[ranked].astype(str), 24),
            "hour": np.tile(np.arange(24), len(ranked)),
            "requests": grid[ranked].ravel(),
        }
    )


def response_by_url(rows: Rows, top: int = TOP_N) -> pd.DataFrame | None:
    """Average and p95 response time (seconds) of the ``top`` URLs by requests; None without the column."""
    prepared = rows.prepared
    if "response_time_s" not in prepared.frame.columns or "path" not in prepared.codes:
        return None
    seconds = rows.take("response_time_s")
    codes = rows.take("codes:path")
    known = ~np.isnan(seconds)
    table = pd.DataFrame({"code": codes[known], "s": seconds[known]})
    grouped = table.groupby("code")["s"].agg(requests="size", avg="mean", p95=lambda s: s.quantile(P95))
    grouped = grouped.sort_values(["requests", "avg"], ascending=False, kind="stable").head(top)
    return pd.DataFrame(
        {
            "path": prepared.values["path"][grouped.index.to_numpy()].astype(str),
            "requests": grouped["requests"].to_numpy(np.int64),
            "avg_s": grouped["avg"].to_numpy(),
            "p95_s": grouped["p95"].to_numpy(),
        }
    )


def response_over_time(rows: Rows, bucket: str) -> pd.DataFrame | None:
    """Average and p95 response time per bucket; None without the column."""
    prepared = rows.prepared
    if "response_time_s" not in prepared.frame.columns:
        return None
    span = int(pd.Timedelta(bucket).value)
    seconds = rows.take("response_time_s")
    ids = _bucket_ids(rows.take("wall_ns"), span)
    known = ~np.isnan(seconds)
    grouped = pd.DataFrame({"id": ids[known], "s": seconds[known]}).groupby("id")["s"]
    table = grouped.agg(avg="mean", p95=lambda s: s.quantile(P95))
    return pd.DataFrame(
        {
            "time": pd.to_datetime(table.index.to_numpy() * span, unit="ns"),
            "avg_s": table["avg"].to_numpy(),
            "p95_s": table["p95"].to_numpy(),
        }
    )


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


ALL_VALUES = 1_000_000

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
    # panels: 206 → 120 ms on 2 cores).
    pending = _POOL.submit(top_tables)
    panels = dict(
        figures=headline(rows, previous_rows),
        traffic=traffic(rows, bucket),
        previous_traffic=(traffic(previous_rows, bucket, shift=shown.length) if previous_rows is not None else None),
        status=status_over_time(rows, bucket),
        weekday_hour=weekday_hour(rows),
        country_hour=country_hour(rows),
        response_by_url=response_by_url(rows, top),
        response_over_time=response_over_time(rows, bucket),
        country_totals=top_table(rows, "country", top=ALL_VALUES),
    )
    return ExploreData(period=shown, previous=previous, bucket=bucket, tops=pending.result(), **panels)
