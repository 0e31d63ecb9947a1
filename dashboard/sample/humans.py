"""Human traffic: a population of visitors who come back in sessions of pages, assets and API calls."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from dashboard.sample.catalog import OFFICE_OFFSET, SPIKE_REFERRERS, SRC_HUMAN, USERS
from dashboard.sample.networks import draw_ips
from dashboard.sample.site import TOKEN_ALPHABET, TRACKING_IDS, UTM_PARAMS

if TYPE_CHECKING:
    from dashboard.sample.incidents import Window
    from dashboard.sample.traffic import Generator

IPV6_SHARE = 0.12  # of human visitors, when their country has IPv6 networks
PRIVATE_VISITOR_SHARE = 0.001
OFFICE_ACTIVITY = 4.0  # staff visit far more often than the public
OFFICE_MIN_VISITORS = 2
NAT_SHARE = 0.03  # visitors sharing the IP of another visitor of the same country
VISITOR_SCALE = 2.0  # visitors = VISITOR_SCALE * human_rows ** VISITOR_EXPONENT
VISITOR_EXPONENT = 0.72
REQUESTS_PER_SESSION = 9.0  # first guess only; sessions are drawn until the budget is met
PAGES_PER_SESSION_P = 0.38  # geometric: mean ~2.6 pages, ~38 % bounces
PAGE_GAP_LOG_MEAN = 3.3  # log-seconds between page views (median ~27 s)
FULL_LOAD_SHARE = 0.7  # landing pages that fetch every site asset
API_PER_PAGE = 0.45
BROKEN_LINK_SHARE = 0.01
TRACKING_PARAM_SHARE = 0.08
HUMAN_PROTOCOL_P = (0.9983, 0.0015, 0.0002, 0.0)  # behind a proxy that speaks HTTP/1.1 to the origin


def visitors(gen: Generator, n: int, country: str | None = None, office: bool = True) -> dict[str, np.ndarray]:
    """A population of visitors: IP index, UA index, user index, offset group, activity weight."""
    rng = gen.rng
    if country is None:
        cidx = rng.choice(len(gen.countries), n, p=gen.country_w / gen.country_w.sum())
    else:
        cidx = np.full(n, gen.countries.index(country))
    codes = [gen.countries[i] for i in cidx.tolist()]
    v6 = rng.random(n) < IPV6_SHARE
    texts = draw_ips(gen.rng, gen.nets, codes, v6)
    offset = gen.country_off[cidx].astype(float)
    user = np.zeros(n, dtype=np.int8)
    activity = rng.lognormal(0.0, 1.0, n)
    if office:  # the staff: a few heavy users on the office network, logged in
        private = rng.permutation(n)[: max(OFFICE_MIN_VISITORS, round(n * PRIVATE_VISITOR_SHARE))]
        for k, i in enumerate(private.tolist()):
            texts[i] = f"192.168.{1 + k % 3}.{20 + (k * 37) % 200}"
            offset[i] = OFFICE_OFFSET
            user[i] = 1 + k % (len(USERS) - 1)
        activity[private] = OFFICE_ACTIVITY * activity.mean()
    ip = gen.add_ips(texts)
    nat = np.flatnonzero(rng.random(n) < NAT_SHARE)
    if len(nat):
        ip[nat] = ip[rng.integers(0, n, len(nat))]
    return {
        "ip": ip,
        "ua": gen.human_ua[rng.choice(len(gen.human_ua), n, p=gen.human_ua_p)].astype(np.int16),
        "user": user,
        "offset": offset,
        "activity": activity,
    }


def sessions(
    gen: Generator,
    vis: dict[str, np.ndarray],
    sv: np.ndarray,
    starts: np.ndarray,
    land: np.ndarray,
    land_ref: np.ndarray,
) -> dict[str, np.ndarray]:
    """Expand sessions (visitor, start, landing page or -1, landing referrer or -1) into request rows."""
    rng, site = gen.rng, gen.site
    s = len(sv)
    npages = rng.geometric(PAGES_PER_SESSION_P, s)
    p_sess = np.repeat(np.arange(s), npages)
    first = np.repeat(np.cumsum(npages) - npages, npages)
    idx = np.arange(len(p_sess)) - first
    gaps = np.where(idx == 0, 0.0, rng.lognormal(PAGE_GAP_LOG_MEAN, 1.0, len(p_sess)))
    cs = np.cumsum(gaps)
    p_t = starts[p_sess] + cs - cs[first]
    choice = rng.choice(len(site.page_ids), len(p_sess), p=site.page_p)
    p_path = site.page_ids[choice]
    p_img = site.page_image[choice]
    landing = idx == 0
    forced = landing & (land[p_sess] >= 0)
    p_path[forced] = land[p_sess][forced]
    p_img[forced] = -1
    broken = ~landing & (rng.random(len(p_sess)) < BROKEN_LINK_SHARE)
    p_path[broken] = site.missing_ids[rng.integers(0, len(site.missing_ids), int(broken.sum()))]
    p_img[broken] = -1
    ext = rng.choice(len(gen.ext_refs), len(p_sess), p=gen.ext_p)
    ext = np.where(land_ref[p_sess] >= 0, land_ref[p_sess], ext)
    tracked = np.flatnonzero(landing & (ext > 0) & (rng.random(len(p_sess)) < TRACKING_PARAM_SHARE))
    for i in tracked.tolist():
        p_path[i] = tracked_path(gen, int(p_path[i]))
    prev = np.roll(p_path, 1)
    p_ref = np.where(landing, ext, gen.internal_base + prev)
    p_ok = site.status[gen.catalog_ids(p_path)] == 200
    # static assets: a full load on most landings, a few revalidations elsewhere
    full = landing & (rng.random(len(p_sess)) < FULL_LOAD_SHARE) & p_ok
    n_full = len(site.asset_ids) + (p_img >= 0)
    n_part = rng.poisson(0.5, len(p_sess)) * p_ok
    n_assets = np.where(full, n_full, n_part + ((p_img >= 0) & (rng.random(len(p_sess)) < 0.5)))
    a_page = np.repeat(np.arange(len(p_sess)), n_assets)
    a_idx = np.arange(len(a_page)) - np.repeat(np.cumsum(n_assets) - n_assets, n_assets)
    a_full = full[a_page]
    a_img = p_img[a_page]
    n_site = len(site.asset_ids)
    a_path = np.where(
        a_full,
        site.asset_ids[np.minimum(a_idx, n_site - 1)],
        site.partial_ids[rng.integers(0, len(site.partial_ids), len(a_page))],
    )
    is_img = (a_full & (a_idx == n_site)) | (~a_full & (a_img >= 0) & (a_idx == n_assets[a_page] - 1))
    a_path = np.where(is_img, a_img, a_path)
    a_status = np.where(a_full | is_img | (rng.random(len(a_page)) < 0.15), 0, 304).astype(np.int16)
    a_t = p_t[a_page] + 0.05 + rng.random(len(a_page)) * 1.5
    # API calls made by the pages
    n_api = rng.poisson(API_PER_PAGE, len(p_sess)) * p_ok
    q_page = np.repeat(np.arange(len(p_sess)), n_api)
    entry = rng.choice(len(site.api_p), len(q_page), p=site.api_p)
    q_t = p_t[q_page] + 0.5 + rng.random(len(q_page)) * 20
    rows_v = np.concatenate([sv[p_sess], sv[p_sess][a_page], sv[p_sess][q_page]])
    n_p, n_a, n_q = len(p_sess), len(a_page), len(q_page)
    method = np.concatenate([np.zeros(n_p + n_a, dtype=np.int8), site.api_method[entry]])
    status = np.concatenate([np.zeros(n_p, dtype=np.int16), a_status, site.api_status[entry]])
    size = np.concatenate([np.full(n_p + n_a, -2, dtype=np.int64), site.api_size[entry]])
    proto = rng.choice(len(HUMAN_PROTOCOL_P), n_p + n_a + n_q, p=HUMAN_PROTOCOL_P).astype(np.int8)
    return {
        "t": np.concatenate([p_t, a_t, q_t]),
        "ip": vis["ip"][rows_v],
        "ua": vis["ua"][rows_v],
        "user": vis["user"][rows_v],
        "method": method,
        "path": np.concatenate([p_path, a_path, site.api_path[entry]]).astype(np.int32),
        "proto": proto,
        "status": status,
        "size": size,
        "ref": np.concatenate([p_ref, gen.internal_base + p_path[a_page], gen.internal_base + p_path[q_page]]),
        "session": np.concatenate([p_sess, p_sess[a_page], p_sess[q_page]]),
    }


def tracked_path(gen: Generator, pid: int) -> int:
    """A new path: the landing page with campaign or click-id parameters."""
    base = gen.paths[pid]
    sep = "&" if "?" in base else "?"
    if gen.rng.random() < 0.4:
        path = base + UTM_PARAMS[int(gen.rng.integers(len(UTM_PARAMS)))].replace("?", sep, 1)
    else:
        name = TRACKING_IDS[int(gen.rng.integers(len(TRACKING_IDS)))]
        token = "".join(gen.rng.choice(TOKEN_ALPHABET, 28 + int(gen.rng.integers(40))))
        path = f"{base}{sep}{name}={token}"
    gen.paths.append(path)
    gen.derived.append(pid if pid < len(gen.site.paths) else gen.derived[pid - len(gen.site.paths)])
    return len(gen.paths) - 1


def wrap(rows: dict[str, np.ndarray], session_start: np.ndarray, w: Window) -> None:
    """Fold the rows of sessions that started inside a window back into it (exact incident edges)."""
    inside = (session_start >= w.t0) & (session_start < w.t1)
    mask = inside[rows["session"]] & (rows["t"] >= w.t1)
    rows["t"][mask] = w.t0 + (rows["t"][mask] - w.t0) % (w.t1 - w.t0)


def human_rows(gen: Generator, need: int) -> dict[str, np.ndarray]:
    """Exactly ``need`` human rows: visitors' sessions over the diurnal curves, spike and drop applied."""
    rng = gen.rng
    nv = int(VISITOR_SCALE * need**VISITOR_EXPONENT) + 20
    vis = visitors(gen, nv)
    act = vis["activity"] / vis["activity"].sum()
    rates = {o: gen.human_intensity(o) for o in gen.offsets.tolist()}
    spike, drop = gen.window("spike"), gen.window("drop")
    spike_path = int(gen.site.blog_ids[int(rng.integers(0, 20))]) if spike else -1
    if spike:
        spike.subject = gen.paths[spike_path]
        spike.details["path"] = gen.paths[spike_path]
    spike_refs = np.array([gen.ext_refs.index(r) for r, _ in SPIKE_REFERRERS])
    spike_ref_p = np.array([p for _, p in SPIKE_REFERRERS])
    parts, have = [], 0
    while have < need or not parts:
        s = int((need - have) / REQUESTS_PER_SESSION * 1.1) + 8
        sv = rng.choice(nv, s, p=act)
        starts = np.empty(s)
        offs = vis["offset"][sv]
        for o, rate in rates.items():
            sel = np.flatnonzero(offs == o)
            if len(sel):
                starts[sel] = gen.sample_times(rate, len(sel))
        land = np.full(s, -1)
        land_ref = np.full(s, -1)
        if spike:
            extra = (starts >= spike.t0) & (starts < spike.t1)
            extra &= rng.random(s) < 1 - 1 / spike.details["factor"]
            k = int(extra.sum())
            if k:  # the spike brings new visitors, who land on the viral post from a link site
                fresh = visitors(gen, k, office=False)
                vis = {key: np.concatenate([vis[key], fresh[key]]) for key in vis}
                sv[extra] = np.arange(len(vis["ip"]) - k, len(vis["ip"]))
                land[extra] = np.where(rng.random(k) < 0.8, spike_path, -1)
                land_ref[extra] = spike_refs[rng.choice(len(spike_refs), k, p=spike_ref_p)]
        rows = sessions(gen, vis, sv, starts, land, land_ref)
        if spike:
            wrap(rows, starts, spike)
        keep = rows["t"] < gen.span
        if drop:
            inside = (rows["t"] >= drop.t0) & (rows["t"] < drop.t1)
            keep &= ~inside | (rng.random(len(keep)) < drop.details["keep"])
        rows = {k: v[keep] for k, v in rows.items()}
        parts.append(rows)
        have += int(keep.sum())
    rows = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
    excess = have - need
    if excess:
        cut = np.ones(have, dtype=bool)
        cut[rng.choice(have, excess, replace=False)] = False
        rows = {k: v[cut] for k, v in rows.items()}
    rows.pop("session")
    rows["src"] = np.full(need, SRC_HUMAN, dtype=np.int8)
    return rows
