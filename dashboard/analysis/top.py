"""Top-N with the rest as "Other": one ranking rule (most requests first, ties alphabetical) for every table."""

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
