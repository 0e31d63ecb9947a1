"""Build ``data/asn.npz`` (IP range → autonomous system number and organisation) from the npm package
``@ip-location-db/asn`` (RouteViews + the five RIRs via NRO + DB-IP's IP to ASN Lite; CC BY 4.0).

    npm pack @ip-location-db/asn && tar xzf ip-location-db-asn-*.tgz
    python scripts/build_asn_table.py package/ data/asn.npz

What it keeps: the ``-num.csv`` files (integer ranges). Adjacent ranges of the same AS are merged. IPv6 is
kept at /64 granularity (the high 64 bits of each address): BGP does not route prefixes longer than /48, and
the ~0.1 % of ranges that end inside a /64 keep the AS of the first range in that /64. Organisation names are
stored once per AS as one UTF-8 blob with offsets, so the file needs no pickle to load.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import numpy as np

LOW64 = (1 << 64) - 1


def read_ranges(path: Path, shift: int) -> tuple[list[int], list[int], list[int], dict[int, str]]:
    """Start, end and AS of each range (addresses shifted right by ``shift`` bits), merged, and AS names."""
    starts: list[int] = []
    ends: list[int] = []
    numbers: list[int] = []
    names: dict[int, str] = {}
    with path.open(newline="", encoding="utf-8") as handle:
        for start_text, end_text, asn_text, name in csv.reader(handle):
            start, end, asn = int(start_text) >> shift, int(end_text) >> shift, int(asn_text)
            names.setdefault(asn, name)
            if starts and start <= ends[-1]:  # inside a /64 already taken (IPv6 only)
                if end > ends[-1] and numbers[-1] == asn:
                    ends[-1] = end
                continue
            if starts and numbers[-1] == asn and start == ends[-1] + 1:
                ends[-1] = end
                continue
            starts.append(start)
            ends.append(end)
            numbers.append(asn)
    return starts, ends, numbers, names


def main(package: Path, out: Path) -> None:
    v4 = read_ranges(package / "asn-ipv4-num.csv", 0)
    v6 = read_ranges(package / "asn-ipv6-num.csv", 64)
    names = {**v6[3], **v4[3]}
    asns = np.array(sorted(names), dtype=np.uint32)
    blobs = [names[int(a)].encode("utf-8") for a in asns]
    offsets = np.cumsum([0, *map(len, blobs)]).astype(np.uint32)
    np.savez_compressed(
        out,
        v4_start=np.array(v4[0], dtype=np.uint32),
        v4_end=np.array(v4[1], dtype=np.uint32),
        v4_asn=np.array(v4[2], dtype=np.uint32),
        v6_start=np.array(v6[0], dtype=np.uint64),
        v6_end=np.array(v6[1], dtype=np.uint64),
        v6_asn=np.array(v6[2], dtype=np.uint32),
        org_asn=asns,
        org_offsets=offsets,
        org_names=np.frombuffer(b"".join(blobs), dtype=np.uint8),
    )
    print(f"{out}: {len(v4[0]):,} IPv4 and {len(v6[0]):,} IPv6 ranges, {len(asns):,} AS, {out.stat().st_size:,} bytes")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
