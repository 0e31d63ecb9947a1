"""AppTest: a log that cannot be loaded is reported in the main area, instead of the stale log and its banner,
in the page's words (its own controls, never a CLI flag)."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from support.loglines import UA_CHROME, combined

ROOT = Path(__file__).resolve().parents[1]
APPS = {
    "traffic": ROOT / "app.py",
    **{page: ROOT / "tests" / "support" / f"{page}_app.py" for page in ("explore", "lines", "clients", "audience")},
}
SAMPLE_LINES = 2000
TIMEOUT = 120
GOOD = "".join(
    combined("8.8.8.8", f"01/Jun/2026:10:{i:02d}:00 +0000", f"GET /p{i} HTTP/1.1", 200, 10, agent=UA_CHROME) + "\n"
    for i in range(40)
).encode()
BAD = {
    "random bytes named .gz": ("access.log.gz", bytes(range(256)) * 20, "not a valid gzip file"),
    "damaged deflate stream": (
        "access.log.gz",
        (lambda b: b[:30] + b"\xff" * 30 + b[60:])(gzip.compress(GOOD * 50)),
        "not a valid gzip file",
    ),
    "unknown format": ("words.txt", b"hello world\n" * 20, "choose the log format in the sidebar"),
}


pytestmark = pytest.mark.usefixtures("fresh_caches")  # tests/conftest.py


def start(page: str) -> AppTest:
    at = AppTest.from_file(str(APPS[page]), default_timeout=TIMEOUT).run()
    assert not at.exception and not at.error, "the sample is on screen first"
    at.radio(key="source").set_value("Upload").run()
    return at


def upload(at: AppTest, name: str, content: bytes) -> AppTest:
    at.file_uploader[0].set_value((name, content, "application/octet-stream")).run()
    return at


@pytest.mark.parametrize("page", list(APPS))
@pytest.mark.parametrize("case", list(BAD))
def test_a_failed_load_replaces_the_view_with_one_message_in_the_main_area(page, case):
    name, content, message = BAD[case]
    at = upload(start(page), name, content)
    assert not at.exception
    errors = [e.value for e in at.main.error]
    assert len(errors) == 1 and message in errors[0], errors
    assert "--" not in errors[0] and "Traceback" not in errors[0]
    assert not at.sidebar.error, [e.value for e in at.sidebar.error]
    assert not at.metric, "no figure of the stale log under the error"
    assert not [i.value for i in at.info if "sample" in i.value], "no sample banner under the error"


def test_a_good_upload_after_a_failed_one_shows_the_new_log():
    at = upload(start("traffic"), *BAD["unknown format"][:2])
    assert at.main.error
    upload(at, "good.log", GOOD)
    assert not at.exception and not at.error
    assert next(m.value for m in at.metric if m.label == "Requests") == "40"
