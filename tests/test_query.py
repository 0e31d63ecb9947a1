"""The query bar's language: table-driven reads, errors with positions, and the round trip with the chips."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dashboard.analysis.filters import Filter, FilterError, parse_param, to_params
from dashboard.analysis.query import QueryError, format_query, parse_query

READS = [
    ("status:5xx", [Filter("status", "is", "5xx")]),
    ("status:404 country:US", [Filter("status", "is", "404"), Filter("country", "is", "US")]),
    ("-country:CN", [Filter("country", "not", "CN")]),
    ("path~^/api", [Filter("path", "regex", "^/api")]),
    ("path:*login*", [Filter("path", "contains", "login")]),
    ('path:*"two words"*', [Filter("path", "contains", "two words")]),
    ('browser:"Mobile Safari"', [Filter("browser", "is", "Mobile Safari")]),
    ('path:"*"', [Filter("path", "is", "*")]),
    ("path:*", [Filter("path", "is", "*")]),
    ('referrer:""', [Filter("referrer", "is", "")]),
    ('path:"a \\"quoted\\" \\\\ path"', [Filter("path", "is", 'a "quoted" \\ path')]),
    ("bot", [Filter("bots", "is", "only")]),
    ("-bot", [Filter("bots", "is", "exclude")]),
    ("bots:include", [Filter("bots", "is", "include")]),
    ("ip:10.0.0.0/8 method:POST", [Filter("ip", "is", "10.0.0.0/8"), Filter("method", "is", "POST")]),
    ("  status:5xx   status:5xx  ", [Filter("status", "is", "5xx")]),
    ("", []),
    ("path:/a:b:c", [Filter("path", "is", "/a:b:c")]),
    ("path:-x", [Filter("path", "is", "-x")]),
    (
        'status:5xx country:US path~^/api -bot browser:"Mobile Safari"',
        [
            Filter("status", "is", "5xx"),
            Filter("country", "is", "US"),
            Filter("path", "regex", "^/api"),
            Filter("bots", "is", "exclude"),
            Filter("browser", "is", "Mobile Safari"),
        ],
    ),
]


@pytest.mark.parametrize(("text", "expected"), READS)
def test_reads(text, expected):
    assert parse_query(text) == expected


ERRORS = [
    # text, position of the culprit, words of the message
    ("colour:red", 0, "unknown field 'colour'"),
    ("status:5xx  -colour:red", 13, "unknown field 'colour'"),
    ("status:5xx hello", 11, "'hello' is not a filter"),
    ('browser:"Mobile Safari', 8, "unclosed quote"),
    ("path~(a", 5, "invalid regular expression"),
    ("status:teapot", 7, "status is a code"),
    ("ip:10.0.0.0/33", 3, ""),
    ("country:", 8, "needs a value"),
    ("-path~x", 0, "cannot be negated"),
    ("-path:*x*", 0, "cannot be negated"),
    ("country~U", 8, "country takes"),
    ('path:"a"b', 8, "space is missing"),
    ('path:a"b', 6, "quote inside a value"),
    ('"US"', 0, "starts with a field name"),
    ("path:**", 5, "contains value"),
    ("bots:sometimes", 5, "bots is one of"),
]


@pytest.mark.parametrize(("text", "position", "words"), ERRORS)
def test_errors_name_the_position(text, position, words):
    with pytest.raises(QueryError) as caught:
        parse_query(text)
    assert caught.value.position == position
    assert words in str(caught.value)
    assert f"at character {position + 1}" in str(caught.value)
    assert isinstance(caught.value, FilterError)  # the page shows every filter error the same way


def test_format_reads_back_examples():
    filters = [f for _, expected in READS for f in expected]
    assert parse_query(format_query(filters)) == list(dict.fromkeys(filters))


EQUAL = ["is", "not"]
TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=20)
FILTERS = st.one_of(
    st.builds(Filter, st.just("path"), st.sampled_from(["is", "not", "contains"]), TEXT),
    st.builds(Filter, st.sampled_from(["browser", "country", "referrer"]), st.sampled_from(EQUAL), TEXT),
    st.builds(Filter, st.just("path"), st.just("regex"), st.sampled_from(["^/api", "a b", '"q"', "x*", "\\d+$"])),
    st.builds(Filter, st.just("status"), st.sampled_from(["is", "not"]), st.sampled_from(["5xx", "404", "999"])),
    st.builds(Filter, st.just("bots"), st.just("is"), st.sampled_from(["include", "exclude", "only"])),
    st.builds(Filter, st.just("ip"), st.sampled_from(["is", "not"]), st.sampled_from(["10.0.0.0/8", "::1", "1.2.3.4"])),
)


@settings(max_examples=400, deadline=None)
@given(st.lists(FILTERS, max_size=6))
def test_round_trip_with_chips_and_url(filters):
    """parse(format(f)) == f, and the URL parameters of both are the same strings."""
    unique = list(dict.fromkeys(filters))
    text = format_query(unique)
    assert parse_query(text) == unique
    assert [parse_param(p) for p in to_params(parse_query(text))] == unique
