"""Versions under each family (browsers, operating systems) and methods × protocols per URL."""

from __future__ import annotations

import pandas as pd

UNVERSIONED = "(no version)"
TOP_FAMILIES = 10
TOP_VERSIONS = 10
TOP_PATHS = 20


def versions(frame: pd.DataFrame, family: str, version: str, families: int = TOP_FAMILIES) -> pd.DataFrame:
    """family, version, requests, share (of the family), family_requests: the largest families first, then
    their versions by requests; a missing version is ``(no version)``."""
    columns = ["family", "version", "requests", "share", "family_requests"]
    if frame.empty or family not in frame or version not in frame:
        return pd.DataFrame({c: [] for c in columns})
    pairs = pd.DataFrame(
        {
            "family": frame[family].astype(str).to_numpy(),
            "version": frame[version].astype(str).replace("", UNVERSIONED).to_numpy(),
        }
    )
    counts = pairs.value_counts(["family", "version"]).rename("requests").reset_index()
    totals = counts.groupby("family")["requests"].sum().rename("family_requests")
    counts = counts.join(totals, on="family")
    counts["share"] = counts["requests"] / counts["family_requests"]
    top = totals.sort_values(ascending=False, kind="stable").head(families).index
    counts = counts[counts["family"].isin(top)]
    order = {name: i for i, name in enumerate(top)}
    counts = counts.assign(rank=counts["family"].map(order)).sort_values(
        ["rank", "requests", "version"], ascending=[True, False, True], kind="stable"
    )
    return counts[columns].reset_index(drop=True)


def methods_by_path(frame: pd.DataFrame, paths: int = TOP_PATHS) -> pd.DataFrame:
    """path, method, protocol, requests for the ``paths`` most requested paths, each path's rows together."""
    columns = ["path", "method", "protocol", "requests"]
    if frame.empty:
        return pd.DataFrame({c: [] for c in columns})
    cells = pd.DataFrame({c: frame[c].astype(str).to_numpy() for c in columns[:3]})
    top = cells["path"].value_counts().head(paths)
    cells = cells[cells["path"].isin(top.index)]
    counts = cells.value_counts(columns[:3]).rename("requests").reset_index()
    counts["rank"] = counts["path"].map({p: i for i, p in enumerate(top.index)})
    counts = counts.sort_values(["rank", "requests", "method", "protocol"], ascending=[True, False, True, True])
    return counts[columns].reset_index(drop=True)
