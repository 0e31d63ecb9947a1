"""Tests of the deterministic sample-log generator: determinism, format, realism and injected incidents."""

import gzip
import ipaddress
import json
import re
from collections import Counter
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from pathlib import Path

import maxminddb
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dashboard import sample
from dashboard.sample import (
    DB_PATH,
    INCIDENT_KINDS,
    INCIDENT_MINUTES,
    MALFORMED_ODDITIES,
    agents,
    generate_sample,
    sidecar_path,
    write_sample,
)
from dashboard.sample.networks import ipv6_text
from dashboard.sample.oddities import nginx_escape
from dashboard.schema import DEVICES
from support.samples import generate_lines

COMBINED = re.compile(
    rb'^(\S+) (\S+) (\S+) \[(\d{2}/\w{3}/\d{4}:\d{2}:\d{2}:\d{2} [+-]\d{4})\] "([A-Z]+) ([^\s"]+) (HTTP/\d\.\d)" '
    rb'(\d{3}) (\d+|-) "([^"]*)" "([^"]*)"$'
)
STAMP = re.compile(rb"\[(\d{2}/\w{3}/\d{4}:\d{2}:\d{2}:\d{2} [+-]\d{4})\]")
MALFORMED_SHAPES = (  # how each deliberately malformed kind looks, to recognise it in a line
    ("dash_request", re.compile(rb'\] "-" 40[08] ')),
    ("tls_garbage", re.compile(rb'\] "\\x16\\x03\\x01')),
    ("binary_probe", re.compile(rb'\] "(\\x03\\x00|SSH-2\.0|MGLNDD_|\\x00\\x00)')),
    ("no_protocol", re.compile(rb'\] "GET /" \d{3} ')),
    ("escaped_quote", re.compile(rb'\\"')),
    ("space_in_url", re.compile(rb'\] "GET /\S* [^"]* HTTP/1\.1" ')),
)
SMALL = 20_000
INCIDENT_LINES = 50_000
INCIDENT_DAYS = 2.0


def stamp_utc(line: bytes) -> datetime:
    """UTC time of a line's timestamp."""
    return datetime.strptime(STAMP.search(line).group(1).decode(), "%d/%b/%Y:%H:%M:%S %z").astimezone(UTC)


def client(line: bytes) -> str:
    """The client address of a line."""
    return line.split(b" ", 1)[0].decode()


@pytest.fixture(scope="module")
def small() -> tuple[sample.Sample, list[bytes]]:
    """A 20k-line week with incidents (seed 1)."""
    s = generate_sample(SMALL, days=7, seed=1)
    return s, list(s.iter_lines())


@pytest.fixture(scope="module")
def dense() -> tuple[sample.Sample, list[bytes]]:
    """A 50k-line two-day sample, dense enough for incident windows to stand out (seed 3)."""
    s = generate_sample(INCIDENT_LINES, days=INCIDENT_DAYS, seed=3)
    return s, list(s.iter_lines())


@pytest.fixture(scope="module")
def reader() -> maxminddb.Reader:
    """The bundled DB-IP country database."""
    with maxminddb.open_database(str(DB_PATH)) as db:
        yield db


def test_same_seed_gives_identical_bytes(tmp_path: Path) -> None:
    for name in ("a.log", "b.log", "a.log.gz", "b.log.gz"):
        write_sample(tmp_path / name, 5_000, days=2, seed=7)
    assert (tmp_path / "a.log").read_bytes() == (tmp_path / "b.log").read_bytes()
    assert (tmp_path / "a.log.gz").read_bytes() == (tmp_path / "b.log.gz").read_bytes()
    assert sidecar_path(tmp_path / "a.log").read_text() == sidecar_path(tmp_path / "b.log").read_text()


def test_different_seed_gives_different_lines() -> None:
    one, _ = generate_lines(3_000, days=1, seed=1)
    two, _ = generate_lines(3_000, days=1, seed=2)
    assert one != two
    assert len(set(one) & set(two)) < 30


