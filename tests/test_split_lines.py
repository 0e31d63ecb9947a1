"""The compiled line splitter gives exactly the lines (and the UTF-8 repairs) of the numpy path it replaced."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dashboard.ingest import scanner
from dashboard.ingest.text import as_text
from support.requirements import require_scanner

PIECES = [b"a", b"GET /x", b"\n", b"\r\n", b"\x80", b"\xc3\xa9", b"\xe2\x82", b"\xff", b"\x00", b"12345678"]


def both_ways(data: bytes, last_unterminated: bool, monkeypatch: pytest.MonkeyPatch) -> tuple[list, list]:
    fast = as_text(data, last_unterminated)
    with monkeypatch.context() as patch:
        patch.setattr(scanner, "native", None)
        slow = as_text(data, last_unterminated)
    return fast.to_pylist(), slow.to_pylist()


@pytest.mark.parametrize(
    ("data", "last_unterminated"),
    [(b"", False), (b"", True), (b"a\n", False), (b"a\n", True), (b"a\nb", True), (b"a\nb", False), (b"\n\n", False)],
)
def test_edges_agree(data, last_unterminated, monkeypatch):
    require_scanner()
    fast, slow = both_ways(data, last_unterminated, monkeypatch)
    assert fast == slow


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pieces=st.lists(st.sampled_from(PIECES), max_size=60), last_unterminated=st.booleans())
def test_random_bytes_agree(pieces, last_unterminated, monkeypatch):
    require_scanner()
    data = b"".join(pieces)
    fast, slow = both_ways(data, last_unterminated, monkeypatch)
    assert fast == slow


def test_lines_with_high_bytes_are_found_past_a_word_boundary():
    require_scanner()
    offsets, high = scanner.split_lines(b"x" * 17 + b"\xff\n" + b"y" * 30 + b"\n\x80", True)
    assert offsets.tolist() == [0, 19, 50, 51]
    assert high.tolist() == [0, 2]
