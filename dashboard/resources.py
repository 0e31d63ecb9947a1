"""Where the bundled data files live: in the installed package (``dashboard/data``) or in a checkout (``data/``)."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
# A wheel maps the checkout's top-level data/ to dashboard/data (see pyproject.toml); a checkout keeps it beside.
DATA_DIR = _PACKAGE / "data" if (_PACKAGE / "data").is_dir() else _PACKAGE.parent / "data"
GEOIP_DB = DATA_DIR / "dbip-country.mmdb"
COUNTRY_SHAPES = DATA_DIR / "countries.geojson"
COUNTRY_CENTROIDS = DATA_DIR / "country_centroids.csv"
SAMPLE_PARSED = DATA_DIR / "sample.parquet"  # the app's embedded sample, parsed (scripts/freeze_sample.py)
LICENSES_DIR = DATA_DIR / "licenses"
ASN_TABLE = DATA_DIR / "asn.npz"
FAVICON = DATA_DIR / "favicon.png"  # the page icon, served by the app itself: a Material icon is fetched from Google
