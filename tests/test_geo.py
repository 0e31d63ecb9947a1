"""GeoIP lookups on tiny databases built in the test (both record layouts) and on the bundled DB-IP file."""

from __future__ import annotations

import ipaddress
import itertools
import math
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from mmdb_writer import MMDBWriter
from netaddr import IPSet

from dashboard.enrich.geo import (
    DEFAULT_GEOIP,
    GEOIP_ENV,
    GeoDatabase,
    GeoDatabaseError,
    country_name,
    open_geo_database,
    resolve_geoip_path,
)
from dashboard.schema import GEO_COLUMNS, NON_COUNTRIES, PRIVATE, RESERVED, UNKNOWN, is_country

LatLon = tuple[float, float]
LONDON = (51.5142, -0.0931)
STOCKHOLM = (59.3294, 18.0686)

# DB-IP Lite / ip-location-db layout: flat records.
FLAT_RECORDS = {
    "8.8.8.0/24": {"country_code": "US"},
    "81.2.69.0/24": {"country_code": "GB"},
    "5.57.32.0/21": {"country_code": "XK"},
    "2001:4860::/32": {"country_code": "US"},
    "2a01:e00::/26": {"country_code": "FR"},
}
# MaxMind GeoLite2/GeoIP2 City layout: nested records with locations.
CITY_RECORDS = {
    "81.2.69.0/24": {
        "country": {"iso_code": "GB", "names": {"en": "United Kingdom"}},
        "location": {"latitude": LONDON[0], "longitude": LONDON[1], "accuracy_radius": 100},
    },
    "89.160.20.0/24": {"registered_country": {"iso_code": "SE"}},
    "1.0.0.0/24": {"continent": {"code": "OC"}},
    "2a02:ff0::/32": {
        "country": {"iso_code": "SE"},
        "registered_country": {"iso_code": "DE"},
        "location": {"latitude": STOCKHOLM[0], "longitude": STOCKHOLM[1]},
    },
}
# A database whose type says nothing, with ip-location-db's flat City records: found by probing.
FLAT_CITY_RECORDS = {"81.2.69.0/24": {"country_code": "GB", "latitude": LONDON[0], "longitude": LONDON[1]}}


def write_mmdb(path: Path, records: dict[str, dict], database_type: str, ip_version: int = 6) -> Path:
    """Write ``records`` (network → record) to a MaxMind DB file and return its path."""
    v4_in_v6 = ip_version == 6
    writer = MMDBWriter(ip_version=ip_version, database_type=database_type, ipv4_compatible=v4_in_v6)
    for network, record in records.items():
        writer.insert_network(IPSet([network]), record)
    writer.to_db_file(str(path))
    return path


