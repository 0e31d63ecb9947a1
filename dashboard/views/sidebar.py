"""The shared sidebar: which log, which format, time zone, bucket size, bot filter and what is counted.

Source, bucket, time zone, bot filter and the page-views switch are bound to the URL, so a copied link reopens the
same view.
A log that fails to load is reported by the page in its main area (``Settings.failure``), instead of any log.
"""

from __future__ import annotations

import dataclasses
import zoneinfo
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import streamlit as st

from dashboard.analysis.buckets import BUCKETS, DEFAULT_BUCKET, LIVE_BUCKET
from dashboard.analysis.cube import CubeData, is_parquet
from dashboard.analysis.pages import DEFAULT_RULES, PageRulesError, use_rules
from dashboard.errors import DataBloomError
from dashboard.ingest.formats import FORMATS, LogFormat, UnknownFormatError
from dashboard.ingest.parse import ParseResult
from dashboard.ingest.sources import SourceError
from dashboard.live.shared import SharedLive
from dashboard.pipeline import LoadedLog
from dashboard.schema import BOT_MODES, empty_frame
from dashboard.views import cache, guard, icons, store_source
from dashboard.views.config import AppConfig, allowed_path

if TYPE_CHECKING:
    from dashboard.store.query import Store

SAMPLE, UPLOAD, SERVER, LIVE, CUBE, STORE = "Sample", "Upload", "Server log", "Live", "Cube", store_source.STORE
UPLOAD_TYPES = ["log", "txt", "gz", "bz2", "parquet"]
AUTO, CUSTOM = "auto", "custom…"
LOAD_ERRORS = (DataBloomError, OSError)
KEY = "sidebar_"
DEFAULT_TZ = "UTC"
PAGEVIEWS_HELP = (
    "count page views instead of every request, on every page: GETs of pages answered 2xx or 304, "
    "not assets (CSS, JS, images…), API calls, redirects or errors; the query bar's kind:pageview"
)
PAGEVIEWS_NOTE = (
    "Counting **page views** only (the sidebar's switch): GETs of pages answered 2xx or 304; assets, API calls, "
    "redirects and errors are left out."
)


@dataclass(frozen=True)
class Settings:
    """What the sidebar selected."""

    source: str
    bucket: str
    tz: str
    bots: str
    anonymise: bool = False
    pageviews: bool = False  # every page counts page views (``analysis.pages.pageview_mask``) instead of requests
    failure: str | None = None  # why the chosen log could not be loaded: the page shows it instead of a log


@dataclass(frozen=True)
class LogRef:
    """How to find a log again in the caches: all that session state keeps of the last good one."""

    source: str  # SAMPLE, UPLOAD, SERVER, LIVE, CUBE or STORE
    path: str | None = None
    fmt: str | None = None
    name: str | None = None
    digest: str | None = None  # an upload's SHA-256
    is_cube: bool = False  # an uploaded cube rather than a log


@dataclass(frozen=True)
class Selected:
    """The log on screen: how to find it again, a display name, and whether it is the sample."""

    ref: LogRef
    name: str
    loaded: LoadedLog
    is_sample: bool
    live: SharedLive | None = None  # set when the log is followed
    cube: CubeData | None = None  # a saved cube instead of rows
    anonymise: bool = False  # client addresses are masked where shown; every figure is counted before
    store: Store | None = dataclasses.field(default=None, compare=False)  # an opened store: rows stay on disk


def _zones() -> list[str]:
    return [DEFAULT_TZ, *sorted(z for z in zoneinfo.available_timezones() if z != DEFAULT_TZ and "/" in z)]


def opening_source(config: AppConfig) -> str:
    """The source the sidebar opens on: the operator's --follow, --cube, --store or --log, else the sample."""
    named = ((LIVE, config.follow), (CUBE, config.cube), (STORE, config.store), (SERVER, config.logs))
    return next((source for source, given in named if given), SAMPLE)


def open_opening(config: AppConfig) -> Selected | None:
    """What a first visit opens (``opening_source`` at its first log), read into the caches as the sidebar reads it;
    None for a followed log, whose reader starts with the first page. ``views.warm`` calls it at server start."""
    source = opening_source(config)
    if source == LIVE:
        return None
    if source == SERVER:
        return _open(config, _server_ref(config, str(config.logs[0]), None))
    if source == STORE:
        return _open(config, LogRef(STORE, store_source.default_path(config)))
    return _open(config, LogRef(source))


def _format_choice(config: AppConfig) -> str | None:
    options = [AUTO, *FORMATS, CUSTOM]
    default = config.format if config.format in FORMATS else AUTO
    choice = st.selectbox(
        "Log format",
        options,
        index=options.index(default),
        key=KEY + "format",
        help="auto-detects from the first lines; custom takes an Apache LogFormat or nginx log_format string",
    )
    if choice == CUSTOM:
        custom = st.text_input(
            "Format string", value=config.format or "", key=KEY + "format_string", placeholder='%h %l %u %t "%r" %>s %b'
        )
        return custom or None
    return None if choice == AUTO else choice


