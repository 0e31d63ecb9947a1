"""The vectorized parser agrees with the slow per-line reference parser; accounting holds for any input."""

from __future__ import annotations

import io
import random

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dashboard.ingest.formats import FORMATS
from dashboard.ingest.parse import UTF16_BOMS, parse_source
from dashboard.ingest.sources import BZIP2_MAGIC, GZIP_MAGIC, SourceError
from dashboard.sample import generate_sample
from dashboard.schema import BASE_COLUMNS
from support.cases import VALID, mutate
from support.reference_parser import parse_line

FIELDS = BASE_COLUMNS
REFERENCE_LINES = 50_000


def test_vectorized_parser_agrees_with_reference_on_generated_lines():
    sample = generate_sample(REFERENCE_LINES, days=2, seed=11)
    data = b"".join(sample.chunks())
    lines = data.split(b"\n")[:-1]
    fmt = FORMATS["combined"]
    expected = [parse_line(line, fmt) for line in lines]
    result = parse_source(io.BytesIO(data), fmt)
    assert result.lines == len(lines) == REFERENCE_LINES
    rows = [e for e in expected if isinstance(e, dict)]
    assert result.parsed == len(rows)
    assert result.parsed + result.rejected == result.lines
    frame = result.frame
    for field in FIELDS:
        ours = frame[field].astype(object).tolist() if field != "time" else list(frame["time"])
        theirs = [r[field] for r in rows]
        if field == "time":
            theirs = [pd.Timestamp(t) for t in theirs]
        mismatches = [i for i, (a, b) in enumerate(zip(ours, theirs, strict=True)) if a != b]
        assert not mismatches, (field, mismatches[:3], [(ours[i], theirs[i]) for i in mismatches[:3]])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(blob=st.binary(max_size=4000), fmt=st.sampled_from(sorted(FORMATS)))
def test_arbitrary_bytes_are_accounted(blob, fmt):
    if blob.startswith((GZIP_MAGIC, BZIP2_MAGIC)):
        try:
            parse_source(io.BytesIO(blob), fmt)
        except SourceError as exc:  # a corrupt archive is a clear error, not a crash
            assert "corrupt or truncated" in str(exc)
        return
    if blob.startswith(UTF16_BOMS):  # UTF-16 text is refused as a whole, with a clear message
        with pytest.raises(SourceError, match="UTF-16"):
            parse_source(io.BytesIO(blob), fmt)
        return
    result = parse_source(io.BytesIO(blob), fmt)
    expected_lines = blob.count(b"\n") + (0 if blob.endswith(b"\n") or not blob else 1)
    assert result.lines == expected_lines
    assert result.parsed + result.rejected == result.lines
    assert sum(result.reasons.values()) == result.rejected


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 2**32), count=st.integers(1, 300), edits=st.integers(0, 6), fmt=st.sampled_from(sorted(FORMATS))
)
def test_mutated_valid_lines_are_accounted(seed, count, edits, fmt):
    rng = random.Random(seed)
    lines = [mutate(VALID, rng, rng.randrange(edits + 1)) for _ in range(count)]
    blob = b"\n".join(lines) + b"\n"
    result = parse_source(io.BytesIO(blob), fmt)
    assert result.lines == blob.count(b"\n")
    assert result.parsed + result.rejected == result.lines
    assert all(1 <= r.line <= result.lines for r in result.rejects)
    assert len(result.frame) == result.parsed
