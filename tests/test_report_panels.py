"""The report and the CLI carry the Audience and Clients panels: the same figures as the pages (AppTest on the
sample) and as the core functions, one line where response times are missing, the digest's audience headline,
and ``summary``'s networks."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dashboard.analysis import networks, versions
from dashboard.analysis.audience import audience
from dashboard.analysis.filters import parse_param
from dashboard.analysis.timing import NO_COLUMN
from dashboard.cli import main
from dashboard.enrich.asn import load_asn_table
from dashboard.enrich.geo import resolve_geoip_path
from dashboard.pipeline import SAMPLE_FORMAT, load_log, parse_sample, sample_text
from dashboard.render.audience import response_figures, seconds_table, visit_figures
from dashboard.render.report import make_report
from dashboard.views.config import SAMPLE_DAYS, SAMPLE_SEED
from support.loglines import UA_CHROME, combined

SUPPORT = Path(__file__).resolve().parent / "support"
SAMPLE_LINES = 4000
TIMEOUT = 120


@pytest.fixture(scope="module")
def sample():
    """The app's sample (the parameters the pages use) and its report."""
    loaded = parse_sample(SAMPLE_LINES, SAMPLE_DAYS, SAMPLE_SEED, resolve_geoip_path(None))
    return loaded, make_report(loaded)


def section(document: str, title: str) -> str:
    """The HTML of one report section (from its heading to the end of the section)."""
    start = document.index(f"<h2>{html.escape(title)}</h2>")
    return document[start : document.index("</section>", start)]


def boxes(block: str) -> dict[str, str]:
    """The figure boxes of a section: label → value."""
    pairs = re.findall(r'<div class="label">(.*?)</div><div class="value">(.*?)</div>', block)
    return {html.unescape(k): html.unescape(v) for k, v in pairs}


def table(block: str) -> list[list[str]]:
    """The body rows of the first table of a section, as text."""
    body = block[block.index("<tbody>") : block.index("</tbody>")]
    return [
        [html.unescape(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row)]
        for row in re.findall(r"<tr>(.*?)</tr>", body)
    ]


def as_text(frame: pd.DataFrame) -> list[list[str]]:
    """A table's values as the report writes them (counts with thousands separators, shares in percent)."""
    out = []
    for record in frame.itertuples(index=False):
        row = []
        for column, value in zip(frame.columns, record, strict=True):
            value = value.item() if hasattr(value, "item") else value
            if isinstance(value, float) and column.startswith("share"):
                row.append(f"{value:.1%}")
            elif isinstance(value, int | float) and not isinstance(value, bool):
                row.append(f"{value:,}")
            else:
                row.append(str(value))
        out.append(row)
    return out


def test_the_reports_audience_figures_are_the_audience_pages(fresh_caches, monkeypatch, sample) -> None:
    _, report = sample
    monkeypatch.setenv("DATABLOOM_ARGS", f"--sample-lines {SAMPLE_LINES}")
    page = AppTest.from_file(str(SUPPORT / "audience_app.py"), default_timeout=TIMEOUT).run()
    assert not page.exception and not page.error
    shown = {m.label: m.value for m in page.metric}
    reported = boxes(section(report.html, "Visits")) | boxes(section(report.html, "Response time percentiles"))
    for label in ("Page views", "Visits", "Bounce rate", "Pages per visit", "Median visit", "Mean visit"):
        assert reported[label] == shown[label], label
    for label in ("p50", "p95", "p99", "Max"):
        assert reported[label] == shown[label], label
    slowest = next(d.value for d in page.dataframe if "p95 (ms)" in d.value.columns)
    assert table(section(report.html, "Slowest endpoints")) == as_text(slowest)


def test_the_reports_tables_come_from_the_core_functions(sample) -> None:
    loaded, report = sample
    frame = loaded.frame
    people = audience(frame)
    document = report.html
    assert boxes(section(document, "Visits")) == dict(visit_figures(people))
    assert boxes(section(document, "Response time percentiles")) == dict(response_figures(people))
    assert table(section(document, "Entry pages")) == as_text(people.entry_pages)
    assert table(section(document, "Referrers")) == as_text(people.referrers)
    assert table(section(document, "Top URLs and the time spent serving them")) == as_text(
        seconds_table(people.top_urls)
    )
    by_network = networks.networks(frame, load_asn_table())
    reported = table(section(document, "Networks"))
    assert [int(r[3].replace(",", "")) for r in reported] == by_network["requests"].head(networks.TOP).tolist()
    assert table(section(document, "Bots by kind of network")) == as_text(networks.bots_by_kind(by_network))
    assert table(section(document, "Methods and protocols per URL")) == as_text(versions.methods_by_path(frame))
    browsers = versions.versions(frame, "browser", "browser_version").groupby("family", sort=False).head(10)
    assert table(section(document, "Browser versions")) == as_text(browsers[["family", "version", "requests", "share"]])


