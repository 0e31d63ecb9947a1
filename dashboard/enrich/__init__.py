"""Add browser/os/device/bot and country columns, computing each once per unique value.

A 1M-line log has a few hundred distinct user agents and tens of thousands of distinct addresses: the
classifiers run on the categories of the categorical columns, and the results are spread back to the rows
through the category codes, so the cost follows the number of unique values, not the number of lines.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from dashboard.enrich.agents import classify_agents
from dashboard.enrich.geo import GeoDatabase

AGENT_OUTPUT = ("browser", "browser_version", "os", "os_version", "device", "crawler")
GEO_OUTPUT = ("country", "country_name")


def _spread(codes: np.ndarray, values: pd.Series) -> pd.Categorical:
    """Per-row categorical from per-category ``values`` and the rows' category codes."""
    per_category = pd.Categorical(values)
    return pd.Categorical.from_codes(per_category.codes[codes], dtype=per_category.dtype)


def _codes(column: pd.Series) -> tuple[np.ndarray, list[str]]:
    """Category codes (missing → an extra empty category) and the category strings."""
    cat = column if isinstance(column.dtype, pd.CategoricalDtype) else column.astype("category")
    categories = cat.cat.categories.astype(str).tolist()  # not a loop over pandas' Arrow strings (10x slower)
    codes = cat.cat.codes.to_numpy()
    if (codes < 0).any():
        codes = np.where(codes < 0, len(categories), codes)
        categories.append("")
    return codes, categories


def enrich_agents(frame: pd.DataFrame) -> pd.DataFrame:
    """Add browser, browser_version, os, os_version, device, crawler and is_bot from ``user_agent``."""
    codes, agents = _codes(frame["user_agent"])
    table = classify_agents(agents)
    columns = {name: _spread(codes, table[name]) for name in AGENT_OUTPUT}
    columns["is_bot"] = table["is_bot"].to_numpy(dtype=bool)[codes]
    return frame.assign(**columns)


def enrich_geo(frame: pd.DataFrame, geo: GeoDatabase) -> pd.DataFrame:
    """Add country, country_name (and lat/lon) from ``ip``."""
    codes, ips = _codes(frame["ip"])
    table = geo.lookup_many(ips)
    columns = {name: _spread(codes, table[name]) for name in GEO_OUTPUT}
    if geo.has_locations:
        columns["lat"] = table["lat"].to_numpy(dtype=np.float32)[codes]
        columns["lon"] = table["lon"].to_numpy(dtype=np.float32)[codes]
    return frame.assign(**columns)


def enrich(frame: pd.DataFrame, geo: GeoDatabase) -> pd.DataFrame:
    """Both enrichments."""
    return enrich_geo(enrich_agents(frame), geo)
