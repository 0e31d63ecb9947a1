"""The compiled scanner (the CLF formats' fast path) gives exactly what the regex path gives.

Every comparison parses the same bytes twice: once as shipped (scanner first, regex for the lines it leaves),
once with the scanner removed (regex only, the path taken where no C compiler was available at install).
"""

from __future__ import annotations

import io
import json
import os
import random
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dashboard.ingest import scanner as fastscan
from dashboard.ingest.formats import COMBINED as COMBINED_SPEC
from dashboard.ingest.formats import FORMATS, LogFormat, compile_apache, compile_nginx
from dashboard.ingest.parse import ParseResult, _as_text, parse_source
from dashboard.sample import generate_sample
from support.cases import COMBINED_CASES, REJECT_CASES, VALID, T, mutate
from support.loglines import UA_CHROME, combined
from support.requirements import require_scanner

COMBINED = FORMATS["combined"]
PLAIN = combined("203.0.113.9", T, "GET /a?b=c HTTP/1.1", 200, 5123, "https://example.com/", UA_CHROME).encode()
SCANNED_FORMATS = ("combined", "vhost_combined", "combined_time_us", "combined_time", "common")


def both_ways(
    data: bytes, monkeypatch: pytest.MonkeyPatch, fmt: LogFormat = COMBINED
) -> tuple[ParseResult, ParseResult]:
    with_scanner = parse_source(io.BytesIO(data), fmt)
    with monkeypatch.context() as patch:
        patch.setattr(fastscan, "native", None)
        assert fastscan.layout_for(fmt) is None
        regex_only = parse_source(io.BytesIO(data), fmt)
    return with_scanner, regex_only


def as_objects(frame: pd.DataFrame) -> pd.DataFrame:
    """Categoricals as plain values: category order follows polars' string cache, which is not a result."""
    kinds = {c: object for c in frame.columns if isinstance(frame[c].dtype, pd.CategoricalDtype)}
    return frame.astype(kinds)


def assert_same(ours: ParseResult, theirs: ParseResult) -> None:
    assert (ours.lines, ours.rejected, ours.reasons) == (theirs.lines, theirs.rejected, theirs.reasons)
    assert ours.rejects == theirs.rejects
    pd.testing.assert_frame_equal(as_objects(ours.frame), as_objects(theirs.frame), check_exact=True)


def accepted(lines: list[bytes], fmt: LogFormat = COMBINED) -> list[bool]:
    """Which lines the scanner takes itself (the others go to the regex)."""
    data = b"\n".join(lines) + b"\n"
    _, mask = fastscan.scan(_as_text(data, False), fastscan.layout_for(fmt))
    return mask.tolist()


def reshape(line: bytes, fmt: str, rng: random.Random) -> bytes:
    """A combined line rewritten into another CLF format of the registry."""
    if fmt == "vhost_combined":
        return rng.choice([b"www.example.com:443 ", b"a:b:80 ", b"shop.example:- ", b"[2001:db8::1]:8080 "]) + line
    if fmt == "combined_time_us":
        return line + b" " + rng.choice([b"1534", b"-", b"0", b"000123", str(rng.randrange(10**9)).encode()])
    if fmt == "combined_time":
        return line + b" " + rng.choice([b"0.250", b"-", b"12", b"0.000001", f"{rng.random() * 30:.6f}".encode()])
    if fmt == "common":
        return line[: line.rfind(b' "', 0, line.rfind(b' "'))] if line.count(b'"') >= 6 else line
    return line


def test_the_scanner_is_built():
    require_scanner()  # optional for a user without a C compiler; CI requires it
    for name in SCANNED_FORMATS:
        assert fastscan.layout_for(FORMATS[name]) is not None, name
    assert fastscan.layout_for(compile_apache(COMBINED_SPEC)) is not None
    assert fastscan.layout_for(FORMATS["nginx_json"]) is None
    assert fastscan.layout_for(compile_nginx("$remote_addr [$time_iso8601] $status")) is None


def test_environment_variable_turns_the_scanner_off():
    probe = "from dashboard.ingest import scanner; print(scanner.available())"
    env = {**os.environ, fastscan.DISABLE_ENV: "1"}
    out = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


