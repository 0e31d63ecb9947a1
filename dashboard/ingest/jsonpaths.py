"""The small JSONPath subset the JSON formats use (``$.a.b``, ``$['x-y']``, ``[0]``), for Python objects.

The vectorized parser hands the same paths to polars ``str.json_path_match``; this module lets the format
detector and the per-line reference parser read them from decoded lines.
"""

from __future__ import annotations

import re

STEP = re.compile(r"\.([A-Za-z_@][\w@-]*)|\['([^']*)'\]|\[(\d+)\]")


def split_path(path: str) -> list[str | int]:
    """``$.request.headers['User-Agent'][0]`` → ``['request', 'headers', 'User-Agent', 0]``."""
    if not path.startswith("$"):
        raise ValueError(f"JSON path must start with $: {path!r}")
    steps: list[str | int] = []
    pos = 1
    while pos < len(path):
        m = STEP.match(path, pos)
        if not m:
            raise ValueError(f"unsupported JSON path {path!r} at {pos}")
        key, quoted, index = m.groups()
        steps.append(int(index) if index is not None else (key if key is not None else quoted))
        pos = m.end()
    return steps


def get_path(obj: object, path: str) -> object | None:
    """The value at ``path`` in ``obj``, or None when any step is missing."""
    for step in split_path(path):
        if isinstance(step, int):
            if not isinstance(obj, list) or step >= len(obj):
                return None
            obj = obj[step]
        else:
            if not isinstance(obj, dict) or step not in obj:
                return None
            obj = obj[step]
    return obj


def path_present(obj: object, path: str) -> bool:
    """True when ``path`` leads to a value in ``obj``."""
    return get_path(obj, path) is not None