@pytest.mark.parametrize("lines", [0, 1, 17, 999, 1_000, 4_321])
@pytest.mark.parametrize("incidents", [True, False])
def test_exact_line_count(lines: int, incidents: bool) -> None:
    out, _ = generate_lines(lines, days=3, seed=lines, incidents=incidents)
    assert len(out) == lines
    assert all(b"\n" not in line for line in out)


def test_time_order_and_span(small: tuple[sample.Sample, list[bytes]]) -> None:
    s, lines = small
    times = [stamp_utc(line) for line in lines]
    assert times == sorted(times)
    assert times[0] >= s.start == datetime(2026, 6, 1, tzinfo=UTC)
    assert times[-1] < s.end == s.start + timedelta(days=7)
    assert times[-1] - times[0] > timedelta(days=6.9)
    assert lines[0].split(b"[", 1)[1].startswith(b"01/Jun/2026:00:")


@pytest.mark.parametrize("seed", [1, 17])
def test_weekly_and_daily_rhythm(seed: int) -> None:
    lines, _ = generate_lines(SMALL, days=7, seed=seed, incidents=False)
    days = Counter(stamp_utc(line).weekday() for line in lines)
    weekday = sum(days[d] for d in range(5)) / 5
    weekend = (days[5] + days[6]) / 2
    assert 0.6 < weekend / weekday < 0.9
    hours = Counter(stamp_utc(line).hour for line in lines)
    assert max(hours.values()) > 1.3 * min(hours.values())


def test_lines_are_combined_except_the_deliberate_oddities(small: tuple[sample.Sample, list[bytes]]) -> None:
    s, lines = small
    rejects = [line for line in lines if not COMBINED.match(line)]
    assert len(rejects) == sum(s.oddities[k] for k in MALFORMED_ODDITIES)
    seen = Counter()
    for line in rejects:
        kind = next((k for k, shape in MALFORMED_SHAPES if shape.search(line)), None)
        assert kind is not None, line
        seen[kind] += 1
    assert set(seen) == set(MALFORMED_ODDITIES)
    rate = sum(s.oddities.values()) / len(lines)
    assert 0.0005 <= rate <= 0.003
    assert 0.0002 <= len(rejects) / len(lines) <= 0.0015


def test_parseable_oddities_are_present(small: tuple[sample.Sample, list[bytes]]) -> None:
    _, lines = small
    not_utf8 = [line for line in lines if not _is_utf8(line)]
    assert not_utf8 and all(COMBINED.match(line) for line in not_utf8)
    assert any((b"\xe9" in line and b"caf\xe9" in line) or b"T\xe9l\xe9phone" in line for line in not_utf8)
    assert any(not line.isascii() and _is_utf8(line) for line in lines)
    assert any(b"\\xC3\\xA9" in line for line in lines)
    protocols = Counter(m.group(7) for line in lines if (m := COMBINED.match(line)))
    assert protocols[b"HTTP/2.0"] > 0
    assert protocols[b"HTTP/1.1"] / len(lines) > 0.95


def _is_utf8(line: bytes) -> bool:
    """True when the line decodes as UTF-8."""
    try:
        line.decode()
    except UnicodeDecodeError:
        return False
    return True


def test_status_method_and_size_mix(small: tuple[sample.Sample, list[bytes]]) -> None:
    _, lines = small
    parsed = [m for line in lines if (m := COMBINED.match(line))]
    status = Counter(int(m.group(8)) for m in parsed)
    n = len(parsed)
    assert status[200] / n > 0.75
    assert 0.02 < status[304] / n < 0.15
    assert status[301] and status[302] and status[404]
    assert sum(status[c] for c in (500, 502, 503)) / n < 0.05
    methods = Counter(m.group(5) for m in parsed)
    assert methods[b"GET"] / n > 0.9
    assert {b"POST", b"HEAD", b"PUT", b"DELETE", b"OPTIONS"} <= set(methods)
    assert all(m.group(9) == b"-" for m in parsed if m.group(8) == b"304")
    assert any(b"?" in m.group(6) for m in parsed)


def test_bot_share_from_the_agent_labels(small: tuple[sample.Sample, list[bytes]]) -> None:
    s, lines = small
    label = {a.ua.encode(): a.is_bot for a in agents()}
    uas = [m.group(11) for line in lines if (m := COMBINED.match(line))]
    bots = sum(label.get(ua, False) for ua in uas)
    assert 0.15 <= bots / len(lines) <= 0.25
    assert abs(bots - s.bot_lines) < 50
    assert sum(ua in label for ua in uas) / len(uas) > 0.999