SCANNER_TAKES = [
    pytest.param(PLAIN, True, id="plain"),
    pytest.param(PLAIN + b" 0.042 upstream=1", True, id="extra-fields-after-agent"),
    pytest.param(PLAIN + b"\r", True, id="crlf"),
    pytest.param(combined("2001:db8::1", T, "GET / HTTP/2.0", 304, "-").encode(), True, id="ipv6-dash-bytes"),
    pytest.param(combined("192.0.2.1", "01/Jun/2026:10:00:00 +0530", "-", 400, 0).encode(), True, id="dash-request"),
    pytest.param(combined("192.0.2.1", T, "GET / HTTP/1.1", 200, 1, "-", 'a \\"b\\"').encode(), True, id="esc-ua"),
    pytest.param(combined("192.0.2.1", T, 'GET /\\"x\\" HTTP/1.1', 200, 1).encode(), False, id="escaped-request"),
    # quoted fields are searched with memchr: an escaped backslash closes the field, an escaped quote does not
    pytest.param(combined("192.0.2.1", T, "GET /", 200, 1, "-", "a \\\\").encode(), True, id="esc-backslash-ua"),
    pytest.param(PLAIN[:-1] + b'\\"', False, id="ua-ends-escaped-quote"),
    pytest.param(PLAIN[:-1] + b"\\", False, id="ua-ends-backslash"),
    pytest.param(combined("192.0.2.1", T, "GET /?a?b HTTP/1.1", 200, 1).encode(), True, id="two-question-marks"),
    pytest.param(combined("192.0.2.1", T, "GET /café HTTP/1.1", 200, 1).encode(), False, id="utf8-request"),
    pytest.param(combined("192.0.2.1", "29/Feb/2025:10:00:00 +0000", "GET /", 200, 1).encode(), False, id="no-29-feb"),
    pytest.param(combined("192.0.2.1", "01/jun/2026:10:00:00 +0000", "GET /", 200, 1).encode(), False, id="jun"),
    pytest.param(combined("192.0.2.1", "01/Jun/2026:10:00:60 +0000", "GET /", 200, 1).encode(), False, id="sec-60"),
    pytest.param(b'192.0.2.1\t- - [01/Jun/2026:10:00:00 +0000] "GET /" 200 1 "-" "-"', False, id="tab"),
    pytest.param(PLAIN.replace(b" 200 ", b" 20x "), False, id="bad-status"),
    pytest.param(PLAIN + b"x", False, id="junk-after-agent"),
    pytest.param(PLAIN[:-1], False, id="unterminated-agent"),
    pytest.param(b"", False, id="empty"),
]


@pytest.mark.parametrize(("line", "takes"), SCANNER_TAKES)
def test_scanner_takes_only_lines_it_is_sure_of(line, takes, monkeypatch):
    assert accepted([PLAIN, line, PLAIN]) == [True, takes, True]
    ours, theirs = both_ways(b"\n".join([PLAIN, line, PLAIN]) + b"\n", monkeypatch)
    assert_same(ours, theirs)


CASES = [p.values[0] for p in COMBINED_CASES] + [p.values[0] for p in REJECT_CASES]


@pytest.mark.parametrize("line", CASES, ids=[p.id for p in COMBINED_CASES] + [p.id for p in REJECT_CASES])
def test_parse_cases_agree(line, monkeypatch):
    line = line.encode() if isinstance(line, str) else line
    assert_same(*both_ways(b"\n".join([PLAIN, line, PLAIN, line]) + b"\n", monkeypatch))


@pytest.mark.parametrize("name", SCANNED_FORMATS)
def test_generated_sample_agrees_and_mostly_takes_the_fast_path(name, monkeypatch):
    rng = random.Random(5)
    lines = b"".join(generate_sample(20_000, days=2, seed=5).chunks()).split(b"\n")[:-1]
    data = b"\n".join(reshape(line, name, rng) for line in lines) + b"\n"
    ours, theirs = both_ways(data, monkeypatch, FORMATS[name])
    assert_same(ours, theirs)
    assert ours.parsed > 0.99 * ours.lines
    _, mask = fastscan.scan(_as_text(data, False), fastscan.layout_for(FORMATS[name]))
    assert mask.mean() > 0.98  # the oddities the generator writes (about 0.1%) go to the regex


def test_timestamps_agree_across_calendar_edges(monkeypatch):
    rng = random.Random(3)
    months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    lines = []
    for _ in range(3000):
        day, hour, minute = rng.choice([1, 28, 29, 30, 31, rng.randint(1, 31)]), rng.randint(0, 24), rng.randint(0, 60)
        year = rng.choice([1899, 1900, 1970, 2000, 2024, 2025, 2100, 2400, rng.randint(1900, 2999)])
        sign, zone = rng.choice("+-"), rng.choice(["0000", "0530", "2359", "1200", "2400", "0060", "9999"])
        when = f"{day:02d}/{rng.choice(months)}/{year}:{hour:02d}:{minute:02d}:{rng.randint(0, 60):02d} {sign}{zone}"
        lines.append(combined("192.0.2.1", when, "GET / HTTP/1.1", 200, 1).encode())
    ours, theirs = both_ways(b"\n".join(lines) + b"\n", monkeypatch)
    assert_same(ours, theirs)
    assert 0 < ours.rejected < len(lines)  # both valid and impossible times were drawn


SLOW_OK = [HealthCheck.too_slow, HealthCheck.function_scoped_fixture]


@settings(max_examples=80, deadline=None, suppress_health_check=SLOW_OK)
@given(
    seed=st.integers(0, 2**32),
    count=st.integers(1, 200),
    edits=st.integers(0, 4),
    name=st.sampled_from(SCANNED_FORMATS),
)
def test_mutated_lines_agree(seed, count, edits, name, monkeypatch):
    rng = random.Random(seed)
    bases = [reshape(PLAIN, name, rng), reshape(VALID, name, rng)]
    lines = [mutate(rng.choice(bases), rng, rng.randrange(edits + 1)) for _ in range(count)]
    assert_same(*both_ways(b"\n".join(lines) + b"\n", monkeypatch, FORMATS[name]))


