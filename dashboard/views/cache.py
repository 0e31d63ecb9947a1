"""The only module with Streamlit caches. Every cache is bounded; cached objects are never mutated.

Parsed logs are held with ``cache_resource`` (one shared object, no copy per rerun): a 1M-row frame
would cost a pickle round trip on every slider move under ``cache_data``. Uploads are cached per session.
Caches derived from a log (cube, alerts, Explore's arrays) hash it by ``LoadedLog.fingerprint``,
what its rows were made from, so they follow the data when a file changes on disk. A store's stand-in log is
fingerprinted by its published manifest, so its caches follow each ingest.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import pandas as pd
import streamlit as st

from dashboard import isolated
from dashboard.analysis.audience import AudienceData
from dashboard.analysis.audience import audience as build_audience
from dashboard.analysis.cube import CubeData, build_cube, load_cube, rebucket
from dashboard.analysis.explore import ExploreData, explore
from dashboard.analysis.filters import PAGEVIEWS, Filter, filter_mask
from dashboard.analysis.pages import PageRules, load_rules
from dashboard.analysis.ranges import DateRange
from dashboard.analysis.rows import Prepared, prepare
from dashboard.enrich.geo import GeoDatabase, open_geo_database, resolve_geoip_path
from dashboard.live.shared import SharedLive
from dashboard.memory import release_memory
from dashboard.pipeline import SAMPLE_FORMAT, LoadedLog, load_log, load_sample
from dashboard.pipeline import sample_text as pipeline_sample_text
from dashboard.schema import empty_frame
from dashboard.views.config import SAMPLE_DAYS, SAMPLE_SEED

if TYPE_CHECKING:  # DuckDB is imported when a store is opened, not at every start
    from dashboard.store.query import Store

TTL_SECONDS = 3600
MAX_LOGS = 4
MAX_UPLOADS_PER_SESSION = 2
MAX_CUBES = 8
MAX_PREPARED = 4
PAGEVIEWS_ONLY = "pageviews"  # the fingerprint mark of a log's page views (the sidebar's switch)
MAX_WINDOWS = 64  # a store's window visitors: one entry per slider position seen
MAX_SELECTIONS = 16  # Explore's panels per log, zone, filter set and date range: going back is instant
T = TypeVar("T")


def log_identity(loaded: LoadedLog) -> tuple:
    """A log's cache identity: its fingerprint (an unfingerprinted log is never shared with another)."""
    return loaded.fingerprint or ("object", id(loaded))


BY_DATA = {LoadedLog: log_identity}
# What Explore selects, by value: a filter by its URL form, a date range by its UTC ends.
BY_SELECTION = BY_DATA | {Filter: Filter.to_param, DateRange: lambda r: (r.start.value, r.end.value)}


class Evicted(LookupError):
    """An upload asked back from the cache without its bytes after the cache let it go."""


@st.cache_resource(max_entries=2, show_spinner=False)
def geo_database(path: str) -> GeoDatabase:
    """One open GeoIP reader per database file, shared by all sessions."""
    return open_geo_database(path)


def _geo(geoip: str | None) -> GeoDatabase:
    return geo_database(str(resolve_geoip_path(geoip)))


@st.cache_resource(max_entries=1, show_spinner=False)
def page_rules(path: str) -> PageRules:
    """The operator's --page-rules, read once per server (every cached figure was counted with them); a bad file
    raises each time, so it is read again once fixed."""
    return load_rules(path)


@st.cache_resource(max_entries=1, show_spinner="Loading the sample log…")
def sample_log(lines: int, geoip: str | None = None) -> LoadedLog:
    """The embedded sample: read from its shipped parse (generated for other parameters), then shared."""
    geo_file = resolve_geoip_path(geoip)
    fingerprint = ("sample", lines, SAMPLE_DAYS, SAMPLE_SEED, SAMPLE_FORMAT, str(geo_file))
    return load_sample(lines, SAMPLE_DAYS, SAMPLE_SEED, geo_file, fingerprint, geo=_geo(geoip))


@st.cache_resource(max_entries=1, show_spinner="Generating the sample log…")
def sample_text(lines: int) -> bytes:
    """The embedded sample's lines (the Lines page reads them back by number), generated once and shared."""
    return pipeline_sample_text(lines, SAMPLE_DAYS, SAMPLE_SEED)


