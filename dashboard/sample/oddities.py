"""Real-world oddities (escaped quotes, spaces in URLs, TLS garbage, raw bytes...) that replace a few lines."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from dashboard.sample.catalog import SCANNER_COUNTRIES, SITE, SRC_BOT, SRC_HUMAN, STATUS_SIZES
from dashboard.sample.networks import fresh_ip
from dashboard.sample.writer import timestamps

if TYPE_CHECKING:
    from dashboard.sample.traffic import Generator

# Real-world oddities: kind → share of lines. MALFORMED ones break a naive combined regex.
ODDITY_RATES = {
    "escaped_quote": 0.0002,
    "space_in_url": 0.00015,
    "dash_request": 0.0002,
    "no_protocol": 0.00005,
    "tls_garbage": 0.0001,
    "binary_probe": 0.00005,
    "raw_utf8": 0.0002,
    "latin1_bytes": 0.0001,
    "escaped_bytes": 0.0001,
}
MALFORMED_ODDITIES = ("escaped_quote", "space_in_url", "dash_request", "no_protocol", "tls_garbage", "binary_probe")
ODDITY_MIN_LINES = 5000  # from this size on, every oddity kind appears at least once


def oddities(gen: Generator, cols: dict[str, np.ndarray]) -> tuple[dict[int, str], dict[str, int]]:
    """Replace a few ordinary rows (outside incident windows) with the oddities of real logs."""
    rng = gen.rng
    n = len(cols["t"])
    ok = np.isin(cols["src"], (SRC_HUMAN, SRC_BOT))
    for w in gen.windows:
        ok &= (cols["t"] < w.t0) | (cols["t"] >= w.t1)
    candidates = np.flatnonzero(ok)
    counts = {}
    for kind, rate in ODDITY_RATES.items():
        k = round(rate * n)
        if n >= ODDITY_MIN_LINES:
            k = max(k, 1)
        counts[kind] = k
    total = min(sum(counts.values()), len(candidates))
    rows = np.sort(rng.choice(candidates, total, replace=False)) if total else np.zeros(0, dtype=np.int64)
    kinds = [k for k, c in counts.items() for _ in range(c)][:total]
    kinds = [kinds[i] for i in rng.permutation(len(kinds))]
    overrides = {}
    done = dict.fromkeys(ODDITY_RATES, 0)
    for row, kind in zip(rows.tolist(), kinds, strict=True):
        overrides[row] = odd_line(gen, cols, row, kind)
        done[kind] += 1
    return overrides, done


def odd_line(gen: Generator, cols: dict[str, np.ndarray], row: int, kind: str) -> str:
    """One oddity line, written exactly as Apache or nginx would log it (non-UTF-8 as surrogates)."""
    rng = gen.rng
    ip = gen.ips[int(cols["ip"][row])]
    ts = timestamps(np.array([gen.t0 + cols["t"][row]]), gen.tz)[0]
    ua = gen.agents[int(cols["ua"][row])].ua
    path = gen.paths[int(cols["path"][row])]
    size = int(cols["size"][row])
    body = "-" if size < 0 else str(size)
    status = int(cols["status"][row])
    pick = int(rng.integers(0, 1 << 30))
    if kind in ("dash_request", "tls_garbage", "binary_probe"):
        ip = fresh_ip(gen.rng, gen.nets, SCANNER_COUNTRIES[pick % len(SCANNER_COUNTRIES)], gen.reserved)
        cols["status"][row], cols["size"][row] = 400, 0
    if kind == "escaped_quote":
        if pick % 2:
            quoted = (
                '\\"Mozilla/5.0 (Windows NT 10.0; Win64; x64)\\"',
                'Mozilla/5.0\' or \\"1\\"=\\"1',
                f'{ua} \\"Quoted\\"',
            )[pick % 3]
            return f'{ip} - - [{ts}] "GET {path} HTTP/1.1" {status} {body} "-" "{quoted}"'
        return f'{ip} - - [{ts}] "GET /search?q=\\"log+analytics\\" HTTP/1.1" 200 17893 "{SITE}/" "{ua}"'
    if kind == "space_in_url":
        bad = ("/docs/getting started.html", "/images/Summer Sale 2026.jpg", "/blog/how to read logs")[pick % 3]
        return f'{ip} - - [{ts}] "GET {bad} HTTP/1.1" 404 {STATUS_SIZES[404]} "-" "{ua}"'
    if kind == "dash_request":
        if pick % 3:
            return f'{ip} - - [{ts}] "-" 400 0 "-" "-"'
        return f'{ip} - - [{ts}] "-" 408 - "-" "-"'
    if kind == "no_protocol":
        return f'{ip} - - [{ts}] "GET /" {400 if pick % 2 else 200} {157 if pick % 2 else 24310} "-" "-"'
    if kind == "tls_garbage":
        hello = bytes([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xFC, 0x03, 0x03])
        hello += rng.integers(0, 256, 12 + pick % 30, dtype=np.uint8).tobytes()
        return f'{ip} - - [{ts}] "{nginx_escape(hello)}" 400 157 "-" "-"'
    if kind == "binary_probe":
        probe = (
            b"\x03\x00\x00/*\xe0\x00\x00\x00\x00\x00Cookie: mstshash=Administr",
            b"SSH-2.0-Go",
            f"MGLNDD_{ip}_443".encode(),
            b"\x00\x00\x00\xa4\xffSMBr\x00\x00\x00\x00\x08\x01@",
        )[pick % 4]
        return f'{ip} - - [{ts}] "{nginx_escape(probe)}" 400 157 "-" "-"'
    if kind == "raw_utf8":
        odd = ("/café", "/blog/über-uns", "/search?q=naïve+café", "/товары/", "/搜索?q=日志", "/blog/🚀-launch")
        return f'{ip} - - [{ts}] "GET {odd[pick % len(odd)]} HTTP/1.1" 404 {STATUS_SIZES[404]} "-" "{ua}"'
    if kind == "latin1_bytes":
        if pick % 2:
            return f'{ip} - - [{ts}] "GET /caf\udce9 HTTP/1.1" 404 {STATUS_SIZES[404]} "-" "{ua}"'
        phone = "Mozilla/5.0 (Linux; Android 9; T\udce9l\udce9phone) AppleWebKit/537.36 (KHTML, like Gecko)"
        return f'{ip} - - [{ts}] "GET {path} HTTP/1.1" {status} {body} "-" "{phone}"'
    # escaped_bytes: what nginx actually writes for non-ASCII bytes in the request line
    return f'{ip} - - [{ts}] "GET /caf\\xC3\\xA9 HTTP/1.1" 404 {STATUS_SIZES[404]} "-" "{ua}"'


def nginx_escape(raw: bytes) -> str:
    """Escape bytes the way nginx's access log does: ``"``, ``\\`` and non-printables as ``\\xHH``."""
    return "".join(chr(b) if 0x20 <= b < 0x7F and b not in (0x22, 0x5C) else f"\\x{b:02X}" for b in raw)
