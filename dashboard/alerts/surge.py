"""Surges: a value that was rare (a country, a browser family) suddenly sending a large share of the traffic."""

from __future__ import annotations

import numpy as np
import pandas as pd

from dashboard.alerts.alert import Alert, severity_of
from dashboard.alerts.baseline import DAY_SECONDS, Buckets, codes, find_runs, make_buckets, valid_buckets
from dashboard.alerts.detectors import EVIDENCE_ROWS
from dashboard.schema import NON_COUNTRIES


def detect_surges(frame: pd.DataFrame, dimension: str, cfg: dict, general: dict) -> list[Alert]:
    """Many clients of a value (country, browser family) that was rare before, suddenly a large share."""
    if frame.empty or dimension not in frame.columns:
        return []
    w = make_buckets(frame["time"], int(cfg["window"]))
    value, labels = codes(frame[dimension])
    skip = np.isin(labels, [*NON_COUNTRIES, "", "Other"]) if dimension == "country" else np.isin(labels, [""])
    n_values = len(labels)
    counts = np.bincount(value * w.n + w.index, minlength=n_values * w.n).reshape(n_values, w.n).astype(float)
    totals = counts.sum(axis=0)
    base = _baseline_share(frame, value, n_values, w)  # values × windows
    expected = base * totals
    ip, _ = codes(frame["ip"])
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
            alert = Alert(
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
                unit="requests",
            )
            if alert.consistent:  # a window merged across gaps must still show the surge
                alerts.append(alert)
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
