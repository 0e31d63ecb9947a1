"""Hostile log content (user agents, paths, referrers, users) stays text: CSV cells never start a formula, and
no Markdown element of the page carries a payload unescaped (Streamlit would render it as Markdown/LaTeX).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dashboard.ingest.parse import parse_source
from dashboard.render.export import to_csv
from dashboard.sample.hostile import FORMULA_PREFIXES, PAYLOADS, hostile_log

APP = Path(__file__).resolve().parents[2] / "app.py"
TIMEOUT = 120
# Substrings that, unescaped in a Markdown element, would render as HTML/Markdown/LaTeX or carry a link/escape.
MARKDOWN_DANGER = ("<script", "<img", "<svg", "javascript:", "**bold-x**", "](javascript", "$x^2$", "\x1b[", "{{7*7}}")


def cells(data: bytes) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(data.decode("utf-8"), newline="")) for cell in row]


def test_parsed_hostile_log_keeps_every_payload_as_text():
    result = parse_source(io.BytesIO(hostile_log()), workers=1)
    assert (result.parsed, result.rejected) == (40, len(PAYLOADS))
    agents = set(result.frame["user_agent"].astype(str))
    assert {p for p in PAYLOADS.values()} <= agents


@pytest.mark.parametrize("index", [True, False])
def test_exported_csv_never_starts_a_formula(index):
    frame = parse_source(io.BytesIO(hostile_log()), workers=1).frame
    data = to_csv(frame, index=index)
    values = cells(data)
    assert values
    starting = [v for v in values if v.startswith(FORMULA_PREFIXES)]
    assert starting == []
    assert any(v == "'" + PAYLOADS["formula"] for v in values)  # neutralised, not dropped


def test_exported_pivot_with_hostile_labels_is_neutralised():
    labels = list(PAYLOADS.values())
    pivot = pd.DataFrame({label: [1, 2] for label in labels}, index=pd.Index(["=A1", "@x"], name="time"))
    values = cells(to_csv(pivot))
    assert [v for v in values if v.startswith(FORMULA_PREFIXES)] == []
    tabbed = pd.DataFrame({"a": ["\t=1", "\r=1", "-1", " =1"]}).astype("category")
    assert [v for v in cells(to_csv(tabbed, index=False)) if v.startswith(FORMULA_PREFIXES)] == []


def markdown_texts(at: AppTest) -> list[str]:
    kinds = ("markdown", "caption", "info", "warning", "error", "success", "title", "header", "subheader", "toast")
    texts = [str(el.value) for kind in kinds for el in at.get(kind)]
    for el in at.get("metric"):
        texts += [str(el.label), str(el.value), str(getattr(el, "help", "") or "")]
    for kind in ("button", "download_button", "checkbox", "toggle", "selectbox", "multiselect", "radio"):
        for el in at.get(kind):
            texts += [str(getattr(el, "label", "")), str(getattr(el, "help", "") or "")]
            texts += [str(o) for o in getattr(el, "options", []) or []]
    return texts


def test_page_never_renders_a_payload_as_markdown(monkeypatch):
    from dashboard.views import cache

    monkeypatch.setenv("DATABLOOM_ARGS", "--sample-lines 500")
    cache.clear_all()
    try:
        at = AppTest.from_file(str(APP), default_timeout=TIMEOUT).run()
        at.radio(key="source").set_value("Upload").run()
        at.file_uploader[0].set_value(("hostile.log", hostile_log(), "text/plain")).run()
        assert not at.exception
        assert next(m.value for m in at.metric if m.label == "Requests") == "40"
        texts = markdown_texts(at)
        assert texts
        leaks = [(d, t[:120]) for t in texts for d in MARKDOWN_DANGER if d in t]
        assert leaks == []
    finally:
        cache.clear_all()


def test_index_name_is_neutralised_too():
    """The index name becomes the first header cell; a dimension named from data must not start a formula."""
    pivot = pd.DataFrame({"a": [1]}, index=pd.Index(["x"], name="=HYPERLINK(1)"))
    assert [v for v in cells(to_csv(pivot)) if v.startswith(FORMULA_PREFIXES)] == []


def test_a_carriage_return_inside_a_field_cannot_start_a_new_row():
    """A bare CR left unquoted ends the row in a spreadsheet, so ``x<CR>=cmd…`` would put a formula in column A."""
    line = '8.8.8.8 - - [01/Jun/2026:10:00:00 +0000] "GET /\r=1+1 HTTP/1.1" 200 1 "-" "x\r=cmd|\' /C calc\'!A0"\n'
    frame = parse_source(io.BytesIO(line.encode()), workers=1).frame
    assert len(frame) == 1 and "\r" in frame["user_agent"].iloc[0]
    values = cells(to_csv(frame, index=False))
    assert [v for v in values if v.startswith(FORMULA_PREFIXES)] == []
