"""Anomaly detectors on per-bucket series of the whole site: request rate (spikes, drops) and status classes.

Baselines come from ``baseline.py`` (seasonal and robust); minimum-volume guards keep quiet hours, tiny logs
and flat traffic from alarming. Per-client and per-value detectors live in ``scanner.py`` and ``surge.py``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from dashboard.alerts.alert import Alert, severity_of
from dashboard.alerts.baseline import Buckets, find_runs, rolling_sum, seasonal_counts, seasonal_rate, valid_buckets

EVIDENCE_ROWS = 12


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


def client_load(ip: np.ndarray, b: Buckets, rows: np.ndarray, quantile: float) -> np.ndarray:
    """Active clients per bucket among ``rows``, a client weighing one per ``cap`` requests it made in the bucket.

    ``cap`` is the ``quantile`` of requests per client and bucket: ordinary clients count once each, as
    distinct IPs would, while one client flooding the site counts as the many clients its requests stand for.
    """
    if not rows.any():
        return np.zeros(b.n)
    keys, per_client = np.unique(ip[rows].astype(np.int64) * b.n + b.index[rows], return_counts=True)
    cap = max(float(np.quantile(per_client, quantile)), 1.0)
    weight = np.maximum(per_client / cap, 1.0)
    return np.bincount(keys % b.n, weights=weight, minlength=b.n)


def detect_rate(requests: np.ndarray, clients: np.ndarray, b: Buckets, cfg: dict, general: dict) -> list[Alert]:
    """Traffic far above ("traffic_spike") or below ("traffic_drop") its seasonal baseline.

    The score is computed on the client load (``client_load``) summed over ``smooth`` buckets: requests come
    in sessions of a dozen or so, which makes request counts far noisier than Poisson, while clients are
    close to it. The ratio and volume guards and the reported figures are in requests.
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
    for name, mask, direction in (("traffic_spike", high, "above"), ("traffic_drop", low, "below")):
        for i0, i1 in find_runs(mask, int(cfg["consecutive"]), gap):
            obs, exp = float(requests[i0:i1].sum()), float(per_bucket[i0:i1].sum())
            peak = float(score[i0:i1].max() if direction == "above" else score[i0:i1].min())
            alert = Alert(
                start=b.start(i0),
                end=b.start(i1),
                detector=name,
                severity=severity_of(peak, thr, general["critical_factor"]),
                subject="requests",
                expected=exp,
                observed=obs,
                message=f"{_versus(obs, exp, 'requests', direction)} the seasonal baseline, peak score {peak:+.1f}",
                evidence=_series_evidence(b, i0, i1, requests, per_bucket, score),
                score=peak,
                unit="requests",
                direction=direction,
            )
            if alert.consistent:
                alerts.append(alert)
    return alerts


def _versus(observed: float, expected: float, what: str, direction: str) -> str:
    """ "300 requests where 100 were expected (3.0×, above" — and no ``inf×`` when nothing was expected."""
    if round(expected) == 0:
        return f"{observed:,.0f} {what} where none were expected ({direction}"
    ratio = observed / expected
    how = f"{ratio:.1f}×" if direction == "above" else f"{ratio:.0%} of it"
    return f"{observed:,.0f} {what} where {expected:,.0f} were expected ({how}, {direction}"


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
        alert = Alert(
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
            unit=f"{label} responses",
        )
        if alert.consistent:
            alerts.append(alert)
    return alerts


def _gap_buckets(general: dict, step: int) -> int:
    return int(general["merge_gap"] // step)
