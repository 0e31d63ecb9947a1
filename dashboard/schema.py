"""The frame contract: column names and dtypes, status classes, bot modes and labels every layer agrees on.

The frame is a pandas DataFrame, one row per parsed request:

- ``time``: datetime64[us, UTC], each line's own offset honoured.
- ``ip``, ``ident``, ``user``, ``method``, ``path``, ``query``, ``protocol``, ``referrer``, ``user_agent``:
  categoricals of strings; ``-`` in the log becomes an empty string.
- ``status``: int16 (any three digits the log wrote); ``bytes``: int64 (``-`` → 0).
- optional, when the format carries them: ``vhost`` (str), ``port`` (Int32), ``response_time_s`` (float64).
- ``line`` (uint32): the row's 1-based line number in its source, when it was parsed from lines; ``source_id``
  (uint16): the index of that source in the parse's ``sources``, when several logs were merged.
- enrichment: ``browser``, ``browser_version`` (major), ``os``, ``os_version`` (major.minor), ``device``
  (desktop/mobile/tablet/bot/other), ``crawler``, ``is_bot`` (bool), ``country`` (ISO alpha-2, or one of
  ``NON_COUNTRIES``), ``country_name``,
  ``lat``/``lon`` (float32, NaN unless the GeoIP database has locations).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

TIME_DTYPE = "datetime64[us, UTC]"
BASE_COLUMNS = (
    "time",
    "ip",
    "ident",
    "user",
    "method",
    "path",
    "query",
    "protocol",
    "status",
    "bytes",
    "referrer",
    "user_agent",
)
LINE = "line"
SOURCE_ID = "source_id"
BASE_DTYPES = {"time": TIME_DTYPE, "status": "int16", "bytes": "int64"}  # every other base column: category
AGENT_COLUMNS = ("browser", "browser_version", "os", "device", "is_bot")
GEO_COLUMNS = ("country", "country_name", "lat", "lon")

DEVICES = ("desktop", "mobile", "tablet", "bot", "other")

# Labels in the ``country`` column for addresses that belong to no country. They are never two upper-case
# letters, so they cannot be mistaken for an ISO code, and they are never counted as countries.
PRIVATE = "private"
RESERVED = "reserved"
UNKNOWN = "unknown"
NON_COUNTRIES = (PRIVATE, RESERVED, UNKNOWN)

# Status classes: 100-599 by their hundreds; any other code the log wrote (LinkedIn's 999, a 600) is "other",
# so a share of 5xx counts exactly 500-599 on every page, in the cube, the summary and the alert rules.
STATUS_CLASSES = ("1xx", "2xx", "3xx", "4xx", "5xx")
OTHER_STATUS = "other"
STATUS_LABELS = (*STATUS_CLASSES, OTHER_STATUS)

# A top-N table sums the values it does not show into one row with this label.
OTHER = "Other"

# The bot filter: keep every request, drop the bots' requests, or keep only those.
BOT_MODES = ("include", "exclude", "only")


def is_country(code: str) -> bool:
    """True for an ISO alpha-2 code, False for the non-country labels."""
    return len(code) == 2 and code.isalpha() and code.isupper()


def status_codes(status: np.ndarray | pd.Series) -> np.ndarray:
    """Each status's position in ``STATUS_LABELS`` (0 = 1xx … 4 = 5xx, 5 = other): integers, for bincount."""
    hundreds = np.asarray(status).astype(np.int64) // 100
    return np.where((hundreds >= 1) & (hundreds <= len(STATUS_CLASSES)), hundreds - 1, len(STATUS_CLASSES))


def status_class(status: np.ndarray | pd.Series) -> pd.Categorical:
    """'2xx', '5xx', ... per status code ('other' outside 100-599): the one rule every figure uses."""
    return pd.Categorical.from_codes(status_codes(status), categories=list(STATUS_LABELS))


def in_status_class(status: np.ndarray | pd.Series, label: str) -> np.ndarray:
    """Boolean mask of the statuses in the class ``label`` ('5xx' is 500-599, never 999)."""
    return status_codes(status) == STATUS_LABELS.index(label)


def empty_frame() -> pd.DataFrame:
    """A frame with the base columns, their dtypes, and no rows."""
    return pd.DataFrame(
        {
            name: pd.Series([], dtype=BASE_DTYPES[name]) if name in BASE_DTYPES else pd.Categorical([])
            for name in BASE_COLUMNS
        }
    )
