"""A ten-line hand-counted log for the Explore tests (vhost, referrer, user agent and response time)."""

from __future__ import annotations

from pathlib import Path

from dashboard.pipeline import LoadedLog, load_log
from support.loglines import UA_CHROME, UA_FIREFOX, UA_GOOGLEBOT

FORMAT = '%v %h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-Agent}i" %T'
UA_CURL = "curl/8.0.1"
MON, TUE = "01/Jun/2026", "02/Jun/2026"  # 1 June 2026 is a Monday
CH, FF, BOT, CURL = UA_CHROME, UA_FIREFOX, UA_GOOGLEBOT, UA_CURL
GOOGLE, HN, EXAMPLE = "https://www.google.com/", "https://news.ycombinator.com/item?id=1", "http://example.org/page"
# fmt: off
# row: vhost, ip, day, time (UTC), request, status, bytes, referrer, agent, response seconds
ROWS = [
    ("a.example", "8.8.8.8", MON, "10:00:00", "GET / HTTP/1.1", 200, 1000, GOOGLE + "search?q=x", CH, "0.100"),
    ("a.example", "8.8.8.8", MON, "10:10:00", "GET /about HTTP/1.1", 200, 2000, GOOGLE, CH, "0.200"),
    ("a.example", "8.8.4.4", MON, "10:20:00", "GET /missing HTTP/1.1", 404, 100, "-", FF, "0.010"),
    ("b.example", "81.2.69.160", MON, "10:30:00", "POST /api/login HTTP/1.1", 500, 50, HN, FF, "1.500"),
    ("b.example", "81.2.69.161", MON, "11:00:00", "GET /missing HTTP/1.1", 404, 100, "-", BOT, "0.020"),
    ("b.example", "2001:db8::1", MON, "11:30:00", "GET /api/items?x=1 HTTP/2.0", 200, 300, EXAMPLE, CH, "0.300"),
    ("a.example", "2001:db8::ff", MON, "12:00:00", "GET /about HTTP/1.1", 304, 0, "-", FF, "0.050"),
    ("a.example", "10.1.2.3", TUE, "10:00:00", "GET / HTTP/1.1", 200, 1000, GOOGLE, BOT, "0.100"),
    ("a.example", "10.1.2.4", TUE, "10:05:00", "GET /old HTTP/1.1", 301, 0, "-", CURL, "0.005"),
    ("b.example", "8.8.8.8", TUE, "10:10:00", "DELETE /api/items/1 HTTP/1.1", 403, 20, "-", CH, "0.030"),
]
# fmt: on


def lines() -> list[str]:
    return [
        f'{vhost} {ip} - - [{day}:{clock} +0000] "{request}" {status} {size} "{ref}" "{agent}" {seconds}'
        for vhost, ip, day, clock, request, status, size, ref, agent, seconds in ROWS
    ]


def load(folder: Path) -> LoadedLog:
    path = folder / "explore.log"
    path.write_text("\n".join(lines()) + "\n")
    loaded = load_log(path, FORMAT)
    assert loaded.parse.parsed == len(ROWS), loaded.parse.reasons
    return loaded
