"""Shared fixtures: small logs written by the tests themselves."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


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
