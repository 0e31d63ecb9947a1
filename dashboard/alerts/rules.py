"""Threshold rules for operators (``5xx_rate > 5% for 10m``): metrics per bucket, evaluated into alerts."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from dashboard.alerts.alert import Alert
from dashboard.alerts.baseline import Buckets, find_runs, valid_buckets
from dashboard.schema import in_status_class

# Rule metrics: name → (rows counted, rows it is a share of; None for a plain count) as predicates on the frame.
Predicate = Callable[[pd.DataFrame], np.ndarray]
RULE_METRICS: dict[str, tuple[Predicate | str, Predicate | None]] = {
    "requests": (lambda f: np.ones(len(f), bool), None),
    "5xx": (lambda f: in_status_class(f["status"], "5xx"), None),
    "4xx": (lambda f: in_status_class(f["status"], "4xx"), None),
    "404": (lambda f: f["status"].to_numpy() == 404, None),
    "bytes": ("bytes", None),
    "5xx_rate": (lambda f: in_status_class(f["status"], "5xx"), lambda f: np.ones(len(f), bool)),
    "4xx_rate": (lambda f: in_status_class(f["status"], "4xx"), lambda f: np.ones(len(f), bool)),
    "404_rate": (lambda f: f["status"].to_numpy() == 404, lambda f: np.ones(len(f), bool)),
    "bot_rate": (lambda f: f["is_bot"].to_numpy(dtype=bool), lambda f: np.ones(len(f), bool)),
}
RULE_OPS: dict[str, Callable[[np.ndarray, float], np.ndarray]] = {
    ">": np.greater,
    ">=": np.greater_equal,
    "<": np.less,
    "<=": np.less_equal,
}


def evaluate_rules(frame: pd.DataFrame, b: Buckets, rules: list[dict], general: dict) -> list[Alert]:
    """Threshold rules: the metric per bucket passes the threshold for ``duration`` (at least one bucket)."""
    alerts = []
    totals = b.count()
    valid = valid_buckets(b)
    for rule in rules:
        num, den = RULE_METRICS[rule["metric"]]
        if isinstance(num, str):
            top = np.bincount(b.index, weights=frame[num].to_numpy(dtype=float), minlength=b.n)
        else:
            top = b.count(num(frame))
        bottom = b.count(den(frame)) if den is not None else None
        metric = top if bottom is None else np.divide(top, bottom, out=np.zeros_like(top), where=bottom > 0)
        hit = valid & RULE_OPS[rule["op"]](metric, rule["value"]) & (totals >= rule["min_requests"])
        need = max(1, -(-rule["duration"] // b.step))
        share = bottom is not None
        scale = 100.0 if share else 1.0  # shares are reported as percentages, as the rules write them
        minutes = b.step // 60
        unit = "%" if share else f"{rule['metric']} per {minutes} min"
        direction = "above" if rule["op"] in (">", ">=") else "below"
        for i0, i1 in find_runs(hit, need, int(general["merge_gap"] // b.step)):
            inside = np.flatnonzero(hit[i0:i1]) + i0  # the buckets that passed, not the gaps merged across
            if share:
                observed = scale * float(top[inside].sum() / max(bottom[inside].sum(), 1))
                figure = f"{rule['metric']} was {observed:.1f} %"
            else:
                observed = float(top[inside].mean())
                figure = f"{rule['metric']} averaged {observed:,.1f} per {minutes} min"
            expected = scale * float(rule["value"])
            threshold = f"{expected:g} %" if share else f"{expected:,g}"
            alerts.append(
                Alert(
                    start=b.start(i0),
                    end=b.start(i1),
                    detector="rule",
                    severity=rule["severity"],
                    subject=rule["name"],
                    expected=expected,
                    observed=observed,
                    message=f"rule '{rule['expr']}': {figure} over the {len(inside) * minutes} min it held "
                    f"(threshold {rule['op']} {threshold})",
                    evidence=pd.DataFrame(
                        {
                            "bucket": [b.start(i) for i in range(i0, i1)][:12],
                            rule["metric"]: (scale * metric[i0:i1][:12]).round(2),
                            "requests": totals[i0:i1][:12],
                        }
                    ),
                    score=float(metric[i0:i1].max()),
                    unit=unit,
                    direction=direction,
                )
            )
    return alerts