@pytest.fixture(scope="module")
def dbs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The tiny test databases, by layout name."""
    folder = tmp_path_factory.mktemp("mmdb")
    return {
        "flat": write_mmdb(folder / "flat.mmdb", FLAT_RECORDS, "DBIP-Country-Lite"),
        "city": write_mmdb(folder / "city.mmdb", CITY_RECORDS, "GeoLite2-City"),
        "flat_city": write_mmdb(folder / "flat-city.mmdb", FLAT_CITY_RECORDS, "GeoIP"),
        "flat_v4": write_mmdb(
            folder / "flat-v4.mmdb",
            {k: v for k, v in FLAT_RECORDS.items() if ":" not in k},
            "DBIP-Country-Lite",
            ip_version=4,
        ),
    }


@pytest.fixture(scope="module")
def bundled() -> Iterator[GeoDatabase]:
    """The bundled DB-IP country database, opened once."""
    with open_geo_database(DEFAULT_GEOIP) as geo:
        yield geo


NAN = (math.nan, math.nan)
LOOKUP_CASES = [
    # layout, address, country, country_name, (lat, lon)
    ("flat", "8.8.8.8", "US", "United States", NAN),
    ("flat", "81.2.69.160", "GB", "United Kingdom", NAN),
    ("flat", "5.57.33.1", "XK", "Kosovo", NAN),
    ("flat", "2001:4860:4860::8888", "US", "United States", NAN),
    ("flat", "2a01:e0a:1::1", "FR", "France", NAN),
    ("flat", "::ffff:8.8.8.8", "US", "United States", NAN),
    ("flat", "::FFFF:81.2.69.1", "GB", "United Kingdom", NAN),
    ("flat", " 8.8.8.8 ", "US", "United States", NAN),
    ("flat", "9.9.9.9", UNKNOWN, "Unknown", NAN),
    ("flat", "2606:4700::1111", UNKNOWN, "Unknown", NAN),
    ("city", "81.2.69.160", "GB", "United Kingdom", LONDON),
    ("city", "::ffff:81.2.69.160", "GB", "United Kingdom", LONDON),
    ("city", "2a02:ff0::1", "SE", "Sweden", STOCKHOLM),
    ("city", "89.160.20.112", "SE", "Sweden", NAN),
    ("city", "1.0.0.1", UNKNOWN, "Unknown", NAN),
    ("city", "8.8.8.8", UNKNOWN, "Unknown", NAN),
    ("flat_city", "81.2.69.1", "GB", "United Kingdom", LONDON),
    ("flat_v4", "8.8.8.8", "US", "United States", NAN),
    ("flat_v4", "::ffff:8.8.8.8", "US", "United States", NAN),
    ("flat_v4", "2001:4860:4860::8888", UNKNOWN, "Unknown", NAN),
    ("flat_v4", "fd00::1", PRIVATE, "Private network", NAN),
]
SPECIAL_CASES = [
    ("10.1.2.3", PRIVATE),
    ("172.16.5.4", PRIVATE),
    ("192.168.1.1", PRIVATE),
    ("100.64.0.1", PRIVATE),
    ("127.0.0.1", PRIVATE),
    ("169.254.1.1", PRIVATE),
    ("::1", PRIVATE),
    ("fe80::1", PRIVATE),
    ("fe80::1%eth0", PRIVATE),
    ("fd00::1", PRIVATE),
    ("::ffff:192.168.0.1", PRIVATE),
    ("224.0.0.1", RESERVED),
    ("ff02::1", RESERVED),
    ("0.0.0.0", RESERVED),
    ("::", RESERVED),
    ("255.255.255.255", RESERVED),
    ("240.0.0.1", RESERVED),
    ("192.0.2.10", RESERVED),
    ("198.51.100.7", RESERVED),
    ("203.0.113.99", RESERVED),
    ("2001:db8::1", RESERVED),
    ("", UNKNOWN),
    ("-", UNKNOWN),
    ("not-an-ip", UNKNOWN),
    ("999.1.1.1", UNKNOWN),
    ("1.2.3", UNKNOWN),
    ("8.8.8.8.8", UNKNOWN),
    ("2001:db8::g", UNKNOWN),
    ("08.8.8.8", UNKNOWN),
]


@pytest.mark.parametrize(("layout", "ip", "country", "name", "where"), LOOKUP_CASES)
def test_lookup_layouts(dbs: dict[str, Path], layout: str, ip: str, country: str, name: str, where: LatLon):
    with open_geo_database(dbs[layout]) as geo:
        row = geo.lookup_many([ip]).iloc[0]
    assert (row["country"], row["country_name"]) == (country, name)
    assert np.allclose([row["lat"], row["lon"]], where, atol=1e-4, equal_nan=True)


@pytest.mark.parametrize("layout", ["flat", "city"])
@pytest.mark.parametrize(("ip", "label"), SPECIAL_CASES)
def test_special_addresses(dbs: dict[str, Path], layout: str, ip: str, label: str):
    with open_geo_database(dbs[layout]) as geo:
        assert geo.country_of(ip) == label


def test_lookup_many_keeps_order_and_types(dbs: dict[str, Path]):
    ips = ["81.2.69.1", "", "10.0.0.1", "2a02:ff0::9", "bogus", "224.0.0.1", "81.2.69.1"]
    with open_geo_database(dbs["city"]) as geo:
        table = geo.lookup_many(ips)
    assert list(table.columns) == list(GEO_COLUMNS)
    assert table["country"].tolist() == ["GB", UNKNOWN, PRIVATE, "SE", UNKNOWN, RESERVED, "GB"]
    assert table["country_name"].tolist()[:3] == ["United Kingdom", "Unknown", "Private network"]
    assert table["lat"].dtype == np.float32 and table["lon"].dtype == np.float32
    assert table["lat"].notna().tolist() == [True, False, False, True, False, False, True]


def test_lookup_many_without_locations_and_empty(dbs: dict[str, Path]):
    with open_geo_database(dbs["flat"]) as geo:
        assert not geo.has_locations
        table = geo.lookup_many(["8.8.8.8", "10.0.0.1"])
        empty = geo.lookup_many([])
    assert table["lat"].dtype == np.float32 and table["lat"].isna().all() and table["lon"].isna().all()
    assert list(empty.columns) == list(GEO_COLUMNS) and len(empty) == 0


@pytest.mark.parametrize(
    ("layout", "has_locations", "type_word"),
    [("flat", False, "DBIP-Country-Lite"), ("city", True, "GeoLite2-City"), ("flat_city", True, "GeoIP")],
)
def test_metadata(dbs: dict[str, Path], layout: str, has_locations: bool, type_word: str):
    with open_geo_database(dbs[layout]) as geo:
        assert geo.has_locations is has_locations
        assert geo.description.startswith(f"{type_word} (built 20")
        assert geo.path == dbs[layout]


def test_iter_networks(dbs: dict[str, Path]):
    with open_geo_database(dbs["city"]) as geo:
        networks = set(geo.iter_networks())
    assert networks == {
        (ipaddress.ip_network("81.2.69.0/24"), "GB"),
        (ipaddress.ip_network("89.160.20.0/24"), "SE"),
        (ipaddress.ip_network("2a02:ff0::/32"), "SE"),
    }


def test_close_and_context_manager(dbs: dict[str, Path]):
    geo = open_geo_database(dbs["flat"])
    with geo as entered:
        assert entered is geo
    geo.close()  # idempotent
    with pytest.raises(GeoDatabaseError, match="closed"):
        geo.lookup_many(["8.8.8.8"])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.text(max_size=45), st.ip_addresses().map(str)), max_size=20))
def test_lookup_many_never_fails(dbs: dict[str, Path], ips: list[str]):
    with open_geo_database(dbs["flat"]) as geo:
        table = geo.lookup_many(ips)
    assert len(table) == len(ips)
    assert all(is_country(c) or c in NON_COUNTRIES for c in table["country"])


def missing_file(folder: Path) -> Path:
    """A path with nothing there."""
    return folder / "missing.mmdb"


def empty_file(folder: Path) -> Path:
    """A zero-byte file."""
    path = folder / "empty.mmdb"
    path.write_bytes(b"")
    return path


def directory(folder: Path) -> Path:
    """A folder named like a database."""
    path = folder / "folder.mmdb"
    path.mkdir()
    return path


def text_file(folder: Path) -> Path:
    """A text file named like a database."""
    path = folder / "text.mmdb"
    path.write_text("1.0.0.0,1.0.0.255,AU\n" * 100)
    return path


def truncated_copy(folder: Path) -> Path:
    """The first half of the bundled database."""
    data = DEFAULT_GEOIP.read_bytes()
    path = folder / "truncated.mmdb"
    path.write_bytes(data[: len(data) // 2])
    return path


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (missing_file, "not found"),
        (empty_file, "is empty"),
        (directory, "is a directory"),
        (text_file, "not a MaxMind DB"),
        (truncated_copy, "not a MaxMind DB"),
    ],
)
def test_unusable_files(tmp_path: Path, make: Callable[[Path], Path], message: str):
    path = make(tmp_path)
    with pytest.raises(GeoDatabaseError, match=message) as caught:
        open_geo_database(path)
    assert str(path) in str(caught.value)


def test_path_resolution(monkeypatch: pytest.MonkeyPatch, dbs: dict[str, Path]):
    monkeypatch.delenv(GEOIP_ENV, raising=False)
    assert resolve_geoip_path(None) == DEFAULT_GEOIP
    assert DEFAULT_GEOIP.is_file() and DEFAULT_GEOIP.name == "dbip-country.mmdb"
    monkeypatch.setenv(GEOIP_ENV, str(dbs["city"]))
    assert resolve_geoip_path(None) == dbs["city"]
    assert resolve_geoip_path(dbs["flat"]) == dbs["flat"]
    assert resolve_geoip_path(str(dbs["flat"])) == dbs["flat"]
    with open_geo_database() as geo:
        assert geo.has_locations and geo.path == dbs["city"]
    monkeypatch.setenv(GEOIP_ENV, "  ")
    assert resolve_geoip_path(None) == DEFAULT_GEOIP


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("US", "United States"),
        ("GB", "United Kingdom"),
        ("TW", "Taiwan"),
        ("KR", "South Korea"),
        ("XK", "Kosovo"),
        ("EU", "European Union"),
        ("AP", "Asia/Pacific Region"),
        (PRIVATE, "Private network"),
        (RESERVED, "Reserved address"),
        (UNKNOWN, "Unknown"),
        ("ZZ", "ZZ"),
    ],
)
def test_country_name(code: str, name: str):
    assert country_name(code) == name


@pytest.mark.parametrize(
    ("ip", "country"),
    [
        ("8.8.8.8", "US"),
        ("::ffff:8.8.8.8", "US"),
        ("2620:fe::fe", "US"),  # Quad9; 2001:4860:4860::8888 is CA in the 2026-06 DB-IP build
        ("192.168.0.1", PRIVATE),
        ("2001:db8::1", RESERVED),
    ],
)
def test_bundled_database(bundled: GeoDatabase, ip: str, country: str):
    assert bundled.country_of(ip) == country


def test_bundled_database_shape(bundled: GeoDatabase):
    assert not bundled.has_locations
    assert is_country(bundled.country_of("2001:4860:4860::8888"))
    networks = list(itertools.islice(bundled.iter_networks(), 1000))
    assert len(networks) == 1000
    assert all(is_country(code) and not network.is_private for network, code in networks)
