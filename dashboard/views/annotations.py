"""The operator's annotations (``--annotations FILE``, or ``annotations.jsonl`` beside the log) for the pages.

Read on each run (a small file an ``annotate`` call may have just grown); naive times are wall time in the
sidebar's zone. A file that cannot be read is one warning on the page and no markers, never a traceback.
"""

from __future__ import annotations

import streamlit as st

from dashboard.analysis.annotations import Annotation, AnnotationError, load_annotations
from dashboard.views import icons
from dashboard.views.config import AppConfig


def load(config: AppConfig, tz: str) -> list[Annotation]:
    """The annotations to draw, or none (with a warning naming the file and line) when the file is bad."""
    if config.annotations is None:
        return []
    try:
        return load_annotations(config.annotations, tz)
    except AnnotationError as exc:
        st.warning(f"Annotations not shown: {exc}", icon=icons.WARNING)
        return []
