"""The shared sidebar: which log, which format, time zone, bucket size and bot filter.

Source, bucket, time zone and bot filter are bound to the URL, so a copied link reopens the same view.
A log that fails to load shows one clear error and the previous data stays on screen.
"""

from __future__ import annotations

import dataclasses
import zoneinfo
from dataclasses import dataclass

import streamlit as st

from dashboard.analysis.aggregate import AggregateError
from dashboard.analysis.cubes import CubeData, CubeError, is_parquet
from dashboard.enrich.geo import GeoDatabaseError
from dashboard.ingest.formats import FORMATS, LogFormat, UnknownFormatError
from dashboard.ingest.parse import ParseResult, empty_frame
from dashboard.ingest.sources import SourceError
from dashboard.pipeline import LoadedLog
from dashboard.views import cache
from dashboard.views.config import AppConfig, PathNotAllowedError, allowed_path

SAMPLE, UPLOAD, SERVER, LIVE, CUBE = "Sample", "Upload", "Server log", "Live", "Cube"
BUCKETS = ("15min", "1h", "4h", "1D")
DEFAULT_BUCKET = "4h"
BOT_CHOICES = ("include", "exclude", "only")
UPLOAD_TYPES = ["log", "txt", "gz", "bz2", "parquet"]
AUTO, CUSTOM = "auto", "custom…"
LOAD_ERRORS = (
    CubeError,
    UnknownFormatError,
    SourceError,
    GeoDatabaseError,
    AggregateError,
    PathNotAllowedError,
    OSError,
)
KEY = "sidebar_"


@dataclass(frozen=True)
class Settings:
    """What the sidebar selected."""

    source: str
    bucket: str
    tz: str
    bots: str
    anonymise: bool = False


@dataclass(frozen=True)
class Selected:
    """The log on screen: a key identifying it, a display name, and whether it is the sample."""

    key: str
    name: str
    loaded: LoadedLog
    is_sample: bool
    live: object | None = None  # a live.SharedLive when the log is followed
    cube: CubeData | None = None  # a saved cube instead of rows
    anonymise: bool = False  # addresses are masked (also in what a live poll brings)


def _zones() -> list[str]:
    return ["UTC", *sorted(z for z in zoneinfo.available_timezones() if z != "UTC" and "/" in z)]


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


def render(config: AppConfig) -> tuple[Settings, Selected | None]:
    """Draw the sidebar and load the chosen log (or keep the previous one when loading fails)."""
    sources = [SAMPLE, UPLOAD] + ([SERVER] if config.logs or config.allow_dirs else [])
    sources += [LIVE] if config.follow else []
    sources += [CUBE] if config.cube else []
    default_source = LIVE if config.follow else CUBE if config.cube else SERVER if config.logs else SAMPLE
    with st.sidebar:
        st.header("Log")
        source = st.radio(
            "Source", sources, index=sources.index(default_source), key="source", bind="query-params", horizontal=True
        )
        fmt = _format_choice(config)
        st.header("View")
        zones = _zones()
        tz = st.selectbox("Time zone", zones, index=0, key="tz", bind="query-params")
        bucket = st.selectbox("Bucket", BUCKETS, index=BUCKETS.index(DEFAULT_BUCKET), key="bucket", bind="query-params")
        bots = st.radio("Bots", BOT_CHOICES, index=0, key="bots", bind="query-params", horizontal=True)
        anonymise = st.toggle(
            "Anonymise IPs",
            value=False,
            key="anon",
            bind="query-params",
            help="mask the last IPv4 octet / last 80 bits of IPv6 everywhere: tables, alerts, exports, rejected lines",
        )
        selected = _load(config, source, fmt)
        if anonymise and selected is not None and selected.cube is None and not selected.anonymise:
            selected = dataclasses.replace(
                selected,
                key=selected.key + ":anon",
                loaded=cache.anonymised(selected.key, selected.loaded),
                anonymise=True,
            )
    return Settings(source=source, bucket=bucket, tz=tz, bots=bots, anonymise=anonymise), selected


