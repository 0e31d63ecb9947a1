"""Scanners: one client walking far more distinct URLs, or collecting far more 404s, than clients usually do."""

from __future__ import annotations

import numpy as np
import pandas as pd

from dashboard.alerts.alert import Alert, severity_of
from dashboard.alerts.baseline import MAD_SCALE, codes, find_runs, make_buckets
from dashboard.alerts.detectors import EVIDENCE_ROWS


def detect_scanners(frame: pd.DataFrame, cfg: dict, general: dict) -> list[Alert]:
    """Client IPs that walk unusually many distinct URLs with errors, or collect unusually many 404s, in a window."""
    if frame.empty:
        return []
    w = make_buckets(frame["time"], int(cfg["window"]))
    ip, ip_labels = codes(frame["ip"])
    path, _ = codes(frame["path"])
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
