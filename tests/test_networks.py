"""Networks (the bundled IP→AS table), versions under families, methods per URL, and the Clients page."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dashboard.analysis import networks, versions
from dashboard.enrich.agents import classify_agent
from dashboard.enrich.asn import NO_ASN, AsnTableError, _search, is_data_centre, load_asn_table
from support.loglines import combined

LOOKUPS = [
    ("8.8.8.8", 15169),  # Google
    ("1.1.1.1", 13335),  # Cloudflare
    ("2001:4860:4860::8888", 15169),
    ("[2001:4860:4860::8888]", 15169),
    ("10.0.0.1", NO_ASN),  # private
    ("192.168.1.1", NO_ASN),
    ("::1", NO_ASN),
    ("", NO_ASN),
    ("not an address", NO_ASN),
    ("999.1.1.1", NO_ASN),
]


@pytest.mark.parametrize(("address", "asn"), LOOKUPS)
def test_bundled_table_knows_public_networks(address, asn):
    assert int(load_asn_table().lookup([address])[0]) == asn


def test_organisations_and_data_centres():
    table = load_asn_table()
    assert table.organisation(15169) == "Google LLC"
    assert table.organisation(4_294_967_295) == ""
    assert is_data_centre("Amazon.com, Inc.") and is_data_centre("Hetzner Online GmbH")
    assert is_data_centre("DigitalOcean, LLC") and is_data_centre("Some Hosting Ltd")
    assert not is_data_centre("Deutsche Telekom AG") and not is_data_centre("Comcast Cable Communications, LLC")
    assert not is_data_centre("Ghostly ISP")  # a word inside another word is not a match


def test_range_search_edges():
    starts, ends, asns = (np.array(v, dtype=np.uint32) for v in ([10, 20, 40], [14, 29, 40], [1, 2, 3]))
    keys = np.array([9, 10, 14, 15, 20, 29, 30, 40, 41], dtype=np.uint32)
    assert _search(keys, starts, ends, asns).tolist() == [0, 1, 1, 0, 2, 2, 0, 3, 0]


def test_damaged_table_is_one_clear_error(tmp_path):
    bad = tmp_path / "asn.npz"
    bad.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(AsnTableError, match="reinstall"):
        load_asn_table(bad)


def _frame(rows):
    frame = pd.DataFrame(rows, columns=["ip", "is_bot", "bytes"])
    return frame.assign(ip=frame["ip"].astype("category"))


def test_networks_count_every_request_once():
    frame = _frame(
        [
            ("8.8.8.8", True, 10),
            ("8.8.4.4", True, 10),
            ("1.1.1.1", False, 5),
            ("10.0.0.1", False, 1),
            ("8.8.8.8", False, 100),
        ]
    )
    table = networks.networks(frame, load_asn_table())
    google = table[table["asn"] == 15169].iloc[0]
    assert (google["requests"], google["bot_requests"], google["bytes"], google["addresses"]) == (3, 2, 120, 2)
    assert google["kind"] == networks.DATA_CENTRE and google["organisation"] == "Google LLC"
    assert table["requests"].sum() == len(frame) and table["share"].sum() == pytest.approx(1.0)
    assert table.iloc[0]["asn"] == 15169  # largest first
    kinds = networks.bots_by_kind(table)
    assert kinds["kind"].tolist() == list(networks.KINDS)
    assert kinds.set_index("kind").loc[networks.NO_NETWORK, "human_requests"] == 1
    assert kinds["bot_requests"].sum() == 2 and kinds["share_of_bots"].sum() == pytest.approx(1.0)


def test_networks_of_nothing():
    assert networks.networks(_frame([]), load_asn_table()).empty
    assert networks.bots_by_kind(networks.networks(_frame([]), load_asn_table()))["bot_requests"].sum() == 0


def test_os_version_comes_with_the_family():
    iphone = (
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "Version/17.4 Mobile/15E148 Safari/604.1"
    )
    assert classify_agent(iphone)[2] == "iOS" and classify_agent(iphone)[6] == "17.4"
    assert classify_agent("-")[6] == ""


def test_versions_nest_under_families():
    frame = pd.DataFrame(
        {
            "browser": ["Chrome"] * 5 + ["Firefox"] * 2 + ["curl"],
            "browser_version": ["130", "130", "129", "", "130", "131", "131", "8"],
        }
    )
    table = versions.versions(frame, "browser", "browser_version", families=2)
    assert table[["family", "version", "requests"]].values.tolist() == [
        ["Chrome", "130", 3],
        ["Chrome", "(no version)", 1],
        ["Chrome", "129", 1],
        ["Firefox", "131", 2],
    ]
    assert table.groupby("family")["share"].sum().tolist() == pytest.approx([1.0, 1.0])


def test_methods_and_protocols_per_path():
    frame = pd.DataFrame(
        {
            "path": ["/a", "/a", "/a", "/b", "/c", "/c"],
            "method": ["GET", "POST", "GET", "GET", "HEAD", "HEAD"],
            "protocol": ["HTTP/1.1", "HTTP/1.1", "HTTP/2.0", "HTTP/1.1", "HTTP/1.0", "HTTP/1.0"],
        }
    )
    table = versions.methods_by_path(frame, paths=2)
    assert table.values.tolist() == [
        ["/a", "GET", "HTTP/1.1", 1],
        ["/a", "GET", "HTTP/2.0", 1],
        ["/a", "POST", "HTTP/1.1", 1],
        ["/c", "HEAD", "HTTP/1.0", 2],
    ]


APP = Path(__file__).resolve().parent / "support" / "clients_app.py"
UA = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36"
BOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"


@pytest.fixture
def log(tmp_path, monkeypatch):
    from dashboard.views import cache

    when = "10/Oct/2026:13:55:36 +0000"
    lines = [combined("66.249.66.1", when, "GET /robots.txt HTTP/1.1", 200, 10, agent=BOT)] * 3
    lines += [combined("81.2.69.160", when, "GET / HTTP/2.0", 200, 10, agent=UA)] * 5
    lines += [combined("81.2.69.160", when, "POST /login HTTP/1.1", 503, 10, agent=UA)] * 2
    path = tmp_path / "access.log"
    path.write_text("\n".join(lines) + "\n")
    monkeypatch.setenv("DATABLOOM_ARGS", f"--log {path}")
    cache.clear_all()
    yield
    cache.clear_all()


def test_clients_page(log):
    at = AppTest.from_file(str(APP), default_timeout=120).run()
    assert not at.exception and not at.error
    tables = [d.value for d in at.dataframe]
    nets = next(t for t in tables if "organisation" in t.columns)
    assert nets.set_index("asn").loc["AS15169", "bot_requests"] == 3
    assert nets.set_index("asn").loc["AS20712", "requests"] == 7
    kinds = next(t for t in tables if "share_of_bots" in t.columns).set_index("kind")
    assert kinds.loc[networks.DATA_CENTRE, "bot_requests"] == 3
    methods = next(t for t in tables if "protocol" in t.columns)
    assert methods.values.tolist()[0] == ["/", "GET", "HTTP/2.0", 5]
    assert any("db-ip.com" in c.value for c in at.caption)


def test_clients_page_follows_the_explore_filters(log):
    at = AppTest.from_file(str(APP), default_timeout=120)
    at.query_params["f"] = ["status:is:5xx"]
    at.run()
    assert not at.exception
    nets = next(d.value for d in at.dataframe if "organisation" in d.value.columns)
    assert nets["requests"].sum() == 2
    assert any("status:5xx" in c.value for c in at.caption)


def test_addresses_outside_every_network_are_one_named_row():
    """Private and unannounced addresses are counted under a name that says so, not a blank one."""
    from dashboard.analysis.networks import NO_NETWORK, NO_NETWORK_NAME, networks

    frame = pd.DataFrame(
        {"ip": ["10.0.0.1", "192.168.1.1", "8.8.8.8"], "is_bot": [False, True, False], "bytes": [1, 2, 3]}
    )
    table = networks(frame, load_asn_table()).set_index("asn")
    assert table.loc[NO_ASN, "organisation"] == NO_NETWORK_NAME and table.loc[NO_ASN, "kind"] == NO_NETWORK
    assert table.loc[NO_ASN, "requests"] == 2 and table.loc[15169, "organisation"]
