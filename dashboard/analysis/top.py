"""Top-N with the rest as "Other": one ranking rule (most requests first, ties alphabetical) for every table.

A top-N table's remainder row is labelled "Other (N more)" (``rest_label``), so it is never confused with a
value of the dimension (the browser of unrecognised agents is "Unrecognised"); charts draw it beside the bars.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from dashboard.schema import OTHER


def alphabetical_ranks(labels: np.ndarray) -> np.ndarray:
    """Each label's position in alphabetical (code-point) order."""
    return np.argsort(np.argsort(np.asarray(labels).astype(str), kind="stable"), kind="stable")


def ranked(requests: np.ndarray, ranks: np.ndarray) -> np.ndarray:
    """Positions of the values that have requests: most requests first, ties in ``ranks`` order."""
    present = np.flatnonzero(requests)
    return present[np.lexsort((ranks[present], -requests[present]))]


def top_and_rest(requests: np.ndarray, ranks: np.ndarray, top: int) -> tuple[np.ndarray, np.ndarray]:
    """The ``top`` values to show and the others (summed as "Other" by the caller), as positions."""
    order = ranked(requests, ranks)
    return order[:top], order[top:]


REST_SUFFIX = " more)"


def rest_label(count: int) -> str:
    """The label of a top-N table's remainder: "Other (12 more)"."""
    return f"{OTHER} ({count:,}{REST_SUFFIX}"


def is_rest(values: pd.Series | np.ndarray) -> np.ndarray:
    """Which values are a remainder label (``rest_label``)."""
    text = pd.Series(np.asarray(values, dtype=object)).astype(str)
    return (text.str.startswith(f"{OTHER} (") & text.str.endswith(REST_SUFFIX)).to_numpy()


def with_rest(table: pd.DataFrame, dimension: str, top: int) -> pd.DataFrame:
    """A table ranked most requests first cut to ``top`` rows, the others summed in one "Other (N more)" row."""
    if len(table) <= top:
        return table.reset_index(drop=True)
    rest = table.iloc[top:]
    row = {c: rest[c].sum() for c in table.columns if c != dimension and pd.api.types.is_numeric_dtype(table[c])}
    row[dimension] = rest_label(len(rest))
    out = pd.concat([table.iloc[:top].astype({dimension: str}), pd.DataFrame([row])], ignore_index=True)
    return out.astype({c: table[c].dtype for c in row if c != dimension})


def lump_by_bucket(counts: pd.DataFrame, dimension: str, top: int) -> pd.DataFrame:
    """A long bucket × value table with the ``top`` values kept and the others summed as "Other" per bucket."""
    if counts.empty:
        return counts
    totals = counts.groupby(dimension, observed=True)["requests"].sum()
    labels = totals.index.astype(str).to_numpy()
    head, _ = top_and_rest(totals.to_numpy(np.int64), alphabetical_ranks(labels), top)
    keep = [label for label in labels[head] if label != OTHER]
    values = counts[dimension].astype(str)
    lumped = counts.assign(**{dimension: values.where(values.isin(keep), OTHER)})
    out = lumped.groupby(["bucket", dimension], observed=True, sort=True)[["requests", "bytes"]].sum().reset_index()
    categories = keep + ([OTHER] if (out[dimension] == OTHER).any() else [])
    out[dimension] = pd.Categorical(out[dimension], categories=categories)
    return out.sort_values(["bucket", dimension], kind="stable").reset_index(drop=True)
