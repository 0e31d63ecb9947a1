"""The page/asset classifier: table-driven cases, page views, kind totals and the Static files panel."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest

from dashboard.analysis.pages import (
    ASSET,
    KINDS,
    OTHER_KIND,
    PAGE,
    PageRules,
    classify_path,
    count_pageviews,
    kind_codes,
    kind_totals,
    pageview_mask,
    top_assets,
)
from dashboard.pipeline import load_log
from support.loglines import combined

WHEN = "01/Jun/2026:10:00:00 +0000"


@pytest.mark.parametrize(
    ("path", "content_type", "kind"),
    [
        ("/", "", PAGE),
        ("/blog/debugging-tls", "", PAGE),
        ("/index.html", "", PAGE),
        ("/wp-login.php", "", PAGE),
        ("/static/css/main.3f9a1c.css", "", ASSET),
        ("/static/anything-without-extension", "", ASSET),
        ("/images/blog/a.JPG", "", ASSET),
        ("/favicon.ico", "", ASSET),
        ("/fonts/inter-var.woff2", "", ASSET),
        ("/site.webmanifest", "", ASSET),
        ("/downloads/report.pdf", "", ASSET),
        ("/api/v1/cart", "", OTHER_KIND),
        ("/API/v1/cart", "", OTHER_KIND),
        ("/robots.txt", "", OTHER_KIND),
        ("/sitemap.xml", "", OTHER_KIND),
        ("/.well-known/security.txt", "", OTHER_KIND),
        ("/v1.2/about", "", PAGE),  # a dot in a folder is no extension
        ("/download", "text/html; charset=utf-8", PAGE),
        ("/logo.png", "text/html", PAGE),  # the logged content type wins over the extension
        ("/report", "application/pdf", ASSET),
        ("/report", "application/json", OTHER_KIND),
    ],
)
def test_each_request_has_one_kind(path: str, content_type: str, kind: str) -> None:
    assert classify_path(path, content_type=content_type) == kind


def test_rules_are_configurable() -> None:
    rules = PageRules(asset_prefixes=("/cdn/",), asset_extensions=("png",), other_prefixes=(), other_extensions=())
    assert classify_path("/cdn/app", rules) == ASSET
    assert classify_path("/static/app.css", rules) == PAGE
    assert classify_path("/api/v1/cart", rules) == PAGE


def parse(lines: list[str]) -> pd.DataFrame:
    data = ("\n".join(lines) + "\n").encode()
    return load_log(io.BytesIO(data), "combined", name="t").frame


def test_page_views_are_gets_of_pages_answered_2xx_or_304() -> None:
    frame = parse(
        [
            combined("8.8.8.8", WHEN, "GET / HTTP/1.1", 200, 10),  # a page view
            combined("8.8.8.8", WHEN, "GET /pricing HTTP/1.1", 304, "-"),  # revalidated: still viewed
            combined("8.8.8.8", WHEN, "GET /blog HTTP/1.1", 301, 10),  # a redirect
            combined("8.8.8.8", WHEN, "GET /nope HTTP/1.1", 404, 10),  # an error
            combined("8.8.8.8", WHEN, "POST /contact HTTP/1.1", 200, 10),  # a form, not a view
            combined("8.8.8.8", WHEN, "GET /static/app.js HTTP/1.1", 200, 10),  # an asset
            combined("8.8.8.8", WHEN, "GET /api/v1/cart HTTP/1.1", 200, 10),  # an API call
        ]
    )
    assert pageview_mask(frame).tolist() == [True, True, False, False, False, False, False]
    assert count_pageviews(frame) == 2


def test_kind_totals_and_static_files_panel() -> None:
    frame = parse(
        [
            combined("8.8.8.8", WHEN, "GET / HTTP/1.1", 200, 100),
            combined("8.8.8.8", WHEN, "GET /static/app.js HTTP/1.1", 200, 1000),
            combined("8.8.4.4", WHEN, "GET /static/app.js HTTP/1.1", 200, 1000),
            combined("8.8.4.4", WHEN, "GET /logo.svg HTTP/1.1", 200, 5000),
            combined("8.8.4.4", WHEN, "GET /robots.txt HTTP/1.1", 200, 7),
        ]
    )
    totals = kind_totals(frame).set_index("kind")
    assert totals.index.tolist() == list(KINDS)
    assert totals["requests"].tolist() == [1, 3, 1]
    assert totals["bytes"].tolist() == [100, 7000, 7]
    panel = top_assets(frame)
    assert panel.to_dict("list") == {"path": ["/static/app.js", "/logo.svg"], "requests": [2, 1], "bytes": [2000, 5000]}


def test_empty_frames_have_no_pages_and_no_assets() -> None:
    frame = parse([combined("8.8.8.8", WHEN, "GET / HTTP/1.1", 200, 1)]).iloc[0:0]
    assert count_pageviews(frame) == 0
    assert kind_codes(frame).size == 0
    assert top_assets(frame).empty
    assert kind_totals(frame)["requests"].sum() == 0


def test_a_plain_string_path_column_classifies_like_a_categorical() -> None:
    frame = parse([combined("8.8.8.8", WHEN, f"GET {p} HTTP/1.1", 200, 1) for p in ("/", "/a.css", "/api/x")])
    plain = frame.assign(path=frame["path"].astype(str))
    assert np.array_equal(kind_codes(frame), kind_codes(plain))


def test_a_logged_content_type_decides_per_path_and_type() -> None:
    frame = parse([combined("8.8.8.8", WHEN, f"GET {p} HTTP/1.1", 200, 1) for p in ("/x", "/x", "/logo.png")])
    frame = frame.assign(content_type=pd.Categorical(["text/html", "image/webp", ""]))
    assert [KINDS[c] for c in kind_codes(frame)] == [PAGE, ASSET, ASSET]
