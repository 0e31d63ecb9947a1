"""Realistic log lines for the tests (a plain module: two conftest.py files cannot both be imported)."""

from __future__ import annotations

UA_FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:126.0) Gecko/20100101 Firefox/126.0"
UA_CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36"
)
UA_GOOGLEBOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"


def combined(
    ip: str,
    when: str,
    request: str,
    status: int | str,
    size: int | str,
    referrer: str = "-",
    agent: str = UA_FIREFOX,
    user: str = "-",
) -> str:
    """One combined-format line."""
    return f'{ip} - {user} [{when}] "{request}" {status} {size} "{referrer}" "{agent}"'