def _use_page_rules(config: AppConfig) -> None:
    """The operator's --page-rules for every page (read once per server: restart it after editing the file); a bad
    file is one warning and the default rules."""
    if config.page_rules is None:
        use_rules(DEFAULT_RULES)
        return
    try:
        use_rules(cache.page_rules(str(config.page_rules)))
    except PageRulesError as exc:
        use_rules(DEFAULT_RULES)
        st.warning(f"{exc}. Pages and assets are told apart with the default rules.", icon=icons.WARNING)


def render(config: AppConfig) -> tuple[Settings, Selected | None]:
    """Draw the sidebar and load the chosen log (or keep the previous one when loading fails)."""
    _use_page_rules(config)
    sources = [SAMPLE, UPLOAD] + ([SERVER] if config.logs or config.allow_dirs else [])
    sources += [LIVE] if config.follow else []
    sources += [CUBE] if config.cube else []
    sources += [STORE] if store_source.offered(config) else []
    default_source = opening_source(config)
    with st.sidebar:
        st.header("Log")
        source = st.radio(
            "Source", sources, index=sources.index(default_source), key="source", bind="query-params", horizontal=True
        )
        fmt = _format_choice(config)
        st.header("View")
        zones = _zones()
        tz = st.selectbox("Time zone", zones, index=0, key="tz", bind="query-params")
        _live_bucket(source == LIVE or (source == SERVER and st.session_state.get(KEY + "follow", False)))
        bucket = st.selectbox("Bucket", BUCKETS, index=BUCKETS.index(DEFAULT_BUCKET), key="bucket", bind="query-params")
        bots = st.radio("Bots", BOT_MODES, index=0, key="bots", bind="query-params", horizontal=True)
        pageviews = st.toggle(
            "Count page views only", value=False, key="pageviews", bind="query-params", help=PAGEVIEWS_HELP
        )
        anonymise = st.toggle(
            "Anonymise IPs",
            value=False,
            key="anon",
            bind="query-params",
            help="mask the last IPv4 octet / last 80 bits of IPv6 in what is shown: tables, alerts, exports, "
            "rejected lines. Visitors, alerts and every count are computed from the full addresses first",
        )
        selected, failure = _load(config, source, fmt)
        if selected is not None and selected.cube is None:
            selected = dataclasses.replace(selected, anonymise=anonymise)
    settings = Settings(source, bucket, tz, bots, anonymise=anonymise, pageviews=pageviews, failure=failure)
    return settings, selected


def counting_note(settings: Settings, selected: Selected | None) -> None:
    """One line under a page's title saying that its counts are page views, when the sidebar's switch is on
    (a saved cube has no kinds: the Traffic page says so instead)."""
    if settings.pageviews and selected is not None and selected.cube is None:
        st.caption(PAGEVIEWS_NOTE)


def _live_bucket(live: bool) -> None:
    """Following a log starts at minute buckets (a 4-hour bucket is one bar); leaving it restores the default.

    Only on the switch itself, and never over a bucket the link or the user chose.
    """
    was_live = st.session_state.get(KEY + "live")
    st.session_state[KEY + "live"] = live
    if live == bool(was_live):
        return
    current = st.session_state.get("bucket")
    if live and current in (None, DEFAULT_BUCKET) and (was_live is not None or "bucket" not in st.query_params):
        st.session_state["bucket"] = LIVE_BUCKET
    elif not live and was_live and current == LIVE_BUCKET:
        st.session_state["bucket"] = DEFAULT_BUCKET


def _load(config: AppConfig, source: str, fmt: str | None) -> tuple[Selected | None, str | None]:
    """The chosen log, or why it failed; nothing chosen yet (an empty uploader): the last log that loaded."""
    try:
        selected = _load_source(config, source, fmt)
    except Exception as exc:  # shown in the main area by the page; a bug's traceback goes to the server log
        failure = guard.failure(exc, "Loading a log", LOAD_ERRORS)
        return None, f"the store could not be opened: {failure}" if source == STORE else failure
    if selected is not None:
        st.session_state[KEY + "last"] = selected.ref
        return selected, None
    last = st.session_state.get(KEY + "last")
    if last is None:
        return None, None
    try:
        return _open(config, last), None
    except (*LOAD_ERRORS, cache.Evicted):
        del st.session_state[KEY + "last"]
        return None, None


def _load_source(config: AppConfig, source: str, fmt: str | None) -> Selected | None:
    """Read the source's widgets and open what they name."""
    if source in (SAMPLE, CUBE):
        return _open(config, LogRef(source))
    if source == LIVE:
        return _open(config, LogRef(LIVE, str(config.follow), fmt or config.format))
    if source == UPLOAD:
        return _upload(config, fmt)
    if source == STORE:
        return _open(config, LogRef(STORE, store_source.requested_path(config)))
    names = [str(p) for p in config.logs]
    if config.allow_dirs:
        requested = st.text_input(
            "Path on the server",
            value=names[0] if names else "",
            key=KEY + "path",
            help="only files the operator allowed with --log or --allow-dir",
        )
    else:
        requested = st.selectbox("Log file", names, key=KEY + "path_choice")
    ref = _server_ref(config, requested, fmt)
    if st.toggle("Follow live (tail -F)", key=KEY + "follow", help="update the page as the file grows"):
        return _open(config, dataclasses.replace(ref, source=LIVE))
    return _open(config, ref)


