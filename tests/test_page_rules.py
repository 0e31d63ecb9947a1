"""What counts as a page, an asset or other is the operator's to configure (``--page-rules FILE``, TOML), once for
every surface: the CLI, the pages, the store. Bad files get one message naming what is wrong."""

from __future__ import annotations

import json

import pytest

from dashboard.analysis.pages import (
    DEFAULT_RULES,
    PageRulesError,
    active_rules,
    classify_path,
    load_rules,
    pageview_mask,
    rules_from,
    use_rules,
)
from dashboard.cli import main
from dashboard.pipeline import load_log
from support.loglines import combined
from support.storeapp import APP, run

PATHS = ["/", "/blog/a", "/blog/b", "/docs/x", "/app.js", "/shop/item.php", "/api/v1"]


@pytest.fixture(autouse=True)
def default_rules():
    yield
    use_rules(DEFAULT_RULES)


@pytest.fixture
def log(tmp_path):
    lines = [
        combined("8.8.8.8", f"01/Jun/2026:10:{i:02d}:00 +0000", f"GET {p} HTTP/1.1", 200, 10)
        for i, p in enumerate(PATHS * 3)
    ]
    path = tmp_path / "site.log"
    path.write_text("\n".join(lines) + "\n")
    return path


def _rules_file(tmp_path, text: str):
    path = tmp_path / "pages.toml"
    path.write_text(text)
    return path


@pytest.mark.parametrize(
    ("text", "path", "kind"),
    [
        ('add_asset_prefixes = ["/blog/"]', "/blog/a", "asset"),
        ('add_asset_prefixes = ["/blog/"]', "/app.js", "asset"),  # the defaults are kept
        ('asset_extensions = ["PHP"]', "/shop/item.php", "asset"),  # any case, replaces the list
        ('asset_extensions = [".php"]', "/app.js", "page"),  # js is no longer an asset
        ('add_other_extensions = ["php"]', "/shop/item.php", "other"),
        ('other_prefixes = ["/docs/"]', "/api/v1", "page"),
        ("", "/api/v1", "other"),
    ],
)
def test_rules_from_a_file_classify_paths(tmp_path, text, path, kind):
    rules = load_rules(_rules_file(tmp_path, text))
    assert classify_path(path, rules) == kind


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ('asset_prefix = ["/x/"]', "unknown key 'asset_prefix'"),
        ('asset_prefixes = ["static/"]', "start with '/'"),
        ('asset_prefixes = "/static/"', "must be a list of non-empty strings"),
        ("asset_extensions = [1]", "must be a list of non-empty strings"),
        ("asset_extensions = [", "not valid TOML"),
    ],
)
def test_a_bad_rules_file_is_named(tmp_path, text, says):
    with pytest.raises(PageRulesError, match=says):
        load_rules(_rules_file(tmp_path, text))
    with pytest.raises(PageRulesError, match=r"page rules .*missing\.toml"):
        load_rules(tmp_path / "missing.toml")


def test_the_cli_counts_page_views_with_the_rules_and_restores_them(log, tmp_path, capsys):
    rules = _rules_file(tmp_path, 'add_asset_prefixes = ["/blog/"]')
    expected = int(pageview_mask(load_log(str(log)).frame, rules_from({"add_asset_prefixes": ["/blog/"]})).sum())
    assert main(["summary", str(log), "--json"]) == 0
    default = json.loads(capsys.readouterr().out)["pageviews"]
    assert main(["summary", str(log), "--json", "--page-rules", str(rules)]) == 0
    assert json.loads(capsys.readouterr().out)["pageviews"] == expected == default - 6  # two blog pages, 3 times
    assert active_rules() == DEFAULT_RULES  # one command's rules do not outlive it


def test_a_bad_rules_file_is_one_line_in_the_cli(log, tmp_path, capsys):
    rules = _rules_file(tmp_path, 'asset_prefixes = ["static/"]')
    assert main(["summary", str(log), "--page-rules", str(rules)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: page rules") and "Traceback" not in err and err.count("\n") == 1


def test_the_app_counts_with_the_rules_and_warns_of_a_bad_file(log, tmp_path, monkeypatch):
    good = _rules_file(tmp_path, 'add_asset_prefixes = ["/blog/"]')
    at = run(APP, f"--log {log} --page-rules {good}", monkeypatch, {"pageviews": "true", "source": "Server log"})
    assert not at.exception and not at.warning
    shown = {m.label: m.value for m in at.main.metric}
    assert shown["Page views"] == f"{len(PATHS * 3) - 3 - 3 - 6:,}"  # not the script, not the API, not the blog
    bad = _rules_file(tmp_path, "asset_extensions = 3")
    at = run(APP, f"--log {log} --page-rules {bad}", monkeypatch, {"pageviews": "true", "source": "Server log"})
    assert not at.exception
    assert any("must be a list" in w.value and "default rules" in w.value for w in at.warning)
    assert {m.label: m.value for m in at.main.metric}["Page views"] == f"{len(PATHS * 3) - 3 - 3:,}"
