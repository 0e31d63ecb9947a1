"""User agent → browser, browser_version, os, device, is_bot, crawler: one table row per unique agent.

Browser, OS and device come from ua-parser with its Rust (``regex``) resolver. A bot is an agent that
ua-parser puts on the ``Spider`` device or that matches one of the ~1,500 crawler-user-agents patterns. That
list names HTTP tools as well as crawlers (curl, Wget, python-requests, Go-http-client, okhttp, axios) and
feed readers (Feedly, Feedbin), so all of them count as bots here.

The crawler patterns are matched in one pass: they are compiled into one Rust regex set (the engine that
ua-parser's resolver already ships), which returns the first matching pattern in about 2 µs per agent.
Python's ``re`` tries alternatives one by one (~250 µs per agent for 1,500 patterns in chunks), so it is only
the fallback when the Rust engine is missing.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pandas as pd
import ua_parser
from crawleruseragents import CRAWLER_USER_AGENTS_DATA

LOG = logging.getLogger(__name__)

AGENT_TABLE_COLUMNS = ("browser", "browser_version", "os", "device", "is_bot", "crawler", "os_version")

UNKNOWN = "Unknown"  # browser and os of a missing agent ("" or "-")
OTHER = "Other"  # ua-parser's family for an agent it does not recognise
UNRECOGNISED = "Unrecognised"  # our browser name for it: a family to filter by, never the top-N remainder "Other"
MISSING_AGENTS = frozenset({"", "-"})
SPIDER_DEVICE = "Spider"
# Servers refuse longer header lines (Apache's LimitRequestFieldSize is 8190 bytes): the rest is noise.
MAX_AGENT_CHARS = 8192
MAX_CRAWLER_NAME_CHARS = 40
CRAWLER_NAME_STRIP = " /;:,()+-_"
PY_CHUNK_SIZE = 200  # patterns per combined regex on the pure-Python fallback

TABLET_RE = re.compile(r"iPad|Kindle|Silk/|PlayBook|Tablet(?! PC)|\bKF[A-Z]{2,6}\b")
MOBILE_RE = re.compile(r"Mobi|iPhone|iPod|Windows Phone|BlackBerry|BB10|Opera Mini|J2ME|MIDP|Symbian|Nokia")
DESKTOP_RE = re.compile(r"Windows NT|Macintosh|X11|CrOS")
ANDROID_TABLET_BRAND = "Generic_Android_Tablet"
DESKTOP_OS = frozenset(
    {
        "Windows",
        "Mac OS X",
        "Mac OS",
        "Linux",
        "Ubuntu",
        "Kubuntu",
        "Lubuntu",
        "Chrome OS",
        "Fedora",
        "Debian",
        "Red Hat",
        "Gentoo",
        "Mint",
        "Slackware",
        "PCLinuxOS",
        "FreeBSD",
        "OpenBSD",
        "NetBSD",
        "Solaris",
    }
)


@dataclass(frozen=True)
class _Engines:
    """The ua-parser parser and the crawler matcher, built together once."""

    parser: ua_parser.Parser
    first_crawler: Callable[[str], int | None]


_ENGINES: _Engines | None = None
# Agent → its classify_agent row, shared by every call (the engines are built once, so are their answers).
SEEN_AGENTS = 50_000
_SEEN: dict[str, tuple[str, str, str, str, bool, str, str]] = {}
_ENGINES_LOCK = threading.Lock()


def _build_parser() -> ua_parser.Parser:
    """ua-parser with the Rust resolver, or the pure-Python one (much slower) when it is not installed."""
    try:
        from ua_parser.regex import Resolver
    except ImportError:
        LOG.warning("ua-parser-rs is not installed: user agents are parsed in pure Python (~25x slower)")
        return ua_parser.Parser(ua_parser.BasicResolver(ua_parser.load_builtins()))
    return ua_parser.Parser(Resolver(ua_parser.load_lazy_builtins()))


def _rust_crawler_matcher(patterns: Sequence[str]) -> Callable[[str], int | None]:
    """First matching pattern's index, from one Rust regex set over all patterns."""
    import ua_parser_rs  # type: ignore[import-untyped]

    rows = [(pattern, str(i), None, None, None, None) for i, pattern in enumerate(patterns)]
    extractor = ua_parser_rs.UserAgentExtractor(rows)

    def first(agent: str) -> int | None:
        match = extractor.extract(agent)
        return None if match is None else int(match.family)

    return first


def _python_crawler_matcher(patterns: Sequence[str]) -> Callable[[str], int | None]:
    """First matching pattern's index: a combined regex per chunk says yes/no, then that chunk is scanned."""
    compiled = [re.compile(p) for p in patterns]
    starts = range(0, len(patterns), PY_CHUNK_SIZE)
    chunks = [(s, re.compile("|".join(f"(?:{p})" for p in patterns[s : s + PY_CHUNK_SIZE]))) for s in starts]

    def first(agent: str) -> int | None:
        for start, combined in chunks:
            if combined.search(agent):
                stop = start + PY_CHUNK_SIZE
                return next(i for i in range(start, stop) if compiled[i].search(agent))
        return None

    return first