def test_the_digest_has_the_audience_headline(sample) -> None:
    loaded, report = sample
    people = audience(loaded.frame)
    shown = boxes(report.digest[report.digest.index("<h2>Audience</h2>") :])
    expected = dict(visit_figures(people)) | dict(response_figures(people))
    assert shown == {k: expected[k] for k in ("Visits", "Bounce rate", "Page views", "p95")}


def untimed_lines() -> list[str]:
    return [
        combined(ip, f"01/Jun/2026:10:0{i}:00 +0000", f"GET /p{i} HTTP/1.1", 200, 10, agent=UA_CHROME)
        for i, ip in enumerate(["8.8.8.8", "8.8.8.8", "8.8.4.4", "1.1.1.1", "8.8.4.4"])
    ]


def test_a_log_without_response_times_says_why_in_one_line(write_log) -> None:
    report = make_report(load_log(str(write_log(untimed_lines()))))
    block = section(report.html, "Response time percentiles")
    assert html.escape(NO_COLUMN) in block and "<table>" not in block and 'class="chart"' not in block
    assert "<h2>Slowest endpoints</h2>" not in report.html
    assert "<h2>Top URLs and the time spent serving them</h2>" not in report.html
    assert boxes(section(report.html, "Visits"))["Visits"] == "3"
    digest = report.digest[report.digest.index("<h2>Audience</h2>") :]
    assert boxes(digest)["p95"] == "–" and html.escape(NO_COLUMN) in digest


def test_the_panels_count_the_reports_filtered_rows(write_log) -> None:
    lines = (
        untimed_lines()
        + [combined("9.9.9.9", "01/Jun/2026:10:09:00 +0000", "POST /login HTTP/1.1", 503, 10, agent=UA_CHROME)] * 4
    )
    loaded = load_log(str(write_log(lines)))
    report = make_report(loaded, filters=[parse_param("status:is:5xx")])
    reported = table(section(report.html, "Networks"))
    assert sum(int(r[3].replace(",", "")) for r in reported) == 4
    assert table(section(report.html, "Methods and protocols per URL")) == [["/login", "POST", "HTTP/1.1", "4"]]


def test_summary_networks_are_the_clients_pages(fresh_caches, monkeypatch, tmp_path, capsys) -> None:
    monkeypatch.setenv("DATABLOOM_ARGS", f"--sample-lines {SAMPLE_LINES}")
    page = AppTest.from_file(str(SUPPORT / "clients_app.py"), default_timeout=TIMEOUT).run()
    assert not page.exception and not page.error
    nets = next(d.value for d in page.dataframe if "organisation" in d.value.columns)
    kinds = next(d.value for d in page.dataframe if "share_of_bots" in d.value.columns)
    log = tmp_path / "sample.log"
    log.write_bytes(sample_text(SAMPLE_LINES, SAMPLE_DAYS, SAMPLE_SEED))
    assert main(["summary", str(log), "--format", SAMPLE_FORMAT, "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    top = nets.head(10)
    assert [n["requests"] for n in doc["networks"]] == top["requests"].tolist()
    assert [f"AS{n['asn']}" if n["asn"] else "—" for n in doc["networks"]] == top["asn"].tolist()
    assert [n["name"] for n in doc["networks"]] == top["organisation"].tolist()
    assert [n["kind"] for n in doc["networks"]] == top["kind"].tolist()
    for row in kinds.itertuples():
        figures = doc["bots_by_network_kind"][row.kind]
        assert (figures["bot_requests"], figures["human_requests"]) == (row.bot_requests, row.human_requests)


def test_text_summary_prints_the_networks_briefly(write_log, capsys) -> None:
    assert main(["summary", str(write_log(untimed_lines()))]) == 0
    out = capsys.readouterr().out
    assert "Networks:" in out and "AS15169" in out and "Google LLC" in out
    assert re.search(r"Bots by network: data centre \d+, residential \d+, no network \d+", out)
    assert main(["summary", str(write_log(untimed_lines(), name="b.log")), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["networks"][0] == {"asn": 15169, "name": "Google LLC", "requests": 4, "kind": "data centre"}
    assert set(doc["bots_by_network_kind"]) == {"data centre", "residential", "no network"}
