"""``Alert``: one explainable anomaly, the common currency of detectors, rules, the CLI, the page and the webhook."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

SEVERITIES = ("warning", "critical")
PERCENT = "%"  # the unit of a share: ``expected``/``observed`` are then percentages (10.0 = 10 %), never fractions


def format_figure(value: float, unit: str = "") -> str:
    """An alert's expected or observed figure with its unit, written the same on the page, CLI and webhook."""
    value = float(value)
    if unit == PERCENT:
        return f"{value:.1f} %"
    text = f"{value:,.0f}" if value.is_integer() or abs(value) >= 100 else f"{value:,.1f}"
    return f"{text} {unit}" if unit else text


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
    unit: str = ""  # what ``expected`` and ``observed`` count, e.g. "requests", "distinct URLs per 10 min", "%"
    direction: str = "above"  # "above": observed is too high; "below": too low (drops, ``<`` rules)

    @property
    def key(self) -> tuple[str, str]:
        return (self.detector, self.subject)

    @property
    def consistent(self) -> bool:
        """Whether the figures show what the alert claims: an "above" alert never reports observed < expected."""
        return self.observed >= self.expected if self.direction == "above" else self.observed <= self.expected

    @property
    def expected_text(self) -> str:
        return format_figure(self.expected, self.unit)

    @property
    def observed_text(self) -> str:
        return format_figure(self.observed, self.unit)

    @property
    def figures_text(self) -> str:
        """ "expected 10.0 %, observed 40.0 %": both figures in their unit."""
        return f"expected {self.expected_text}, observed {self.observed_text}"

    def to_dict(self, evidence: bool = False) -> dict[str, Any]:
        """The JSON form: the figures, their unit and the message (``evidence`` adds the evidence rows)."""
        doc: dict[str, Any] = {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "detector": self.detector,
            "severity": self.severity,
            "subject": self.subject,
            "expected": round(float(self.expected), 3),
            "observed": round(float(self.observed), 3),
            "unit": self.unit,
            "expected_text": self.expected_text,
            "observed_text": self.observed_text,
            "direction": self.direction,
            "message": self.message,
        }
        if evidence:
            doc["evidence"] = self.evidence.astype(str).to_dict(orient="records")
        return doc


def severity_of(score: float, threshold: float, critical_factor: float) -> str:
    """ "critical" when the score is ``critical_factor`` times past the threshold, else "warning"."""
    return SEVERITIES[1] if abs(score) >= threshold * critical_factor else SEVERITIES[0]
