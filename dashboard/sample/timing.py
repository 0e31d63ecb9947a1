"""Response times of the planned rows, for the formats that log them (``combined_time_us``: Apache ``%D``).

Drawn from their own random stream (seeded by the sample's seed), so adding them leaves every other column, and
the default combined log, byte-identical. The model: a log-normal time per content type (static files in a few
milliseconds, pages and API calls in tens), a transfer time that grows with the body, a few slow endpoints
(search, checkout, recommendations), fast 304s and errors, gateway timeouts that hang, and a nightly backup
hour when dynamic pages slow down (so the p95 over time has something to show).
"""

from __future__ import annotations

import numpy as np

from dashboard.sample.site import DYNAMIC_TYPES, Site

TIMING_SALT = 0x7155  # mixed with the seed: a random stream of its own
MEDIAN_MS = (45.0, 1.5, 1.5, 2.5, 1.5, 60.0, 25.0, 0.8, 30.0, 0.8)  # by content type, as site.py numbers them
SIGMA = (0.6, 0.4, 0.4, 0.4, 0.4, 0.7, 0.5, 0.3, 0.5, 0.3)
BYTES_PER_SECOND = 4e6
SLOW_PATHS = {"/search": 8.0, "/checkout": 6.0, "/api/v1/recommendations": 5.0, "/cart": 2.0}
STATUS_FACTOR = {304: 0.15, 404: 0.2, 401: 0.3, 500: 3.0, 502: 0.1, 503: 0.05}
GATEWAY_TIMEOUT_S = (30.0, 60.0)  # 504s hang until the upstream gives up
BACKUP_HOUR_UTC = 3
BACKUP_FACTOR = 3.0


def path_factors(paths: list[str]) -> np.ndarray:
    """A slowness factor per path text: the slow endpoints' factor, 1 elsewhere."""
    factors = np.ones(len(paths))
    for i, path in enumerate(paths):
        for prefix, factor in SLOW_PATHS.items():
            if path.startswith(prefix):
                factors[i] = factor
    return factors


def response_micros(
    seed: int, t0: float, cols: dict[str, np.ndarray], site: Site, catalog: np.ndarray, paths: list[str]
) -> np.ndarray:
    """Microseconds to serve each row (``catalog`` maps each row's path to its catalog entry)."""
    rng = np.random.default_rng([seed, TIMING_SALT])
    n = len(cols["t"])
    ctype = site.ctype[catalog]
    seconds = np.array(MEDIAN_MS)[ctype] / 1e3 * np.exp(np.array(SIGMA)[ctype] * rng.standard_normal(n))
    seconds *= path_factors(paths)[cols["path"]]
    seconds += np.maximum(cols["size"], 0) / BYTES_PER_SECOND * rng.uniform(0.5, 2.0, n)
    status = cols["status"]
    for code, factor in STATUS_FACTOR.items():
        seconds[status == code] *= factor
    hang = status == 504
    seconds[hang] = rng.uniform(*GATEWAY_TIMEOUT_S, int(hang.sum()))
    hour = ((t0 + cols["t"]) // 3600 % 24).astype(np.int64)
    seconds[(hour == BACKUP_HOUR_UTC) & np.isin(ctype, DYNAMIC_TYPES)] *= BACKUP_FACTOR
    return np.maximum(np.round(seconds * 1e6), 1).astype(np.int64)