LAYOUT_EDGES = [
    ("vhost_combined", b"www.example.com:443 " + PLAIN, True),
    ("vhost_combined", b"www.example.com:- " + PLAIN, True),
    ("vhost_combined", b"[2001:db8::1]:8080 " + PLAIN, True),
    ("vhost_combined", b"a:1:2 " + PLAIN, True),
    ("vhost_combined", b"www.example.com:99999999999 " + PLAIN, False),
    ("vhost_combined", b"www.example.com: " + PLAIN, False),
    ("vhost_combined", b":443 " + PLAIN, False),
    ("vhost_combined", b"www.example.com " + PLAIN, False),
    ("vhost_combined", b"www.example.com:443 " + PLAIN + b" extra", False),
    ("combined_time_us", PLAIN + b" 1534", True),
    ("combined_time_us", PLAIN + b" -", True),
    ("combined_time_us", PLAIN + b" 0001534", True),
    ("combined_time_us", PLAIN + b" 1234567890123456", False),
    ("combined_time_us", PLAIN + b" 1.5", False),
    ("combined_time_us", PLAIN, False),
    ("combined_time", PLAIN + b" 0.042", True),
    ("combined_time", PLAIN + b" 12", True),
    ("combined_time", PLAIN + b" 0.1", True),
    ("combined_time", PLAIN + b" 123456789.123456", True),
    ("combined_time", PLAIN + b" 1.", False),
    ("combined_time", PLAIN + b" .5", False),
    ("combined_time", PLAIN + b" 1.2.3", False),
    ("combined_time", PLAIN + b" 1234567890.1234567", False),
    ("common", PLAIN[: PLAIN.index(b' "https')], True),
    ("common", PLAIN[: PLAIN.index(b' "https')] + b" ", False),
    ("common", PLAIN, False),
    ("combined", PLAIN + b" 0.042", True),
]


@pytest.mark.parametrize(("name", "line", "takes"), LAYOUT_EDGES)
def test_layout_edges(name, line, takes, monkeypatch):
    fmt = FORMATS[name]
    plain = reshape(PLAIN, name, random.Random(0)).replace(b"a:b:80 ", b"a:80 ")
    assert accepted([plain, line, plain], fmt) == [True, takes, True]
    assert_same(*both_ways(b"\n".join([plain, line, plain]) + b"\n", monkeypatch, fmt))


def test_views_point_into_the_chunk_for_long_fields():
    line = combined("192.0.2.1", T, "GET /" + "x" * 40 + " HTTP/1.1", 200, 1, "-", UA_CHROME).encode()
    frame, mask = fastscan.scan(_as_text(line + b"\n" + PLAIN + b"\n", False), fastscan.layout_for(COMBINED))
    assert mask.tolist() == [True, True]
    assert frame["path"].cast(str).to_list() == ["/" + "x" * 40, "/a"]
    assert frame["user_agent"].cast(str).to_list() == [UA_CHROME, UA_CHROME]
    assert frame["query"].cast(str).to_list() == ["", "b=c"]
    assert np.array_equal(frame["status"].to_numpy(), [200, 200])


def test_scanner_refuses_offsets_outside_its_buffer_and_wrong_sizes():
    scan = fastscan.native.scan_lines
    data = PLAIN + b"\n"
    n = 2
    outputs = [np.zeros(n, np.uint8), np.zeros(n, np.int64), np.zeros(n, np.int16), np.zeros(n, np.int64)]
    outputs += [np.zeros(n, np.int32), np.zeros(n, np.uint8), np.zeros(n), np.zeros(n, np.uint8)]
    views = np.zeros(len(fastscan.VIEW_FIELDS) * n * fastscan.VIEW_BYTES, np.uint8)
    offsets = np.array([0, len(data), len(data) + 100], np.int64)  # the second line runs past the end
    layout = fastscan.layout_for(COMBINED)
    assert scan(data, offsets, layout, *outputs, views) == 1
    assert outputs[0].tolist() == [1, 0]
    with pytest.raises(ValueError, match="buffer sizes"):
        scan(data, offsets, layout, *outputs, views[:-1])
    with pytest.raises(ValueError, match="unknown tail"):
        scan(data, offsets, (0, 1, 9), *outputs, views)


@pytest.mark.parametrize("disabled", ["0", "1"])
def test_summary_says_whether_the_scanner_parsed_the_log(write_log, disabled):
    log = write_log([combined("192.0.2.1", T, "GET / HTTP/1.1", 200, 1)])
    env = {**os.environ, fastscan.DISABLE_ENV: disabled}
    out = subprocess.run(
        [sys.executable, "-m", "dashboard", "summary", str(log), "--json"], env=env, capture_output=True, text=True
    )
    expected = fastscan.available() and disabled == "0"
    assert json.loads(out.stdout)["scanner"] is expected
