"""IP anonymisation: masked as GoAccess does, and no full address left in any table, chart, CSV or report."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from dashboard.analysis import explore, ranges
from dashboard.analysis.filters import Filter, filter_mask
from dashboard.analysis.rows import prepare
from dashboard.enrich.anonymise import NOT_AN_ADDRESS, anonymise_frame, mask_ip, mask_ips, mask_text
from dashboard.render.bars import top_bar_chart
from dashboard.render.export import to_csv
from dashboard.render.report import build_report
from support.explore_log import ROWS, load

ADDRESSES = sorted({row[1] for row in ROWS})


@pytest.mark.parametrize(
    ("address", "masked"),
    [
        ("192.0.2.77", "192.0.2.0"),
        ("8.8.8.8", "8.8.8.0"),
        ("10.255.255.255", "10.255.255.0"),
        ("2001:db8:1:2:3:4:5:6", "2001:db8:1::"),
        ("2001:0db8:abcd:ffff:ffff:ffff:ffff:ffff", "2001:db8:abcd::"),
        ("::1", "::"),
        ("::ffff:203.0.113.9", "::ffff:203.0.113.0"),
        ("fe80::1%eth0", "fe80::"),
        ("crawl-66-249-66-1.googlebot.com", NOT_AN_ADDRESS),
        ("", ""),
    ],
)
def test_mask_ip(address, masked):
    assert mask_ip(address) == masked


def test_mask_ips_merges_addresses_and_keeps_missing_values():
    column = pd.Series(pd.Categorical(["1.2.3.4", "1.2.3.5", None, "2001:db8::1"]))
    masked = mask_ips(column)
    assert masked.tolist()[:2] == ["1.2.3.0", "1.2.3.0"]
    assert pd.isna(masked.iloc[2])
    assert masked.iloc[3] == "2001:db8::"
    assert list(masked.cat.categories) == ["1.2.3.0", "2001:db8::"]


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    return load(tmp_path_factory.mktemp("anon"))


def test_anonymise_frame_leaves_the_input_alone(loaded):
    before = loaded.frame["ip"].copy()
    frame = anonymise_frame(loaded.frame)
    assert loaded.frame["ip"].equals(before)
    assert sorted(frame["ip"].cat.categories) == ["10.1.2.0", "2001:db8::", "8.8.4.0", "8.8.8.0", "81.2.69.0"]
    assert len(frame) == len(loaded.frame)


def test_no_full_address_anywhere(loaded):
    prepared = prepare(anonymise_frame(loaded.frame), "UTC")
    period = ranges.preset_range(prepared.frame["time"], "day")
    data = explore.explore(prepared, [], period, compare=True)
    texts = [to_csv(table, index=False).decode() for table in data.tops.values()]
    texts += [json.dumps(top_bar_chart(t, explore.TOP_PANELS[k][1]).to_dict()) for k, t in data.tops.items()]
    texts.append(to_csv(data.traffic).decode())
    ips = data.tops["ips"].set_index("ip")["requests"].to_dict()
    assert ips == {"10.1.2.0": 2, "2001:db8::": 2, "8.8.4.0": 1, "8.8.8.0": 1, "81.2.69.0": 2}
    for text in texts:
        for address in ADDRESSES:
            assert address not in text


def test_report_has_no_full_address(loaded):
    plain = build_report(loaded, anonymise=False)
    masked = build_report(loaded, anonymise=True)
    assert "81.2.69.160" in plain  # the panel shows addresses when not anonymised ...
    for address in ADDRESSES:
        assert address not in masked  # ... and none when anonymised
    assert "81.2.69.0" in masked


def test_network_filter_on_masked_addresses(loaded):
    frame = anonymise_frame(loaded.frame)
    assert filter_mask(frame, [Filter("ip", "is", "81.2.69.0/24")]).sum() == 2
    assert filter_mask(frame, [Filter("ip", "is", "81.2.69.160")]).sum() == 0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('203.0.113.77 - - [01/Jun/2026:10:00:00 +0000] "GET /', '203.0.113.0 - - [01/Jun/2026:10:00:00 +0000] "GET /'),
        ("client 2001:db8:1:2:3:4:5:6 said", "client 2001:db8:1:: said"),
        ("at 10:30:00, version 1.2.3.4.5, 999.1.1.1", "at 10:30:00, version 1.2.3.4.5, 999.1.1.1"),
        ("fe80::1%eth0 and ::ffff:198.51.100.9", "fe80:: and ::ffff:198.51.100.0"),
    ],
)
def test_mask_text(text, expected):
    assert mask_text(text) == expected
