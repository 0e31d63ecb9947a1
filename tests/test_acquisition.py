"""UTM tags and referrers: parsing (encoded, repeated, case), the site's own hosts, and the visit tables."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from dashboard.analysis.acquisition import NONE, parse_utm, referrer_hosts, self_hosts, utm_table
from dashboard.analysis.visits import sessionize
from dashboard.pipeline import load_log
from support.loglines import combined

SITE = "https://www.example.com"


@pytest.mark.parametrize(
    ("query", "tags"),
    [
        (
            "utm_source=newsletter&utm_medium=email&utm_campaign=june",
            {"source": "newsletter", "medium": "email", "campaign": "june"},
        ),
        ("?utm_source=twitter&utm_medium=social", {"source": "twitter", "medium": "social"}),
        ("UTM_Source=Google&utm_MEDIUM=CPC", {"source": "google", "medium": "cpc"}),
        ("utm_campaign=summer%20sale&utm_source=news+letter", {"campaign": "summer sale", "source": "news letter"}),
        ("utm_source=%C3%A9t%C3%A9", {"source": "été"}),
        ("utm_source=first&utm_source=second", {"source": "first"}),
        ("utm_source=&utm_source=late", {"source": "late"}),
        ("utm_source=%20padded%20", {"source": "padded"}),
        ("utm_content=banner&utm_term=shoes&ref=producthunt", {}),
        ("page=2&color=navy", {}),
        ("", {}),
        ("utm_source=a=b&utm_medium", {"source": "a=b"}),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_utm_tags_are_parsed_decoded_and_lower_cased(query: str, tags: dict) -> None:
    assert parse_utm(query) == tags


def parse(lines: list[str], fmt: str = "combined") -> pd.DataFrame:
    return load_log(io.BytesIO(("\n".join(lines) + "\n").encode()), fmt, name="t").frame


def line(ip: str, minute: int, target: str, referrer: str = "-") -> str:
    return combined(ip, f"01/Jun/2026:10:{minute:02d}:00 +0000", f"GET {target} HTTP/1.1", 200, 10, referrer=referrer)


def site_log() -> pd.DataFrame:
    """Three visitors: one from Google, one from a newsletter, one direct, each browsing internally."""
    return parse(
        [
            line("8.8.8.8", 0, "/", "https://www.google.com/"),
            line("8.8.8.8", 1, "/blog/", f"{SITE}/"),
            line("8.8.8.8", 2, "/blog/post", f"{SITE}/blog/"),
            line("8.8.8.8", 3, "/static/app.js", f"{SITE}/blog/post"),
            line("8.8.4.4", 0, "/pricing?utm_source=Newsletter&utm_medium=email&utm_campaign=june", "-"),
            line("8.8.4.4", 1, "/about", f"{SITE}/pricing"),
            line("1.1.1.1", 0, "/about?utm_source=twitter", "https://t.co/abc"),
            line("1.1.1.1", 1, "/pricing", f"{SITE}/about"),
            line("9.9.9.9", 0, "/", "https://www.google.com/"),
        ]
    )


def test_the_sites_own_host_is_detected_from_internal_navigation() -> None:
    frame = site_log()
    assert self_hosts(frame) == {"www.example.com"}  # google.com refers from "/" only: one path is not enough
    assert self_hosts(frame, ["Shop.Example.com "]) == {"www.example.com", "shop.example.com"}


def test_virtual_hosts_are_the_sites_own() -> None:
    lines = [
        'www.example.org:443 8.8.8.8 - - [01/Jun/2026:10:00:00 +0000] "GET / HTTP/1.1" 200 10 '
        '"https://www.example.org/x" "curl/8"'
    ]
    assert "www.example.org" in self_hosts(parse(lines, "vhost_combined"))


def test_referrers_count_visits_by_their_entry_and_leave_the_site_out() -> None:
    frame = site_log()
    visits = sessionize(frame)
    table = referrer_hosts(frame, visits, self_hosts(frame))
    assert table.to_dict("list") == {"referrer": ["www.google.com", "t.co"], "visits": [2, 1]}
    everything = referrer_hosts(frame, visits, set())
    assert "www.example.com" not in set(everything["referrer"])  # internal referrers are never on an entry page


def test_a_self_referral_entry_is_left_out() -> None:
    # A visit that starts after 30 idle minutes on an internal link: its referrer is the site itself.
    frame = parse(
        [
            line("8.8.8.8", 0, "/", "https://www.google.com/"),
            line("8.8.8.8", 1, "/a", f"{SITE}/"),
            line("8.8.8.8", 2, "/b", f"{SITE}/a"),
            line("8.8.8.8", 59, "/c", f"{SITE}/b"),
        ]
    )
    visits = sessionize(frame)
    assert len(visits.pageviews) == 2
    assert referrer_hosts(frame, visits, self_hosts(frame)).to_dict("list") == {
        "referrer": ["www.google.com"],
        "visits": [1],
    }
    assert referrer_hosts(frame, visits, set())["visits"].sum() == 2


def test_utm_table_counts_tagged_entries() -> None:
    frame = site_log()
    table = utm_table(frame, sessionize(frame))
    assert table.to_dict("list") == {
        "source": ["newsletter", "twitter"],
        "medium": ["email", NONE],
        "campaign": ["june", NONE],
        "visits": [1, 1],
    }


def test_no_visit_gives_empty_tables() -> None:
    frame = site_log().iloc[0:0]
    visits = sessionize(frame)
    assert utm_table(frame, visits).empty
    assert referrer_hosts(frame, visits, set()).empty
    assert self_hosts(frame) == set()
