"""The sample is a fixture of demos, benchmarks and the alert scores: a seed must keep giving the same bytes.

The digests were taken from the sample before it was split into a package. A deliberate change to the
simulator updates them in the same commit, and says so.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from dashboard.sample import sidecar_path, write_sample

GOLDEN = [
    (
        {"lines": 20_000, "seed": 0},
        "deed99932e0ed36467a8ba92f6242535fe4c214f591957c2ee224c25857006e4",
        "92a2dd8d09e5b4c317ac87bee814ed8adcd4bf312b94baa1638afc9b0170621f",
    ),
    (
        {"lines": 20_000, "seed": 2, "tz": "America/New_York", "days": 3},
        "1ba14406756a58c33ffd519d20f9c33d7d21ff46e2f88992de974e80d815119f",
        "b9a5891abc5528f826d29b1aaa83a52235d38180a908411560fd28428945f43d",
    ),
]


def digest(path: Path) -> str:
    """SHA-256 of a file's bytes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize(("params", "log", "sidecar"), GOLDEN, ids=["seed-0", "seed-2-new-york"])
def test_a_seed_gives_the_same_bytes_as_before(tmp_path: Path, params: dict, log: str, sidecar: str) -> None:
    path = tmp_path / "sample.log"
    write_sample(path, **params)
    assert digest(path) == log
    assert digest(sidecar_path(path)) == sidecar