def test_agent_table_is_consistent() -> None:
    table = agents()
    assert len({a.ua for a in table}) == len(table)
    assert {a.device for a in table} <= set(DEVICES)
    assert {"Googlebot", "bingbot", "YandexBot", "AhrefsBot", "SemrushBot", "GPTBot", "curl"} <= {
        a.browser for a in table if a.is_bot
    }
    humans = [a for a in table if not a.is_bot]
    assert {"Chrome", "Mobile Safari", "Firefox", "Edge", "Samsung Internet", "Opera"} <= {a.browser for a in humans}


def test_countries_and_addresses(small: tuple[sample.Sample, list[bytes]], reader: maxminddb.Reader) -> None:
    _, lines = small
    ips = [client(line) for line in lines]
    countries = Counter()
    for ip in ips:
        record = reader.get(ip)
        countries[record["country_code"] if record else "none"] += 1
    assert len([c for c in countries if len(c) == 2]) >= 60
    assert countries.most_common(1)[0][0] == "US"
    addresses = [ipaddress.ip_address(ip) for ip in ips]
    v6 = sum(a.version == 6 for a in addresses) / len(addresses)
    assert 0.04 < v6 < 0.2
    private = {str(a) for a in addresses if a.is_private}
    assert any(p.startswith("10.") for p in private) and any(p.startswith("192.168.") for p in private)


def test_visitors_come_back(small: tuple[sample.Sample, list[bytes]]) -> None:
    _, lines = small
    visitors = Counter((client(line), m.group(11)) for line in lines if (m := COMBINED.match(line)))
    assert 500 < len(visitors) < 5_000
    assert sum(visitors.values()) / len(visitors) > 4
    assert len({ua for _, ua in visitors}) > 120


def test_sidecar_and_gzip_output(tmp_path: Path) -> None:
    path = tmp_path / "access.log.gz"
    summary = write_sample(path, 8_000, days=3, seed=5, tz="Europe/Berlin")
    with gzip.open(path, "rb") as f:
        lines = f.read().splitlines()
    assert len(lines) == summary["lines"] == 8_000
    side = json.loads((tmp_path / "access.log.gz.incidents.json").read_text())
    assert {"seed", "lines", "start", "end", "tz", "incidents"} <= set(side)
    assert side["seed"] == 5 and side["tz"] == "Europe/Berlin"
    assert datetime.fromisoformat(side["end"]) - datetime.fromisoformat(side["start"]) == timedelta(days=3)
    assert sorted(i["kind"] for i in side["incidents"]) == sorted(INCIDENT_KINDS)
    windows = []
    for inc in side["incidents"]:
        assert set(inc) == {"kind", "start", "end", "subject", "details"}
        start, end = datetime.fromisoformat(inc["start"]), datetime.fromisoformat(inc["end"])
        assert start.utcoffset() == timedelta(0) and start.second == 0 and end.second == 0
        lo, hi = INCIDENT_MINUTES[inc["kind"]]
        assert timedelta(minutes=lo) <= end - start <= timedelta(minutes=hi)
        assert datetime.fromisoformat(side["start"]) <= start < end <= datetime.fromisoformat(side["end"])
        windows.append((start, end))
    windows.sort()
    assert all(a[1] <= b[0] for a, b in pairwise(windows))
    assert summary["incidents"] == side["incidents"] and summary["sidecar"] == str(
        tmp_path / "access.log.gz.incidents.json"
    )


def test_no_incidents_when_off(tmp_path: Path) -> None:
    summary = write_sample(tmp_path / "quiet.log", 6_000, days=2, seed=3, incidents=False)
    assert summary["incidents"] == []
    assert json.loads(sidecar_path(tmp_path / "quiet.log").read_text())["incidents"] == []


def _window(s: sample.Sample, kind: str) -> tuple[dict, datetime, datetime]:
    """An incident and its bounds."""
    inc = next(i for i in s.incidents if i["kind"] == kind)
    return inc, datetime.fromisoformat(inc["start"]), datetime.fromisoformat(inc["end"])


