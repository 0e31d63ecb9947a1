"""Networks: requests per autonomous system, and bots split by data-centre and residential networks.

One AS lookup per distinct address (the ``ip`` categories), then counts move through the category codes: a
1M-row log with 100k addresses costs one ``bincount`` per figure and 100k range searches.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from dashboard.enrich.asn import NO_ASN, AsnTable, is_data_centre

DATA_CENTRE, RESIDENTIAL, NO_NETWORK = "data centre", "residential", "no network"
KINDS = (DATA_CENTRE, RESIDENTIAL, NO_NETWORK)
NO_NETWORK_NAME = "(no network: a private, reserved or unannounced address)"  # a row of its own, never blank
TOP = 20


def per_address(frame: pd.DataFrame, table: AsnTable) -> pd.DataFrame:
    """One row per address seen: asn, requests, bot requests, bytes."""
    ip = frame["ip"] if isinstance(frame["ip"].dtype, pd.CategoricalDtype) else frame["ip"].astype("category")
    codes = ip.cat.codes.to_numpy()
    size = len(ip.cat.categories) + 1  # the last slot: rows without an address
    codes = np.where(codes < 0, size - 1, codes)
    counts = np.bincount(codes, minlength=size)
    seen = np.flatnonzero(counts)
    addresses = [str(a) for a in ip.cat.categories] + [""]
    asn = table.lookup([addresses[i] for i in seen])
    bots = np.bincount(codes, weights=frame["is_bot"].to_numpy(dtype=np.float64), minlength=size)
    volume = np.bincount(codes, weights=frame["bytes"].to_numpy(dtype=np.float64), minlength=size)
    return pd.DataFrame(
        {
            "asn": asn,
            "requests": counts[seen].astype(np.int64),
            "bot_requests": bots[seen].astype(np.int64),
            "bytes": volume[seen].astype(np.int64),
        }
    )


def _kind(asn: int, organisation: str) -> str:
    if asn == NO_ASN:
        return NO_NETWORK
    return DATA_CENTRE if is_data_centre(organisation) else RESIDENTIAL


def networks(frame: pd.DataFrame, table: AsnTable) -> pd.DataFrame:
    """Every network with requests, largest first: asn, organisation, kind, requests, share, bot requests, bytes,
    addresses (distinct client addresses)."""
    if frame.empty:
        columns = ["asn", "organisation", "kind", "requests", "share", "bot_requests", "bytes", "addresses"]
        return pd.DataFrame({c: [] for c in columns})
    rows = per_address(frame, table)
    grouped = rows.groupby("asn", sort=False).agg(
        requests=("requests", "sum"),
        bot_requests=("bot_requests", "sum"),
        bytes=("bytes", "sum"),
        addresses=("requests", "size"),
    )
    grouped = grouped.reset_index().sort_values(["requests", "asn"], ascending=[False, True], ignore_index=True)
    names = [NO_NETWORK_NAME if int(a) == NO_ASN else table.organisation(int(a)) for a in grouped["asn"]]
    grouped.insert(1, "organisation", names)
    grouped.insert(2, "kind", [_kind(int(a), n) for a, n in zip(grouped["asn"], names, strict=True)])
    grouped.insert(4, "share", grouped["requests"] / max(int(grouped["requests"].sum()), 1))
    return grouped


def bots_by_kind(table: pd.DataFrame) -> pd.DataFrame:
    """Bot and human requests per kind of network (data centre, residential, no network), every kind listed."""
    totals = table.groupby("kind")[["requests", "bot_requests"]].sum().reindex(list(KINDS), fill_value=0)
    out = pd.DataFrame(
        {
            "kind": list(KINDS),
            "bot_requests": totals["bot_requests"].to_numpy(dtype=np.int64),
            "human_requests": (totals["requests"] - totals["bot_requests"]).to_numpy(dtype=np.int64),
        }
    )
    bots = max(int(out["bot_requests"].sum()), 1)
    out["share_of_bots"] = out["bot_requests"] / bots
    return out
