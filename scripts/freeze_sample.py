"""Write ``data/sample.parquet``: the app's embedded sample, generated and parsed once, shipped parsed.

Rerun by hand when the sample generator, the parser, enrichment or the bundled GeoIP database change (then
``tests/test_sample_snapshot.py`` fails, as the shipped rows no longer equal parsing the sample again)::

    python scripts/freeze_sample.py
"""

from __future__ import annotations

from dashboard.pipeline import parse_sample, sample_identity, save_log
from dashboard.resources import GEOIP_DB, SAMPLE_PARSED
from dashboard.views.config import SAMPLE_DAYS, SAMPLE_LINES, SAMPLE_SEED


def main() -> None:
    loaded = parse_sample(SAMPLE_LINES, SAMPLE_DAYS, SAMPLE_SEED, GEOIP_DB)
    save_log(loaded, SAMPLE_PARSED, sample_identity(SAMPLE_LINES, SAMPLE_DAYS, SAMPLE_SEED, GEOIP_DB))
    print(f"{SAMPLE_PARSED}: {loaded.parse.parsed:,} rows, {SAMPLE_PARSED.stat().st_size / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
