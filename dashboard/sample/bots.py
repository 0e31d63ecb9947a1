"""Machine traffic: crawlers, link previews, feed readers, monitors, tools and probes, and health checks."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from dashboard.sample.catalog import BOTS, HEALTH_AGENTS, HEALTH_IPS, HOSTING_COUNTRIES, METHODS, SRC_BOT, SRC_HEALTH
from dashboard.sample.networks import cidr_ips, draw_ips

if TYPE_CHECKING:
    from dashboard.sample.traffic import Generator

FEED_NOT_MODIFIED_SHARE = 0.5
THROTTLED_BOTS = ("AhrefsBot", "SemrushBot", "Bytespider", "GPTBot", "MJ12bot")
THROTTLE_SHARE = 0.01
BOT_IPS_PER_AGENT = 12


def bot_rows(gen: Generator, need: int) -> dict[str, np.ndarray]:
    """Exactly ``need`` rows from crawlers, link previews, feed readers, monitors, tools and probes."""
    rng, site = gen.rng, gen.site
    bot_agents = [i for i, a in enumerate(gen.agents) if a.is_bot and a.weight > 0]
    share = np.array([gen.agents[i].weight for i in bot_agents])
    pools = []
    for i in bot_agents:
        a = gen.agents[i]
        cidrs = next(c for _, ua, _, _, c in BOTS if ua == a.ua)
        if cidrs:
            texts = cidr_ips(gen.rng, cidrs, BOT_IPS_PER_AGENT)
        else:
            codes = [HOSTING_COUNTRIES[int(k)] for k in rng.integers(0, len(HOSTING_COUNTRIES), BOT_IPS_PER_AGENT)]
            texts = draw_ips(gen.rng, gen.nets, codes, rng.random(BOT_IPS_PER_AGENT) < 0.1)
        pools.append(gen.add_ips(texts))
    pool = np.stack(pools)
    which = rng.choice(len(bot_agents), need, p=share / share.sum())
    ua = np.array(bot_agents, dtype=np.int16)[which]
    ip = pool[which, rng.integers(0, BOT_IPS_PER_AGENT, need)]
    kinds = np.array([gen.agents[i].kind for i in bot_agents])[which]
    path = np.empty(need, dtype=np.int32)
    method = np.zeros(need, dtype=np.int8)
    status = np.zeros(need, dtype=np.int16)
    for kind in ("crawler", "preview", "feed", "monitor", "tool", "probe"):
        sel = np.flatnonzero(kinds == kind)
        n = len(sel)
        if not n:
            continue
        if kind == "crawler":
            path[sel] = site.crawl_ids[rng.choice(len(site.crawl_ids), n, p=site.crawl_p)]
            method[sel[rng.random(n) < 0.005]] = METHODS.index("HEAD")
        elif kind == "preview":
            path[sel] = site.preview_ids[rng.integers(0, len(site.preview_ids), n)]
        elif kind == "feed":
            path[sel] = np.where(rng.random(n) < 0.9, site.ids["/feed.xml"], site.ids["/feed"])
            status[sel] = np.where(rng.random(n) < FEED_NOT_MODIFIED_SHARE, 304, 0)
        elif kind == "monitor":
            path[sel] = np.where(rng.random(n) < 0.8, site.ids["/"], site.ids["/health"])
            method[sel] = np.where(rng.random(n) < 0.5, METHODS.index("HEAD"), 0)
        elif kind == "tool":
            choices = np.array(
                [
                    site.ids[p]
                    for p in (
                        "/",
                        "/api/v1/products?page=1",
                        "/robots.txt",
                        "/sitemap.xml",
                        "/feed.xml",
                        "/api/v1/session",
                    )
                ]
            )
            path[sel] = np.where(
                rng.random(n) < 0.7,
                choices[rng.integers(0, len(choices), n)],
                site.crawl_ids[rng.choice(len(site.crawl_ids), n, p=site.crawl_p)],
            )
        else:
            choices = np.concatenate([[site.ids["/"]] * 6, [site.ids["/favicon.ico"]], site.scanner_ids[:12]])
            path[sel] = choices[rng.integers(0, len(choices), n)]
    throttled = np.isin(ua, [i for i in bot_agents if gen.agents[i].browser in THROTTLED_BOTS])
    status[throttled & (rng.random(need) < THROTTLE_SHARE)] = 429
    proto = np.where(np.isin(kinds, ("monitor",)) & (rng.random(need) < 0.5), 3, 0).astype(np.int8)
    return {
        "t": gen.sample_times(gen.bot_intensity(), need),
        "ip": ip,
        "ua": ua,
        "user": np.zeros(need, dtype=np.int8),
        "method": method,
        "path": path,
        "proto": proto,
        "status": status,
        "size": np.full(need, -2, dtype=np.int64),
        "ref": np.zeros(need, dtype=np.int64),
        "src": np.full(need, SRC_BOT, dtype=np.int8),
    }


def health_rows(gen: Generator, need: int) -> dict[str, np.ndarray]:
    """Periodic load-balancer health checks from private addresses."""
    rng = gen.rng
    ips = gen.add_ips(list(HEALTH_IPS))
    interval = gen.span / max(need, 1)
    t = rng.random() * interval + np.arange(need) * interval + rng.normal(0, 0.2, need)
    node = np.arange(need) % len(HEALTH_IPS)
    ua = np.array([gen.ua_index[u] for u in HEALTH_AGENTS], dtype=np.int16)
    paths = np.array([gen.site.ids["/health"], gen.site.ids["/healthz"]])
    return {
        "t": np.clip(t, 0, gen.span - 1e-3),
        "ip": ips[node],
        "ua": ua[node % 2],
        "user": np.zeros(need, dtype=np.int8),
        "method": np.zeros(need, dtype=np.int8),
        "path": paths[node % 2].astype(np.int32),
        "proto": np.zeros(need, dtype=np.int8),
        "status": np.full(need, 200, dtype=np.int16),
        "size": np.full(need, 2, dtype=np.int64),
        "ref": np.zeros(need, dtype=np.int64),
        "src": np.full(need, SRC_HEALTH, dtype=np.int8),
    }
