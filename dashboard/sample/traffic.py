"""The simulator's core: one seed's random state, the span's minute grid and rates, and the plan of every row."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import numpy as np

from dashboard.sample.agents import agents
from dashboard.sample.bots import bot_rows, health_rows
from dashboard.sample.catalog import (
    COUNTRIES,
    EXTERNAL_REFERRERS,
    HOURLY_PROFILE,
    METHODS,
    OFFICE_OFFSET,
    SITE,
    SRC_HEALTH,
    STATUS_SIZES,
)
from dashboard.sample.humans import human_rows
from dashboard.sample.incidents import (
    INCIDENT_MAX_SHARE,
    SCANNER_DISTINCT,
    SCANNER_REPEAT_SHARE,
    SURGE_FACTOR,
    Window,
    burst,
    describe,
    incident_record,
    plan_windows,
    scanner_rows,
    surge_rows,
)
from dashboard.sample.networks import country_networks
from dashboard.sample.oddities import oddities
from dashboard.sample.site import CONDITIONAL_HTML_SHARE, DYNAMIC_TYPES, HTML, RARE_ERRORS, SIZE_SIGMA, site_catalog
from dashboard.sample.timing import response_micros
from dashboard.sample.writer import Sample

BOT_SHARE = 0.185  # of the baseline rows (health checks and the scanner add the rest of the ~20 %)
HEALTH_SHARE = 0.008
WEEKEND_FACTOR = 0.7
BOT_DIURNAL_AMPLITUDE = 0.12
NOISE_BLOCK_MINUTES = 10
NOISE_SIGMA = 0.08
DAY_NOISE_SIGMA = 0.05


class Generator:
    """Holds the random state and the growing tables while one sample is planned."""

    def __init__(self, lines: int, days: float, seed: int, start: datetime, tz: str, incidents: bool) -> None:
        self.rng = np.random.default_rng(seed)
        self.lines, self.seed, self.tz = lines, seed, tz
        self.start = start
        self.t0 = start.timestamp()
        self.span = days * 86400.0
        self.site = site_catalog()
        self.agents = agents()
        self.ua_index = {a.ua: i for i, a in enumerate(self.agents)}
        self.nets = country_networks()
        self.ips: list[str] = []
        self.paths = list(self.site.paths)
        self.derived: list[int] = []  # catalog entry behind each path added beyond the catalog
        self.reserved: set[str] = set()  # incident subjects no other client may share
        codes = [c for c, _, _ in COUNTRIES if c in self.nets and self.nets[c][0]]
        meta = {c: (w, o) for c, w, o in COUNTRIES}
        self.countries = codes
        self.country_w = np.array([meta[c][0] for c in codes])
        self.country_off = np.array([meta[c][1] for c in codes])
        self.offsets = np.unique(np.append(self.country_off, OFFICE_OFFSET))
        self.ext_refs = [r for r, _ in EXTERNAL_REFERRERS]
        self.ext_p = np.array([w for _, w in EXTERNAL_REFERRERS])
        self.ext_p /= self.ext_p.sum()
        self.internal_base = len(self.ext_refs)
        human = [i for i, a in enumerate(self.agents) if a.kind == "human"]
        self.human_ua = np.array(human)
        hw = np.array([self.agents[i].weight for i in human])
        self.human_ua_p = hw / hw.sum()
        self.n_min = max(1, math.ceil(self.span / 60))
        self.windows = plan_windows(self.rng, self.t0, self.span) if incidents else []
        self.noise = self._draw_noise()

    # -- time ------------------------------------------------------------------------------------------
    def _grid(self) -> np.ndarray:
        """Midpoints of the minutes of the span, as absolute minutes since the epoch."""
        return self.t0 / 60 + np.arange(self.n_min) + 0.5

    def _widths(self) -> np.ndarray:
        """Seconds covered by each minute of the grid (the last one may be partial)."""
        w = np.full(self.n_min, 60.0)
        w[-1] = self.span - 60.0 * (self.n_min - 1)
        return w

    def _draw_noise(self) -> np.ndarray:
        """Shared multiplicative noise per minute: per 10-minute block and per day."""
        blocks = self.rng.lognormal(0.0, NOISE_SIGMA, self.n_min // NOISE_BLOCK_MINUTES + 1)
        days = self.rng.lognormal(0.0, DAY_NOISE_SIGMA, self.n_min // 1440 + 1)
        m = np.arange(self.n_min)
        return blocks[m // NOISE_BLOCK_MINUTES] * days[m // 1440]

    def human_intensity(self, offset: float, spike: bool = True) -> np.ndarray:
        """Relative rate of session starts per minute for visitors at UTC+offset."""
        local = self._grid() + offset * 60
        hour = (local % 1440) / 60
        profile = np.interp(hour, np.arange(25), (*HOURLY_PROFILE, HOURLY_PROFILE[0]))
        weekday = (np.floor(local / 1440).astype(np.int64) + 3) % 7
        rate = profile * np.where(weekday >= 5, WEEKEND_FACTOR, 1.0) * self.noise
        if spike:
            for w in self.windows:
                if w.kind == "spike":
                    rate = rate * np.where(self.in_minutes(w), w.details["factor"], 1.0)
        return rate * self._widths() / 60

    def bot_intensity(self) -> np.ndarray:
        """Relative rate of bot requests per minute: flat with a faint daily wave, thinned by a drop."""
        hour = (self._grid() % 1440) / 60
        rate = (1 + BOT_DIURNAL_AMPLITUDE * np.sin(2 * np.pi * (hour - 8) / 24)) * self.noise
        for w in self.windows:
            if w.kind == "drop":
                rate = rate * np.where(self.in_minutes(w), w.details["keep"], 1.0)
        return rate * self._widths() / 60

    def in_minutes(self, w: Window) -> np.ndarray:
        """Mask of the grid minutes inside a window (windows are minute-aligned)."""
        mid = (np.arange(self.n_min) + 0.5) * 60
        return (mid >= w.t0) & (mid < w.t1)

    def sample_times(self, rate: np.ndarray, n: int) -> np.ndarray:
        """Draw ``n`` times (seconds from the start) from a per-minute rate."""
        cdf = np.cumsum(rate)
        m = np.minimum(np.searchsorted(cdf, self.rng.random(n) * cdf[-1], side="right"), self.n_min - 1)
        return m * 60.0 + self.rng.random(n) * self._widths()[m]

    def window(self, kind: str) -> Window | None:
        """The window of an incident kind, if incidents are on."""
        return next((w for w in self.windows if w.kind == kind), None)

    # -- tables ---------------------------------------------------------------------------------------------
    def add_ips(self, texts: list[str]) -> np.ndarray:
        """Append IP strings to the table; return their indices."""
        first = len(self.ips)
        self.ips.extend(texts)
        return np.arange(first, first + len(texts), dtype=np.int32)

    def catalog_ids(self, path: np.ndarray) -> np.ndarray:
        """The catalog entry of each path index (paths with tracking parameters map to their page)."""
        n = len(self.site.paths)
        if not self.derived:
            return path
        derived = np.array(self.derived)
        return np.where(path < n, path, derived[np.maximum(path - n, 0)])

    # -- assembly --------------------------------------------------------------------------------------
    def build(self) -> Sample:
        """Plan every row, apply incidents and oddities, sort by time."""
        rng, n = self.rng, self.lines
        n_health = round(n * HEALTH_SHARE)
        cap = int(n * INCIDENT_MAX_SHARE)
        scan, surge = self.window("scanner"), self.window("country_surge")
        n_scan_distinct = min(int(rng.integers(*SCANNER_DISTINCT)), len(self.site.scanner_ids), cap) if scan else 0
        n_scan = n_scan_distinct + round(n_scan_distinct * SCANNER_REPEAT_SHARE)
        n_surge = 0
        if surge:
            share = float(self.human_intensity(0.0, spike=False)[self.in_minutes(surge)].sum())
            share /= float(self.human_intensity(0.0, spike=False).sum())
            n_surge = min(cap, max(1, round(share * n * rng.uniform(*SURGE_FACTOR))))
        base = max(n - n_health - n_scan - n_surge, 0)
        n_bot = round(base * BOT_SHARE)
        parts = [human_rows(self, base - n_bot), bot_rows(self, n_bot), health_rows(self, n_health)]
        if scan and n_scan:
            parts.append(scanner_rows(self, scan, n_scan_distinct))
        if surge and n_surge:
            parts.append(surge_rows(self, surge, n_surge))
        cols = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
        order = np.argsort(cols["t"], kind="stable")
        cols = {k: v[order] for k, v in cols.items()}
        self._statuses(cols)
        burst_window = self.window("5xx_burst")
        if burst_window:
            burst(self.rng, cols, burst_window)
        overrides, odd = oddities(self, cols)
        describe(self.windows, cols)
        cols["response_us"] = response_micros(
            self.seed, self.t0, cols, self.site, self.catalog_ids(cols["path"]), self.paths
        )
        bot = np.array([a.is_bot for a in self.agents])[cols["ua"]]
        ends = self.start + timedelta(seconds=self.span)
        return Sample(
            seed=self.seed,
            lines=n,
            start=self.start.astimezone(UTC),
            end=ends.astimezone(UTC),
            tz=self.tz,
            incidents=[incident_record(self.t0, w) for w in self.windows],
            oddities=odd,
            bot_lines=int(bot.sum()),
            columns=cols,
            ips=self.ips,
            paths=self.paths,
            referrers=[*self.ext_refs, *(SITE + p for p in self.paths)],
            overrides=overrides,
        )

    def _statuses(self, cols: dict[str, np.ndarray]) -> None:
        """Fill statuses and sizes from the catalog, with conditional GETs, HEADs and rare server errors."""
        rng, site = self.rng, self.site
        n = len(cols["t"])
        status, size, path = cols["status"], cols["size"], cols["path"]
        base = self.catalog_ids(path)
        unset = status == 0
        status[unset] = site.status[base[unset]]
        ctype = site.ctype[base]
        html = (ctype == HTML) & (status == 200) & (cols["method"] == 0)
        status[html & (rng.random(n) < CONDITIONAL_HTML_SHARE)] = 304
        dyn = np.isin(ctype, DYNAMIC_TYPES) & (cols["src"] != SRC_HEALTH)
        u = rng.random(n)
        edge = 0.0
        for code, p in RARE_ERRORS:
            hit = dyn & (u >= edge) & (u < edge + p)
            status[hit] = code
            size[hit] = -2
            edge += p
        media = path == site.ids["/media/demo.mp4"]
        status[media & (status == 200) & (rng.random(n) < 0.6)] = 206
        todo = size == -2
        sigma = np.array(SIZE_SIGMA)[ctype]
        ok = todo & (status == 200)
        body = site.size[base]
        size[ok] = np.maximum(1, body[ok] * np.exp(sigma[ok] * rng.standard_normal(int(ok.sum())))).astype(np.int64)
        for code, nbytes in STATUS_SIZES.items():
            size[todo & (status == code)] = nbytes
        size[cols["method"] == METHODS.index("HEAD")] = -1
        size[(status == 304) | (status == 204)] = -1
        size[todo & (size == -2)] = 0
