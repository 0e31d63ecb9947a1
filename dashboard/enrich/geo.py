"""IP address → country (and location, with a City database), read from a MaxMind DB (``.mmdb``) file.

Two record layouts are read: the flat one of DB-IP Lite / ip-location-db (``{'country_code': 'US'}``, a City
variant adds top-level ``latitude``/``longitude``) and the nested one of MaxMind GeoLite2/GeoIP2 and DB-IP's
official files (``{'country': {'iso_code': 'US'}, 'location': {'latitude': .., 'longitude': ..}}``, with
``registered_country`` used when ``country`` is absent).

Addresses the database does not place in a country get a label instead of a code: ``private`` (RFC 1918,
RFC 6598 carrier-grade NAT, fc00::/7, loopback, link-local), ``reserved`` (unspecified, multicast,
documentation, benchmarking and other special-purpose ranges) or ``unknown`` (not an IP address, or a public
address missing from the database). An address found in the database keeps the database's answer.
"""

from __future__ import annotations

import ipaddress
import math
import os
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import maxminddb
import numpy as np
import pandas as pd
import pycountry

from dashboard.errors import DataBloomError
from dashboard.resources import GEOIP_DB
from dashboard.schema import PRIVATE, RESERVED, UNKNOWN, is_country

GEOIP_ENV = "DATABLOOM_GEOIP"
DEFAULT_GEOIP = GEOIP_DB

LABEL_NAMES = {PRIVATE: "Private network", RESERVED: "Reserved address", UNKNOWN: "Unknown"}
# Codes found in GeoIP databases that ISO 3166-1 (and so pycountry) does not have.
NAME_OVERRIDES = {"XK": "Kosovo", "EU": "European Union", "AP": "Asia/Pacific Region"}
# Inside-network ranges beyond loopback and link-local, which ``ipaddress`` tests directly.
PRIVATE_RANGES = ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "fc00::/7")
PRIVATE_NETWORKS = tuple(ipaddress.ip_network(n) for n in PRIVATE_RANGES)
# Well-known public addresses looked up at open time: a corrupt search tree fails here rather than mid-log,
# and a record with a location reveals a City-like database whatever its type string says.
PROBE_IPS = ("8.8.8.8", "1.1.1.1", "81.2.69.160", "2001:4860:4860::8888", "2a02:ff0::1")

SEEN_ADDRESSES = 100_000  # addresses whose answers a database remembers (cleared when over)

_NAMES: dict[str, str] = {}


class GeoDatabaseError(DataBloomError):
    """A GeoIP database that is missing, unreadable or not a valid MaxMind DB file."""


def country_name(code: str) -> str:
    """Display name for an alpha-2 code or a non-country label; the code itself when nothing is known."""
    name = _NAMES.get(code)
    if name is None:
        name = LABEL_NAMES.get(code) or NAME_OVERRIDES.get(code)
        if name is None:
            country = pycountry.countries.get(alpha_2=code) if len(code) == 2 else None
            name = (getattr(country, "common_name", None) or country.name) if country else code
        _NAMES[code] = name
    return name


def resolve_geoip_path(path: str | Path | None) -> Path:
    """The database to open: ``path`` if given, else ``$DATABLOOM_GEOIP``, else the bundled DB-IP file."""
    if path:
        return Path(path).expanduser()
    env = os.environ.get(GEOIP_ENV, "").strip()
    return Path(env).expanduser() if env else DEFAULT_GEOIP


def open_geo_database(path: str | Path | None = None) -> GeoDatabase:
    """Open a MaxMind DB file (path as in ``resolve_geoip_path``); raise ``GeoDatabaseError`` if unusable."""
    resolved = resolve_geoip_path(path)
    if not resolved.exists():
        raise GeoDatabaseError(f"GeoIP database not found: {resolved}")
    if resolved.is_dir():
        raise GeoDatabaseError(f"GeoIP database {resolved} is a directory, not a MaxMind DB (.mmdb) file")
    try:
        if resolved.stat().st_size == 0:
            raise GeoDatabaseError(f"GeoIP database {resolved} is empty, not a MaxMind DB (.mmdb) file")
        reader = maxminddb.open_database(str(resolved), maxminddb.MODE_AUTO)
    except (maxminddb.InvalidDatabaseError, ValueError) as exc:
        raise GeoDatabaseError(
            f"GeoIP database {resolved} is not a MaxMind DB (.mmdb) file or is corrupt: {exc}"
        ) from exc
    except OSError as exc:
        raise GeoDatabaseError(f"GeoIP database {resolved} cannot be read: {exc.strerror or exc}") from exc
    return GeoDatabase(reader, resolved)


