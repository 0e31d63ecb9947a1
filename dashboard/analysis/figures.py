"""The headline figures: one computation and one label table for both pages, the report and the ``summary``
document, whichever table (rows or cube) the counts come from (``render.format`` writes them as text)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from dashboard.schema import STATUS_LABELS, is_country

# Key → label, in the order the pages show them.
FIGURES = {
    "requests": "Requests",
    "visitors": "Unique visitors",
    "bytes": "Bytes",
    "countries": "Countries",
    "share_4xx": "4xx",
    "share_5xx": "5xx",
    "share_bots": "Bots",
}
RESPONSE_FIGURE = "response_avg"
LABELS = {**FIGURES, RESPONSE_FIGURE: "Avg response"}
SHARE_FIGURES = ("share_4xx", "share_5xx", "share_bots")
WORSE_WHEN_UP = ("share_4xx", "share_5xx")


def count_countries(values: Iterable[object]) -> int:
    """How many of the distinct ``values`` are countries (ISO codes; private, reserved, unknown are not)."""
    return sum(1 for value in set(values) if is_country(str(value)))


def headline(
    requests: int,
    visitors: int | None,
    sent: int,
    countries: int,
    status_counts: np.ndarray,
    bots: int,
) -> dict[str, float | int | None]:
    """The seven figures from counts; ``status_counts`` is requests per ``schema.STATUS_LABELS`` entry."""
    status_counts = np.asarray(status_counts, dtype=np.int64)
    if len(status_counts) != len(STATUS_LABELS):
        raise ValueError(f"status_counts needs one count per class {STATUS_LABELS}")

    def share(count: int) -> float:
        return float(count / requests) if requests else 0.0

    return {
        "requests": int(requests),
        "visitors": None if visitors is None else int(visitors),
        "bytes": int(sent),
        "countries": int(countries),
        "share_4xx": share(int(status_counts[STATUS_LABELS.index("4xx")])),
        "share_5xx": share(int(status_counts[STATUS_LABELS.index("5xx")])),
        "share_bots": share(int(bots)),
    }


@dataclass(frozen=True)
class Figure:
    """A headline figure with its value in the previous period (None without comparison)."""

    key: str
    label: str
    value: float
    previous: float | None = None

    @property
    def delta(self) -> float | None:
        return None if self.previous is None else self.value - self.previous

    @property
    def change(self) -> float | None:
        """Relative change (0.25 = +25%); None when there is no previous value or it is zero."""
        return None if not self.previous else (self.value - self.previous) / self.previous
