"""JSON lines as real configurations write them: the alias table, nginx JSON log_format strings, bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from dashboard.errors import DataBloomError
from dashboard.ingest.formats import JSON_ALIASES, JsonKeysError, UnknownFormatError, compile_nginx, get_format
from dashboard.ingest.parse import parse_source
from support.loglines import UA_CHROME, UA_FIREFOX

WHEN = pd.Timestamp("2026-06-01 08:00:00", tz="UTC")
CLIENT = "203.0.113.9"

# (convention, object, expected fields). Key names from each project's documentation or sample files.
CONVENTIONS = [
    (
        "elastic nginx sample",
        {
            "time": "01/Jun/2026:08:00:00 +0000",
            "remote_ip": CLIENT,
            "remote_user": "-",
            "request": "GET /downloads/product_1 HTTP/1.1",
            "response": 304,
            "bytes": 0,
            "referrer": "-",
            "agent": "Debian APT-HTTP/1.3 (0.8.16~exp12ubuntu10.21)",
        },
        {"ip": CLIENT, "status": 304, "path": "/downloads/product_1", "user_agent": "Debian APT-HTTP/1.3"},
    ),
    (
        "matomo importer",
        {
            "ip": CLIENT,
            "host": "www.example.org",
            "path": "/p.php?idsite=1",
            "status": "200",
            "referrer": "http://ref.example/",
            "user_agent": UA_CHROME,
            "length": 192,
            "generation_time_milli": 8,
            "date": "2026-06-01T10:00:00+02:00",
        },
        {"vhost": "www.example.org", "query": "idsite=1", "bytes": 192, "response_time_s": pytest.approx(0.008)},
    ),
    (
        "nginx variable names",
        {
            "time_local": "01/Jun/2026:10:00:00 +0200",
            "remote_addr": CLIENT,
            "request_method": "POST",
            "uri": "/api",
            "args": "a=1",
            "server_protocol": "HTTP/1.1",
            "status": 201,
            "body_bytes_sent": "17",
            "http_referer": "",
            "http_user_agent": UA_FIREFOX,
            "request_time": "0.250",
            "http_x_forwarded_for": "198.51.100.1",
        },
        {"method": "POST", "path": "/api", "query": "a=1", "protocol": "HTTP/1.1", "response_time_s": 0.25},
    ),
    (
        "traefik json",
        {
            "ClientAddr": f"{CLIENT}:51234",
            "ClientHost": CLIENT,
            "DownstreamContentSize": 1234,
            "DownstreamStatus": 200,
            "Duration": 1500000,
            "RequestHost": "example.com",
            "RequestMethod": "GET",
            "RequestPath": "/t?x=1",
            "RequestProtocol": "HTTP/1.1",
            "RouterName": "web@docker",
            "StartUTC": "2026-06-01T08:00:00.000000000Z",
            "request_User-Agent": UA_CHROME,
        },
        {"vhost": "example.com", "path": "/t", "bytes": 1234, "response_time_s": pytest.approx(0.0015)},
    ),
    (
        "envoy json",
        {
            "start_time": "2026-06-01T08:00:00.000Z",
            "method": "GET",
            "path": "/e?y=2",
            "protocol": "HTTP/2",
            "response_code": 503,
            "bytes_sent": 10,
            "duration": 25,
            "x_forwarded_for": "198.51.100.1",
            "user_agent": UA_CHROME,
            "authority": "api.example",
            "downstream_remote_address": f"{CLIENT}:443",
            "upstream_host": "10.0.0.1:80",
        },
        {"ip": CLIENT, "status": 503, "vhost": "api.example", "response_time_s": pytest.approx(0.025)},
    ),
    (
        "keys in any case",
        {"Remote_Addr": CLIENT, "TIME_ISO8601": "2026-06-01T08:00:00Z", "Request": "GET /c HTTP/1.1", "Status": 200},
        {"ip": CLIENT, "path": "/c", "status": 200},
    ),
    (
        "community config: client under host, agent under ua",
        {
            "time": "[01/Jun/2026:10:00:00 +0200]",
            "host": CLIENT,
            "request": "GET /x HTTP/1.1",
            "status": 200,
            "ua": UA_CHROME,
            "body_bytes": "123",
        },
        {"ip": CLIENT, "user_agent": UA_CHROME, "bytes": 123},
    ),
]


@pytest.mark.parametrize(("convention", "obj", "expected"), CONVENTIONS, ids=[c[0] for c in CONVENTIONS])
def test_json_conventions(write_log, convention, obj, expected):
    result = parse_source(write_log([json.dumps(obj)] * 3))
    assert (result.lines, result.parsed, result.rejected) == (3, 3, 0), result.rejects
    row = result.frame.iloc[0]
    assert row["time"] == WHEN
    assert row["ip"] == CLIENT
    assert "vhost" not in expected or row["vhost"] != CLIENT  # the client never lands in vhost
    for field, value in expected.items():
        if field == "user_agent":
            assert row[field].startswith(value)
        else:
            assert row[field] == value, field


@pytest.mark.parametrize(
    ("time", "expected"),
    [
        ("2026-06-01T10:00:00+02:00", WHEN),
        ("2026-06-01T08:00:00.250Z", WHEN + pd.Timedelta(milliseconds=250)),
        ("2026-06-01 08:00:00", WHEN),  # no offset: taken as UTC
        ("[01/Jun/2026:10:00:00 +0200]", WHEN),
        ("01/Jun/2026:10:00:00 +0200", WHEN),
        (1780300800, WHEN),
        ("1780300800.5", WHEN + pd.Timedelta(milliseconds=500)),
        (1780300800250, WHEN + pd.Timedelta(milliseconds=250)),  # epoch milliseconds
        ("1780300800000000", WHEN),  # epoch microseconds
    ],
)
def test_json_times(write_log, time, expected):
    obj = {"remote_addr": CLIENT, "time": time, "request": "GET / HTTP/1.1", "status": "200"}
    result = parse_source(write_log([json.dumps(obj)]))
    assert result.parsed == 1, result.rejects
    assert result.frame["time"].iloc[0] == expected


NGINX_JSON_LOG_FORMAT = (
    'log_format json escape=json \'{"time":"[$time_local]","host":"$remote_addr","request":"$request",'
    '"status":$status,"ua":"$http_user_agent","body_bytes":"$body_bytes_sent","vhost":"$server_name"}\';'
)


@pytest.mark.parametrize(
    "spec",
    [
        NGINX_JSON_LOG_FORMAT,
        NGINX_JSON_LOG_FORMAT.split(" escape=json ")[1].rstrip(";"),  # the quoted template alone
        '{"time":"[$time_local]","host":"$remote_addr","request":"$request","status":$status,'
        '"ua":"$http_user_agent","body_bytes":"$body_bytes_sent","vhost":"$server_name"}',
    ],
)
def test_nginx_json_log_format_string_gives_the_mapping(write_log, spec):
    fmt = get_format(spec)
    assert fmt.kind == "json"
    assert dict(fmt.json_paths)["ip"] == ("$['host']",)
    assert dict(fmt.json_paths)["vhost"] == ("$['vhost']",)
    line = {
        "time": "[01/Jun/2026:10:00:00 +0200]",
        "host": CLIENT,
        "request": "GET /x?q=1 HTTP/1.1",
        "status": 404,
        "ua": UA_FIREFOX,
        "body_bytes": "77",
        "vhost": "shop.example",
    }
    result = parse_source(write_log([json.dumps(line)] * 2), spec)
    assert result.parsed == 2, result.rejects
    row = result.frame.iloc[0]
    assert (row["time"], row["ip"], row["path"], row["query"], row["status"], row["bytes"]) == (
        WHEN,
        CLIENT,
        "/x",
        "q=1",
        404,
        77,
    )
    assert (row["user_agent"], row["vhost"]) == (UA_FIREFOX, "shop.example")


@pytest.mark.parametrize(
    "template",
    [
        '{"time":"[$time_local]","host":"$remote_addr","request":"$request","status":$status}',
        '{"time":"${time_local}","host":"${remote_addr}","request":"${request}","status":${status}}',
        '\'{"time":"$time_local",\' \'"host":"$remote_addr",\' \'"request":"$request","status":$status}\'',
    ],
)
def test_nginx_json_log_format_variable_spellings(write_log, template):
    line = {"time": "01/Jun/2026:10:00:00 +0200", "host": CLIENT, "request": "GET / HTTP/1.1", "status": 200}
    result = parse_source(write_log([json.dumps(line)]), template)
    assert (result.parsed, result.frame["ip"].iloc[0], result.frame["time"].iloc[0]) == (1, CLIENT, WHEN)


def test_nested_nginx_json_log_format():
    fmt = compile_nginx('{"t":"$msec","req":{"client":"$remote_addr","st":"$status","agent":"$http_user_agent"}}')
    paths = dict(fmt.json_paths)
    assert paths["ip"] == ("$['req']['client']",) and paths["status"] == ("$['req']['st']",)


def test_nginx_json_log_format_without_time_or_status_is_refused():
    with pytest.raises(UnknownFormatError, match="the time or the status"):
        get_format('{"client":"$remote_addr","agent":"$http_user_agent"}')


def test_keys_that_map_to_nothing_stop_with_one_clear_error(write_log):
    with pytest.raises(JsonKeysError) as caught:
        parse_source(write_log(['{"foo": 1}'] * 3))
    assert isinstance(caught.value, DataBloomError)
    message = str(caught.value)
    assert "keys seen: foo" in message and "the client, the time, the status" in message and "--format" in message


def test_client_and_agent_are_never_silently_empty(write_log):
    # keys for time and status only: the log stops, rather than counting lines parsed with no client
    with pytest.raises(JsonKeysError, match="the client"):
        parse_source(write_log([json.dumps({"time": "2026-06-01T08:00:00Z", "status": 200, "x": "y"})]))


GOOD = {"remote_addr": CLIENT, "time_iso8601": "2026-06-01T08:00:00Z", "request": "GET / HTTP/1.1", "status": 200}


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        (json.dumps({k: v for k, v in GOOD.items() if k != "status"}), "no status field"),
        (json.dumps({k: v for k, v in GOOD.items() if k != "time_iso8601"}), "no time field"),
        (json.dumps({**GOOD, "status": "OK"}), "bad status"),
        (json.dumps({**GOOD, "time_iso8601": "yesterday"}), "bad timestamp"),
        (json.dumps(GOOD)[:30], "truncated JSON"),
        ("[" + json.dumps(GOOD) + "]", "JSON array, not JSON lines"),
        ("42", "JSON value, not an object"),
        ('203.0.113.9 - - [01/Jun/2026:10:00:00 +0200] "GET / HTTP/1.1" 200 5 "-" "-"', "not JSON"),
        (json.dumps({"other": "keys"}), "no time field"),
    ],
)
def test_bad_json_lines_are_rejected_with_a_reason(write_log, bad, reason):
    result = parse_source(write_log([json.dumps(GOOD), bad, json.dumps(GOOD)]))
    assert (result.lines, result.parsed, result.rejected) == (3, 2, 1)
    assert (result.rejects[0].line, result.rejects[0].reason) == (2, reason)


def test_numbers_as_strings_parse(write_log):
    obj = {**GOOD, "status": "404", "body_bytes_sent": "1024", "request_time": "0.5"}
    row = parse_source(write_log([json.dumps(obj)])).frame.iloc[0]
    assert (row["status"], row["bytes"], row["response_time_s"]) == (404, 1024, 0.5)


def test_json_array_instead_of_json_lines(write_log):
    array = write_log([json.dumps([GOOD, GOOD])])
    with pytest.raises(UnknownFormatError, match="JSON array"):
        parse_source(array)
    result = parse_source(array, "nginx_json")  # named: every line accounted for, with its reason
    assert (result.lines, result.rejected, dict(result.reasons)) == (1, 1, {"JSON array, not JSON lines": 1})


def test_named_json_format_on_a_text_log_rejects_every_line(write_log):
    result = parse_source(write_log(["hello", "world"]), "caddy")
    assert (result.lines, result.parsed, dict(result.reasons)) == (2, 0, {"not JSON": 2})


def test_alias_table_is_lower_case_and_documented():
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    section = readme[readme.index("## Log formats") :]
    for field, names in JSON_ALIASES.items():
        row = next(line for line in section.splitlines() if line.startswith(f"| {field} |"))
        for name in names:
            assert name == name.lower(), name
            assert f"`{name}`" in row, f"README's alias table does not list {name!r} for {field}"