def _parse(text: Any) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The address in ``text`` (IPv4-mapped IPv6 unwrapped to IPv4), or None if it is not one."""
    if not isinstance(text, str):
        return None
    try:
        address = ipaddress.ip_address(text.strip().removeprefix("[").removesuffix("]"))
    except ValueError:
        return None
    if address.version == 6 and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def special_label(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    """``private`` or ``reserved`` for a special-purpose address, None for an ordinary public one."""
    if address.is_loopback or address.is_link_local or any(address in net for net in PRIVATE_NETWORKS):
        return PRIVATE
    # ``is_private`` also covers documentation, benchmarking and 0.0.0.0/8; multicast counts as "global".
    if address.is_multicast or address.is_unspecified or address.is_reserved or address.is_private:
        return RESERVED
    return None if address.is_global else RESERVED


def _record_code(record: Any) -> str | None:
    """The country code of a flat or nested record, as stored."""
    if not isinstance(record, dict):
        return None
    code = record.get("country_code")
    if code is None:
        country = record.get("country") or record.get("registered_country")
        code = country.get("iso_code") if isinstance(country, dict) else None
    return code if isinstance(code, str) else None


def _record_location(record: Any) -> tuple[float, float]:
    """(lat, lon) of a flat or nested record, NaN when it has none."""
    if not isinstance(record, dict):
        return math.nan, math.nan
    location = record.get("location")
    source = location if isinstance(location, dict) else record
    lat, lon = source.get("latitude"), source.get("longitude")
    if isinstance(lat, int | float) and isinstance(lon, int | float):
        return float(lat), float(lon)
    return math.nan, math.nan


class GeoDatabase:
    """An open GeoIP database: bulk lookups of unique addresses, and its networks for sample generation."""

    def __init__(self, reader: maxminddb.Reader, path: Path) -> None:
        """Wrap an open reader; use ``open_geo_database`` rather than this."""
        self._reader = reader
        self._closed = False
        self.path = path
        # Raw code as stored → (alpha-2 or "unknown", display name): one dict hit per address.
        self._codes: dict[str | None, tuple[str, str]] = {}
        self._seen: dict[str, tuple[str, str, float, float]] = {}  # address → lookup_many's row
        try:
            meta = reader.metadata()
            self.database_type = str(meta.database_type)
            built = datetime.fromtimestamp(int(meta.build_epoch), UTC).date().isoformat()
            probes = [reader.get(ip) for ip in PROBE_IPS if meta.ip_version == 6 or ":" not in ip]
        except (maxminddb.InvalidDatabaseError, ValueError, TypeError, OverflowError) as exc:
            reader.close()
            raise GeoDatabaseError(f"GeoIP database {path} is corrupt: {exc}") from exc
        self.description = f"{self.database_type} (built {built})"
        self.has_locations = "city" in self.database_type.lower() or any(
            not math.isnan(_record_location(record)[0]) for record in probes
        )

    def _code(self, raw: str | None) -> tuple[str, str]:
        """(country, country_name) for a raw record code, cached."""
        known = self._codes.get(raw)
        if known is None:
            code = raw.strip().upper() if raw else UNKNOWN
            if not is_country(code):
                code = UNKNOWN
            known = self._codes[raw] = (code, country_name(code))
        return known

    def _check_open(self) -> None:
        """Raise rather than answer ``unknown`` for every address of a closed database."""
        if self._closed:
            raise GeoDatabaseError(f"GeoIP database {self.path} is closed")

    def _fallback(self, ip: Any) -> tuple[str | None, Any]:
        """(label, None) or (None, record) for an address the fast path missed: special, mapped or unknown."""
        address = _parse(ip)
        if address is None:
            return UNKNOWN, None
        label = special_label(address)
        if label is not None:
            return label, None
        normal = str(address)
        if normal != ip:  # IPv4-mapped IPv6, brackets, spaces: retry in the canonical form
            try:
                record = self._reader.get(normal)
            except ValueError:
                record = None
            if record is not None:
                return None, record
        return UNKNOWN, None

    def _lookup(self, ip: Any) -> tuple[str, str, float, float]:
        """(country, country_name, lat, lon) of one address; NaN location when the record has none."""
        try:
            record = self._reader.get(ip)
        except (ValueError, TypeError):
            record = None
        if record is None:
            label, record = self._fallback(ip)
            if label is not None:
                return label, country_name(label), math.nan, math.nan
        code, name = self._code(_record_code(record))
        lat, lon = _record_location(record) if self.has_locations else (math.nan, math.nan)
        return code, name, lat, lon

    def lookup_many(self, ips: Sequence[str]) -> pd.DataFrame:
        """One row per input, in order: country, country_name, lat, lon (float32; NaN without locations).

        Answers are remembered across calls (bounded): a store ingest looks up each batch's addresses, mostly
        those of the batches before.
        """
        self._check_open()
        seen = self._seen
        if len(seen) > SEEN_ADDRESSES:
            seen.clear()
        rows = []
        try:
            for ip in ips:
                row = seen.get(ip) if isinstance(ip, str) else None
                if row is None:
                    row = self._lookup(ip)
                    if isinstance(ip, str):
                        seen[ip] = row
                rows.append(row)
        except maxminddb.InvalidDatabaseError as exc:
            raise GeoDatabaseError(f"GeoIP database {self.path} is corrupt: {exc}") from exc
        countries, names, lats, lons = zip(*rows, strict=True) if rows else ((), (), (), ())
        return pd.DataFrame(
            {
                "country": list(countries),
                "country_name": list(names),
                "lat": np.array(lats, dtype=np.float32),
                "lon": np.array(lons, dtype=np.float32),
            }
        )

    def country_of(self, ip: str) -> str:
        """Country code or label of one address (use ``lookup_many`` for many)."""
        return str(self.lookup_many([ip])["country"].iloc[0])

    def iter_networks(self) -> Iterator[tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, str]]:
        """Every network of the database whose record has a country, with its alpha-2 code."""
        self._check_open()
        try:
            for network, record in self._reader:
                code = self._code(_record_code(record))[0]
                if code != UNKNOWN:
                    yield network, code
        except maxminddb.InvalidDatabaseError as exc:
            raise GeoDatabaseError(f"GeoIP database {self.path} is corrupt: {exc}") from exc

    def close(self) -> None:
        """Release the file (idempotent)."""
        if not self._closed:
            self._closed = True
            self._reader.close()

    def __enter__(self) -> Self:
        """Context-manager entry: the database itself."""
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        """Close on leaving the ``with`` block."""
        self.close()

    def __repr__(self) -> str:
        """Path and description."""
        return f"GeoDatabase({str(self.path)!r}, {self.description!r})"
