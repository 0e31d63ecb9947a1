"""Page views vs assets: the one classifier of requests into pages, static assets and other (API, feeds, data).

A request's kind comes from the first rule that matches, in this order: the response's content type when the
log has one (a ``content_type`` column), then the "other" path prefixes and extensions, then the asset path
prefixes and extensions; anything left is a page. A page view is a GET of a page answered 2xx or 304 (a
revalidated page was still viewed; redirects and errors were not). Every surface (the sidebar's page-views switch
on every page, the ``kind:pageview`` filter, ``summary --json``, the visits) counts page views with
``pageview_mask``.
"""

from __future__ import annotations

import dataclasses
import tomllib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from dashboard.errors import DataBloomError

PAGE, ASSET, OTHER_KIND = "page", "asset", "other"
KINDS = (PAGE, ASSET, OTHER_KIND)
PAGEVIEW = "pageview"  # the ``kind`` filter's value for page views: a page, fetched and answered
KIND_VALUES = (*KINDS, PAGEVIEW)

ASSET_EXTENSIONS = (
    "css", "js", "mjs", "map", "png", "jpg", "jpeg", "gif", "svg", "webp", "avif", "ico", "bmp", "woff", "woff2",
    "ttf", "otf", "eot", "mp4", "webm", "mp3", "ogg", "wav", "pdf", "zip", "gz", "tgz", "7z", "rar", "wasm",
    "webmanifest",
)  # fmt: skip
ASSET_PREFIXES = ("/static/", "/assets/", "/_next/static/", "/build/", "/dist/")
OTHER_EXTENSIONS = ("json", "xml", "txt", "rss", "atom", "csv")
OTHER_PREFIXES = ("/api/", "/graphql", "/.well-known/", "/health", "/feed")
PAGE_CONTENT_TYPES = ("text/html", "application/xhtml+xml")
OTHER_CONTENT_TYPES = ("application/json", "application/xml", "text/xml", "text/plain", "application/rss+xml")
PAGE_STATUSES = (304,)  # besides 2xx: a revalidated page is still a page view


@dataclass(frozen=True)
class PageRules:
    """The classifier's configuration: extensions without the dot, prefixes with their leading slash."""

    asset_extensions: tuple[str, ...] = ASSET_EXTENSIONS
    asset_prefixes: tuple[str, ...] = ASSET_PREFIXES
    other_extensions: tuple[str, ...] = OTHER_EXTENSIONS
    other_prefixes: tuple[str, ...] = OTHER_PREFIXES


DEFAULT_RULES = PageRules()
_ACTIVE = [DEFAULT_RULES]  # the process's rules: --page-rules FILE on the app or the CLI, else the defaults


class PageRulesError(DataBloomError):
    """A page-rules file that cannot be used (named with the key or value at fault)."""


def use_rules(rules: PageRules) -> None:
    """Make ``rules`` the process's classifier configuration (every surface then counts with them)."""
    _ACTIVE[0] = rules


def active_rules() -> PageRules:
    """The rules the classifier uses when a caller gives none."""
    return _ACTIVE[0]


def _rule_values(key: str, value: object) -> tuple[str, ...]:
    """A list of extensions (no dot, any case) or path prefixes (leading slash) from a rules file."""
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise PageRulesError(f"page rules: {key} must be a list of non-empty strings, got {value!r}")
    if key.endswith("extensions"):
        return tuple(v.strip().lstrip(".").lower() for v in value)
    bad = [v for v in value if not v.startswith("/")]
    if bad:
        raise PageRulesError(f"page rules: {key} are path prefixes and start with '/': {bad[0]!r}")
    return tuple(v.lower() for v in value)


def rules_from(doc: dict) -> PageRules:
    """Rules from a parsed TOML document: ``asset_extensions = [...]`` replaces a default list, ``add_...`` adds."""
    fields = {f.name: getattr(DEFAULT_RULES, f.name) for f in dataclasses.fields(PageRules)}
    known = [*fields, *(f"add_{name}" for name in fields)]
    for key, value in doc.items():
        name = key.removeprefix("add_")
        if key not in known:
            raise PageRulesError(f"page rules: unknown key {key!r} (known: {', '.join(known)})")
        values = _rule_values(key, value)
        fields[name] = (*fields[name], *values) if key.startswith("add_") else values
    return PageRules(**fields)


def load_rules(path: str | Path) -> PageRules:
    """The rules of a TOML file (``--page-rules FILE``), or PageRulesError saying what is wrong with it."""
    try:
        doc = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise PageRulesError(f"page rules {path}: {exc.strerror or exc}") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise PageRulesError(f"page rules {path}: not valid TOML ({exc})") from exc
    return rules_from(doc)


def _extension(path: str) -> str:
    """The lower-case extension of a path's last segment ('' when it has none)."""
    last = path.rsplit("/", 1)[-1]
    return last.rsplit(".", 1)[-1].lower() if "." in last else ""


