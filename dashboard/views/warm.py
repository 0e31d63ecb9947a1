"""Warm-up at server start: the first visit's work done before the first visitor asks for it.

``streamlit run app.py`` serves ``app.py``'s ``st.App``, whose lifespan starts ``warm`` on a thread when the server
starts. While the first browser still fetches and compiles Streamlit's scripts (about a second), the thread
imports the page modules (pandas, Altair, pydeck: about 0.6 s) and reads what the sidebar opens on into the same
caches the page reads (the sample, the operator's --log or --store), with the Traffic page's default cube and, for
a small log, its alerts. A first run then finds them cached. A failure here is logged and left to the page, which
meets it again and says what to do.
"""

from __future__ import annotations

import contextlib
import logging
import sys
import threading
from collections.abc import AsyncIterator, Sequence

LOG = logging.getLogger(__name__)
THREAD = "databloom-warm-up"


class _OwnThreadOnly(logging.Filter):
    """Streamlit warns that a thread outside a script run has no ScriptRunContext: expected here, not news."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.threadName != THREAD


QUIET = _OwnThreadOnly()


def warm(argv: Sequence[str]) -> None:
    """Import the pages and read what a first visit opens into the caches (``argv``: the app's options)."""
    from dashboard.analysis.buckets import DEFAULT_BUCKET
    from dashboard.views import alerts_panel, sidebar, traffic
    from dashboard.views.config import parse_app_args

    config = parse_app_args(argv)
    selected = sidebar.open_opening(config)
    if selected is None or selected.cube is not None:  # a followed log starts with the page; a cube is read whole
        return
    traffic.traffic_cube(selected, DEFAULT_BUCKET, sidebar.DEFAULT_TZ)
    if alerts_panel.first_look(selected):
        alerts_panel.computed(selected, config.alerts_config)


def _run(argv: Sequence[str]) -> None:
    try:
        warm(argv)
    except (Exception, SystemExit) as exc:  # the page meets it again and says what to do
        LOG.warning("warm-up stopped (%s: %s); the first page reads the log itself", type(exc).__name__, exc)


def start(argv: Sequence[str] | None = None) -> threading.Thread:
    """``warm`` on a daemon thread (it never delays the server's start or its stop)."""
    logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").addFilter(QUIET)
    thread = threading.Thread(target=_run, args=(list(sys.argv[1:] if argv is None else argv),), name=THREAD)
    thread.daemon = True
    thread.start()
    return thread


@contextlib.asynccontextmanager
async def lifespan(_app) -> AsyncIterator[None]:
    """The ``st.App`` lifespan: the warm-up starts with the server."""
    start()
    yield