def _load(config: AppConfig, source: str, fmt: str | None) -> Selected | None:
    try:
        selected = _load_source(config, source, fmt)
    except LOAD_ERRORS as exc:
        st.error(f"Could not load this log: {exc}", icon="⚠️")
        selected = None
    if selected is not None:
        st.session_state["last_selected"] = selected
        return selected
    return st.session_state.get("last_selected")


def _load_source(config: AppConfig, source: str, fmt: str | None) -> Selected | None:
    if source == SAMPLE:
        loaded = cache.sample_log(config.sample_lines, config.geoip)
        return Selected(key=f"sample:{config.sample_lines}", name="sample", loaded=loaded, is_sample=True)
    if source == LIVE:
        return _live_selected(config.follow, fmt or config.format, config)
    if source == CUBE:
        stat = config.cube.stat()
        data = cache.saved_cube(str(config.cube), stat.st_size, stat.st_mtime)
        return _cube_selected(f"cube:{config.cube}:{stat.st_mtime}", config.cube.name, data)
    if source == UPLOAD:
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
        digest = cache.digest(data)
        if not data:
            raise SourceError(f"{upload.name} is empty")
        if is_parquet(data):
            return _cube_selected(f"cube-upload:{digest}", upload.name, cache.uploaded_cube(digest, data, upload.name))
        bar = st.progress(0.0, text=f"Parsing {upload.name}…")

        def progress(done: int) -> None:
            bar.progress(min(done / len(data), 1.0), text=f"Parsing {upload.name}… {done / 1e6:,.0f} MB")

        try:
            loaded = cache.uploaded_log(digest, data, upload.name, fmt, config.geoip, config.max_decompressed, progress)
        finally:
            bar.empty()
        _check_parsed(loaded, upload.name)
        return Selected(key=f"upload:{digest}:{fmt}", name=upload.name, loaded=loaded, is_sample=False)
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
    path = allowed_path(config, requested)
    if st.toggle("Follow live (tail -F)", key=KEY + "follow", help="update the page as the file grows"):
        return _live_selected(path, fmt or config.format, config)
    loaded = cache.server_log_for(path, fmt or config.format, config.geoip)
    _check_parsed(loaded, path.name)
    return Selected(key=f"path:{path}:{fmt}", name=path.name, loaded=loaded, is_sample=False)


def _live_selected(path, fmt: str | None, config: AppConfig) -> Selected:
    """A followed log; the page's live fragment reads new lines (unless paused)."""
    shared = cache.live_log(str(path), fmt, config.geoip, config.follow_rows)
    loaded = shared.current()
    return Selected(
        key=f"live:{path}:{loaded.parse.lines}:{len(loaded.frame)}",
        name=path.name,
        loaded=loaded,
        is_sample=False,
        live=shared,
    )


def _cube_selected(key: str, name: str, data: CubeData) -> Selected:
    """A Selected for a cube: no rows, the cube instead."""
    fmt = LogFormat(name="cube", kind="cube", description="a saved cube")
    parse = ParseResult(frame=empty_frame(), format=fmt, lines=data.requests, sources=[name])
    return Selected(key=key, name=name, loaded=LoadedLog(parse=parse, frame=parse.frame), is_sample=False, cube=data)


def _check_parsed(loaded: LoadedLog, name: str) -> None:
    """A log with lines but no parsed line is an error, with the first reasons."""
    parse = loaded.parse
    if parse.lines == 0:
        raise SourceError(f"{name} is empty")
    if parse.parsed == 0:
        reasons = ", ".join(f"{r} ({n:,})" for r, n in parse.reasons.most_common(3))
        raise UnknownFormatError(
            f"none of the {parse.lines:,} lines of {name} is in the {parse.format.name} format: {reasons}"
        )
