"""Anomaly detectors on per-bucket counts of an access-log frame: each returns explainable ``Alert`` objects.

Baselines are seasonal and robust. A day of buckets is a row of a days × slots matrix; each day gets a level
(median ratio of its buckets to the typical profile, so weekends and quiet days scale down), and each bucket's
expectation is that level times the median of the *other* days at the same slot of the day (± a few
neighbouring slots), with a MAD spread. With enough weeks the other days are restricted to the same weekday.
In a batch the history is the rest of the log (leave-one-day-out), so one incident never hides itself.
Logs shorter than ``min_history_days`` fall back to a flat median/MAD baseline; minimum-volume guards keep
quiet hours, tiny logs and flat traffic from alarming.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from dashboard.schema import NON_COUNTRIES

DAY_SECONDS = 86_400
MAD_SCALE = 1.4826  # MAD → standard deviation of a normal distribution
EPOCH = pd.Timestamp("1970-01-01", tz="UTC")
EVIDENCE_ROWS = 12
SEVERITIES = ("warning", "critical")


@dataclass
class Alert:
    """One anomaly: what was expected, what was seen, over which UTC window, and the rows that show it."""

    start: pd.Timestamp
    end: pd.Timestamp
    detector: str
    severity: str
    subject: str
    expected: float
    observed: float
    message: str
    evidence: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)
    score: float = 0.0
    suppressed: int = 0  # later alerts of the same (detector, subject) folded in by the cooldown

    @property
    def key(self) -> tuple[str, str]:
        return (self.detector, self.subject)

    def to_dict(self, evidence: bool = False) -> dict[str, Any]:
        """The JSON form (``evidence`` adds the evidence rows and the message)."""
        doc: dict[str, Any] = {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "detector": self.detector,
            "severity": self.severity,
            "subject": self.subject,
            "expected": round(float(self.expected), 3),
            "observed": round(float(self.observed), 3),
        }
        if evidence:
            doc["message"] = self.message
            doc["evidence"] = self.evidence.astype(str).to_dict(orient="records")
        return doc


# -- buckets ----------------------------------------------------------------------------------------------
@dataclass
class Buckets:
    """Rows of a frame assigned to fixed UTC buckets: ``index[i]`` is row i's bucket, 0 … n-1."""

    origin: int  # epoch seconds of bucket 0
    step: int  # seconds
    index: np.ndarray
    n: int
    first_partial: bool
    last_partial: bool

    def start(self, i: int) -> pd.Timestamp:
        return EPOCH + pd.Timedelta(seconds=self.origin + i * self.step)

    def count(self, mask: np.ndarray | None = None) -> np.ndarray:
        """Rows per bucket (only rows where ``mask``)."""
        idx = self.index if mask is None else self.index[mask]
        return np.bincount(idx, minlength=self.n).astype(float)


