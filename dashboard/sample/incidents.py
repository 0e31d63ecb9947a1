"""Injected incidents: windows placed by the seed, the rows that make them (a scanner, a country surge, a 5xx
burst) and their measured ground truth for the sidecar.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import numpy as np

from dashboard.sample.catalog import (
    COUNTRIES,
    HOURLY_PROFILE,
    METHODS,
    SCANNER_AGENTS,
    SCANNER_COUNTRIES,
    SRC_HEALTH,
    SRC_SCANNER,
    SRC_SURGE,
    STATUS_SIZES,
)
from dashboard.sample.humans import REQUESTS_PER_SESSION, sessions, visitors, wrap
from dashboard.sample.networks import fresh_ip
from dashboard.sample.writer import iso
from dashboard.schema import in_status_class

if TYPE_CHECKING:
    from dashboard.sample.traffic import Generator

INCIDENT_KINDS = ("5xx_burst", "scanner", "drop", "spike", "country_surge")
INCIDENT_MINUTES = {
    "5xx_burst": (20, 40),
    "scanner": (10, 30),
    "drop": (30, 90),
    "spike": (20, 60),
    "country_surge": (30, 90),
}
INCIDENT_MARGIN = 0.03  # share of the span kept free of incidents at both ends
INCIDENT_CANDIDATES = 8  # candidate starts per incident; the busiest wins (so a detector can see it)
BURST_ERROR_RATE = (0.3, 0.6)
BURST_STATUSES = ((502, 0.5), (503, 0.3), (500, 0.2))
DROP_KEEP = (0.1, 0.2)
SPIKE_FACTOR = (3.0, 5.0)
SURGE_FACTOR = (0.6, 1.5)  # surge rows relative to the normal rows of the window
SURGE_MAX_WEIGHT = 0.1  # countries at most this share (in %) of normal traffic can surge
SCANNER_DISTINCT = (250, 480)
SCANNER_REPEAT_SHARE = 0.08
INCIDENT_MIN_LINES = 1000  # smaller samples get no incidents: there would be nothing to detect
INCIDENT_MAX_SHARE = 0.03  # scanner and surge rows each stay below this share of the log


@dataclass
class Window:
    """An incident window in seconds from the start of the span."""

    kind: str
    t0: float
    t1: float
    subject: str = ""
    details: dict = field(default_factory=dict)


def plan_windows(rng: np.random.Generator, t0: float, span: float) -> list[Window]:
    """Place one window per incident kind in its own slot of the span, minute-aligned, busiest of a few."""
    order = rng.permutation(len(INCIDENT_KINDS))
    margin = span * INCIDENT_MARGIN
    slot = (span - 2 * margin) / len(INCIDENT_KINDS)
    windows = []
    for i, k in enumerate(order):
        kind = INCIDENT_KINDS[k]
        lo, hi = INCIDENT_MINUTES[kind]
        minutes = int(rng.integers(lo, hi + 1))
        dur = max(60.0, min(minutes * 60.0, math.floor(slot * 0.6 / 60) * 60))
        s0 = margin + i * slot
        best, best_score = None, -1.0
        for _ in range(INCIDENT_CANDIDATES):
            t = s0 + rng.random() * max(slot - dur - 120, 0)
            t = math.ceil((t0 + t) / 60) * 60 - t0
            hour = ((t0 + t + dur / 2) % 86400) / 3600
            score = float(np.interp(hour, np.arange(25), (*HOURLY_PROFILE, HOURLY_PROFILE[0])))
            if score > best_score:
                best, best_score = t, score
        windows.append(Window(kind, best, min(best + dur, span)))
    windows.sort(key=lambda w: w.t0)
    for w in windows:
        if w.kind == "5xx_burst":
            w.details["error_rate"] = round(float(rng.uniform(*BURST_ERROR_RATE)), 3)
        elif w.kind == "drop":
            w.details["keep"] = round(float(rng.uniform(*DROP_KEEP)), 3)
        elif w.kind == "spike":
            w.details["factor"] = round(float(rng.uniform(*SPIKE_FACTOR)), 2)
    return windows


def scanner_rows(gen: Generator, w: Window, distinct: int) -> dict[str, np.ndarray]:
    """One IP walking ``distinct`` paths (mostly 404) inside the window, a few twice."""
    rng, site = gen.rng, gen.site
    cc = SCANNER_COUNTRIES[int(rng.integers(len(SCANNER_COUNTRIES)))]
    ip_text = fresh_ip(gen.rng, gen.nets, cc, set(gen.ips))
    gen.reserved.add(ip_text)
    ip = gen.add_ips([ip_text])[0]
    ua_text = SCANNER_AGENTS[int(rng.integers(len(SCANNER_AGENTS)))]
    ids = site.scanner_ids[rng.permutation(len(site.scanner_ids))[:distinct]]
    repeats = ids[rng.integers(0, len(ids), round(len(ids) * SCANNER_REPEAT_SHARE))]
    path = np.concatenate([ids, repeats]).astype(np.int32)
    n = len(path)
    method = np.where(rng.random(n) < 0.06, METHODS.index("POST"), 0).astype(np.int8)
    method[rng.random(n) < 0.03] = METHODS.index("HEAD")
    w.subject = ip_text
    w.details.update(ip=ip_text, country=cc, user_agent=ua_text, distinct_paths=len(ids))
    return {
        "t": np.sort(w.t0 + rng.random(n) * (w.t1 - w.t0)),
        "ip": np.full(n, ip, dtype=np.int32),
        "ua": np.full(n, gen.ua_index[ua_text], dtype=np.int16),
        "user": np.zeros(n, dtype=np.int8),
        "method": method,
        "path": path,
        "proto": np.zeros(n, dtype=np.int8),
        "status": np.zeros(n, dtype=np.int16),
        "size": np.full(n, -2, dtype=np.int64),
        "ref": np.zeros(n, dtype=np.int64),
        "src": np.full(n, SRC_SCANNER, dtype=np.int8),
    }


def surge_rows(gen: Generator, w: Window, need: int) -> dict[str, np.ndarray]:
    """Exactly ``need`` rows of sessions from many new visitors of one normally rare country."""
    rng = gen.rng
    rare = [c for c, wt, _ in COUNTRIES if wt <= SURGE_MAX_WEIGHT and c in gen.nets and len(gen.nets[c][0]) >= 8]
    cc = rare[int(rng.integers(len(rare)))]
    k = int(np.clip(need / 15, 3, 300))
    vis = visitors(gen, k, country=cc, office=False)
    parts, have = [], 0
    while have < need:
        s = int((need - have) / REQUESTS_PER_SESSION * 1.1) + 4
        sv = rng.integers(0, k, s)
        starts = w.t0 + rng.random(s) * (w.t1 - w.t0)
        rows = sessions(gen, vis, sv, starts, np.full(s, -1), np.full(s, -1))
        wrap(rows, starts, w)
        parts.append(rows)
        have += len(rows["t"])
    rows = {key: np.concatenate([p[key] for p in parts]) for key in parts[0]}
    keep = np.sort(rng.choice(have, need, replace=False))
    rows = {key: v[keep] for key, v in rows.items()}
    rows.pop("session")
    rows["src"] = np.full(need, SRC_SURGE, dtype=np.int8)
    w.subject = cc
    w.details.update(
        country=cc,
        visitors=len(np.unique(vis["ip"])),
        baseline_share_pct=next(wt for c, wt, _ in COUNTRIES if c == cc),
    )
    return rows


def burst(rng: np.random.Generator, cols: dict[str, np.ndarray], w: Window) -> None:
    """Turn a share of the requests inside the window into 5xx errors."""
    inside = np.flatnonzero((cols["t"] >= w.t0) & (cols["t"] < w.t1) & (cols["src"] != SRC_HEALTH))
    hit = inside[rng.random(len(inside)) < w.details["error_rate"]]
    codes = np.array([c for c, _ in BURST_STATUSES])
    p = np.array([q for _, q in BURST_STATUSES])
    cols["status"][hit] = codes[rng.choice(len(codes), len(hit), p=p)]
    for code in codes.tolist():
        sel = hit[cols["status"][hit] == code]
        cols["size"][sel] = np.where(cols["method"][sel] == METHODS.index("HEAD"), -1, STATUS_SIZES[code])
    w.details["statuses"] = {str(c): int((cols["status"][hit] == c).sum()) for c in codes.tolist()}


def describe(windows: list[Window], cols: dict[str, np.ndarray]) -> None:
    """Measure each incident window in the final rows (what a detector will see)."""
    t, status = cols["t"], cols["status"]
    for w in windows:
        inside = (t >= w.t0) & (t < w.t1)
        w.details["requests"] = int(inside.sum())
        if w.kind == "5xx_burst":
            w.details["errors_5xx"] = int((inside & in_status_class(status, "5xx")).sum())
        elif w.kind == "scanner":
            mine = cols["src"] == SRC_SCANNER
            w.details["scanner_requests"] = int(mine.sum())
            w.details["scanner_404"] = int((mine & (status == 404)).sum())
        elif w.kind == "country_surge":
            w.details["surge_requests"] = int((cols["src"] == SRC_SURGE).sum())


def incident_record(t0: float, w: Window) -> dict:
    """The JSON form of an incident window."""
    return {
        "kind": w.kind,
        "start": iso(datetime.fromtimestamp(t0 + w.t0, UTC)),
        "end": iso(datetime.fromtimestamp(t0 + w.t1, UTC)),
        "subject": w.subject,
        "details": w.details,
    }
