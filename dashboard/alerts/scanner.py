"""Scanners: one client doing far more in a window than the clients of the site usually do, whatever the answers.

Three signs, in the order an alert explains itself by: distinct URLs (a walk), 404 answers, requests (a flood).
The site's usual is a robust upper fence over every client's windows. With most answers 4xx, distinct URLs
above it are enough, and so are 404s above theirs. Whatever the status codes (a site that answers 200 to
everything), distinct URLs or requests must be ``any_status_factor`` times the site's usual and
``min_client_ratio`` times the client's own usual (the median of its windows outside the episode), so a busy
monitor or a steady crawler is not a scanner; and a client that declares itself a crawler in every request of a
window (Googlebot walking a shop) is judged by the 4xx signs only there: crawling many pages is its job, while a
scanner dressed as a crawler still collects the 404s. An alert reports the sign that fired: its peak over any
``window``-long span against the site's usual, in the same unit.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from dashboard.alerts.alert import Alert, severity_of
from dashboard.alerts.baseline import EPOCH, MAD_SCALE, Buckets, codes, find_runs, make_buckets
from dashboard.alerts.detectors import EVIDENCE_ROWS

SIGNS = {"distinct": "distinct URLs", "e404": "404 responses", "requests": "requests"}  # in order of precedence
STEADY_WINDOWS = 6  # an episode this long that is all a client ever did is its usual pace (a monitor), not a burst


def detect_scanners(frame: pd.DataFrame, cfg: dict, general: dict) -> list[Alert]:
    """Client IPs that walk far more distinct URLs, collect far more 404s or send far more requests than usual."""
    if frame.empty:
        return []
    w = make_buckets(frame["time"], int(cfg["window"]))
    ip, ip_labels = codes(frame["ip"])
    path, _ = codes(frame["path"])
    status = frame["status"].to_numpy()
    bots = frame["is_bot"].to_numpy(dtype=bool) if "is_bot" in frame else np.zeros(len(frame), dtype=bool)
    table = _client_windows(ip * w.n + w.index, path, status, bots)
    thr = float(cfg["threshold"])
    usual = {  # the site's usual: clients rarely exceed these in a window
        "distinct": max(float(cfg["min_distinct_paths"]), _fence(table["distinct"].to_numpy(), thr)),
        "e404": max(float(cfg["min_404"]), _fence(table["e404"].to_numpy(), thr)),
        "requests": max(float(cfg["min_requests"]), _fence(table["requests"].to_numpy(), thr)),
    }
    table["errors"] = table["e4xx"] >= cfg["min_error_share"] * table["requests"]
    factor = float(cfg["any_status_factor"])
    strict = (
        ((table["distinct"] >= usual["distinct"]) & table["errors"])
        | (table["e404"] >= usual["e404"])
        | (~table["crawler"] & (table["distinct"] >= factor * usual["distinct"]))
        | (~table["crawler"] & (table["requests"] >= factor * usual["requests"]))
    )
    if not strict.any():
        return []
    # An episode is the client's run of windows above the site's usual on any sign; it needs one strict window.
    client = np.asarray(table.index) // w.n
    suspects = np.isin(client, np.unique(client[strict.to_numpy()]))
    above = (table["distinct"] >= usual["distinct"]) | (table["e404"] >= usual["e404"])
    flagged = table[suspects & (above | (table["requests"] >= usual["requests"])).to_numpy()]
    history = table[suspects]
    alerts = []
    gap = int(general["merge_gap"] // w.step)
    for ip_code, group in flagged.groupby(np.asarray(flagged.index) // w.n, sort=True):
        mine = history[np.asarray(history.index) // w.n == ip_code]
        mask = np.zeros(w.n, dtype=bool)
        mask[np.asarray(group.index) % w.n] = True
        for i0, i1 in find_runs(mask, 1, gap):
            found = _sign(group, mine, w, i0, i1, gap, usual, cfg)
            if found is None:
                continue
            sign, bar, own = found
            rows = frame[(ip == ip_code) & (w.index >= i0) & (w.index < i1)]
            alerts.append(_alert(rows, str(ip_labels[ip_code]), w, i0, i1, sign, usual[sign], bar, own, general))
    return alerts


def _client_windows(key: np.ndarray, path: np.ndarray, status: np.ndarray, bots: np.ndarray) -> pd.DataFrame:
    """Per (client, window) key: requests, 404s, 4xx answers, distinct paths, and whether all came from a crawler."""
    table = (
        pd.DataFrame(
            {"key": key, "requests": 1, "e404": status == 404, "e4xx": (status >= 400) & (status < 500), "bots": bots}
        )
        .groupby("key", sort=False)[["requests", "e404", "e4xx", "bots"]]
        .sum()
    )
    table["distinct"] = pd.DataFrame({"key": key, "path": path}).drop_duplicates().groupby("key", sort=False).size()
    table["crawler"] = table["bots"] == table["requests"]
    return table


def _sign(
    group: pd.DataFrame, mine: pd.DataFrame, w: Buckets, i0: int, i1: int, gap: int, usual: dict, cfg: dict
) -> tuple[str, float, float] | None:
    """The first sign that holds in windows [i0, i1) of one client: (sign, the bar it passed, the client's usual)."""
    windows = np.asarray(mine.index) % w.n
    outside = mine[(windows < i0 - gap) | (windows >= i1 + gap)]
    if outside.empty and i1 - i0 >= STEADY_WINDOWS:
        outside = mine[(windows >= i0) & (windows < i1)]
    run = group[(np.asarray(group.index) % w.n >= i0) & (np.asarray(group.index) % w.n < i1)]
    factor, ratio = float(cfg["any_status_factor"]), float(cfg["min_client_ratio"])
    for sign in SIGNS:
        own = float(np.median(outside[sign])) if len(outside) else 0.0
        bars = []
        if sign == "e404":
            bars.append((run[sign] >= usual[sign], usual[sign]))
        else:
            if sign == "distinct":
                bars.append(((run[sign] >= usual[sign]) & run["errors"], usual[sign]))
            anything = max(factor * usual[sign], ratio * own)
            bars.append((~run["crawler"] & (run[sign] >= anything), anything))
        passed = [bar for hit, bar in bars if hit.any()]
        if passed:
            return sign, min(passed), own
    return None


def _alert(
    rows: pd.DataFrame,
    subject: str,
    w: Buckets,
    i0: int,
    i1: int,
    sign: str,
    usual: float,
    bar: float,
    own: float,
    general: dict,
) -> Alert:
    """The alert of one episode, with the figures of the sign that fired."""
    seconds = ((rows["time"] - EPOCH) / pd.Timedelta(seconds=1)).to_numpy(dtype=float)
    paths, _ = codes(rows["path"])
    is404 = (rows["status"] == 404).to_numpy()
    if sign == "distinct":
        observed = _peak_distinct(seconds, paths, w.step)
    else:
        observed = _peak_count(seconds[is404] if sign == "e404" else seconds, w.step)
    minutes = w.step // 60
    what = {"distinct": "requested", "e404": "collected", "requests": "made"}[sign]
    own_text = f"; this client's usual is {own:,.0f}" if own and sign != "e404" else ""
    top = (
        rows.assign(path=rows["path"].astype(str))
        .groupby(["path", "status"], sort=False)
        .size()
        .rename("requests")
        .reset_index()
        .sort_values("requests", ascending=False, kind="stable")
        .head(EVIDENCE_ROWS)
        .reset_index(drop=True)
    )
    return Alert(
        start=w.start(i0),
        end=w.start(i1),
        detector="scanner",
        severity=severity_of(observed / max(bar, 1.0), 1.0, general["critical_factor"]),
        subject=subject,
        expected=usual,
        observed=float(observed),
        message=f"{subject} {what} {observed:,} {SIGNS[sign]} within {minutes} min ({len(rows):,} requests, "
        f"{len(np.unique(paths)):,} distinct URLs, {int(is404.sum()):,} answered 404 in all); clients of this site "
        f"rarely exceed {usual:,.0f} per {minutes} min{own_text}",
        evidence=top,
        score=observed / max(bar, 1.0),
        unit=f"{SIGNS[sign]} per {minutes} min",
    )


def _peak_count(seconds: np.ndarray, span: int) -> int:
    """Most rows within any ``span`` seconds (times sorted)."""
    if len(seconds) == 0:
        return 0
    ends = np.searchsorted(seconds, seconds + span, side="left")
    return int((ends - np.arange(len(seconds))).max())


def _peak_distinct(seconds: np.ndarray, paths: np.ndarray, span: int) -> int:
    """Most distinct paths within any ``span`` seconds (times sorted): one pass with a sliding window."""
    counts: dict[int, int] = {}
    best, j, n = 0, 0, len(seconds)
    for i in range(n):
        while j < n and seconds[j] < seconds[i] + span:
            counts[paths[j]] = counts.get(paths[j], 0) + 1
            j += 1
        best = max(best, len(counts))
        left = counts[paths[i]] - 1
        if left:
            counts[paths[i]] = left
        else:
            del counts[paths[i]]
    return best


def _fence(values: np.ndarray, threshold: float) -> float:
    """Robust upper fence of a population of per-client counts: median + threshold·MAD on a log scale."""
    if len(values) == 0:
        return 0.0
    logs = np.log1p(values.astype(float))
    med = float(np.median(logs))
    mad = MAD_SCALE * float(np.median(np.abs(logs - med)))
    return float(np.expm1(med + threshold * max(mad, 0.5)))