@st.cache_resource(max_entries=MAX_LOGS, ttl=TTL_SECONDS, show_spinner="Parsing the log…")
def server_log(path: str, size: int, mtime_ns: int, fmt: str | None, geoip: str | None) -> LoadedLog:
    """A log file on the server, re-read when its size or modification time changes."""
    return load_log(Path(path), fmt, geo=_geo(geoip))


def server_log_for(path: Path, fmt: str | None, geoip: str | None) -> LoadedLog:
    """The server log at ``path`` as it is on disk now."""
    stat = path.stat()
    return server_log(str(path), stat.st_size, stat.st_mtime_ns, fmt, geoip)


@st.cache_resource(max_entries=MAX_UPLOADS_PER_SESSION, ttl=TTL_SECONDS, scope="session", show_spinner=False)
def _kept_upload(
    digest: str, name: str, fmt: str | None, geoip: str | None, max_decompressed: int | None, _loaded: LoadedLog | None
) -> LoadedLog:
    """Uploads parsed outside the cache, kept for this session; ``Evicted`` when asked for one it let go."""
    if _loaded is None:
        raise Evicted(name)
    return _loaded


def uploaded_log(
    digest: str,
    data: bytes | None,
    name: str,
    fmt: str | None,
    geoip: str | None,
    max_decompressed: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> LoadedLog:
    """An uploaded log, keyed by the SHA-256 of its bytes; without the bytes, only found again (or ``Evicted``).

    It is parsed outside the cached function: the progress bar it draws would otherwise be replayed on every
    later run, where that bar no longer exists (CacheReplayClosureError).
    """
    try:
        return _kept_upload(digest, name, fmt, geoip, max_decompressed, None)
    except Evicted:
        if data is None:
            raise
    loaded = isolated.load_bytes(  # a large upload in a child process: its leftovers leave with it
        data,
        fmt,
        geoip=resolve_geoip_path(geoip),
        name=name,
        progress=progress,
        max_decompressed=max_decompressed,
        fingerprint=("upload", digest, fmt, str(resolve_geoip_path(geoip))),
    )
    return _kept_upload(digest, name, fmt, geoip, max_decompressed, loaded)


def digest(data: bytes) -> str:
    """The SHA-256 of an upload: its cache key."""
    return hashlib.sha256(data).hexdigest()


@st.cache_resource(max_entries=MAX_LOGS, ttl=TTL_SECONDS, show_spinner="Counting page views…", hash_funcs=BY_DATA)
def pageviews(loaded: LoadedLog) -> LoadedLog:
    """The log's page views only (the sidebar's switch, the ``kind:pageview`` filter), with a fingerprint of its own:
    its cube and the caches after it are computed once per log and switch."""
    kept = loaded.frame[filter_mask(loaded.frame, [PAGEVIEWS])].reset_index(drop=True)
    return _released(dataclasses.replace(loaded, frame=kept, fingerprint=(*log_identity(loaded), PAGEVIEWS_ONLY)))


@st.cache_resource(max_entries=MAX_CUBES, ttl=TTL_SECONDS, show_spinner=False, hash_funcs=BY_DATA)
def cube(loaded: LoadedLog, bucket: str, tz: str) -> pd.DataFrame:
    """bucket × browser × country × status class × bot counts for a loaded log (what most panels draw)."""
    return _released(build_cube(loaded.frame, bucket, tz))


def file_stamp(path: str | None) -> tuple[int, int] | None:
    """Size and mtime_ns of a file, so a cache keyed by it follows edits (None: no file, or unreadable)."""
    try:
        stat = Path(path).stat() if path else None
    except OSError:
        return None
    return (stat.st_size, stat.st_mtime_ns) if stat else None


@st.cache_resource(max_entries=MAX_CUBES, ttl=TTL_SECONDS, show_spinner="Looking for anomalies…", hash_funcs=BY_DATA)
def alerts(loaded: LoadedLog, config_path: str | None, config_stamp: tuple[int, int] | None = None) -> list:
    """The alerts of a loaded log (computed once per log and version of the alerts configuration)."""
    from dashboard.alerts import detect_alerts, load_config

    return _released(detect_alerts(loaded.frame, load_config(config_path)))


@st.cache_resource(max_entries=2, show_spinner="Reading the followed log…")
def live_log(path: str, fmt: str | None, geoip: str | None, max_rows: int, store: str | None = None) -> SharedLive:
    """A followed log, shared by all sessions (it holds the file position; polls take a lock).

    With ``store``, its lines also go to that store, and a restart resumes from the store's position.
    """
    from dashboard.live.livelog import LiveLog
    from dashboard.store.follow import StoreSink

    sink = StoreSink(store, path) if store else None
    shared = SharedLive(LiveLog(path, fmt, geo=_geo(geoip), max_rows=max_rows, sink=sink))
    shared.poll()  # what the file already holds
    return shared


@st.cache_resource(max_entries=2, ttl=TTL_SECONDS, show_spinner="Reading the cube…")
def saved_cube(path: str, size: int, mtime_ns: int) -> CubeData:
    """A cube file on the server, re-read when it changes."""
    return load_cube(path, Path(path).name)


@st.cache_resource(max_entries=MAX_UPLOADS_PER_SESSION, ttl=TTL_SECONDS, scope="session", show_spinner=False)
def uploaded_cube(digest: str, _data: bytes | None, name: str) -> CubeData:
    """An uploaded cube, for this session only (``Evicted`` when asked back without its bytes and gone)."""
    if _data is None:
        raise Evicted(name)
    return load_cube(_data, name)


@st.cache_resource(max_entries=MAX_CUBES, ttl=TTL_SECONDS, show_spinner=False, hash_funcs=BY_DATA)
def rebucketed(loaded: LoadedLog, _data: CubeData, bucket: str, tz: str) -> tuple[pd.DataFrame, bool]:
    """A saved cube in the page's bucket size and zone; ``loaded`` is the cube's stand-in log, for its fingerprint."""
    return rebucket(_data, bucket, tz)


@st.cache_resource(max_entries=MAX_PREPARED, ttl=TTL_SECONDS, show_spinner="Preparing the log…", hash_funcs=BY_DATA)
def explore_prepared(loaded: LoadedLog, tz: str) -> Prepared:
    """Per-row arrays for the Explore page (a followed log's fingerprint changes with its lines)."""
    return _released(prepare(loaded.frame, tz))


@st.cache_resource(max_entries=MAX_CUBES, ttl=TTL_SECONDS, show_spinner="Counting visits…", hash_funcs=BY_DATA)
def audience(
    loaded: LoadedLog, bots: str, pages_only: bool, bucket: str, tz: str, own_hosts: tuple[str, ...] = ()
) -> AudienceData:
    """The Audience page's tables for one log and selection (visits take a sort of the whole log)."""
    return build_audience(loaded.frame, bots, pages_only, bucket, tz, own_hosts)


@st.cache_resource(max_entries=MAX_SELECTIONS, ttl=TTL_SECONDS, show_spinner=False, hash_funcs=BY_SELECTION)
def explore_data(
    loaded: LoadedLog,
    tz: str,
    filters: tuple[Filter, ...],
    period: DateRange | None,
    compare: bool,
    bucket: str | None = None,
) -> ExploreData:
    """Every Explore panel for one selection of a log; a ``FilterError`` is raised, never cached."""
    return explore(explore_prepared(loaded, tz), list(filters), period, compare=compare, bucket=bucket)


@st.cache_resource(max_entries=2, ttl=TTL_SECONDS, show_spinner="Opening the store…")
def opened_store(path: str, manifest_stamp: tuple[int, int] | None) -> tuple[Store, LoadedLog]:
    """A store and its stand-in log (no rows: the line accounting and rejects), re-opened after each ingest."""
    from dashboard.store.query import open_store
    from dashboard.store.rows import stamp, store_parse

    store = open_store(path)
    return store, LoadedLog(parse=store_parse(store), frame=empty_frame(), fingerprint=stamp(store))


@st.cache_resource(max_entries=MAX_CUBES, ttl=TTL_SECONDS, show_spinner=False, hash_funcs=BY_DATA)
def store_cube(loaded: LoadedLog, _store: Store, bucket: str, tz: str) -> pd.DataFrame:
    """A store's cube in the page's bucket and zone, from its rollups (``loaded``: its stand-in, for the key)."""
    from dashboard.store.traffic import store_cube as cube_of

    return cube_of(_store, bucket, tz)


@st.cache_resource(max_entries=MAX_WINDOWS, ttl=TTL_SECONDS, show_spinner=False, hash_funcs=BY_DATA)
def store_visitors(loaded: LoadedLog, _store: Store, start: pd.Timestamp, end: pd.Timestamp, bots: str, tz: str) -> int:
    """Unique visitors of a window of a store, from the visitor hashes of its rollups."""
    from dashboard.store.traffic import window_visitors

    return window_visitors(_store, start, end, bots, tz)


@st.cache_resource(max_entries=MAX_WINDOWS, ttl=TTL_SECONDS, show_spinner=False, hash_funcs=BY_DATA)
def store_points(loaded: LoadedLog, _store: Store, start: pd.Timestamp, end: pd.Timestamp, bots: str):
    """The located points of a window of a store (None without locations)."""
    from dashboard.store.traffic import window_points

    return window_points(_store, start, end, bots)


@st.cache_resource(max_entries=MAX_PREPARED, ttl=TTL_SECONDS, show_spinner="Reading the rows…", hash_funcs=BY_DATA)
def store_prepared(
    loaded: LoadedLog, _store: Store, tz: str, start: pd.Timestamp, end: pd.Timestamp, filters: tuple[str, ...]
) -> Prepared:
    """Explore's arrays for the rows of [start, end) that may pass ``filters`` (pushed down to DuckDB)."""
    from dashboard.analysis.filters import parse_params
    from dashboard.store.rows import EXPLORE_COLUMNS, read_rows

    rows = read_rows(_store, start, end, parse_params(filters)[0], columns=EXPLORE_COLUMNS)
    return prepare(rows, tz)


@st.cache_resource(max_entries=2, ttl=TTL_SECONDS, show_spinner="Reading the page views…", hash_funcs=BY_DATA)
def store_pageviews(loaded: LoadedLog, _store: Store) -> LoadedLog:
    """A store's page views as a log (rollups have no kind: the Traffic page counts these rows instead)."""
    from dashboard.store.traffic import pageview_rows

    frame = pageview_rows(_store)
    return _released(LoadedLog(parse=loaded.parse, frame=frame, fingerprint=(*log_identity(loaded), PAGEVIEWS_ONLY)))


@st.cache_resource(max_entries=MAX_CUBES, ttl=TTL_SECONDS, show_spinner="Looking for anomalies…", hash_funcs=BY_DATA)
def store_alerts(
    loaded: LoadedLog, _store: Store, config_path: str | None, config_stamp: tuple[int, int] | None
) -> list:
    """The alerts of a store: its rows are read for the detectors (per client and path), then let go."""
    from dashboard.alerts import detect_alerts, load_config
    from dashboard.store.rows import ALERT_COLUMNS, read_rows

    config = load_config(config_path)  # a bad configuration fails before the rows are read
    rows = read_rows(_store, columns=(*ALERT_COLUMNS, *config["surge"]["dimensions"]))
    return detect_alerts(rows, config)


@st.cache_resource(max_entries=2, ttl=TTL_SECONDS, show_spinner="Reading the rows…", hash_funcs=BY_DATA)
def store_rows(
    loaded: LoadedLog,
    _store: Store,
    columns: tuple[str, ...],
    filters: tuple[str, ...] = (),
    start: pd.Timestamp | None = None,
    end: pd.Timestamp | None = None,
    sources: bool = False,
) -> pd.DataFrame:
    """Some columns of a store's rows of [start, end) that may pass ``filters`` (pushed down)."""
    from dashboard.analysis.filters import parse_params
    from dashboard.store.rows import read_rows

    rows = read_rows(_store, start, end, parse_params(filters)[0], columns=columns, sources=sources)
    return _released(rows)


@st.cache_resource(max_entries=MAX_CUBES, ttl=TTL_SECONDS, show_spinner="Counting visits…", hash_funcs=BY_DATA)
def store_audience(
    loaded: LoadedLog, _store: Store, bots: str, pages_only: bool, bucket: str, tz: str, own_hosts: tuple[str, ...]
) -> AudienceData:
    """The Audience page's tables for a store: the rows it reads (the bot filter pushed down), then ``audience``."""
    from dashboard.store.rows import AUDIENCE_COLUMNS

    pushed = (Filter("bots", "is", bots).to_param(),) if bots != "include" else ()
    rows = store_rows(loaded, _store, AUDIENCE_COLUMNS, pushed)
    return build_audience(rows, bots, pages_only, bucket, tz, own_hosts)


def _released(value: T) -> T:
    """``value``, once the memory its computation freed went back to the OS (a cache miss builds big temporaries)."""
    release_memory()
    return value


def session_memo(slot: str, key: tuple, compute: Callable[[], Any]) -> Any:
    """The last result of one page's computation, kept in this session under ``slot`` until ``key`` changes
    (paging or reruns must not compute it again; one entry per slot bounds the memory)."""
    memo = st.session_state.setdefault(slot, {})
    if key not in memo:
        memo.clear()
        memo[key] = compute()
    return memo[key]


def clear_all() -> None:
    """Empty every cache (tests use it between runs)."""
    st.cache_resource.clear()
    st.cache_data.clear()
