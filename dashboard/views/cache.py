"""The only module with Streamlit caches. Every cache is bounded; cached objects are never mutated.

Parsed logs are held with ``cache_resource`` (one shared object, no copy per rerun): a 1M-row frame
would cost a pickle round trip on every slider move under ``cache_data``. Uploads are cached per session.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import streamlit as st

from dashboard.analysis.aggregate import build_cube
from dashboard.analysis.cubes import CubeData, load_cube, rebucket
from dashboard.analysis.explore import Prepared, prepare
from dashboard.enrich.anonymise import anonymise_loaded
from dashboard.enrich.geo import GeoDatabase, open_geo_database, resolve_geoip_path
from dashboard.live.shared import SharedLive
from dashboard.pipeline import LoadedLog, load_log
from dashboard.views.config import SAMPLE_DAYS, SAMPLE_SEED

TTL_SECONDS = 3600
MAX_LOGS = 4
MAX_UPLOADS_PER_SESSION = 2
MAX_CUBES = 8
MAX_PREPARED = 4


@st.cache_resource(max_entries=2, show_spinner=False)
def geo_database(path: str) -> GeoDatabase:
    """One open GeoIP reader per database file, shared by all sessions."""
    return open_geo_database(path)


def _geo(geoip: str | None) -> GeoDatabase:
    return geo_database(str(resolve_geoip_path(geoip)))


@st.cache_resource(max_entries=1, show_spinner="Generating the sample log…")
def sample_log(lines: int, geoip: str | None = None) -> LoadedLog:
    """The embedded sample: generated in memory at first start, then shared."""
    from dashboard.sample import generate_sample

    sample = generate_sample(lines, days=SAMPLE_DAYS, seed=SAMPLE_SEED)
    buffer = io.BytesIO(b"".join(sample.chunks()))
    return load_log(buffer, "combined", geo=_geo(geoip), name="sample")


@st.cache_resource(max_entries=MAX_LOGS, ttl=TTL_SECONDS, show_spinner="Parsing the log…")
def server_log(path: str, size: int, mtime: float, fmt: str | None, geoip: str | None) -> LoadedLog:
    """A log file on the server, re-read when its size or modification time changes."""
    return load_log(Path(path), fmt, geo=_geo(geoip))


def server_log_for(path: Path, fmt: str | None, geoip: str | None) -> LoadedLog:
    stat = path.stat()
    return server_log(str(path), stat.st_size, stat.st_mtime, fmt, geoip)


@st.cache_resource(max_entries=MAX_UPLOADS_PER_SESSION, ttl=TTL_SECONDS, scope="session", show_spinner=False)
def uploaded_log(
    digest: str,
    _data: bytes,
    name: str,
    fmt: str | None,
    geoip: str | None,
    max_decompressed: int | None = None,
    _progress: Callable | None = None,
) -> LoadedLog:
    """An uploaded log, keyed by the SHA-256 of its bytes, cached for this session only."""
    return load_log(
        io.BytesIO(_data), fmt, geo=_geo(geoip), name=name, progress=_progress, max_decompressed=max_decompressed
    )


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@st.cache_resource(max_entries=MAX_CUBES, ttl=TTL_SECONDS, show_spinner=False)
def cube(log_key: str, _loaded: LoadedLog, bucket: str, tz: str) -> pd.DataFrame:
    """bucket × browser × country × status class × bot counts for a loaded log (what most panels draw)."""
    return build_cube(_loaded.frame, bucket, tz)


@st.cache_resource(max_entries=MAX_CUBES, ttl=TTL_SECONDS, show_spinner="Looking for anomalies…")
def alerts(log_key: str, _loaded: LoadedLog, config_path: str | None) -> list:
    """The alerts of a loaded log (computed once per log and alerts configuration)."""
    from dashboard.alerts import detect_alerts, load_config

    return detect_alerts(_loaded.frame, load_config(config_path))


@st.cache_resource(max_entries=2, show_spinner="Reading the followed log…")
def live_log(path: str, fmt: str | None, geoip: str | None, max_rows: int) -> SharedLive:
    """A followed log, shared by all sessions (it holds the file position; polls take a lock)."""
    from dashboard.live.livelog import LiveLog

    shared = SharedLive(LiveLog(path, fmt, geo=_geo(geoip), max_rows=max_rows))
    shared.poll()  # what the file already holds
    return shared


@st.cache_resource(max_entries=2, ttl=TTL_SECONDS, show_spinner="Reading the cube…")
def saved_cube(path: str, size: int, mtime: float) -> CubeData:
    """A cube file on the server, re-read when it changes."""
    return load_cube(path, Path(path).name)


@st.cache_resource(max_entries=MAX_UPLOADS_PER_SESSION, ttl=TTL_SECONDS, scope="session", show_spinner=False)
def uploaded_cube(digest: str, _data: bytes, name: str) -> CubeData:
    """An uploaded cube, for this session only."""
    return load_cube(_data, name)


@st.cache_resource(max_entries=MAX_CUBES, ttl=TTL_SECONDS, show_spinner=False)
def rebucketed(key: str, _data: CubeData, bucket: str, tz: str) -> tuple[pd.DataFrame, bool]:
    """A saved cube in the page's bucket size and zone."""
    return rebucket(_data, bucket, tz)


@st.cache_resource(max_entries=MAX_PREPARED, ttl=TTL_SECONDS, show_spinner="Preparing the log…")
def explore_prepared(log_key: str, rows: int, _loaded: LoadedLog, tz: str) -> Prepared:
    """Per-row arrays for the Explore page; keyed by row count too, so a followed log is prepared again."""
    return prepare(_loaded.frame, tz)


@st.cache_resource(max_entries=MAX_LOGS, ttl=TTL_SECONDS, show_spinner="Masking addresses…")
def anonymised(log_key: str, _loaded: LoadedLog) -> LoadedLog:
    """The log with every client address masked (GoAccess's anonymisation)."""
    return anonymise_loaded(_loaded)


def clear_all() -> None:
    """Empty every cache (tests use it between runs)."""
    st.cache_resource.clear()
    st.cache_data.clear()
