"""One guard around each section of a page: a failure becomes one message there, the rest of the page still renders.

A ``DataBloomError`` carries a message written for the user and is shown as it is. Anything else is a bug: the
page shows its type and first line, the traceback goes to the server log only (it holds server paths).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st

from dashboard.errors import WEB, DataBloomError, phrased
from dashboard.views import icons

LOG = logging.getLogger(__name__)
MAX_MESSAGE = 200
RETRY = "Try another time window, bucket or log; the rest of the page is unaffected."


def one_line(exc: BaseException) -> str:
    """The first line of an exception's message, shortened: what a page may show of an unexpected error."""
    lines = str(exc).strip().splitlines()
    text = lines[0] if lines else ""
    text = text if len(text) <= MAX_MESSAGE else text[: MAX_MESSAGE - 1] + "…"
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def describe(exc: Exception) -> str:
    """What the page says about a failure: an expected error in the page's words, else type and first line."""
    return phrased(exc, WEB) if isinstance(exc, DataBloomError) else one_line(exc)


def failure(exc: Exception, what: str, expected: tuple[type[Exception], ...] = (DataBloomError,)) -> str:
    """The page's message for ``exc``; an unexpected one (a bug) also goes to the server log with its traceback."""
    if isinstance(exc, expected):
        return phrased(exc, WEB)
    LOG.exception("%s", what)
    return describe(exc)


@contextmanager
def section(title: str, hint: str = RETRY, failed: str = "could not be drawn") -> Iterator[None]:
    """Run one section of a page; a failure shows ``st.error`` in its place instead of a traceback.

    Usable as ``with section("Browsers"):`` or as a decorator. Streamlit's rerun and stop signals are
    BaseExceptions and pass through.
    """
    try:
        yield
    except Exception as exc:
        message = failure(exc, f"{title} {failed}")
        stop = "" if message.endswith((".", "!", "?")) else "."
        st.error(f"{title} {failed}: {message}{stop} {hint}", icon=icons.WARNING)
