"""Shared fixtures: small logs written by the tests themselves."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

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


@pytest.fixture
def write_log(tmp_path: Path):
    """Write lines (str or bytes) to a file and return its path."""

    def write(lines: list[str | bytes], name: str = "access.log", newline_at_end: bool = True) -> Path:
        parts = [line.encode() if isinstance(line, str) else line for line in lines]
        data = b"\n".join(parts) + (b"\n" if newline_at_end and parts else b"")
        path = tmp_path / name
        path.write_bytes(data)
        return path

    return write