def epoch_seconds(times: pd.Series) -> np.ndarray:
    """UTC epoch seconds (int64) of a tz-aware time column."""
    return ((times - EPOCH) // pd.Timedelta(seconds=1)).to_numpy(dtype=np.int64)


def make_buckets(times: pd.Series, step: int) -> Buckets:
    """Bucket every row; the first/last buckets are partial unless the log fills them edge to edge."""
    sec = epoch_seconds(times)
    if len(sec) == 0:
        return Buckets(0, step, np.zeros(0, dtype=np.int64), 0, False, False)
    lo, hi = int(sec.min()), int(sec.max())
    origin = lo // step * step
    index = (sec - origin) // step
    n = int(index.max()) + 1
    # A bucket counts as full when the log starts within its first percent (generators and rotations start there).
    first_partial = lo - origin > step // 100
    last_partial = (origin + n * step) - hi > step // 100 + 1
    return Buckets(origin, step, index, n, first_partial, last_partial)


def valid_buckets(b: Buckets) -> np.ndarray:
    """Mask of buckets fully inside the log."""
    ok = np.ones(b.n, dtype=bool)
    if b.n:
        ok[0] &= not b.first_partial
        ok[-1] &= not b.last_partial
    return ok


# -- seasonal baselines -----------------------------------------------------------------------------------
def _as_matrix(values: np.ndarray, b: Buckets) -> tuple[np.ndarray, int]:
    """Values laid out as days × slots (NaN outside the log); the offset of bucket 0 in the matrix."""
    slots = DAY_SECONDS // b.step
    offset = (b.origin % DAY_SECONDS) // b.step
    days = -(-(offset + b.n) // slots)
    flat = np.full(days * slots, np.nan)
    flat[offset : offset + b.n] = values
    return flat.reshape(days, slots), offset


def _pooled(matrix: np.ndarray, pool: int) -> np.ndarray:
    """Stack each slot with its ``pool`` neighbours on either side: (2·pool+1) × days × slots."""
    return np.stack([np.roll(matrix, k, axis=1) for k in range(-pool, pool + 1)])


def _others(d: int, weekdays: np.ndarray, history_days: int, weekday_min: int) -> np.ndarray:
    """Indices of the history days for day ``d``: nearby other days, same weekday when there are enough."""
    near = np.flatnonzero((np.abs(np.arange(len(weekdays)) - d) <= history_days) & (np.arange(len(weekdays)) != d))
    same = near[weekdays[near] == weekdays[d]]
    return same if len(same) >= weekday_min else near


def seasonal_counts(
    values: np.ndarray, b: Buckets, cfg: dict, valid: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Expected value and robust spread per bucket for a count series (seasonal when the log is long enough)."""
    valid = valid_buckets(b) if valid is None else valid
    y = np.where(valid, values, np.nan)
    full_days = b.n * b.step / DAY_SECONDS
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        if full_days < cfg["min_history_days"] or DAY_SECONDS % b.step:
            med = float(np.nanmedian(y)) if np.isfinite(y).any() else 0.0
            mad = float(np.nanmedian(np.abs(y - med))) if np.isfinite(y).any() else 0.0
            return np.full(b.n, med), np.full(b.n, MAD_SCALE * mad)
        matrix, offset = _as_matrix(y, b)
        pool = int(cfg["pool_slots"])
        profile = np.nanmedian(_pooled(matrix, pool).reshape(-1, matrix.shape[1]), axis=0)
        floor = max(float(np.nanmedian(profile)) * 0.2, 1.0) if np.isfinite(profile).any() else 1.0
        usable = profile >= floor
        ratios = matrix[:, usable] / profile[usable]
        level = np.nanmedian(ratios, axis=1) if usable.any() else np.ones(matrix.shape[0])
        level = np.where(np.isfinite(level) & (level > 0), level, 1.0)
        norm = _pooled(matrix / level[:, None], pool)  # pools × days × slots
        first_day = (b.origin - offset * b.step) // DAY_SECONDS
        weekdays = (np.arange(matrix.shape[0]) + first_day + 3) % 7  # 1970-01-01 was a Thursday
        expected = np.full(matrix.shape, np.nan)
        spread = np.full(matrix.shape, np.nan)
        for d in range(matrix.shape[0]):
            others = _others(d, weekdays, int(cfg["history_days"]), int(cfg["weekday_min_weeks"]))
            hist = norm[:, others, :].reshape(-1, matrix.shape[1])
            med = np.nanmedian(hist, axis=0)
            expected[d] = level[d] * med
            spread[d] = level[d] * MAD_SCALE * np.nanmedian(np.abs(hist - med), axis=0)
    exp = expected.reshape(-1)[offset : offset + b.n]
    spr = spread.reshape(-1)[offset : offset + b.n]
    return np.nan_to_num(exp, nan=0.0), np.nan_to_num(spr, nan=0.0)


def seasonal_rate(hits: np.ndarray, totals: np.ndarray, b: Buckets, cfg: dict) -> np.ndarray:
    """Expected share ``hits / totals`` per bucket: pooled over the same slots of other days, shrunk to their mean."""
    valid = valid_buckets(b)
    k = np.where(valid, hits, np.nan)
    n = np.where(valid, totals, np.nan)
    prior = float(cfg["prior_requests"])
    full_days = b.n * b.step / DAY_SECONDS
    if full_days < cfg["min_history_days"] or DAY_SECONDS % b.step:
        total = np.nansum(n)
        return np.full(b.n, np.nansum(k) / total if total else 0.0)
    km, offset = _as_matrix(k, b)
    nm, _ = _as_matrix(n, b)
    pool = int(cfg["pool_slots"])
    kp, np_ = np.nansum(_pooled(km, pool), axis=0), np.nansum(_pooled(nm, pool), axis=0)  # days × slots
    day_k, day_n = np.nansum(km, axis=1), np.nansum(nm, axis=1)
    first_day = (b.origin - offset * b.step) // DAY_SECONDS
    weekdays = (np.arange(km.shape[0]) + first_day + 3) % 7
    rate = np.zeros(km.shape)
    for d in range(km.shape[0]):
        others = _others(d, weekdays, int(cfg["history_days"]), int(cfg["weekday_min_weeks"]))
        total = day_n[others].sum()
        overall = day_k[others].sum() / total if total else 0.0
        rate[d] = (kp[others].sum(axis=0) + prior * overall) / (np_[others].sum(axis=0) + prior)
    return rate.reshape(-1)[offset : offset + b.n]


# -- runs and alerts --------------------------------------------------------------------------------------
def find_runs(mask: np.ndarray, min_len: int, max_gap: int) -> list[tuple[int, int]]:
    """Runs of True at least ``min_len`` long, then merged across gaps of at most ``max_gap``: [(i0, i1)), …]."""
    padded = np.concatenate([[False], np.asarray(mask, dtype=bool), [False]])
    edges = np.flatnonzero(np.diff(padded.astype(np.int8)))
    runs = [(int(a), int(z)) for a, z in zip(edges[::2], edges[1::2], strict=True) if z - a >= min_len]
    merged: list[tuple[int, int]] = []
    for a, z in runs:
        if merged and a - merged[-1][1] <= max_gap:
            merged[-1] = (merged[-1][0], z)
        else:
            merged.append((a, z))
    return merged


def severity_of(score: float, threshold: float, critical_factor: float) -> str:
    """ "critical" when the score is ``critical_factor`` times past the threshold, else "warning"."""
    return SEVERITIES[1] if abs(score) >= threshold * critical_factor else SEVERITIES[0]


def _series_evidence(b: Buckets, i0: int, i1: int, observed: np.ndarray, expected: np.ndarray, score: np.ndarray):
    """Per-bucket rows of an alert (at most EVIDENCE_ROWS, the strongest)."""
    rows = pd.DataFrame(
        {
            "bucket": [b.start(i) for i in range(i0, i1)],
            "observed": observed[i0:i1].round(3),
            "expected": expected[i0:i1].round(3),
            "score": score[i0:i1].round(2),
        }
    )
    if len(rows) > EVIDENCE_ROWS:
        rows = rows.loc[rows["score"].abs().nlargest(EVIDENCE_ROWS).index].sort_values("bucket")
    return rows.reset_index(drop=True)


def rolling_sum(values: np.ndarray, width: int) -> np.ndarray:
    """Centred sum over ``width`` buckets (zeros beyond the ends)."""
    return np.convolve(values, np.ones(width), mode="same") if width > 1 else values.astype(float)


def detect_rate(requests: np.ndarray, clients: np.ndarray, b: Buckets, cfg: dict, general: dict) -> list[Alert]:
    """Traffic far above ("traffic_spike") or below ("traffic_drop") its seasonal baseline.

    The score is computed on active clients (distinct IPs per bucket) summed over ``smooth`` buckets:
    requests come in sessions of a dozen or so, which makes request counts far noisier than Poisson, while
    clients are close to it. The ratio and volume guards and the reported figures are in requests.
    """
    width = int(cfg["smooth"])
    valid = rolling_sum(valid_buckets(b).astype(float), width) >= width - 0.5
    req, cli = rolling_sum(requests, width), rolling_sum(clients, width)
    expected, _ = seasonal_counts(req, b, general, valid)
    exp_clients, spread = seasonal_counts(cli, b, general, valid)
    score = (cli - exp_clients) / np.sqrt(np.maximum(spread**2, exp_clients) + 1.0)
    thr = float(cfg["threshold"])
    volume = float(cfg["min_volume"]) * width
    high = valid & (score >= thr) & (req >= expected * cfg["min_ratio_high"]) & (req >= volume)
    low = valid & (score <= -thr) & (req <= expected * cfg["max_ratio_low"]) & (expected >= volume)
    per_bucket = expected / width
    alerts = []
    gap = _gap_buckets(general, b.step)
    for name, mask, word in (("traffic_spike", high, "above"), ("traffic_drop", low, "below")):
        for i0, i1 in find_runs(mask, int(cfg["consecutive"]), gap):
            obs, exp = float(requests[i0:i1].sum()), float(per_bucket[i0:i1].sum())
            peak = float(score[i0:i1].max() if name == "traffic_spike" else score[i0:i1].min())
            ratio = obs / exp if exp else float("inf")
            evidence = _series_evidence(b, i0, i1, requests, per_bucket, score)
            alerts.append(
                Alert(
                    start=b.start(i0),
                    end=b.start(i1),
                    detector=name,
                    severity=severity_of(peak, thr, general["critical_factor"]),
                    subject="requests",
                    expected=exp,
                    observed=obs,
                    message=f"{obs:,.0f} requests where {exp:,.0f} were expected ({ratio:.2f}×, {word} the "
                    f"seasonal baseline); active clients {float(clients[i0:i1].sum()):,.0f} vs "
                    f"{float(exp_clients[i0:i1].sum()) / width:,.0f}, peak score {peak:+.1f}",
                    evidence=evidence,
                    score=peak,
                )
            )
    return alerts


def detect_status(hits: np.ndarray, totals: np.ndarray, b: Buckets, label: str, cfg: dict, general: dict):
    """A status class/code whose count is far above its seasonal share of the traffic ("status" alerts)."""
    rate = seasonal_rate(hits, totals, b, general)
    expected = rate * totals
    score = (hits - expected) / np.sqrt(expected + 1.0)
    share = np.divide(hits, totals, out=np.zeros_like(hits), where=totals > 0)
    valid = valid_buckets(b)
    thr = float(cfg["threshold"])
    mask = (
        valid
        & (score >= thr)
        & (hits >= cfg["min_count"])
        & (share >= cfg["min_rate"])
        & (hits >= expected * cfg["min_ratio"])
    )
    alerts = []
    for i0, i1 in find_runs(mask, int(cfg["consecutive"]), _gap_buckets(general, b.step)):
        obs, exp, n = float(hits[i0:i1].sum()), float(expected[i0:i1].sum()), float(totals[i0:i1].sum())
        peak = float(score[i0:i1].max())
        alerts.append(
            Alert(
                start=b.start(i0),
                end=b.start(i1),
                detector="status",
                severity=severity_of(peak, thr, general["critical_factor"]),
                subject=label,
                expected=exp,
                observed=obs,
                message=f"{obs:,.0f} {label} responses ({obs / max(n, 1):.1%} of {n:,.0f} requests) where "
                f"{exp:,.1f} were expected ({exp / max(n, 1):.2%})",
                evidence=_series_evidence(b, i0, i1, hits, expected, score),
                score=peak,
            )
        )
    return alerts


def _gap_buckets(general: dict, step: int) -> int:
    return int(general["merge_gap"] // step)


def _codes(column: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes and their labels for any column (categoricals reuse their codes)."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        codes = column.cat.codes.to_numpy().astype(np.int64)
        labels = np.asarray(column.cat.categories.astype(str), dtype=object)
        if (codes < 0).any():
            codes = np.where(codes < 0, len(labels), codes)
            labels = np.append(labels, "")
        return codes, labels
    codes, uniques = pd.factorize(column, use_na_sentinel=False)
    return codes.astype(np.int64), np.asarray([str(u) for u in uniques], dtype=object)


def _windows(frame: pd.DataFrame, seconds: int) -> Buckets:
    return make_buckets(frame["time"], seconds)


def detect_scanners(frame: pd.DataFrame, cfg: dict, general: dict) -> list[Alert]:
    """Client IPs that walk unusually many distinct URLs with errors, or collect unusually many 404s, in a window."""
    if frame.empty:
        return []
    w = _windows(frame, int(cfg["window"]))
    ip, ip_labels = _codes(frame["ip"])
    path, _ = _codes(frame["path"])
    status = frame["status"].to_numpy()
    key = ip * w.n + w.index
    pairs = pd.DataFrame({"key": key, "path": path}).drop_duplicates()
    table = (
        pd.DataFrame({"key": key, "requests": 1, "e404": status == 404, "e4xx": (status >= 400) & (status < 500)})
        .groupby("key", sort=False)[["requests", "e404", "e4xx"]]
        .sum()
    )
    table["distinct"] = pairs.groupby("key", sort=False).size()
    fence_d = _fence(table["distinct"].to_numpy(), float(cfg["threshold"]))
    fence_404 = _fence(table["e404"].to_numpy(), float(cfg["threshold"]))
    need_d = max(float(cfg["min_distinct_paths"]), fence_d)
    need_404 = max(float(cfg["min_404"]), fence_404)
    error_share = table["e4xx"] / table["requests"]
    flagged = table[
        ((table["distinct"] >= need_d) & (error_share >= cfg["min_error_share"])) | (table["e404"] >= need_404)
    ]
    alerts = []
    gap = int(general["merge_gap"] // w.step)
    for ip_code, group in flagged.groupby(np.asarray(flagged.index) // w.n, sort=True):
        win = np.sort(np.asarray(group.index) % w.n)
        mask = np.zeros(w.n, dtype=bool)
        mask[win] = True
        for i0, i1 in find_runs(mask, 1, gap):
            rows = frame[(ip == ip_code) & (w.index >= i0) & (w.index < i1)]
            distinct = int(rows["path"].nunique())
            n404 = int((rows["status"] == 404).sum())
            score = distinct / max(need_d, 1.0)
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
            subject = str(ip_labels[ip_code])
            alerts.append(
                Alert(
                    start=w.start(i0),
                    end=w.start(i1),
                    detector="scanner",
                    severity=severity_of(max(score, n404 / max(need_404, 1.0)), 1.0, general["critical_factor"]),
                    subject=subject,
                    expected=need_d,
                    observed=float(distinct),
                    message=f"{subject} requested {distinct:,} distinct URLs ({n404:,} answered 404, {len(rows):,} "
                    f"requests); clients rarely exceed {need_d:,.0f} distinct URLs per {w.step // 60} min",
                    evidence=top,
                    score=score,
                )
            )
    return alerts


def _fence(values: np.ndarray, threshold: float) -> float:
    """Robust upper fence of a population of per-client counts: median + threshold·MAD on a log scale."""
    if len(values) == 0:
        return 0.0
    logs = np.log1p(values.astype(float))
    med = float(np.median(logs))
    mad = MAD_SCALE * float(np.median(np.abs(logs - med)))
    return float(np.expm1(med + threshold * max(mad, 0.5)))


def detect_surges(frame: pd.DataFrame, dimension: str, cfg: dict, general: dict) -> list[Alert]:
    """Many clients of a value (country, browser family) that was rare before, suddenly a large share."""
    if frame.empty or dimension not in frame.columns:
        return []
    w = _windows(frame, int(cfg["window"]))
    value, labels = _codes(frame[dimension])
    skip = np.isin(labels, [*NON_COUNTRIES, "", "Other"]) if dimension == "country" else np.isin(labels, [""])
    n_values = len(labels)
    counts = np.bincount(value * w.n + w.index, minlength=n_values * w.n).reshape(n_values, w.n).astype(float)
    totals = counts.sum(axis=0)
    base = _baseline_share(frame, value, n_values, w)  # values × windows
    expected = base * totals
    ip, _ = _codes(frame["ip"])
    clients = (
        pd.DataFrame({"k": value * w.n + w.index, "ip": ip})
        .drop_duplicates()
        .groupby("k")
        .size()
        .reindex(np.arange(n_values * w.n), fill_value=0)
        .to_numpy()
        .reshape(n_values, w.n)
    )
    score = (counts - expected) / np.sqrt(expected + 1.0)
    share = np.divide(counts, totals, out=np.zeros_like(counts), where=totals > 0)
    valid = valid_buckets(w)
    mask = (
        valid[None, :]
        & ~skip[:, None]
        & (base <= cfg["rare_share"])
        & (counts >= cfg["min_requests"])
        & (clients >= cfg["min_clients"])
        & (counts >= expected * cfg["min_ratio"])
        & (share >= cfg["min_share"])
        & (score >= cfg["threshold"])
    )
    alerts = []
    gap = int(general["merge_gap"] // w.step)
    for v in np.flatnonzero(mask.any(axis=1)):
        for i0, i1 in find_runs(mask[v], int(cfg["consecutive"]), gap):
            obs, exp = float(counts[v, i0:i1].sum()), float(expected[v, i0:i1].sum())
            n = float(totals[i0:i1].sum())
            peak = float(score[v, i0:i1].max())
            rows = frame[(value == v) & (w.index >= i0) & (w.index < i1)]
            top = (
                rows.assign(ip=rows["ip"].astype(str))
                .groupby("ip", sort=False)
                .size()
                .rename("requests")
                .sort_values(ascending=False, kind="stable")
                .head(EVIDENCE_ROWS)
                .reset_index()
            )
            label = str(labels[v])
            alerts.append(
                Alert(
                    start=w.start(i0),
                    end=w.start(i1),
                    detector="surge",
                    severity=severity_of(peak, float(cfg["threshold"]), general["critical_factor"]),
                    subject=f"{dimension}={label}",
                    expected=exp,
                    observed=obs,
                    message=f"{obs:,.0f} requests from {dimension} {label} ({obs / max(n, 1):.1%} of traffic, "
                    f"{int(clients[v, i0:i1].max())} clients) where {exp:,.1f} were expected "
                    f"(usual share {float(base[v, i0]):.3%})",
                    evidence=top,
                    score=peak,
                )
            )
    return alerts


def _baseline_share(frame: pd.DataFrame, value: np.ndarray, n_values: int, w: Buckets) -> np.ndarray:
    """Usual share of each value per window: median daily share over the other days, else share outside the window."""
    day0 = w.origin // DAY_SECONDS
    day = (w.origin + w.index * w.step) // DAY_SECONDS - day0
    n_days = int(day.max()) + 1 if len(day) else 1
    window_day = ((w.origin + np.arange(w.n) * w.step) // DAY_SECONDS - day0).astype(np.int64)
    if n_days >= 3:
        daily = np.bincount(value * n_days + day, minlength=n_values * n_days).reshape(n_values, n_days)
        shares = daily / np.maximum(daily.sum(axis=0), 1)
        per_day = np.zeros((n_values, n_days))
        for d in range(n_days):
            others = [o for o in range(n_days) if o != d]
            per_day[:, d] = np.median(shares[:, others], axis=1)
        return per_day[:, window_day]
    counts = np.bincount(value * w.n + w.index, minlength=n_values * w.n).reshape(n_values, w.n)
    outside = counts.sum(axis=1, keepdims=True) - counts
    total_outside = np.maximum(counts.sum() - counts.sum(axis=0, keepdims=True), 1)
    return outside / total_outside
