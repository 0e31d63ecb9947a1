"""Shared fixtures: small logs written by the tests themselves."""

from __future__ import annotations

import importlib.util
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from support.receiver import Receiver

ROOT = Path(__file__).resolve().parents[1]


def _load_scanner_build(path: str) -> None:
    """Run the suite against another build of the compiled scanner (.ci/run: AddressSanitizer + UBSan)."""
    spec = importlib.util.spec_from_file_location("dashboard.ingest._scanner", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    sys.modules["dashboard.ingest._scanner"] = module


if os.environ.get("DATABLOOM_SCANNER_SO"):
    _load_scanner_build(os.environ["DATABLOOM_SCANNER_SO"])


@pytest.fixture
def fresh_caches(monkeypatch, request):
    """The app's caches emptied around a test; the sample at the test module's ``SAMPLE_LINES`` when it sets one."""
    from dashboard.views import cache

    lines = getattr(request.module, "SAMPLE_LINES", None)
    if lines is not None:
        monkeypatch.setenv("DATABLOOM_ARGS", f"--sample-lines {lines}")
    cache.clear_all()
    yield
    cache.clear_all()


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
