"""The format registry, the Apache/nginx compilers, JSON lines and auto-detection."""

from __future__ import annotations

import json
import re

import apache_log_parser
import pandas as pd
import pytest

from dashboard.ingest.formats import (
    FORMATS,
    UnknownFormatError,
    compile_apache,
    compile_nginx,
    detect_format,
    get_format,
)
from dashboard.ingest.parse import parse_source
from support.loglines import UA_CHROME, UA_FIREFOX, combined

T = "01/Jun/2026:10:00:00 +0200"
WHEN = pd.Timestamp("2026-06-01 08:00:00", tz="UTC")
COMBINED_LINE = combined("203.0.113.9", T, "GET /a?b=1 HTTP/1.1", 200, 512, "https://ref.example/", UA_CHROME)

# (format name, line, expected fields)
REGISTRY_CASES = [
    ("combined", COMBINED_LINE, {"path": "/a", "query": "b=1", "user_agent": UA_CHROME, "time": WHEN}),
    ("combined", COMBINED_LINE + ' "198.51.100.7" rt=0.002', {"status": 200, "bytes": 512}),
    (
        "common",
        '203.0.113.9 - bob [01/Jun/2026:10:00:00 +0200] "POST /login HTTP/1.1" 302 0',
        {"method": "POST", "user": "bob", "status": 302, "user_agent": "", "time": WHEN},
    ),
    ("vhost_combined", "www.example.com:443 " + COMBINED_LINE, {"vhost": "www.example.com", "port": 443}),
    ("combined_time_us", COMBINED_LINE + " 1534", {"response_time_s": pytest.approx(0.001534)}),
    ("combined_time", COMBINED_LINE + " 0.250", {"response_time_s": pytest.approx(0.25)}),
]


@pytest.mark.parametrize(("name", "line", "expected"), REGISTRY_CASES)
def test_registry_formats(write_log, name, line, expected):
    result = parse_source(write_log([line]), name)
    assert result.parsed == 1, result.rejects
    row = result.frame.iloc[0]
    for field, value in expected.items():
        assert row[field] == value, field


@pytest.mark.parametrize(("name", "line"), [(n, line) for n, line, _ in REGISTRY_CASES[:1] + REGISTRY_CASES[2:]])
def test_detection_picks_the_specific_format(name, line):
    assert detect_format([line] * 5).name == name


def test_detection_says_why_it_failed():
    with pytest.raises(UnknownFormatError, match="no known format"):
        detect_format(["hello world"] * 10)
    with pytest.raises(UnknownFormatError, match="no non-empty line"):
        detect_format(["", "  "])


APACHE_CASES = [
    # (LogFormat, line, expected)
    (
        '%h %l %u %t "%r" %>s %b',
        '10.0.0.1 - - [01/Jun/2026:10:00:00 +0200] "GET / HTTP/1.1" 200 5',
        {"ip": "10.0.0.1", "status": 200, "time": WHEN},
    ),
    (
        '%a %{%Y-%m-%dT%H:%M:%S%z}t "%m %U%q %H" %s %B %D "%{User-Agent}i"',
        '10.0.0.1 2026-06-01T10:00:00+0200 "GET /x?y=2 HTTP/2.0" 201 7 1500 "curl/8.5.0"',
        {
            "method": "GET",
            "path": "/x",
            "query": "y=2",
            "protocol": "HTTP/2.0",
            "status": 201,
            "bytes": 7,
            "response_time_s": pytest.approx(0.0015),
            "user_agent": "curl/8.5.0",
            "time": WHEN,
        },
    ),
    (
        '%v %h %{sec}t "%r" %s %O %T',
        'shop.example 10.0.0.1 1780300800 "GET / HTTP/1.1" 200 9 2',
        {"vhost": "shop.example", "time": pd.Timestamp(1780300800, unit="s", tz="UTC"), "response_time_s": 2.0},
    ),
    (
        '%h %u %t "%r" %>s %b "%{Referer}i" "%{User-Agent}i" %{ms}T',
        COMBINED_LINE.replace(" - - ", " - ") + " 12",
        {"response_time_s": pytest.approx(0.012), "referrer": "https://ref.example/"},
    ),
    (
        '%h %l %u %t "%r" %>s %b %p %V %%',
        '10.0.0.1 - - [01/Jun/2026:10:00:00 +0200] "GET / HTTP/1.1" 200 5 8080 h %',
        {"port": 8080, "vhost": "h"},
    ),
]


@pytest.mark.parametrize(("spec", "line", "expected"), APACHE_CASES)
def test_apache_logformat_compiler(write_log, spec, line, expected):
    result = parse_source(write_log([line]), spec)
    assert result.parsed == 1, (compile_apache(spec).pattern, result.rejects)
    row = result.frame.iloc[0]
    for field, value in expected.items():
        assert row[field] == value, field


