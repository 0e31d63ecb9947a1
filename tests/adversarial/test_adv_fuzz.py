"""Fuzzed and pathological lines through every format's parser: no exception, every line accounted for.

What a pathological line costs (regex backtracking, quadratic escaping) is measured against its budget by
bench/adversarial.py, not here: a unit test does not time the machine it runs on.
"""

from __future__ import annotations

import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dashboard.ingest.formats import FORMATS
from dashboard.ingest.parse import parse_chunk, parse_source
from dashboard.ingest.sources import BZIP2_MAGIC, GZIP_MAGIC, Chunk, SourceError
from dashboard.sample.hostile import VALID, expected_lines, fuzzed_lines, pathological_lines

FUZZ_LINES = 20_000  # per format in CI; bench/adversarial.py runs 1,000,000
COPIES = 8  # lines per chunk
SPECIALS = st.sampled_from([b'"', b"\\", b'\\"', b"\x00", b"\r", b"\n", b"[", b"]", b"{", b"}", b" ", b"\xff", b"-"])


def check_accounting(data: bytes, fmt_name: str) -> None:
    if data.startswith((GZIP_MAGIC, BZIP2_MAGIC)):  # read as an archive: a corrupt one is one clear error
        with pytest.raises(SourceError, match="corrupt or truncated"):
            parse_source(io.BytesIO(data), FORMATS[fmt_name], workers=1)
        return
    result = parse_source(io.BytesIO(data), FORMATS[fmt_name], workers=1)
    assert result.lines == expected_lines(data)
    assert result.parsed + result.rejected == result.lines
    assert sum(result.reasons.values()) == result.rejected
    assert len(result.frame) == result.parsed


@pytest.mark.parametrize("fmt_name", list(FORMATS))
def test_seeded_mutations_are_all_accounted_for(fmt_name):
    lines = list(fuzzed_lines(FUZZ_LINES, seed=list(FORMATS).index(fmt_name)))
    data = b"\n".join(lines) + b"\n"
    check_accounting(data, fmt_name)


@pytest.mark.parametrize("fmt_name", list(FORMATS))
def test_valid_lines_survive_among_the_fuzz(fmt_name):
    """The mutations do not hide a parser that rejects everything: the untouched lines still parse."""
    valid = VALID[fmt_name]
    data = b"\n".join([valid, *fuzzed_lines(500, seed=7), valid]) + b"\n"
    result = parse_source(io.BytesIO(data), FORMATS[fmt_name], workers=1)
    assert result.parsed >= 2
    assert result.parsed + result.rejected == result.lines == expected_lines(data)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    fmt_name=st.sampled_from(list(FORMATS)),
    cuts=st.lists(st.tuples(st.integers(0, 400), st.one_of(SPECIALS, st.binary(max_size=12))), max_size=6),
    junk=st.lists(st.binary(max_size=200), max_size=5),
    cr=st.booleans(),
    final_newline=st.booleans(),
)
def test_hypothesis_edits_never_raise(fmt_name, cuts, junk, cr, final_newline):
    line = VALID[fmt_name]
    for pos, insert in cuts:
        line = line[:pos] + insert + line[pos:]
    eol = b"\r\n" if cr else b"\n"
    data = eol.join([line, *junk, VALID[fmt_name]]) + (eol if final_newline else b"")
    check_accounting(data, fmt_name)


@pytest.mark.parametrize("fmt_name", list(FORMATS))
def test_random_bytes_are_all_accounted_for(fmt_name):
    import random

    rng = random.Random(fmt_name)
    data = bytes(rng.getrandbits(8) for _ in range(300_000))
    check_accounting(data, fmt_name)


@pytest.mark.parametrize("ts", ["1.7803e25", "1e308", "-1e30", "nan", "inf", "99999999999999999999"])
def test_out_of_range_epoch_times_are_bad_timestamps(ts):
    """Caddy's ``ts`` is a number: one beyond int64 microseconds must reject the line, not the whole upload."""
    good = VALID["caddy"]
    hostile = good.replace(b'"ts": 1780300800.5', b'"ts": ' + ts.encode())
    assert hostile != good
    result = parse_source(io.BytesIO(good + b"\n" + hostile + b"\n"), FORMATS["caddy"], workers=1)
    assert (result.lines, result.parsed, result.rejected) == (2, 1, 1)
    assert result.rejects[0].line == 2


PATHOLOGICAL = pathological_lines()


@pytest.mark.parametrize("case", list(PATHOLOGICAL))
def test_pathological_lines_are_all_accounted_for(case):
    data = (PATHOLOGICAL[case] + b"\n") * COPIES
    for fmt_name, fmt in FORMATS.items():
        result = parse_chunk(Chunk(data, 1), fmt)
        assert result.lines == COPIES, fmt_name
        assert result.frame.height + result.rejected == COPIES, fmt_name
        assert sum(result.reasons.values()) == result.rejected, fmt_name
