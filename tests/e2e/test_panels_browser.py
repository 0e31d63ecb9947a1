"""In Chromium: the Audience and Clients pages draw their panels on the sample, with the core's figures."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from dashboard.analysis import audience
from dashboard.pipeline import parse_sample
from dashboard.resources import GEOIP_DB
from dashboard.views.config import SAMPLE_DAYS, SAMPLE_SEED
from support.browser import SAMPLE_LINES, metric_value

LOAD_TIMEOUT = 90_000


@pytest.fixture(scope="module")
def sample_frame():
    return parse_sample(SAMPLE_LINES, SAMPLE_DAYS, SAMPLE_SEED, GEOIP_DB).frame


def _no_error(web: Page) -> None:
    assert web.locator("[data-testid=stException]").count() == 0
    assert web.locator("[data-testid=stAlertContentError]").count() == 0


def test_audience_page_shows_visits_and_response_times(web: Page, server, sample_frame):
    data = audience.audience(sample_frame)
    web.goto(f"{server}/audience")
    expect(metric_value(web, "Visits")).to_have_text(f"{data.visit_figures['visits']:,}", timeout=LOAD_TIMEOUT)
    expect(metric_value(web, "Page views")).to_have_text(f"{data.pageviews:,}")
    for heading in ("Entry pages", "Exit pages", "Referrers", "Campaigns (UTM)", "Page views and assets"):
        expect(web.get_by_role("heading", name=heading)).to_be_visible()
    expect(web.get_by_role("heading", name=re.compile("^Response time"))).to_be_visible()
    expect(metric_value(web, "p95")).to_have_text(re.compile(r"\d"))
    expect(web.locator("[data-testid=stVegaLiteChart]").first).to_be_visible()
    _no_error(web)


def test_clients_page_shows_networks_versions_and_methods(web: Page, server, sample_frame):
    chrome = int((sample_frame["browser"] == "Chrome").sum())
    web.goto(f"{server}/clients")
    for heading in ("Networks", "Versions", "Methods and protocols per URL"):
        expect(web.get_by_role("heading", name=heading)).to_be_visible(timeout=LOAD_TIMEOUT)
    expect(web.get_by_text("Bots by kind of network")).to_be_visible()
    expect(web.locator("[data-testid=stDataFrame]").nth(2)).to_be_attached(timeout=LOAD_TIMEOUT)
    expect(web.get_by_text(f"Chrome — {chrome:,} requests", exact=False).first).to_be_visible()
    expect(web.get_by_role("link", name="DB-IP")).to_be_visible()
    _no_error(web)
