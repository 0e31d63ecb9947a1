"""CSV export that a spreadsheet cannot mistake for formulas (log content is attacker-controlled)."""

from __future__ import annotations

import pandas as pd

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> object:
    """A text cell that would start a formula gets a leading apostrophe (OWASP's advice); others unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def to_csv(frame: pd.DataFrame, index: bool = True) -> bytes:
    """UTF-8 CSV of ``frame`` with every text cell and label neutralised."""
    safe = frame.copy()
    for col in safe.columns:
        if safe[col].dtype == object or isinstance(safe[col].dtype, pd.CategoricalDtype | pd.StringDtype):
            safe[col] = safe[col].astype(object).map(neutralise)
    safe.columns = [neutralise(str(c)) for c in safe.columns]
    if index:
        safe.index = safe.index.map(lambda v: neutralise(str(v)))
        safe.index.names = [neutralise(n) for n in safe.index.names]
    # CRLF rows: the csv module then quotes any field holding CR or LF, so a CR in a log field cannot end the row
    # (and put the rest of the field, say ``=cmd|…``, at the start of a new one).
    return safe.to_csv(index=index, lineterminator="\r\n").encode("utf-8")
