"""GoAccess's predefined formats and Apache escapes: lines built from each format's own documentation."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest

from dashboard.ingest import scanner as fastscan
from dashboard.ingest.formats import FORMATS, detect_format, get_format
from dashboard.ingest.parse import parse_source
from support.loglines import UA_CHROME, combined

WHEN = pd.Timestamp("2026-06-01 08:00:00", tz="UTC")
T = "01/Jun/2026:10:00:00 +0200"
CLIENT = "203.0.113.9"
COMBINED_LINE = combined(CLIENT, T, "GET /a?b=1 HTTP/1.1", 200, 512, "https://ref.example/", UA_CHROME)
IIS_HEADER = [
    "#Software: Microsoft Internet Information Services 10.0",
    "#Version: 1.0",
    "#Date: 2026-06-01 08:00:00",
    "#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) "
    "cs(Referer) sc-status sc-substatus sc-win32-status time-taken",
]
IIS_LINE = (
    "2026-06-01 08:00:00 10.0.0.5 GET /index.html q=1 443 - 203.0.113.9 "
    "Mozilla/5.0+(Windows+NT+10.0;+Win64;+x64) https://www.example.com/ 200 0 0 15"
)
# AWS's documented example (CloudFront developer guide, "standard logs"), 33 tab-separated fields.
CLOUDFRONT_FIELDS = (
    "date time x-edge-location sc-bytes c-ip cs-method cs(Host) cs-uri-stem sc-status cs(Referer) cs(User-Agent) "
    "cs-uri-query cs(Cookie) x-edge-result-type x-edge-request-id x-host-header cs-protocol cs-bytes time-taken "
    "x-forwarded-for ssl-protocol ssl-cipher x-edge-response-result-type cs-protocol-version fle-status "
    "fle-encrypted-fields c-port time-to-first-byte x-edge-detailed-result-type sc-content-type sc-content-len "
    "sc-range-start sc-range-end"
)
CLOUDFRONT_LINE = "\t".join(
    [
        "2019-12-04",
        "21:02:31",
        "LAX1",
        "392",
        "192.0.2.100",
        "GET",
        "d111111abcdef8.cloudfront.net",
        "/index.html",
        "200",
        "-",
        "Mozilla/5.0%20(Windows%20NT%2010.0;%20Win64;%20x64)%20AppleWebKit/537.36%20(KHTML,%20like%20Gecko)"
        "%20Chrome/78.0.3904.108%20Safari/537.36",
        "-",
        "-",
        "Hit",
        "SOX4xwn4XV6Q4rgb7XiVGOHms_BGlTAC4KyHmureZmBNrjGdRLiNIQ==",
        "d111111abcdef8.cloudfront.net",
        "https",
        "23",
        "0.001",
        "-",
        "TLSv1.2",
        "ECDHE-RSA-AES128-GCM-SHA256",
        "Hit",
        "HTTP/2.0",
        "-",
        "-",
        "11040",
        "0.001",
        "Hit",
        "text/html",
        "78",
        "-",
        "-",
    ]
)
GCS_HEADER = (
    '"time_micros","c_ip","c_ip_type","c_ip_region","cs_method","cs_uri","sc_status","cs_bytes","sc_bytes",'
    '"time_taken_micros","cs_host","cs_referer","cs_user_agent","s_request_id","cs_operation","cs_bucket","cs_object"'
)
GCS_LINE = (
    '"1780300800000000","203.0.113.9","1","","GET","/example-bucket/obj.png?alt=media","200","0","1024","19000",'
    '"storage.googleapis.com","https://ref.example/","curl/8.0","AAAA","GET_Object","example-bucket","obj.png"'
)
S3_LINE = (
    "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be awsexamplebucket1 [06/Feb/2019:00:00:38 "
    "+0000] 192.0.2.3 79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be 3E57427F3EXAMPLE "
    'REST.GET.VERSIONING - "GET /awsexamplebucket1?versioning HTTP/1.1" 200 - 113 - 7 - "-" "S3Console/0.4" - '
    "s9lzHYrFp76ZVxRcpX9+5cjAnEH2ROuNkd2BHfIa6UkFVdtjf5mKR3/eTPFvsiP/XV/VLi31234= SigV4 "
    "ECDHE-RSA-AES128-GCM-SHA256 AuthHeader awsexamplebucket1.s3.us-west-1.amazonaws.com TLSV1.2 - -"
)
ALB_LINE = (
    "http 2018-07-02T22:23:00.186641Z app/my-loadbalancer/50dc6c495c0c9188 192.168.131.39:2817 10.0.0.1:80 "
    '0.000 0.001 0.000 200 200 34 366 "GET http://www.example.com:80/ HTTP/1.1" "curl/7.46.0" - - '
    "arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/my-targets/73e2d6bc24d8a067 "
    '"Root=1-58337262-36d228ad5d99923122bbe354" "-" "-" 0 2018-07-02T22:22:48.364000Z "forward" "-" "-" '
    '"10.0.0.1:80" "200" "-" "-"'
)
ELB_LINE = (
    "2015-05-13T23:39:43.945958Z my-loadbalancer 192.168.131.39:2817 10.0.0.1:80 0.000073 0.001048 0.000057 "
    '200 200 0 29 "GET http://www.example.com:80/ HTTP/1.1" "curl/7.38.0" - -'
)
SQUID_LINE = (
    "1780300800.123     95 203.0.113.9 TCP_MISS/200 41446 GET http://www.example.com/a - "
    "HIER_DIRECT/93.184.216.34 text/html"
)
TRAEFIK_LINE = f'{COMBINED_LINE} 42 "web@docker" "http://10.0.0.5:8080" 3ms'

# (name, lines, rejected header lines, expected fields of the first row)
CASES = [
    (
        "vcommon",
        [f'www.example.com:80 {CLIENT} - - [{T}] "GET /a?b=1 HTTP/1.1" 200 512'],
        0,
        {"vhost": "www.example.com", "port": 80, "query": "b=1"},
    ),
    (
        "vhost_combined_time_us",
        [f"www.example.com:443 {COMBINED_LINE} 1534"],
        0,
        {"vhost": "www.example.com", "response_time_s": pytest.approx(0.001534)},
    ),
    ("vhost_combined_time", [f"www.example.com:443 {COMBINED_LINE} 0.250"], 0, {"port": 443, "response_time_s": 0.25}),
    (
        "traefik_clf",
        [TRAEFIK_LINE],
        0,
        {"vhost": "web@docker", "response_time_s": pytest.approx(0.003), "user_agent": UA_CHROME},
    ),
    (
        "w3c",
        [*IIS_HEADER, IIS_LINE],
        4,
        {
            "time": WHEN,
            "ip": CLIENT,
            "path": "/index.html",
            "query": "q=1",
            "user_agent": "Mozilla/5.0 (Windows NT 10.0; Win64; x64)",
            "referrer": "https://www.example.com/",
            "response_time_s": 0.015,
        },
    ),
    (
        "cloudfront",
        ["#Version: 1.0", f"#Fields: {CLOUDFRONT_FIELDS}", CLOUDFRONT_LINE],
        2,
        {
            "time": pd.Timestamp("2019-12-04 21:02:31", tz="UTC"),
            "ip": "192.0.2.100",
            "bytes": 392,
            "vhost": "d111111abcdef8.cloudfront.net",
            "user_agent": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/78.0.3904.108 Safari/537.36",
            "response_time_s": 0.001,
        },
    ),
    (
        "cloud_storage",
        [GCS_HEADER, GCS_LINE],
        1,
        {
            "time": WHEN,
            "ip": CLIENT,
            "path": "/example-bucket/obj.png",
            "query": "alt=media",
            "bytes": 1024,
            "response_time_s": pytest.approx(0.019),
            "vhost": "storage.googleapis.com",
        },
    ),
    (
        "s3",
        [S3_LINE],
        0,
        {
            "vhost": "awsexamplebucket1",
            "ip": "192.0.2.3",
            "path": "/awsexamplebucket1",
            "query": "versioning",
            "bytes": 113,
            "user_agent": "S3Console/0.4",
            "response_time_s": 0.007,
        },
    ),
    (
        "alb",
        [ALB_LINE],
        0,
        {
            "time": pd.Timestamp("2018-07-02 22:23:00.186641", tz="UTC"),
            "ip": "192.168.131.39",
            "bytes": 366,
            "response_time_s": 0.001,
            "user_agent": "curl/7.46.0",
        },
    ),
    (
        "elb",
        [ELB_LINE],
        0,
        {
            "ip": "192.168.131.39",
            "vhost": "my-loadbalancer",
            "bytes": 29,
            "response_time_s": pytest.approx(0.001048),
            "method": "GET",
        },
    ),
    (
        "squid",
        [SQUID_LINE],
        0,
        {
            "time": WHEN + pd.Timedelta(milliseconds=123),
            "ip": CLIENT,
            "status": 200,
            "bytes": 41446,
            "path": "http://www.example.com/a",
            "response_time_s": pytest.approx(0.095),
        },
    ),
    ("squid", [f"Jun  1 08:00:00 proxy1 squid[123]: {SQUID_LINE}"], 0, {"vhost": "proxy1", "ip": CLIENT}),
]


@pytest.mark.parametrize(
    ("name", "lines", "headers", "expected"), CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)]
)
def test_format_parses_its_documented_line(write_log, name, lines, headers, expected):
    for fmt in (None, name):  # detected, and named
        result = parse_source(write_log(lines), fmt)
        assert result.format.name == name
        assert (result.lines, result.parsed, result.rejected) == (len(lines), 1, headers), result.rejects
        assert dict(result.reasons) == ({"header line": headers} if headers else {})
        row = result.frame.iloc[0]
        for field, value in expected.items():
            assert row[field] == value, field


def test_every_registry_format_has_a_readme_row():
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    section = readme[readme.index("## Log formats") : readme.index("## Hostile input")]
    for name in FORMATS:
        assert f"`{name}`" in section, name


def test_w3c_layout_comes_from_its_fields_header(write_log):
    lines = [
        "#Fields: date time c-ip cs-method cs-uri-stem sc-status sc-bytes cs(User-Agent)",
        f"2026-06-01 08:00:00 {CLIENT} GET /short 404 10 curl/8.0",
        "#Fields: date time c-ip cs-method cs-uri-stem sc-status sc-bytes cs(User-Agent)",  # IIS restarted
        f"2026-06-01 08:00:01 {CLIENT} GET /short 200 20 curl/8.0",
    ]
    result = parse_source(write_log(lines))
    assert (result.format.name, result.parsed, dict(result.reasons)) == ("w3c", 2, {"header line": 2})
    assert result.frame["status"].tolist() == [404, 200]
    assert get_format(lines[0]).fields == ("time", "ip", "method", "path", "status", "bytes", "user_agent")


def test_w3c_without_fields_header_takes_iis_defaults(write_log):
    result = parse_source(write_log([IIS_LINE, "2026-06-01 08:00:00 only five fields here"]))
    assert result.format.name == "w3c"
    assert (result.parsed, dict(result.reasons)) == (1, {"not this format": 1})


@pytest.mark.parametrize(
    ("line", "name"),
    [
        (f"www.example.com:443 {COMBINED_LINE} 1534", "vhost_combined_time_us"),
        (f"www.example.com:443 {COMBINED_LINE} 0.250", "vhost_combined_time"),
        (f"www.example.com:443 {COMBINED_LINE}", "vhost_combined"),
        (TRAEFIK_LINE, "traefik_clf"),
        (COMBINED_LINE + ' "198.51.100.7"', "combined"),
    ],
)
def test_detection_of_clf_variants(line, name):
    assert detect_format([line] * 5).name == name


# Apache writes \" and \\ and \xhh for a non-printable byte; nginx \xHH. (raw text in the log, expected field)
ESCAPES = [
    (r"/C:\\Windows\\win.ini", r"/C:\Windows\win.ini"),
    (r"/say\"hi\"", '/say"hi"'),
    (r"/caf\xc3\xa9", "/café"),
    (r"/caf\xC3\xA9", "/café"),
    (r"/a\\\"b", '/a\\"b'),
    (r"/lit\\x41", r"/lit\x41"),  # an escaped backslash, then the text x41
    (r"/\x16\x03\x01\xd2\xa5", r"/\x16\x03\x01\xd2\xa5"),  # binary: every escape stays as written
]


@pytest.mark.parametrize(("raw", "expected"), ESCAPES)
def test_apache_escapes_are_decoded_in_request_referrer_and_agent(write_log, raw, expected):
    line = f'{CLIENT} - - [{T}] "GET {raw}?q={raw} HTTP/1.1" 200 5 "https://r.example{raw}" "agent {raw}"'
    result = parse_source(write_log([line]))
    assert result.parsed == 1, result.rejects
    row = result.frame.iloc[0]
    assert (row["path"], row["query"]) == (expected, "q=" + expected)
    assert row["referrer"] == "https://r.example" + expected
    assert row["user_agent"] == "agent " + expected


def test_escapes_agree_with_and_without_the_scanner(monkeypatch):
    lines = [
        f'{CLIENT} - - [{T}] "GET /p HTTP/1.1" 200 5 "https://r.example{raw}" "agent {raw}"' for raw, _ in ESCAPES
    ] + [f'{CLIENT} - - [{T}] "GET {raw} HTTP/1.1" 200 5 "-" "ua"' for raw, _ in ESCAPES]
    data = ("\n".join(lines) + "\n").encode()
    fmt = FORMATS["combined"]
    with_scanner = parse_source(io.BytesIO(data), fmt)
    monkeypatch.setattr(fastscan, "native", None)
    regex_only = parse_source(io.BytesIO(data), fmt)
    objects = {c: object for c in with_scanner.frame.columns if str(with_scanner.frame[c].dtype) == "category"}
    pd.testing.assert_frame_equal(with_scanner.frame.astype(objects), regex_only.frame.astype(objects))
    assert with_scanner.parsed == len(lines)
