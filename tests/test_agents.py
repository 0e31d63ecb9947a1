"""User agent classification on real agent strings: browsers never flagged, bots and tools always are."""

from __future__ import annotations

import sys

import pytest
from crawleruseragents import CRAWLER_USER_AGENTS_DATA
from hypothesis import given, settings
from hypothesis import strategies as st

from dashboard.enrich import agents
from dashboard.enrich.agents import AGENT_TABLE_COLUMNS, classify_agent, classify_agents
from dashboard.schema import AGENT_COLUMNS, DEVICES

CHROME_WIN = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36"
)
GOOGLEBOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
CURL = "curl/8.5.0"
FEEDLY = "Feedly/1.0 (+http://www.feedly.com/fetcher.html; 16 subscribers; like FeedFetcher-Google)"
LONG_AGENT = "Mozilla/5.0 (" + "A" * 9987

# (id, user agent, browser, os, device, is_bot)
CASES = [
    ("chrome-windows", CHROME_WIN, "Chrome", "Windows", "desktop", False),
    (
        "chrome-mac",
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/124.0.0.0 Safari/537.36",
        "Chrome",
        "Mac OS X",
        "desktop",
        False,
    ),
    (
        "chrome-chromeos",
        "Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 "
        "Safari/537.36",
        "Chrome",
        "Chrome OS",
        "desktop",
        False,
    ),
    (
        "firefox-linux",
        "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0",
        "Firefox",
        "Linux",
        "desktop",
        False,
    ),
    (
        "firefox-windows",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0",
        "Firefox",
        "Windows",
        "desktop",
        False,
    ),
    (
        "firefox-android",
        "Mozilla/5.0 (Android 14; Mobile; rv:125.0) Gecko/125.0 Firefox/125.0",
        "Firefox Mobile",
        "Android",
        "mobile",
        False,
    ),
    (
        "safari-macos",
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "Version/17.4.1 Safari/605.1.15",
        "Safari",
        "Mac OS X",
        "desktop",
        False,
    ),
    (
        "safari-iphone",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "Version/17.4.1 Mobile/15E148 Safari/604.1",
        "Mobile Safari",
        "iOS",
        "mobile",
        False,
    ),
    (
        "chrome-iphone",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "CriOS/124.0.6367.88 Mobile/15E148 Safari/604.1",
        "Chrome Mobile iOS",
        "iOS",
        "mobile",
        False,
    ),
    (
        "safari-ipad",
        "Mozilla/5.0 (iPad; CPU OS 17_4_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "Version/17.4.1 Mobile/15E148 Safari/604.1",
        "Mobile Safari",
        "iOS",
        "tablet",
        False,
    ),
    (
        "edge-windows",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 "
        "Safari/537.36 Edg/124.0.2478.51",
        "Edge",
        "Windows",
        "desktop",
        False,
    ),
    (
        "edge-android",
        "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile "
        "Safari/537.36 EdgA/124.0.2478.50",
        "Edge Mobile",
        "Android",
        "mobile",
        False,
    ),
    (
        "opera-windows",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 "
        "Safari/537.36 OPR/109.0.0.0",
        "Opera",
        "Windows",
        "desktop",
        False,
    ),
    (
        "samsung-internet",
        "Mozilla/5.0 (Linux; Android 14; SAMSUNG SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) "
        "SamsungBrowser/24.0 Chrome/117.0.0.0 Mobile Safari/537.36",
        "Samsung Internet",
        "Android",
        "mobile",
        False,
    ),
    (
        "chrome-android-phone",
        "Mozilla/5.0 (Linux; Android 14; Pixel 8 Pro) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/124.0.6367.82 Mobile Safari/537.36",
        "Chrome Mobile",
        "Android",
        "mobile",
        False,
    ),
    (
        "chrome-android-tablet",
        "Mozilla/5.0 (Linux; Android 13; SM-X710) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 "
        "Safari/537.36",
        "Chrome",
        "Android",
        "tablet",
        False,
    ),
    (
        "kindle-silk",
        "Mozilla/5.0 (Linux; Android 11; KFTRWI) AppleWebKit/537.36 (KHTML, like Gecko) Silk/124.2.2 like "
        "Chrome/124.0.6367.179 Safari/537.36",
        "Amazon Silk",
        "Android",
        "tablet",
        False,
    ),
    (
        "windows-phone",
        "Mozilla/5.0 (Windows Phone 10.0; Android 6.0.1; Microsoft; Lumia 950) AppleWebKit/537.36 "
        "(KHTML, like Gecko) Chrome/52.0.2743.116 Mobile Safari/537.36 Edge/15.15063",
        "Edge Mobile",
        "Windows Phone",
        "mobile",
        False,
    ),
    (
        "ie-tablet-pc-token",
        "Mozilla/4.0 (compatible; MSIE 7.0; Windows NT 6.0; SLCC1; .NET CLR 2.0.50727; Media Center PC 5.0; "
        "Tablet PC 2.0)",
        "IE",
        "Windows",
        "desktop",
        False,
    ),
    (
        "facebook-in-app",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "Mobile/15E148 [FBAN/FBIOS;FBAV/459.0.0.46.106;FBBV/577788834;FBDV/iPhone14,5;FBMD/iPhone;FBSN/iOS;"
        "FBSV/17.4;FBSS/3;FBID/phone;FBLC/en_US;FBOP/5]",
        "Facebook",
        "iOS",
        "mobile",
        False,
    ),
    ("googlebot", GOOGLEBOT, "Googlebot", "Other", "bot", True),
    (
        "googlebot-smartphone",
        "Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/124.0.6367.201 Mobile Safari/537.36 (compatible; Googlebot/2.1; "
        "+http://www.google.com/bot.html)",
        "Googlebot",
        "Android",
        "bot",
        True,
    ),
    (
        "bingbot",
        "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; bingbot/2.0; "
        "+http://www.bing.com/bingbot.htm) Chrome/116.0.1938.76 Safari/537.36",
        "bingbot",
        "Other",
        "bot",
        True,
    ),
    (
        "yandexbot",
        "Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)",
        "YandexBot",
        "Other",
        "bot",
        True,
    ),
    (
        "baiduspider",
        "Mozilla/5.0 (compatible; Baiduspider/2.0; +http://www.baidu.com/search/spider.html)",
        "Baiduspider",
        "Other",
        "bot",
        True,
    ),
    (
        "duckduckbot",
        "DuckDuckBot/1.1; (+http://duckduckgo.com/duckduckbot.html)",
        "DuckDuckBot",
        "Other",
        "bot",
        True,
    ),
    (
        "ahrefsbot",
        "Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)",
        "AhrefsBot",
        "Other",
        "bot",
        True,
    ),
    (
        "semrushbot",
        "Mozilla/5.0 (compatible; SemrushBot/7~bl; +http://www.semrush.com/bot.html)",
        "SemrushBot",
        "Other",
        "bot",
        True,
    ),
    (
        "facebookexternalhit",
        "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
        "FacebookBot",
        "Other",
        "bot",
        True,
    ),
    ("twitterbot", "Twitterbot/1.0", "Twitterbot", "Other", "bot", True),
    (
        "slackbot",
        "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
        "Slackbot-LinkExpanding",
        "Other",
        "bot",
        True,
    ),
    (
        "gptbot",
        "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2; +https://openai.com/gptbot)",
        "GPTBot",
        "Other",
        "bot",
        True,
    ),
    (
        "headless-chrome",
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/124.0.6367.60 "
        "Safari/537.36",
        "HeadlessChrome",
        "Linux",
        "bot",
        True,
    ),
    ("curl", CURL, "curl", "Other", "bot", True),
    ("python-requests", "python-requests/2.31.0", "Python Requests", "Other", "bot", True),
    ("wget", "Wget/1.21.4", "Wget", "Other", "bot", True),
    ("go-http-client", "Go-http-client/1.1", "Go-http-client", "Other", "bot", True),
    ("okhttp", "okhttp/4.12.0", "okhttp", "Other", "bot", True),
    ("feedly", FEEDLY, "Unrecognised", "Other", "bot", True),
    ("feedbin", "Feedbin feed-id:1234 - 5 subscribers", "Feedbin", "Other", "bot", True),
    ("postman", "PostmanRuntime/7.37.3", "PostmanRuntime", "Other", "other", False),
    ("empty", "", "Unknown", "Unknown", "other", False),
    ("dash", "-", "Unknown", "Unknown", "other", False),
    ("script-tag", "<script>alert(1)</script>", "Unrecognised", "Other", "other", False),
    ("ten-thousand-chars", LONG_AGENT, "Unrecognised", "Other", "other", False),
    ("lone-surrogate", "Mozilla/5.0 \ud800 (compatible; Googlebot/2.1)", "Googlebot", "Other", "bot", True),
]