def _server_ref(config: AppConfig, requested: str, fmt: str | None) -> LogRef:
    """A server log the operator allowed, in the chosen format or the operator's --format: the cache key that the
    sidebar and the warm-up (``open_opening``) both read, so the log is parsed once."""
    return LogRef(SERVER, str(allowed_path(config, requested)), fmt or config.format)


def _upload(config: AppConfig, fmt: str | None) -> Selected | None:
    upload = st.file_uploader(
        "Access log",
        type=UPLOAD_TYPES,
        key=KEY + "upload",
        help="plain text, .gz or .bz2; the size limit is server.maxUploadSize",
    )
    if upload is None:
        st.caption("Choose a file to analyse it.")
        return None
    data = upload.getvalue()
    if not data:
        raise SourceError(f"{upload.name} is empty")
    ref = LogRef(UPLOAD, fmt=fmt, name=upload.name, digest=_digest(upload.file_id, data), is_cube=is_parquet(data))
    if ref.is_cube:
        return _open(config, ref, data)
    bar = st.progress(0.0, text=f"Parsing {upload.name}…")

    def progress(done: int) -> None:
        bar.progress(min(done / len(data), 1.0), text=f"Parsing {upload.name}… {done / 1e6:,.0f} MB")

    try:
        return _open(config, ref, data, progress)
    finally:
        bar.empty()


def _digest(file_id: str, data: bytes) -> str:
    """The upload's SHA-256, hashed once per uploaded file, not again on each full rerun (a bucket or filter change)."""
    known = st.session_state.get(KEY + "digest")
    if known is None or known[0] != file_id:
        known = st.session_state[KEY + "digest"] = (file_id, cache.digest(data))
    return known[1]


def _open(config: AppConfig, ref: LogRef, data: bytes | None = None, progress=None) -> Selected:
    """The log a ``LogRef`` names, from the caches (an upload's bytes are needed only the first time)."""
    if ref.source == SAMPLE:
        loaded = cache.sample_log(config.sample_lines, config.geoip)
        return Selected(ref=ref, name="sample", loaded=loaded, is_sample=True)
    if ref.source == LIVE:
        # The operator's --follow log goes into the operator's --store, so a restart continues with its history.
        into = str(config.store) if config.store and config.follow and ref.path == str(config.follow) else None
        shared = cache.live_log(ref.path, ref.fmt, config.geoip, config.follow_rows, into)
        return Selected(ref=ref, name=Path(ref.path).name, loaded=shared.current(), is_sample=False, live=shared)
    if ref.source == STORE:
        store, loaded = store_source.open_path(config, ref.path)
        return Selected(ref=ref, name=store.path.name, loaded=loaded, is_sample=False, store=store)
    if ref.source == CUBE:
        stat = config.cube.stat()
        data = cache.saved_cube(str(config.cube), stat.st_size, stat.st_mtime_ns)
        return _cube_selected(ref, config.cube.name, data, ("cube", str(config.cube), stat.st_size, stat.st_mtime_ns))
    if ref.source == UPLOAD and ref.is_cube:
        cube = cache.uploaded_cube(ref.digest, data, ref.name)
        return _cube_selected(ref, ref.name, cube, ("cube-upload", ref.digest))
    if ref.source == UPLOAD:
        loaded = cache.uploaded_log(
            ref.digest, data, ref.name, ref.fmt, config.geoip, config.max_decompressed, progress
        )
        _check_parsed(loaded, ref.name)
        return Selected(ref=ref, name=ref.name, loaded=loaded, is_sample=False)
    path = Path(ref.path)
    loaded = cache.server_log_for(path, ref.fmt, config.geoip)
    _check_parsed(loaded, path.name)
    return Selected(ref=ref, name=path.name, loaded=loaded, is_sample=False)


def _cube_selected(ref: LogRef, name: str, data: CubeData, fingerprint: tuple) -> Selected:
    """A Selected for a cube: no rows, the cube instead (the stand-in log carries the cube's fingerprint)."""
    fmt = LogFormat(name="cube", kind="cube", description="a saved cube")
    parse = ParseResult(frame=empty_frame(), format=fmt, lines=data.requests, sources=[name])
    loaded = LoadedLog(parse=parse, frame=parse.frame, fingerprint=fingerprint)
    return Selected(ref=ref, name=name, loaded=loaded, is_sample=False, cube=data)


def _check_parsed(loaded: LoadedLog, name: str) -> None:
    """A log with lines but no parsed line is an error, with the first reasons."""
    parse = loaded.parse
    if parse.lines == 0:
        raise SourceError(f"{name} is empty")
    if parse.parsed == 0:
        reasons = ", ".join(f"{r} ({n:,})" for r, n in parse.reasons.most_common(3))
        raise UnknownFormatError(
            f"none of the {parse.lines:,} lines of {name} is in the {parse.format.name} format: {reasons}",
            web="choose another log format in the sidebar",
        )
