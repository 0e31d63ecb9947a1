"""Column names of the parsed and enriched frame: one place so every layer agrees.

The frame is a pandas DataFrame, one row per parsed request:

- ``time``: datetime64[ns, UTC], each line's own offset honoured.
- ``ip``, ``ident``, ``user``, ``method``, ``path``, ``query``, ``protocol``, ``referrer``, ``user_agent``:
  strings (categoricals where cardinality is low); ``-`` in the log becomes an empty string.
- ``status``: int16; ``bytes``: int64 (``-`` → 0).
- optional, when the format carries them: ``vhost`` (str), ``port`` (Int32), ``response_time_s`` (float64).
- enrichment: ``browser``, ``browser_version``, ``os``, ``device`` (desktop/mobile/tablet/bot/other),
  ``is_bot`` (bool), ``country`` (ISO alpha-2, or one of ``NON_COUNTRIES``), ``country_name``,
  ``lat``/``lon`` (float32, NaN unless the GeoIP database has locations).
"""

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
OPTIONAL_COLUMNS = ("vhost", "port", "response_time_s")
AGENT_COLUMNS = ("browser", "browser_version", "os", "device", "is_bot")
GEO_COLUMNS = ("country", "country_name", "lat", "lon")

DEVICES = ("desktop", "mobile", "tablet", "bot", "other")

# Labels in the ``country`` column for addresses that belong to no country. They are never two upper-case
# letters, so they cannot be mistaken for an ISO code, and they are never counted as countries.
PRIVATE = "private"
RESERVED = "reserved"
UNKNOWN = "unknown"
NON_COUNTRIES = (PRIVATE, RESERVED, UNKNOWN)


def is_country(code: str) -> bool:
    """True for an ISO alpha-2 code, False for the non-country labels."""
    return len(code) == 2 and code.isalpha() and code.isupper()