@pytest.mark.parametrize(
    ("agent", "browser", "os", "device", "is_bot"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_classify_real_agents(agent: str, browser: str, os: str, device: str, is_bot: bool) -> None:
    row = dict(zip(AGENT_TABLE_COLUMNS, classify_agent(agent), strict=True))
    assert (row["browser"], row["os"], row["device"], row["is_bot"]) == (browser, os, device, is_bot)
    assert (row["crawler"] != "") == is_bot


@pytest.mark.parametrize(
    ("agent", "crawler"),
    [
        (GOOGLEBOT, "Googlebot"),
        ("Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)", "YandexBot"),
        ("facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)", "facebookexternalhit"),
        (CURL, "curl"),
        ("python-requests/2.31.0", "python-requests"),
        (FEEDLY, "Feedly"),
        ("Java/1.8.0_381", "Java"),  # ua-parser's Spider device only: its family names the bot
        (CHROME_WIN, ""),
    ],
)
def test_crawler_names(agent: str, crawler: str) -> None:
    assert classify_agent(agent)[5] == crawler


def test_versions() -> None:
    table = classify_agents([CHROME_WIN, GOOGLEBOT, FEEDLY, ""])
    assert table["browser_version"].tolist() == ["124", "2", "", ""]


def test_table_shape_order_and_duplicates() -> None:
    agents_in = [GOOGLEBOT, CHROME_WIN, "", CHROME_WIN, CURL, GOOGLEBOT]
    table = classify_agents(agents_in)
    assert tuple(table.columns) == AGENT_TABLE_COLUMNS
    assert set(AGENT_COLUMNS) <= set(table.columns)
    assert len(table) == len(agents_in)
    assert table.index.tolist() == list(range(len(agents_in)))
    assert table["browser"].tolist() == ["Googlebot", "Chrome", "Unknown", "Chrome", "curl", "Googlebot"]
    assert table["is_bot"].dtype == bool
    assert table["is_bot"].tolist() == [True, False, False, False, True, True]


def test_empty_input() -> None:
    table = classify_agents([])
    assert tuple(table.columns) == AGENT_TABLE_COLUMNS
    assert table.empty


def test_non_string_is_missing() -> None:
    table = classify_agents([None, float("nan")])  # type: ignore[list-item]
    assert table["browser"].tolist() == ["Unknown", "Unknown"]


def test_every_crawler_instance_is_a_bot() -> None:
    instances = sorted({agent for entry in CRAWLER_USER_AGENTS_DATA for agent in entry["instances"]})
    table = classify_agents(instances)
    assert table["is_bot"].all()
    assert (table["device"] == "bot").all()
    assert (table["crawler"] != "").all()
    assert table["crawler"].str.len().max() <= agents.MAX_CRAWLER_NAME_CHARS


def test_python_crawler_fallback_agrees_with_rust() -> None:
    patterns = [entry["pattern"] for entry in CRAWLER_USER_AGENTS_DATA]
    rust = agents._rust_crawler_matcher(patterns)
    python = agents._python_crawler_matcher(patterns)
    samples = [agent for entry in CRAWLER_USER_AGENTS_DATA[::7] for agent in entry["instances"]]
    samples += [c[1] for c in CASES if not c[5]]
    assert [python(s) for s in samples] == [rust(s) for s in samples]


def test_python_parser_fallback(monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setitem(sys.modules, "ua_parser.regex", None)  # makes `from ua_parser.regex import` fail
    parser = agents._build_parser()
    assert "pure Python" in caplog.text
    assert parser.parse(CHROME_WIN).user_agent.family == "Chrome"


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(max_size=300), max_size=20))
def test_arbitrary_text(agents_in: list[str]) -> None:
    table = classify_agents(agents_in)
    assert len(table) == len(agents_in)
    assert set(table["device"]) <= set(DEVICES)
    assert (table["device"] == "bot").tolist() == table["is_bot"].tolist()


def test_warm_up_builds_once_and_then_starts_no_thread(monkeypatch):
    monkeypatch.setattr(agents, "_ENGINES", None)
    thread = agents.warm_up()
    assert thread is not None
    thread.join()
    assert agents._ENGINES is not None
    assert agents.warm_up() is None


def test_agents_are_classified_once_across_calls_and_the_memo_stays_bounded(monkeypatch):
    calls: list[str] = []
    real = agents.classify_agent
    monkeypatch.setattr(agents, "classify_agent", lambda agent: calls.append(agent) or real(agent))
    monkeypatch.setattr(agents, "_SEEN", {})
    monkeypatch.setattr(agents, "SEEN_AGENTS", 3)
    first = classify_agents([CHROME_WIN, "curl/8.0", CHROME_WIN])
    second = classify_agents(["curl/8.0", CHROME_WIN])
    assert calls == [CHROME_WIN, "curl/8.0"]  # the second batch's agents were known
    assert second.values.tolist() == first.iloc[[1, 0]].values.tolist()
    classify_agents([f"agent {i}" for i in range(4)])
    assert len(agents._SEEN) == 6  # the bound is checked before a batch, never inside it
    classify_agents(["one more"])
    assert len(agents._SEEN) == 1  # over the bound: cleared before the batch
