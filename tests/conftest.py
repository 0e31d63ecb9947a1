"""Shared fixtures: small logs written by the tests themselves."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from support.receiver import Receiver

ROOT = Path(__file__).resolve().parents[1]


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


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.close()
