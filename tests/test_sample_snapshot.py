"""The embedded sample ships parsed (data/sample.parquet): one truth, so it must equal parsing the sample now."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from dashboard.ingest.snapshot import SnapshotError, load_parsed, made_from
from dashboard.pipeline import load_log, load_sample, parse_sample, sample_identity, save_log, saved_log
from dashboard.resources import GEOIP_DB, SAMPLE_PARSED
from dashboard.views.config import SAMPLE_DAYS, SAMPLE_LINES, SAMPLE_SEED
from support.loglines import UA_CHROME, UA_GOOGLEBOT, combined

REGENERATE = "the shipped sample is stale: run python scripts/freeze_sample.py"


def assert_same_log(got, want) -> None:
    """The same rows with the same dtypes, and the same accounting of every line."""
    pd.testing.assert_frame_equal(got.frame, want.frame, check_exact=True)
    for name in ("lines", "rejected", "reasons", "rejects", "sources", "formats", "format"):
        assert getattr(got.parse, name) == getattr(want.parse, name), name


def test_the_shipped_sample_equals_parsing_the_sample_again():
    identity = sample_identity(SAMPLE_LINES, SAMPLE_DAYS, SAMPLE_SEED, GEOIP_DB)
    assert made_from(SAMPLE_PARSED) == identity, REGENERATE
    shipped = saved_log(SAMPLE_PARSED, identity, ("shipped",))
    assert shipped is not None and shipped.fingerprint == ("shipped",)
    assert_same_log(shipped, parse_sample(SAMPLE_LINES, SAMPLE_DAYS, SAMPLE_SEED, GEOIP_DB))


def test_other_sample_parameters_are_generated_not_read(monkeypatch):
    from dashboard.ingest import snapshot

    monkeypatch.setattr(snapshot, "load_parsed", lambda path: pytest.fail("read a snapshot made from other parameters"))
    loaded = load_sample(500, SAMPLE_DAYS, SAMPLE_SEED, GEOIP_DB, ("sample", 500))
    assert loaded.parse.lines == 500 and loaded.fingerprint == ("sample", 500)


def test_a_saved_log_reads_back_exactly_with_its_rejects_and_format(tmp_path):
    lines = [
        combined("8.8.8.8", "01/Jun/2026:10:00:00 +0200", "GET /a?x=1 HTTP/1.1", 200, 100, agent=UA_CHROME),
        "not a log line at all",
        combined("81.2.69.160", "01/Jun/2026:09:30:00 +0000", "GET /robots.txt HTTP/1.1", 404, 0, agent=UA_GOOGLEBOT),
        "",
    ]
    loaded = load_log(io.BytesIO("\n".join(lines).encode() + b"\n"), None, name="mixed.log")
    assert loaded.parse.rejected == 2 and loaded.parse.rejects
    path = tmp_path / "mixed.parquet"
    save_log(loaded, path, ("mixed", 4))
    assert saved_log(path, ("mixed", 5), ()) is None  # made from something else: parse instead
    assert_same_log(saved_log(path, ("mixed", 4), ()), loaded)


def test_a_damaged_snapshot_is_a_clear_error_and_is_never_taken_for_the_sample(tmp_path):
    path = tmp_path / "damaged.parquet"
    path.write_bytes(b"PAR1 not really")
    assert made_from(path) is None
    with pytest.raises(SnapshotError, match="not a saved parse"):
        load_parsed(path)