def _build_crawler_matcher() -> Callable[[str], int | None]:
    """Crawler matcher on the Rust engine, or on Python's re if it is missing or refuses a pattern."""
    patterns = [entry["pattern"] for entry in CRAWLER_USER_AGENTS_DATA]
    try:
        return _rust_crawler_matcher(patterns)
    except (ImportError, ValueError) as error:
        LOG.warning("crawler patterns fall back to Python's re (~100x slower): %s", error)
        return _python_crawler_matcher(patterns)


def _engines() -> _Engines:
    """The module's parser and crawler matcher, built on first use (~0.1 s) and shared by all threads."""
    global _ENGINES
    if _ENGINES is None:
        with _ENGINES_LOCK:
            if _ENGINES is None:
                _ENGINES = _Engines(_build_parser(), _build_crawler_matcher())
    return _ENGINES


def warm_up() -> threading.Thread | None:
    """Build the engines on a background thread (~0.15 s), e.g. while a log is being parsed.

    None when they are already built (every load after the first in a running app).
    """
    if _ENGINES is not None:
        return None
    thread = threading.Thread(target=_engines, name="agents-warm-up", daemon=True)
    thread.start()
    return thread


def _crawler_name(index: int, agent: str, family: str) -> str:
    """Short bot name: the text the crawler pattern matched if it reads as a name, else ua-parser's family."""
    match = re.search(CRAWLER_USER_AGENTS_DATA[index]["pattern"], agent)
    text = match.group(0).strip(CRAWLER_NAME_STRIP) if match else ""
    if text and "/" not in text and len(text) <= MAX_CRAWLER_NAME_CHARS:
        return text
    return family if family != OTHER else text[:MAX_CRAWLER_NAME_CHARS] or OTHER


def _device(agent: str, os_family: str, brand: str | None) -> str:
    """desktop, mobile, tablet or other for a human agent (tablet tokens beat the "Mobile" of iPad agents)."""
    if TABLET_RE.search(agent) or brand == ANDROID_TABLET_BRAND:
        return "tablet"
    if MOBILE_RE.search(agent):
        return "mobile"
    if "Android" in agent:
        return "tablet"  # Android without "Mobile" is a tablet by Google's own convention
    if os_family in DESKTOP_OS or DESKTOP_RE.search(agent):
        return "desktop"
    return "other"


def _safe_text(agent: object) -> str:
    """The agent as text the Rust engines accept: non-strings become "", lone surrogates become "?"."""
    if not isinstance(agent, str):
        return ""
    agent = agent[:MAX_AGENT_CHARS]
    if agent.isascii():
        return agent
    try:
        agent.encode("utf-8")
    except UnicodeEncodeError:
        return agent.encode("utf-8", "replace").decode("utf-8")
    return agent


def classify_agent(agent: str) -> tuple[str, str, str, str, bool, str, str]:
    """(browser, browser_version, os, device, is_bot, crawler, os_version) for one user agent string."""
    text = _safe_text(agent)
    if text.strip() in MISSING_AGENTS:
        return UNKNOWN, "", UNKNOWN, "other", False, "", ""
    engines = _engines()
    result = engines.parser(text, ua_parser.Domain.ALL)
    family = result.user_agent.family if result.user_agent else OTHER
    browser = UNRECOGNISED if family == OTHER else family
    version = (result.user_agent.major or "") if result.user_agent else ""
    os_family = result.os.family if result.os else OTHER
    os_version = ".".join(v for v in (result.os.major, result.os.minor) if v) if result.os else ""
    spider = result.device is not None and result.device.family == SPIDER_DEVICE
    index = engines.first_crawler(text)
    if index is not None:
        return browser, version, os_family, "bot", True, _crawler_name(index, text, family), os_version
    if spider:
        return browser, version, os_family, "bot", True, browser, os_version
    brand = result.device.brand if result.device else None
    return browser, version, os_family, _device(text, os_family, brand), False, "", os_version


def classify_agents(agents: Sequence[str]) -> pd.DataFrame:
    """One row per input agent, in input order, with AGENT_TABLE_COLUMNS; repeats are parsed once, and once
    across calls: a store ingest classifies each batch's agents, mostly those of the batch before."""
    seen = _SEEN
    if len(seen) > SEEN_AGENTS:
        seen.clear()  # bounded: a log of ever-new agents costs what it did without the memo
    rows = []
    for agent in agents:
        row = seen.get(agent) if isinstance(agent, str) else None
        if row is None:
            row = classify_agent(agent)
            if isinstance(agent, str):
                seen[agent] = row
        rows.append(row)
    frame = pd.DataFrame.from_records(rows, columns=list(AGENT_TABLE_COLUMNS))
    return frame.astype({"is_bot": bool})
