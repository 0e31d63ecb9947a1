"""The user agents the simulator writes, with the labels a parser should find (browser, os, device, bot)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from dashboard.sample.catalog import (
    ANDROID_MODELS,
    BOTS,
    CHROME_LATEST,
    CHROME_NAMES,
    CHROME_PLATFORMS,
    CHROME_VERSIONS,
    EDGE_PLATFORMS,
    FIREFOX_ESR,
    FIREFOX_LATEST,
    FIREFOX_PLATFORMS,
    HEALTH_AGENTS,
    IN_APP_ANDROID,
    IN_APP_IOS,
    IOS_SAFARI,
    MAC_SAFARI,
    OLD_ANDROID_CHROME,
    OPERA_VERSIONS,
    OTHER_BROWSERS,
    SAFARI_WEBKIT,
    SAMSUNG_MODELS,
    SAMSUNG_VERSIONS,
    SCANNER_AGENTS,
    WEBKIT,
    YANDEX_VERSIONS,
)


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


def _weights(n: int, head: int = 2, decay: float = 0.55) -> list[float]:
    """Weights of versions from the newest: the first ``head`` share the lead, then a geometric tail."""
    return [1.0 if i < head else decay ** (i - head + 1) for i in range(n)]


class _Collector(list):
    """The human agents being listed, in a fixed order (a sample's bytes depend on it)."""

    def add(self, ua: str, browser: str, os_: str, device: str, weight: float) -> None:
        """Append a human agent with its share of visitors."""
        self.append(Agent(ua, browser, os_, device, False, weight, "human"))


def _spread(items: list | tuple, share: float, head: int = 2, decay: float = 0.55) -> list[tuple]:
    """A family's share split over its versions, newest first (see ``_weights``)."""
    w = _weights(len(items), head, decay)
    return [(item, share * wi / sum(w)) for item, wi in zip(items, w, strict=True)]


def _chrome(out: _Collector) -> None:
    """Chrome on every platform, old Android builds that send the full string, Chrome on iOS."""
    chrome = range(CHROME_LATEST, CHROME_LATEST - CHROME_VERSIONS, -1)
    for plat, os_, device, share in CHROME_PLATFORMS:
        mobile = "Mobile " if device == "mobile" else ""
        for v, w in _spread(chrome, share):
            out.add(
                f"Mozilla/5.0 ({plat}) {WEBKIT} Chrome/{v}.0.0.0 {mobile}Safari/537.36",
                CHROME_NAMES[device],
                os_,
                device,
                w,
            )
    out.add(
        f"Mozilla/5.0 (Windows NT 6.1; Win64; x64) {WEBKIT} Chrome/109.0.0.0 Safari/537.36",
        "Chrome",
        "Windows",
        "desktop",
        0.3,
    )
    for model, android, v in OLD_ANDROID_CHROME:
        out.add(
            f"Mozilla/5.0 (Linux; Android {android}; {model}) {WEBKIT} Chrome/{v}.0.0.0 Mobile Safari/537.36",
            "Chrome Mobile",
            "Android",
            "mobile",
            0.04,
        )
    for i, (v, w) in enumerate(_spread(range(CHROME_LATEST, CHROME_LATEST - 10, -1), 2.0)):
        build = f"{v}.0.{7700 - (CHROME_LATEST - v) * 95}.{(i * 37) % 180 + 20}"
        out.add(
            f"Mozilla/5.0 (iPhone; CPU iPhone OS 18_6 like Mac OS X) {SAFARI_WEBKIT} CriOS/{build} Mobile/15E148 "
            "Safari/604.1",
            "Chrome Mobile iOS",
            "iOS",
            "mobile",
            w,
        )


def _safari(out: _Collector) -> None:
    """Safari on iPhone, iPad and Mac."""
    for (os_v, version), share in IOS_SAFARI:
        for device, dev, ratio in (("iPhone; CPU iPhone OS", "mobile", 0.88), ("iPad; CPU OS", "tablet", 0.12)):
            out.add(
                f"Mozilla/5.0 ({device} {os_v} like Mac OS X) {SAFARI_WEBKIT} Version/{version} Mobile/15E148 "
                "Safari/604.1",
                "Mobile Safari",
                "iOS",
                dev,
                share * ratio,
            )
    for version, share in MAC_SAFARI:
        out.add(
            f"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) {SAFARI_WEBKIT} Version/{version} Safari/605.1.15",
            "Safari",
            "Mac OS X",
            "desktop",
            share,
        )


def _edge(out: _Collector) -> None:
    """Edge on Windows, Mac and Android."""
    for plat, os_, device, share in EDGE_PLATFORMS:
        mobile, tag = ("Mobile ", "EdgA") if device == "mobile" else ("", "Edg")
        for i, (v, w) in enumerate(_spread(range(CHROME_LATEST, CHROME_LATEST - 14, -1), share)):
            for k, part in enumerate((0.7, 0.3)):
                build = f"{v}.0.{3900 - (CHROME_LATEST - v) * 65}.{(i * 13 + k * 41) % 120 + 10}"
                out.add(
                    f"Mozilla/5.0 ({plat}) {WEBKIT} Chrome/{v}.0.0.0 {mobile}Safari/537.36 {tag}/{build}",
                    "Edge",
                    os_,
                    device,
                    w * part,
                )


def _firefox(out: _Collector) -> None:
    """Firefox on every platform (ESR included) and on iOS."""
    firefox = range(FIREFOX_LATEST, FIREFOX_ESR[0][0], -1)
    for plat, os_, device, share, gecko in FIREFOX_PLATFORMS:
        esr = [(v, share * part) for v, part in FIREFOX_ESR]
        for v, w in _spread(firefox, share * (1 - sum(p for _, p in FIREFOX_ESR)), decay=0.5) + esr:
            out.add(
                f"Mozilla/5.0 ({plat.format(v=v)}) {gecko.format(v=v)} Firefox/{v}.0",
                "Firefox Mobile" if device == "mobile" else "Firefox",
                os_,
                device,
                w,
            )
    for v, w in _spread(range(FIREFOX_LATEST, FIREFOX_LATEST - 8, -1), 0.3):
        out.add(
            f"Mozilla/5.0 (iPhone; CPU iPhone OS 18_6 like Mac OS X) {SAFARI_WEBKIT} FxiOS/{v}.0 Mobile/15E148 "
            "Safari/605.1.15",
            "Firefox iOS",
            "iOS",
            "mobile",
            w,
        )


def _samsung(out: _Collector) -> None:
    """Samsung Internet, generic and with the device model."""
    for (sv, cv), w in _spread(SAMSUNG_VERSIONS, 2.5):
        out.add(
            f"Mozilla/5.0 (Linux; Android 10; K) {WEBKIT} SamsungBrowser/{sv}.0 Chrome/{cv}.0.0.0 Mobile Safari/537.36",
            "Samsung Internet",
            "Android",
            "mobile",
            w,
        )
    for model, android in SAMSUNG_MODELS:
        for sv, cv in SAMSUNG_VERSIONS[3:6]:
            out.add(
                f"Mozilla/5.0 (Linux; Android {android}; SAMSUNG {model}) {WEBKIT} SamsungBrowser/{sv}.0 "
                f"Chrome/{cv}.0.0.0 Mobile Safari/537.36",
                "Samsung Internet",
                "Android",
                "tablet" if "SM-X" in model else "mobile",
                0.8 / len(SAMSUNG_MODELS) / 3,
            )


def _others(out: _Collector) -> None:
    """Opera, Yandex and the long tail (UC, IE, DuckDuckGo, Vivaldi, TVs, consoles)."""
    for (ov, cv), w in _spread(OPERA_VERSIONS, 1.2):
        out.add(
            f"Mozilla/5.0 (Windows NT 10.0; Win64; x64) {WEBKIT} Chrome/{cv}.0.0.0 Safari/537.36 OPR/{ov}.0.0.0",
            "Opera",
            "Windows",
            "desktop",
            w,
        )
    for (yv, cv), w in _spread(YANDEX_VERSIONS, 0.6):
        out.add(
            f"Mozilla/5.0 (Windows NT 10.0; Win64; x64) {WEBKIT} Chrome/{cv}.0.0.0 YaBrowser/{yv}.0 Yowser/2.5 "
            "Safari/537.36",
            "Yandex Browser",
            "Windows",
            "desktop",
            w,
        )
    for ua, browser, os_, device, share in OTHER_BROWSERS:
        out.add(ua.format(webkit=WEBKIT), browser, os_, device, share)


def _in_app(out: _Collector) -> None:
    """In-app browsers of Instagram and Facebook on Android and iOS."""
    for model, build, android in ANDROID_MODELS:
        for cv in (CHROME_LATEST - 1, CHROME_LATEST - 3):
            for suffix, browser, share in IN_APP_ANDROID:
                out.add(
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
            out.add(
                f"Mozilla/5.0 (iPhone; CPU iPhone OS {os_v} like Mac OS X) {SAFARI_WEBKIT} Mobile/15E148 {suffix}",
                browser,
                "iOS",
                "mobile",
                share / 3,
            )


def _human_agents() -> list[Agent]:
    """Browser user agents as of mid-2026 with realistic shares (reduced UA strings where browsers send them)."""
    out = _Collector()
    for family in (_chrome, _safari, _edge, _firefox, _samsung, _others, _in_app):
        family(out)
    return list(out)


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
