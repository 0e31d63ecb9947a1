"""A GeoIP database remembers its answers across lookups (a store ingest looks up each batch's addresses)."""

from __future__ import annotations

from dashboard.enrich import geo as geo_module
from dashboard.enrich.geo import open_geo_database

ADDRESSES = ["8.8.8.8", "10.0.0.1", "not an ip", "2001:4860:4860::8888", "::ffff:1.1.1.1"]


class CountingReader:
    """The real reader, counting its lookups."""

    def __init__(self, reader):
        self.reader, self.calls = reader, 0

    def get(self, ip):
        self.calls += 1
        return self.reader.get(ip)

    def close(self):
        self.reader.close()


def test_answers_are_remembered_across_calls_and_the_memo_stays_bounded(monkeypatch):
    with open_geo_database() as db:
        fresh = db.lookup_many(ADDRESSES)
    with open_geo_database() as db:
        counting = CountingReader(db._reader)
        monkeypatch.setattr(db, "_reader", counting)
        first = db.lookup_many(ADDRESSES)
        calls = counting.calls
        second = db.lookup_many(list(reversed(ADDRESSES)))
        assert counting.calls == calls  # every address of the second call was known
        assert first.equals(fresh)
        assert second.iloc[::-1].reset_index(drop=True).equals(fresh)
        monkeypatch.setattr(geo_module, "SEEN_ADDRESSES", 2)
        db.lookup_many(["1.1.1.1"])
        assert len(db._seen) == 1  # over the bound: cleared before the call
