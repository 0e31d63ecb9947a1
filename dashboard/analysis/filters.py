"""The global filter of the Explore page and the report: filters as data, applied to the frame with AND.

A ``Filter`` is ``(field, op, value)``, all strings, so it fits a URL query parameter as ``field:op:value``.
Predicates run once per *category* of a categorical column (a 1M-row log has a few thousand distinct paths,
not a million) and reach the rows through the category codes; code -1 (missing) is treated as "".

Regular expressions run on polars' Rust engine, which has no backtracking: a hostile pattern such as
``(a+)+$`` costs linear time instead of hanging the server. Its syntax is Rust's (no look-around or
back-references); a pattern it cannot compile is a ``FilterError`` with the engine's reason.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlsplit

import numpy as np
import pandas as pd
import polars as pl

from dashboard.analysis.pages import KIND_VALUES, PAGEVIEW, kind_mask
from dashboard.errors import DataBloomError
from dashboard.ingest.raw import regex_problem
from dashboard.schema import BOT_MODES, in_status_class

MAX_REGEX = 300
MAX_VALUE = 2000
PARAM_SEPARATOR = ":"
EQUALITY = ("is", "not")
TEXT_OPS = ("is", "not", "contains", "regex")
DIRECT = ""  # the referrer domain of requests without a referrer


class FilterError(DataBloomError):
    """A filter that cannot be applied (unknown field or operator, bad value, bad regex)."""


@dataclass(frozen=True)
class Field:
    """A filterable field: the frame column behind it and the operators it takes."""

    name: str
    column: str
    ops: tuple[str, ...]
    label: str


FIELDS: dict[str, Field] = {
    f.name: f
    for f in (
        Field("country", "country", EQUALITY, "Country"),
        Field("browser", "browser", EQUALITY, "Browser"),
        Field("os", "os", EQUALITY, "OS"),
        Field("device", "device", EQUALITY, "Device"),
        Field("bots", "is_bot", ("is",), "Bots"),
        Field("crawler", "crawler", EQUALITY, "Crawler"),
        Field("status", "status", EQUALITY, "Status"),
        Field("method", "method", EQUALITY, "Method"),
        Field("path", "path", TEXT_OPS, "Path"),
        Field("referrer", "referrer", EQUALITY, "Referrer domain"),
        Field("vhost", "vhost", EQUALITY, "Virtual host"),
        Field("ip", "ip", EQUALITY, "Client IP or network"),
        Field("kind", "path", EQUALITY, "Kind"),  # page, asset, other, or pageview (analysis.pages)
    )
}


@dataclass(frozen=True)
class Filter:
    """One condition; a list of them is combined with AND."""

    field: str
    op: str
    value: str

    def to_param(self) -> str:
        """``field:op:value`` (the value may itself contain colons)."""
        return PARAM_SEPARATOR.join((self.field, self.op, self.value))

    @property
    def label(self) -> str:
        """Plain-text chip label, e.g. ``Country is US``."""
        name = FIELDS[self.field].label if self.field in FIELDS else self.field
        value = "(direct)" if self.field == "referrer" and self.value == DIRECT else self.value
        return f"{name} {self.op} {value}"


def check_filter(f: Filter) -> Filter:
    """``f`` if it can be applied, else FilterError with the reason (regexes are compiled here)."""
    spec = FIELDS.get(f.field)
    if spec is None:
        raise FilterError(f"unknown filter field {f.field!r} (one of {', '.join(FIELDS)})")
    if f.op not in spec.ops:
        raise FilterError(f"{f.field} takes {' / '.join(spec.ops)}, not {f.op!r}")
    if len(f.value) > MAX_VALUE:
        raise FilterError(f"{f.field} value longer than {MAX_VALUE} characters")
    if f.field == "bots" and f.value not in BOT_MODES:
        raise FilterError(f"bots is one of {', '.join(BOT_MODES)}, not {f.value!r}")
    if f.field == "kind" and f.value not in KIND_VALUES:
        raise FilterError(f"kind is one of {', '.join(KIND_VALUES)}, not {f.value!r}")
    if f.field == "status":
        _status_test(f.value)
    if f.field == "ip":
        _network(f.value)
    if f.op == "regex":
        _regex_check(f.value)
    return f


def parse_param(text: str) -> Filter:
    """``field:op:value`` → Filter (checked)."""
    parts = text.split(PARAM_SEPARATOR, 2)
    if len(parts) != 3:
        raise FilterError(f"a filter reads field:op:value, not {text!r}")
    return check_filter(Filter(*parts))


PAGEVIEWS = Filter("kind", "is", PAGEVIEW)  # what the sidebar's page-views switch adds to every page's filters


def with_settings(filters: Sequence[Filter], bots: str, pageviews: bool = False) -> list[Filter]:
    """A page's filters with the sidebar's: its bot mode (unless "include") and its page-views switch."""
    applied = list(filters)
    if bots in BOT_MODES[1:] and (extra := Filter("bots", "is", bots)) not in applied:
        applied.append(extra)
    if pageviews and PAGEVIEWS not in applied:
        applied.append(PAGEVIEWS)
    return applied


def to_params(filters: Iterable[Filter]) -> list[str]:
    """Filters → query-parameter strings (one per filter, in order)."""
    return [f.to_param() for f in filters]


def parse_params(params: Iterable[str]) -> tuple[list[Filter], list[str]]:
    """Query-parameter strings → (filters, error messages for the ones that could not be read); duplicates dropped."""
    filters: list[Filter] = []
    errors: list[str] = []
    for text in params:
        try:
            f = parse_param(text)
        except FilterError as exc:
            errors.append(str(exc))
            continue
        if f not in filters:
            filters.append(f)
    return filters, errors


def referrer_domain(referrer: str) -> str:
    """Host of a referrer URL, lower case, without ``www.``; "" for none; the text itself if it is no URL."""
    text = referrer.strip()
    if not text or text == "-":
        return DIRECT
    try:
        host = urlsplit(text if "//" in text else "//" + text).hostname or ""
    except ValueError:
        host = ""
    host = host.lower()
    return host.removeprefix("www.") if host else text[:200]


@lru_cache(maxsize=16)
def _domains(referrers: tuple[str, ...]) -> np.ndarray:
    return np.array([referrer_domain(r) for r in referrers], dtype=object)


def referrer_domains(categories: Sequence[str]) -> np.ndarray:
    """Domain per referrer string (cached per category list: the page asks for it on every rerun)."""
    return _domains(tuple(categories))


def _regex_check(pattern: str) -> None:
    if len(pattern) > MAX_REGEX:
        raise FilterError(f"regular expression longer than {MAX_REGEX} characters")
    if (reason := regex_problem(pattern)) is not None:
        raise FilterError(f"invalid regular expression {pattern!r}: {reason}")


def _status_test(value: str) -> Callable[[np.ndarray], np.ndarray]:
    """A vectorized test for a status code (``404``) or class (``4xx``)."""
    text = value.strip().lower()
    if len(text) == 3 and text[0] in "12345" and text[1:] == "xx":
        return lambda status: in_status_class(status, text)
    if text.isdigit() and len(text) == 3:
        code = int(text)
        return lambda status: status == code
    raise FilterError(f"status is a code such as 404 or a class such as 4xx, not {value!r}")


def _network(value: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    try:
        return ipaddress.ip_network(value.strip(), strict=False)
    except ValueError as exc:
        raise FilterError(
            f"{value!r} is not an IP address or network (CIDR such as 10.0.0.0/8 or 2001:db8::/32)"
        ) from exc


def _category_strings(column: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(codes per row, strings per code) with missing values as code -1 → the appended "" slot."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        categories = column.cat.categories
        codes = column.cat.codes.to_numpy()
    else:
        codes, categories = pd.factorize(column, use_na_sentinel=True)
    strings = np.array([*map(str, categories), ""], dtype=object)
    return codes, strings


def _by_category(column: pd.Series, predicate: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
    """Evaluate ``predicate`` on the distinct strings and spread the answers to the rows."""
    codes, strings = _category_strings(column)
    per_value = np.asarray(predicate(strings), dtype=bool)
    return per_value[codes]  # code -1 picks the last slot, the "" appended for missing values


def _text_predicate(op: str, value: str) -> Callable[[np.ndarray], np.ndarray]:
    if op in EQUALITY:
        return lambda strings: strings == value
    if op == "contains":
        return lambda strings: pl.Series(strings.tolist(), dtype=pl.String).str.contains(value, literal=True).to_numpy()
    _regex_check(value)
    return lambda strings: pl.Series(strings.tolist(), dtype=pl.String).str.contains(value).to_numpy()


@lru_cache(maxsize=16)
def _parsed_addresses(strings: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray, dict[int, int]]:
    """IPv4 addresses as uint32 (with a validity mask) and IPv6 ones by position, parsed once per category list."""
    v4 = np.zeros(len(strings), dtype=np.uint64)
    is_v4 = np.zeros(len(strings), dtype=bool)
    v6: dict[int, int] = {}
    for i, text in enumerate(strings):
        try:
            address = ipaddress.ip_address(text)
        except ValueError:
            continue
        if address.version == 6 and address.ipv4_mapped is not None:
            address = address.ipv4_mapped
        if address.version == 4:
            v4[i], is_v4[i] = int(address), True
        else:
            v6[i] = int(address)
    return v4, is_v4, v6


def _network_predicate(value: str) -> Callable[[np.ndarray], np.ndarray]:
    network = _network(value)

    def test(strings: np.ndarray) -> np.ndarray:
        v4, is_v4, v6 = _parsed_addresses(tuple(strings.tolist()))
        base, mask = int(network.network_address), int(network.netmask)
        if network.version == 4:
            return is_v4 & ((v4 & np.uint64(mask)) == np.uint64(base))
        out = np.zeros(len(strings), dtype=bool)
        for i, number in v6.items():
            out[i] = (number & mask) == base
        return out

    return test


def bot_mask(is_bot: pd.Series | np.ndarray, mode: str) -> np.ndarray | None:
    """Rows to keep for a bot filter mode (None: keep all)."""
    if mode not in BOT_MODES:
        raise FilterError(f"bots is one of {', '.join(BOT_MODES)}, not {mode!r}")
    if mode == "include":
        return None
    values = np.asarray(is_bot, dtype=bool)
    return values if mode == "only" else ~values


def filter_mask(frame: pd.DataFrame, filters: Sequence[Filter]) -> np.ndarray:
    """Boolean row mask of ``frame`` for the AND of ``filters``."""
    keep = np.ones(len(frame), dtype=bool)
    for f in filters:
        keep &= _mask(frame, check_filter(f))
    return keep


def _mask(frame: pd.DataFrame, f: Filter) -> np.ndarray:
    spec = FIELDS[f.field]
    if spec.column not in frame.columns:
        raise FilterError(f"this log has no {spec.label.lower()} column ({spec.column})")
    column = frame[spec.column]
    if f.field == "bots":
        keep = bot_mask(column, f.value)
        return np.ones(len(frame), dtype=bool) if keep is None else keep
    if f.field == "kind":
        missing = {"method", "status"} - set(frame.columns) if f.value == PAGEVIEW else set()
        if missing:
            raise FilterError(f"page views need the {' and '.join(sorted(missing))} of each request")
        hit = kind_mask(frame, f.value)
        return ~hit if f.op == "not" else hit
    if f.field == "status":
        hit = _status_test(f.value)(column.to_numpy().astype(np.int64))
    elif f.field == "ip":
        hit = _by_category(column, _network_predicate(f.value))
    elif f.field == "referrer":
        value = f.value.strip().lower().removeprefix("www.")
        hit = _by_category(column, lambda strings: referrer_domains(tuple(strings.tolist())) == value)
    else:
        hit = _by_category(column, _text_predicate(f.op, f.value))
    return ~hit if f.op == "not" else hit
