"""IP anonymisation as GoAccess does it: the last IPv4 octet and the last 80 bits of an IPv6 address become 0.

It rewrites the categories of the ``ip`` column (once per distinct address), so everything computed after it,
tables, CSV files, tooltips and reports, only ever sees masked addresses. Masking merges addresses, so
unique-visitor counts can drop slightly: that is the point. A value that is no IP address (a resolved host
name) is replaced entirely, since it can identify the client as well as an address can.
"""

from __future__ import annotations

import ipaddress
import re

import numpy as np
import pandas as pd

IPV4_KEEP_BITS = 24
IPV6_KEEP_BITS = 48
NOT_AN_ADDRESS = "(masked)"
# Candidate addresses inside free text (rejected lines, alert texts): checked with ipaddress before masking.
ADDRESS_IN_TEXT = re.compile(
    r"(?<![\w.:])(?:::[fF]{4}:\d{1,3}(?:\.\d{1,3}){3}|\d{1,3}(?:\.\d{1,3}){3}|[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?:%\w+)?)(?![\w.:])"
)


def mask_ip(text: str) -> str:
    """``192.0.2.77`` → ``192.0.2.0``; ``2001:db8:1:2:3:4:5:6`` → ``2001:db8:1::``; other text → ``(masked)``."""
    value = str(text).strip()
    if not value:
        return ""
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return NOT_AN_ADDRESS
    if address.version == 6 and address.ipv4_mapped is not None:
        return "::ffff:" + mask_ip(str(address.ipv4_mapped))
    keep = IPV4_KEEP_BITS if address.version == 4 else IPV6_KEEP_BITS
    network = ipaddress.ip_network(f"{address}/{keep}", strict=False)
    return str(network.network_address)


def mask_ips(column: pd.Series) -> pd.Series:
    """A categorical of masked addresses, computed once per distinct address."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        codes = column.cat.codes.to_numpy()
        originals = column.cat.categories
    else:
        codes, originals = pd.factorize(column, use_na_sentinel=True)
    masked = [mask_ip(str(v)) for v in originals]
    categories, inverse = np.unique(np.array(masked, dtype=object), return_inverse=True)
    new_codes = np.append(inverse.astype(np.int32), -1)[codes]  # -1 stays missing
    return pd.Series(pd.Categorical.from_codes(new_codes, categories=categories), index=column.index, name=column.name)


def anonymise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A new frame whose ``ip`` column is masked (the input is not modified)."""
    if "ip" not in frame.columns:
        return frame
    return frame.assign(ip=mask_ips(frame["ip"]))


def mask_text(text: str) -> str:
    """Every IPv4/IPv6 address inside ``text`` masked; the rest unchanged."""

    def one(match: re.Match) -> str:
        token = match.group(0)
        try:
            ipaddress.ip_address(token.split("%")[0])
        except ValueError:
            return token
        return mask_ip(token.split("%")[0])

    return ADDRESS_IN_TEXT.sub(one, text)
