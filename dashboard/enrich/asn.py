"""Which network (autonomous system) an address belongs to, offline: the bundled ``data/asn.npz``.

Built by ``scripts/build_asn_table.py`` from RouteViews, the five RIRs (NRO) and DB-IP's IP to ASN Lite (all
CC BY 4.0, via the npm package ``@ip-location-db/asn``). Sorted, non-overlapping ranges searched with
``numpy.searchsorted``: one lookup per distinct address, never per row. IPv6 resolves at /64.
"""

from __future__ import annotations

import re
import socket
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from dashboard.errors import DataBloomError
from dashboard.resources import ASN_TABLE

NO_ASN = 0  # no AS: a private, reserved or unrouted address, or no address at all

# Hosting, cloud and CDN networks: the documented heuristic that splits bots into data-centre and residential.
# An organisation name with one of these words, or one of these large clouds, is a data centre.
DATA_CENTRE_WORDS = re.compile(
    r"\b(hosting|host|server|servers|data ?cent(er|re)|datacenter|cloud|vps|colo|colocation|dedicated|compute"
    r"|amazon|aws|google|microsoft|azure|digitalocean|ovh|hetzner|linode|akamai|oracle|alibaba|tencent|"
    r"cloudflare|fastly|leaseweb|scaleway|contabo|vultr|choopa|m247|datacamp|upcloud|ionos|godaddy|"
    r"hostinger|rackspace|softlayer|ibm|huawei cloud|baidu|yandex|facebook|meta platforms)\b",
    re.IGNORECASE,
)


class AsnTableError(DataBloomError):
    """The bundled AS table is missing or damaged."""


@dataclass(frozen=True)
class AsnTable:
    """Ranges of both address families and the AS organisation names."""

    v4_start: np.ndarray
    v4_end: np.ndarray
    v4_asn: np.ndarray
    v6_start: np.ndarray
    v6_end: np.ndarray
    v6_asn: np.ndarray
    org_asn: np.ndarray
    org_offsets: np.ndarray
    org_names: bytes

    def organisation(self, asn: int) -> str:
        """The AS's organisation name ("" when unknown)."""
        i = int(np.searchsorted(self.org_asn, asn))
        if i >= len(self.org_asn) or int(self.org_asn[i]) != asn:
            return ""
        return self.org_names[int(self.org_offsets[i]) : int(self.org_offsets[i + 1])].decode("utf-8", "replace")

    def lookup(self, addresses: Sequence[str]) -> np.ndarray:
        """The AS number of each address (``NO_ASN`` where none), as uint32."""
        v4_keys, v4_at, v6_keys, v6_at = [], [], [], []
        for i, text in enumerate(addresses):
            text = str(text).strip()
            try:
                if ":" in text:
                    v6_keys.append(int.from_bytes(socket.inet_pton(socket.AF_INET6, text.strip("[]"))[:8], "big"))
                    v6_at.append(i)
                else:
                    v4_keys.append(int.from_bytes(socket.inet_pton(socket.AF_INET, text), "big"))
                    v4_at.append(i)
            except OSError:
                continue
        out = np.full(len(addresses), NO_ASN, dtype=np.uint32)
        out[v4_at] = _search(np.array(v4_keys, np.uint32), self.v4_start, self.v4_end, self.v4_asn)
        out[v6_at] = _search(np.array(v6_keys, np.uint64), self.v6_start, self.v6_end, self.v6_asn)
        return out


def _search(keys: np.ndarray, starts: np.ndarray, ends: np.ndarray, asns: np.ndarray) -> np.ndarray:
    """The AS of the range holding each key, NO_ASN between ranges."""
    if not len(keys):
        return np.empty(0, np.uint32)
    at = np.searchsorted(starts, keys, side="right") - 1
    inside = (at >= 0) & (keys <= ends[np.maximum(at, 0)])
    return np.where(inside, asns[np.maximum(at, 0)], NO_ASN).astype(np.uint32)


@lru_cache(maxsize=2)
def load_asn_table(path: Path = ASN_TABLE) -> AsnTable:
    """The table, loaded once per process (~0.1 s, ~9 MB in memory)."""
    try:
        with np.load(path, allow_pickle=False) as data:
            return AsnTable(
                **{name: data[name] for name in AsnTable.__dataclass_fields__ if name != "org_names"},
                org_names=data["org_names"].tobytes(),
            )
    except (OSError, KeyError, ValueError, zipfile.BadZipFile) as exc:
        raise AsnTableError(f"the AS table {path.name} cannot be read ({exc}): reinstall Data Bloom") from None


def is_data_centre(organisation: str) -> bool:
    """Whether an AS organisation looks like hosting, cloud or a CDN (the heuristic of ``DATA_CENTRE_WORDS``)."""
    return bool(DATA_CENTRE_WORDS.search(organisation))
