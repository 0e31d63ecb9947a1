"""How a figure reads on a page, in the report and in a table: bytes in kB/MB, shares in %, deltas in pp."""

from __future__ import annotations

import pandas as pd

from dashboard.analysis.figures import SHARE_FIGURES, Figure
from dashboard.analysis.top import is_rest


def human_bytes(n: float) -> str:
    """1234567 → '1.2 MB': byte counts read at a glance."""
    for unit in ("B", "kB", "MB", "GB", "TB"):
        if abs(n) < 1000 or unit == "TB":
            return f"{n:,.0f} {unit}" if unit == "B" else f"{n:,.1f} {unit}"
        n /= 1000
    return f"{n:,.1f} PB"


def format_value(key: str, value: float) -> str:
    """A headline figure as shown: bytes in kB/MB, shares in %, response time in ms, counts with separators."""
    if key == "bytes":
        return human_bytes(value)
    if key in SHARE_FIGURES:
        return f"{value:.1%}"
    if key == "response_avg":
        return f"{value * 1000:,.0f} ms"
    return f"{int(value):,}"


def format_delta(figure: Figure) -> str | None:
    """'+12.5%' for counts, '+1.2 pp' for shares, 'new' from zero; None without a previous period."""
    if figure.previous is None or figure.delta is None:
        return None
    if figure.key in SHARE_FIGURES:
        return f"{figure.delta * 100:+.1f} pp"
    if figure.change is None:
        return "new" if figure.value else "±0"
    return f"{figure.change:+.1%}"


def rest_note(table: pd.DataFrame, dimension: str) -> str | None:
    """ "+ Other (12 more): 3,456 requests" for a top-N table with a remainder row, else None (drawn beside bars)."""
    rest = table[is_rest(table[dimension])] if len(table) else table
    if rest.empty:
        return None
    return f"+ {rest[dimension].iloc[0]}: {int(rest['requests'].sum()):,} requests"
