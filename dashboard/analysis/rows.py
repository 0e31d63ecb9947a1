"""Prepared rows: a log's per-row arrays in one time zone, built once, and the rows a filter and range select.

Changing a filter or the date range then costs a mask, a ``searchsorted`` on the sorted times and a few
``bincount`` calls in the panels, never a pass over strings.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from dashboard.analysis.buckets import check_tz
from dashboard.analysis.filters import referrer_domains
from dashboard.analysis.ranges import DateRange
from dashboard.analysis.top import alphabetical_ranks
from dashboard.analysis.visitors import visitor_keys

# Columns whose distinct values the panels group by (the referrer is grouped by its domain).
DIMENSIONS = ("path", "os", "device", "crawler", "browser", "country", "method", "vhost", "referrer", "ip")


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
    ranks = {name: alphabetical_ranks(v) for name, v in values.items()}
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
