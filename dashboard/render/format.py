"""How a figure reads on a page, in the report and in a table: bytes in kB/MB, shares in %, deltas in pp."""

from __future__ import annotations

import pandas as pd

from dashboard.analysis.figures import SHARE_FIGURES, Figure
from dashboard.analysis.top import is_rest
from dashboard.enrich.anonymise import IPV4_KEEP_BITS, IPV6_KEEP_BITS, NOT_AN_ADDRESS, mask_ip, mask_text


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


def shown_ips(values: pd.Series, anonymise: bool, per_client: bool = True) -> pd.Series:
    """Client addresses as a table shows them: masked when anonymising (counted before, shown after); in a
    table of one row per client (``per_client``), clients sharing a masked network read "192.0.2.0 #2"."""
    if not anonymise:
        return values
    text = values.astype(str)
    rest = is_rest(text)
    masked = pd.Series([t if r else mask_ip(t) for t, r in zip(text, rest, strict=True)], index=values.index)
    if not per_client:
        return masked
    seen = masked.groupby(masked).cumcount() + 1
    return masked.where(seen == 1, masked + " #" + seen.astype(str))


def shown_text(text: str, anonymise: bool) -> str:
    """Free text (an alert, a rejected line) with its addresses masked when anonymising."""
    return mask_text(text) if anonymise else text


def masked_network(address: str) -> str | None:
    """``192.0.2.77`` → ``192.0.2.0/24``: the network an anonymised address stands for (None for no address)."""
    masked = mask_ip(address)
    if masked in ("", NOT_AN_ADDRESS):
        return None
    if masked.startswith("::ffff:"):
        return f"{masked}/{96 + IPV4_KEEP_BITS}"
    return f"{masked}/{IPV6_KEEP_BITS if ':' in masked else IPV4_KEEP_BITS}"
