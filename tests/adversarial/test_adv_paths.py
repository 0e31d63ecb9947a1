"""No page control or URL parameter opens a file outside what the operator configured (--log, --allow-dir)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.views.config import PathNotAllowedError, allowed_path, parse_app_args

APP = Path(__file__).resolve().parents[2] / "app.py"
TIMEOUT = 120
LINE = '8.8.8.8 - - [01/Jun/2026:10:00:00 +0000] "GET /{n} HTTP/1.1" 200 10 "-" "curl/8.5.0"'


@pytest.fixture
def layout(tmp_path: Path) -> dict[str, Path]:
    """An allowed dir with a log, a secret log next to it, and symlinks pointing out of the allowed dir."""
    allowed, outside = tmp_path / "allowed", tmp_path / "outside"
    allowed.mkdir()
    outside.mkdir()
    (allowed / "access.log").write_text("\n".join(LINE.format(n=i) for i in range(3)) + "\n")
    secret = outside / "secret.log"
    secret.write_text("\n".join(LINE.format(n=f"secret{i}") for i in range(7)) + "\n")
    (allowed / "link.log").symlink_to(secret)
    (allowed / "dirlink").symlink_to(outside, target_is_directory=True)
    (allowed / "sub").mkdir()
    (allowed / "sub" / "inner.log").write_text(LINE.format(n="inner") + "\n")
    return {"allowed": allowed, "outside": outside, "secret": secret}


def hostile_requests(layout: dict[str, Path]) -> list[str]:
    secret, allowed = layout["secret"], layout["allowed"]
    return [
        "../../etc/passwd",
        "/etc/passwd",
        "../outside/secret.log",
        str(secret),
        f"{allowed}/../outside/secret.log",
        "link.log",
        f"{allowed}/link.log",
        "dirlink/secret.log",
        "sub/../../outside/secret.log",
        "..%2Foutside%2Fsecret.log",
        "%2E%2E/%2E%2E/etc/passwd",
        "..\\..\\etc\\passwd",
        "access.log\x00../../etc/passwd",
        "/etc/passwd\x00",
        "file:///etc/passwd",
        "~/.bashrc",
        ".",
        "",
        str(allowed),
        "/proc/self/environ",
        "/dev/zero",
    ]


def test_allowed_path_refuses_everything_outside(layout):
    config = parse_app_args(["--allow-dir", str(layout["allowed"])], environ={})
    for requested in hostile_requests(layout):
        with pytest.raises(PathNotAllowedError):
            allowed_path(config, requested)


def test_allowed_path_still_opens_what_was_allowed(layout):
    allowed = layout["allowed"]
    config = parse_app_args(["--allow-dir", str(allowed), "--log", str(layout["secret"])], environ={})
    assert allowed_path(config, "access.log") == allowed / "access.log"
    assert allowed_path(config, "sub/inner.log") == allowed / "sub" / "inner.log"
    assert allowed_path(config, str(allowed / "access.log")) == allowed / "access.log"
    assert allowed_path(config, str(layout["secret"])) == layout["secret"]  # named with --log
    assert allowed_path(config, "link.log") == layout["secret"]  # a link to a named log is that log


def test_log_option_alone_allows_nothing_else(layout):
    config = parse_app_args(["--log", str(layout["allowed"] / "access.log")], environ={})
    for requested in [*hostile_requests(layout), "access.log", str(layout["allowed"] / "sub" / "inner.log")]:
        with pytest.raises(PathNotAllowedError):
            allowed_path(config, requested)


# --- the page -------------------------------------------------------------------------------------------


@pytest.fixture
def page(monkeypatch, layout):
    from dashboard.views import cache

    monkeypatch.setenv("DATABLOOM_ARGS", f"--sample-lines 500 --allow-dir {layout['allowed']}")
    cache.clear_all()
    yield layout
    cache.clear_all()


def requests_shown(at: AppTest) -> str | None:
    return next((m.value for m in at.metric if m.label == "Requests"), None)


def shows_secret(at: AppTest) -> bool:
    """Content of the secret log (its paths /secret0…, its 7 requests) or of /etc/passwd anywhere on the page."""
    texts = [str(el.value) for kind in ("markdown", "caption", "text", "code", "error") for el in at.get(kind)]
    texts += [frame.value.to_string() for frame in at.dataframe]
    return any("/secret0" in t or "root:x:" in t for t in texts) or requests_shown(at) == "7"


def test_text_input_refuses_hostile_paths_with_one_message(page):
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.query_params["source"] = "Server log"
    at.run()
    at.text_input(key="sidebar_path").set_value("access.log").run()
    assert not at.exception and requests_shown(at) == "3"
    for requested in hostile_requests(page):
        at.text_input(key="sidebar_path").set_value(requested).run()
        assert not at.exception, requested
        if requested:
            refused = ("not a log this server was configured to open", "no path given")  # the latter: NUL bytes
            assert any(r in e.value for e in at.main.error for r in refused), requested
        assert requests_shown(at) is None, requested  # a refusal is reported instead of the previous log
        assert not shows_secret(at), requested


@pytest.mark.parametrize(
    "query",
    [
        {"source": "Server log", "sidebar_path": "/etc/passwd"},
        {"source": "Server log", "sidebar_path": "../outside/secret.log", "path": "../outside/secret.log"},
        {"source": "Server log", "log": "/etc/passwd", "follow": "/etc/passwd", "cube": "/etc/passwd"},
        {"source": "Live", "follow": "../outside/secret.log"},
        {"source": "Cube", "cube": "/etc/passwd"},
        {"source": "../../etc/passwd"},
    ],
)
def test_url_parameters_cannot_name_a_file(page, query):
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.query_params.update(query)
    at.run()
    assert not at.exception
    assert not shows_secret(at)
    path_input = at.text_input(key="sidebar_path") if at.radio(key="source").value == "Server log" else None
    if path_input is not None:
        assert path_input.value in ("", str(page["allowed"] / "access.log"))


def test_without_allow_dir_the_server_source_does_not_exist(monkeypatch, layout):
    from dashboard.views import cache

    monkeypatch.setenv("DATABLOOM_ARGS", "--sample-lines 500")
    cache.clear_all()
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.query_params.update({"source": "Server log", "sidebar_path": str(layout["secret"])})
    at.run()
    assert not at.exception
    assert "Server log" not in at.radio(key="source").options
    assert requests_shown(at) == "500"
    assert os.path.exists(layout["secret"])
