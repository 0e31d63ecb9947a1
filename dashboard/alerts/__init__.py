"""Alerts on non-normative behaviour: the detector run over an enriched frame.

``detect_alerts(frame, config)`` runs every enabled detector (``scanner.py``, ``surge.py``, ``detectors.py``:
rate and status) and the threshold rules (``rules.py``) with the configuration of ``config.py``, and applies
the cooldown per (detector, subject). Specific detectors run first: the rows of a scanner or of a surging
country are taken out of the request-rate series inside their alert windows, so one incident is reported
once, by the detector that explains it best. Every ``Alert`` (``alert.py``) reports the figures of the test
that fired, in one unit.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from dashboard.alerts.alert import SEVERITIES, Alert, severity_of
from dashboard.alerts.baseline import codes, make_buckets
from dashboard.alerts.config import (
    DEFAULT_CONFIG_PATH,
    SCHEMA,
    AlertConfigError,
    default_config,
    load_config,
    parse_rule,
    validate_config,
)
from dashboard.alerts.detectors import client_load, detect_rate, detect_status
from dashboard.alerts.rules import evaluate_rules
from dashboard.alerts.scanner import detect_scanners
from dashboard.alerts.surge import detect_surges
from dashboard.schema import in_status_class


def _status_mask(frame: pd.DataFrame, label: str) -> np.ndarray:
    if label.endswith("xx"):
        return in_status_class(frame["status"], label)
    return frame["status"].to_numpy() == int(label)


def _explained(frame: pd.DataFrame, alerts: list[Alert]) -> np.ndarray:
    """Mask of the rows that scanner/surge alerts account for (their subject, inside their window)."""
    keep = np.zeros(len(frame), dtype=bool)
    times = frame["time"]
    for alert in alerts:
        inside = ((times >= alert.start) & (times < alert.end)).to_numpy()
        if alert.detector == "scanner":
            keep |= inside & (frame["ip"].astype(str).to_numpy() == alert.subject)
        elif alert.detector == "surge":
            column, _, value = alert.subject.partition("=")
            keep |= inside & (frame[column].astype(str).to_numpy() == value)
    return keep


def apply_cooldown(alerts: list[Alert], cooldown: float) -> list[Alert]:
    """Keep the first alert of each (detector, subject); fold later ones starting within ``cooldown`` s of its end."""
    kept: list[Alert] = []
    last: dict[tuple[str, str], Alert] = {}
    for alert in sorted(alerts, key=lambda a: (a.start, a.detector, a.subject)):
        previous = last.get(alert.key)
        if previous is not None and (alert.start - previous.end).total_seconds() < cooldown:
            previous.suppressed += 1
            if SEVERITIES.index(alert.severity) > SEVERITIES.index(previous.severity):
                previous.severity = alert.severity
            continue
        last[alert.key] = alert
        kept.append(alert)
    return kept


def detect_alerts(frame: pd.DataFrame, config: Mapping[str, Any] | None = None) -> list[Alert]:
    """Every enabled detector and rule on an enriched frame; alerts sorted by start."""
    config = default_config() if config is None else config
    general = config["general"]
    if frame.empty:
        return []
    b = make_buckets(frame["time"], int(general["bucket"]))
    specific: list[Alert] = []
    if config["scanner"]["enabled"]:
        specific += detect_scanners(frame, config["scanner"], general)
    if config["surge"]["enabled"]:
        for dimension in config["surge"]["dimensions"]:
            specific += detect_surges(frame, dimension, config["surge"], general)
    alerts = list(specific)
    totals = b.count()
    if config["rate"]["enabled"]:
        rest = ~_explained(frame, specific)
        load = client_load(codes(frame["ip"])[0], b, rest, float(config["rate"]["client_quantile"]))
        alerts += detect_rate(b.count(rest), load, b, config["rate"], general)
    if config["status"]["enabled"]:
        for label in config["status"]["classes"]:
            hits = b.count(_status_mask(frame, label))
            alerts += detect_status(hits, totals, b, label, config["status"], general)
    alerts += evaluate_rules(frame, b, config["rules"], general)
    return apply_cooldown(alerts, float(general["cooldown"]))


__all__ = [
    "DEFAULT_CONFIG_PATH",
    "SCHEMA",
    "Alert",
    "AlertConfigError",
    "apply_cooldown",
    "default_config",
    "detect_alerts",
    "load_config",
    "parse_rule",
    "severity_of",
    "validate_config",
]