@pytest.mark.parametrize(
    "spec",
    [
        '%h %l %u %t "%r" %>s %b',
        '%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-Agent}i"',
        '%v:%p %h %l %u %t "%r" %>s %O "%{Referer}i" "%{User-Agent}i"',
    ],
)
def test_apache_compiler_agrees_with_apache_log_parser(spec):
    """On ordinary lines (where apache-log-parser is right) both compilers capture the same values."""
    line = ("www.example.com:80 " if spec.startswith("%v") else "") + COMBINED_LINE
    if "Referer" not in spec:
        line = line.split(' "https')[0]
    theirs = apache_log_parser.make_parser(spec)(line)
    ours = re.match(compile_apache(spec).pattern, line).groupdict()
    assert ours["ip"] == theirs["remote_host"]
    assert ours["status"] == theirs["status"]
    assert ours["request"] == theirs["request_first_line"]
    if "user_agent" in ours:
        assert ours["user_agent"] == theirs["request_header_user_agent"]


NGINX_MAIN = (
    '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" '
    '"$http_user_agent" "$http_x_forwarded_for"'
)
NGINX_CASES = [
    (NGINX_MAIN, COMBINED_LINE + ' "-"', {"ip": "203.0.113.9", "time": WHEN, "user_agent": UA_CHROME}),
    (
        NGINX_MAIN.replace(' "$http_x_forwarded_for"', " $request_time $host"),
        COMBINED_LINE + " 0.004 api.example",
        {"response_time_s": pytest.approx(0.004), "vhost": "api.example"},
    ),
    (
        '$remote_addr [$time_iso8601] "$request_method $request_uri $server_protocol" $status $bytes_sent',
        '2001:db8::5 [2026-06-01T10:00:00+02:00] "PUT /api/v1?k=v HTTP/1.1" 204 0',
        {"ip": "2001:db8::5", "method": "PUT", "path": "/api/v1", "query": "k=v", "status": 204, "time": WHEN},
    ),
]


@pytest.mark.parametrize(("spec", "line", "expected"), NGINX_CASES)
def test_nginx_log_format_compiler(write_log, spec, line, expected):
    result = parse_source(write_log([line]), spec)
    assert result.parsed == 1, (compile_nginx(spec).pattern, result.rejects)
    row = result.frame.iloc[0]
    for field, value in expected.items():
        assert row[field] == value, field


NGINX_JSON = {
    "time_iso8601": "2026-06-01T10:00:00+02:00",
    "remote_addr": "203.0.113.9",
    "remote_user": "",
    "request": "GET /j?x=1 HTTP/2.0",
    "status": "200",
    "body_bytes_sent": "42",
    "http_referer": "",
    "http_user_agent": UA_FIREFOX + ' \\"x\\"',
    "request_time": "0.010",
    "host": "example.org",
}
CADDY_JSON = {
    "level": "info",
    "ts": 1780300800.5,
    "logger": "http.log.access.log0",
    "msg": "handled request",
    "request": {
        "remote_ip": "198.51.100.3",
        "remote_port": "51234",
        "client_ip": "198.51.100.3",
        "proto": "HTTP/3.0",
        "method": "GET",
        "host": "caddy.example",
        "uri": "/c?q=z",
        "headers": {"User-Agent": [UA_CHROME], "Referer": ["https://r.example/"]},
    },
    "bytes_read": 0,
    "user_id": "",
    "duration": 0.00123,
    "size": 321,
    "status": 404,
}


@pytest.mark.parametrize(
    ("obj", "name", "expected"),
    [
        (
            NGINX_JSON,
            "nginx_json",
            {
                "ip": "203.0.113.9",
                "time": WHEN,
                "path": "/j",
                "query": "x=1",
                "protocol": "HTTP/2.0",
                "bytes": 42,
                "vhost": "example.org",
                "response_time_s": pytest.approx(0.01),
            },
        ),
        (
            CADDY_JSON,
            "caddy",
            {
                "ip": "198.51.100.3",
                "time": pd.Timestamp(1780300800.5, unit="s", tz="UTC"),
                "method": "GET",
                "path": "/c",
                "query": "q=z",
                "protocol": "HTTP/3.0",
                "status": 404,
                "bytes": 321,
                "user_agent": UA_CHROME,
                "referrer": "https://r.example/",
                "response_time_s": pytest.approx(0.00123),
            },
        ),
    ],
)
def test_json_lines(write_log, obj, name, expected):
    lines = [json.dumps(obj), "{not json", json.dumps(obj)]
    result = parse_source(write_log(lines))
    assert result.format.name == name
    assert (result.lines, result.parsed, result.rejected) == (3, 2, 1)
    assert result.rejects[0].line == 2
    row = result.frame.iloc[0]
    for field, value in expected.items():
        assert row[field] == value, field


def test_unknown_format_name_lists_the_registry():
    with pytest.raises(UnknownFormatError, match="combined"):
        get_format("nonsense")


def test_registry_has_the_required_formats():
    assert {"combined", "common", "vhost_combined", "combined_time_us", "combined_time", "nginx_json", "caddy"} <= set(
        FORMATS
    )


def test_summary_names_each_sources_format_when_a_merge_mixes_them(tmp_path):
    from dashboard.analysis.summary import summarize
    from dashboard.pipeline import load_log

    clf = tmp_path / "a.log"
    clf.write_text(COMBINED_LINE + "\n")
    caddy = tmp_path / "b.json"
    caddy.write_text(json.dumps(CADDY_JSON) + "\n")
    doc = summarize(load_log([clf, caddy]))
    assert doc["format"] == "a.log: combined, b.json: caddy"
    assert doc["source_formats"] == {"a.log": "combined", "b.json": "caddy"}
    assert summarize(load_log([clf, clf]))["format"] == "combined"
