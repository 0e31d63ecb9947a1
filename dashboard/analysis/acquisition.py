"""Where visits come from: UTM tags of their entry page and referrers, the site's own domains left out.

UTM keys are matched whatever their case (``UTM_Source``), values are percent-decoded, trimmed and lower-cased
(Matomo lower-cases campaign names too), and a repeated key keeps its first value. The site's own hosts are
detected from the log: a referrer host that refers from at least ``SELF_MIN_PATHS`` distinct paths the site
itself served (internal navigation), or that equals a virtual host of the log; more can be configured.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import parse_qsl, urlsplit

import numpy as np
import pandas as pd

from dashboard.analysis.visits import TOP_N, Visits

UTM_FIELDS = ("source", "medium", "campaign")
SELF_MIN_PATHS = 3  # distinct served paths a host must refer from to count as the site itself
NONE = "(none)"


def parse_utm(query: str) -> dict[str, str]:
    """The utm_source/medium/campaign of a query string (without '?'), decoded and lower-cased; missing ones absent."""
    found: dict[str, str] = {}
    for key, value in parse_qsl(query.lstrip("?"), keep_blank_values=False):
        name = key.strip().lower()
        if name.startswith("utm_") and name[4:] in UTM_FIELDS and name[4:] not in found and value.strip():
            found[name[4:]] = value.strip().lower()
    return found


def _host(url: str) -> str:
    """A referrer's host, lower-case, without port or credentials ('' when it has none)."""
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


def _distinct(column: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes of a column and its distinct values as strings (categoricals without re-factorizing)."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        codes = column.cat.codes.to_numpy()
        values = column.cat.categories.astype(str).to_numpy()
        return np.where(codes >= 0, codes, len(values)), np.append(values, "")
    codes, uniques = pd.factorize(column.astype(str))
    return codes, np.asarray(uniques, dtype=object)


def self_hosts(frame: pd.DataFrame, configured: Iterable[str] = ()) -> set[str]:
    """The site's own host names: configured, the log's virtual hosts, and hosts referring from served paths."""
    hosts = {h.strip().lower() for h in configured if h.strip()}
    if "vhost" in frame.columns and len(frame):
        hosts |= {str(v).split(":", 1)[0].lower() for v in pd.unique(frame["vhost"].astype(str)) if v}
    if frame.empty:
        return hosts
    codes, values = _distinct(frame["referrer"])
    used = np.unique(codes)
    path_codes, path_values = _distinct(frame["path"])
    served = set(path_values[np.unique(path_codes)])
    internal: dict[str, set[str]] = {}
    for value in values[used]:
        if not value:
            continue
        parts = urlsplit(value) if "://" in value else None
        host = _host(value) if parts else ""
        if host and parts.path in served:
            internal.setdefault(host, set()).add(parts.path)
    return hosts | {host for host, paths in internal.items() if len(paths) >= SELF_MIN_PATHS}


def _entry_counts(column: pd.Series, visits: Visits) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The distinct values of a column found on visits' entry rows, and how many visits entered with each."""
    codes, values = _distinct(column)
    per_code = np.bincount(codes[visits.entry_row], minlength=len(values)) if len(visits.entry_row) else np.zeros(0)
    used = np.flatnonzero(per_code)
    return used, values[used], per_code[used]


def _ranked(table: pd.DataFrame, labels: list[str], top: int) -> pd.DataFrame:
    """Sum visits per label set, the most first (ties alphabetical), ``top`` rows."""
    if table.empty:
        return pd.DataFrame({**{c: pd.Series([], dtype=str) for c in labels}, "visits": pd.Series([], dtype=np.int64)})
    summed = table.groupby(labels, sort=True)["visits"].sum().reset_index()
    summed = summed.sort_values("visits", ascending=False, kind="stable").head(top)
    summed["visits"] = summed["visits"].astype(np.int64)
    return summed.reset_index(drop=True)


def referrer_hosts(frame: pd.DataFrame, visits: Visits, own: set[str], top: int = TOP_N) -> pd.DataFrame:
    """Visits per referrer host of their entry page, the site's own hosts and empty referrers left out."""
    _, values, counts = _entry_counts(frame["referrer"], visits)
    hosts = [_host(str(v)) for v in values]
    table = pd.DataFrame({"referrer": hosts, "visits": counts})
    return _ranked(table[[bool(h) and h not in own for h in hosts]], ["referrer"], top)


def utm_table(frame: pd.DataFrame, visits: Visits, top: int = TOP_N) -> pd.DataFrame:
    """Visits per (source, medium, campaign) of the UTM tags on their entry page; untagged visits left out."""
    _, values, counts = _entry_counts(frame["query"], visits)
    rows = []
    for value, count in zip(values, counts, strict=True):
        tag = parse_utm(str(value))
        if tag:
            rows.append((*(tag.get(field, NONE) for field in UTM_FIELDS), int(count)))
    return _ranked(pd.DataFrame(rows, columns=[*UTM_FIELDS, "visits"]), list(UTM_FIELDS), top)