def _rate(times: list[datetime], start: datetime, end: datetime) -> float:
    """Lines per minute between two instants."""
    return sum(start <= t < end for t in times) / ((end - start).total_seconds() / 60)


def test_5xx_burst_is_visible(dense: tuple[sample.Sample, list[bytes]]) -> None:
    s, lines = dense
    _, start, end = _window(s, "5xx_burst")
    inside, outside = Counter(), Counter()
    for line in lines:
        m = COMBINED.match(line)
        if m:
            bucket = inside if start <= stamp_utc(line) < end else outside
            bucket[m.group(8)[:1] == b"5"] += 1
    ratio_in = inside[True] / sum(inside.values())
    ratio_out = outside[True] / sum(outside.values())
    assert ratio_in > 0.25 and ratio_in > 20 * ratio_out


def test_scanner_is_visible(dense: tuple[sample.Sample, list[bytes]]) -> None:
    s, lines = dense
    inc, start, end = _window(s, "scanner")
    mine = [line for line in lines if client(line) == inc["subject"]]
    assert all(start <= stamp_utc(line) < end for line in mine)
    paths = {line.split(b'"')[1].split(b" ")[1] for line in mine}
    assert len(paths) == inc["details"]["distinct_paths"] >= 100
    assert sum(b'" 404 ' in line for line in mine) / len(mine) > 0.8


def test_drop_and_spike_are_visible(dense: tuple[sample.Sample, list[bytes]]) -> None:
    s, lines = dense
    times = [stamp_utc(line) for line in lines]
    hour = timedelta(hours=1)
    for kind, low, high in (("drop", 0.0, 0.35), ("spike", 2.0, 10.0)):
        _, start, end = _window(s, kind)
        around = (_rate(times, start - hour, start) + _rate(times, end, end + hour)) / 2
        assert low < _rate(times, start, end) / around < high, kind


def test_country_surge_is_visible(dense: tuple[sample.Sample, list[bytes]], reader: maxminddb.Reader) -> None:
    s, lines = dense
    inc, start, end = _window(s, "country_surge")
    inside, outside = Counter(), Counter()
    for line in lines:
        record = reader.get(client(line))
        hit = bool(record) and record["country_code"] == inc["subject"]
        (inside if start <= stamp_utc(line) < end else outside)[hit] += 1
    share_in = inside[True] / sum(inside.values())
    share_out = outside[True] / sum(outside.values())
    assert share_in > 0.2 and share_in > 50 * share_out


def test_timezone_offsets_follow_dst() -> None:
    s = generate_sample(4_000, days=4, seed=2, start=datetime(2026, 3, 27), tz="Europe/Berlin")
    lines = list(s.iter_lines())
    offsets = Counter(STAMP.search(line).group(1)[-5:] for line in lines)
    assert set(offsets) == {b"+0100", b"+0200"}
    assert s.start == datetime(2026, 3, 26, 23, tzinfo=UTC)
    times = [stamp_utc(line) for line in lines]
    assert times == sorted(times)
    utc_lines, _ = generate_lines(500, days=1, seed=2)
    assert {STAMP.search(line).group(1)[-5:] for line in utc_lines} == {b"+0000"}


def test_incident_windows_do_not_depend_on_the_line_count() -> None:
    one = [(i["kind"], i["start"], i["end"]) for i in generate_sample(2_000, days=2, seed=9).incidents]
    two = [(i["kind"], i["start"], i["end"]) for i in generate_sample(9_000, days=2, seed=9).incidents]
    assert one == two


@given(st.integers(min_value=0, max_value=(1 << 128) - 1))
def test_ipv6_text_matches_ipaddress(value: int) -> None:
    assert ipv6_text(value) == ipaddress.IPv6Address(value).compressed


@given(st.binary(max_size=64))
def test_nginx_escape_is_printable_and_unquoted(raw: bytes) -> None:
    text = nginx_escape(raw)
    assert text.isascii() and text.isprintable() and '"' not in text
    assert re.sub(r"\\x[0-9A-F]{2}", "", text).find("\\") == -1