def classify_path(path: str, rules: PageRules | None = None, content_type: str = "") -> str:
    """The kind of one request ('page', 'asset' or 'other'): the rule the module docstring describes."""
    rules = rules or active_rules()
    media = content_type.split(";", 1)[0].strip().lower()
    if media:
        if media in PAGE_CONTENT_TYPES:
            return PAGE
        return OTHER_KIND if media in OTHER_CONTENT_TYPES else ASSET
    lower = path.lower()
    extension = _extension(lower)
    if lower.startswith(rules.other_prefixes) or extension in rules.other_extensions:
        return OTHER_KIND
    if lower.startswith(rules.asset_prefixes) or extension in rules.asset_extensions:
        return ASSET
    return PAGE


def _kind_codes(values: np.ndarray, rules: PageRules, content_types: np.ndarray | None = None) -> np.ndarray:
    """Each distinct value's position in ``KINDS``."""
    if content_types is None:
        return np.array([KINDS.index(classify_path(str(v), rules)) for v in values], dtype=np.int8)
    kinds = [classify_path(str(p), rules, str(c)) for p, c in zip(values, content_types, strict=True)]
    return np.array([KINDS.index(k) for k in kinds], dtype=np.int8)


def kind_codes(frame: pd.DataFrame, rules: PageRules | None = None) -> np.ndarray:
    """Each row's position in ``KINDS``, classified once per distinct path (or path and content type)."""
    rules = rules or active_rules()
    if frame.empty:
        return np.zeros(0, dtype=np.int8)
    if "content_type" in frame.columns:
        pairs = pd.DataFrame({"p": frame["path"].astype(str), "c": frame["content_type"].astype(str)})
        codes, uniques = pd.factorize(pd.MultiIndex.from_frame(pairs))
        table = _kind_codes(uniques.get_level_values(0).to_numpy(), rules, uniques.get_level_values(1).to_numpy())
        return table[codes]
    path = frame["path"]
    if isinstance(path.dtype, pd.CategoricalDtype):
        table = _kind_codes(path.cat.categories.to_numpy(), rules)
        codes = path.cat.codes.to_numpy()
        return np.where(codes >= 0, table[np.maximum(codes, 0)] if len(table) else 0, 0).astype(np.int8)
    codes, uniques = pd.factorize(path)
    return _kind_codes(np.asarray(uniques), rules)[codes]


def kinds(frame: pd.DataFrame, rules: PageRules | None = None) -> pd.Categorical:
    """Each row's kind as a categorical of ``KINDS``."""
    return pd.Categorical.from_codes(kind_codes(frame, rules), categories=list(KINDS))


def pageview_mask(frame: pd.DataFrame, rules: PageRules | None = None) -> np.ndarray:
    """True for the rows that are page views: a GET of a page answered 2xx or 304."""
    if frame.empty:
        return np.zeros(0, dtype=bool)
    status = frame["status"].to_numpy()
    answered = ((status >= 200) & (status < 300)) | np.isin(status, PAGE_STATUSES)
    get = (frame["method"] == "GET").to_numpy(dtype=bool)
    return (kind_codes(frame, rules) == KINDS.index(PAGE)) & answered & get


def kind_mask(frame: pd.DataFrame, value: str, rules: PageRules | None = None) -> np.ndarray:
    """True for the rows of one kind (``KIND_VALUES``): the ``kind`` filter and the page-views switch."""
    if value == PAGEVIEW:
        return pageview_mask(frame, rules)
    return kind_codes(frame, rules) == KINDS.index(value)


def count_pageviews(frame: pd.DataFrame, rules: PageRules | None = None) -> int:
    """How many page views a frame holds (``summary --json``'s ``pageviews``)."""
    return int(pageview_mask(frame, rules).sum())


def kind_totals(frame: pd.DataFrame, rules: PageRules | None = None) -> pd.DataFrame:
    """Requests and bytes per kind, every kind present (zero rows included), plus the page views."""
    codes = kind_codes(frame, rules)
    sent = frame["bytes"].to_numpy(dtype=np.float64) if len(frame) else np.zeros(0)
    return pd.DataFrame(
        {
            "kind": list(KINDS),
            "requests": np.bincount(codes, minlength=len(KINDS)).astype(np.int64),
            "bytes": np.bincount(codes, weights=sent, minlength=len(KINDS)).astype(np.int64),
        }
    )


def top_assets(frame: pd.DataFrame, top: int = 10, rules: PageRules | None = None) -> pd.DataFrame:
    """The "Static files" panel: the assets with the most requests, with their bytes."""
    assets = frame[kind_codes(frame, rules) == KINDS.index(ASSET)]
    if assets.empty:
        return pd.DataFrame({"path": pd.Series([], dtype=str), "requests": [], "bytes": []}).astype(
            {"requests": np.int64, "bytes": np.int64}
        )
    grouped = assets.groupby("path", observed=True)["bytes"].agg(requests="size", bytes="sum").reset_index()
    grouped["path"] = grouped["path"].astype(str)
    grouped = grouped.sort_values(["requests", "bytes", "path"], ascending=[False, False, True], kind="stable")
    return pd.DataFrame(
        {
            "path": grouped["path"].to_numpy()[:top],
            "requests": grouped["requests"].to_numpy(np.int64)[:top],
            "bytes": grouped["bytes"].to_numpy(np.int64)[:top],
        }
    )
