"""The realistic-message development sets load and keep their schema (the held-out set is
never opened here)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "bench"))

from realistic_benchmark import SETS, load_items  # noqa: E402
from realistic_check import check  # noqa: E402


@pytest.mark.parametrize("name", ["dev", "dev2"])
def test_development_set_schema(name):
    assert check(name) == []


def test_dev2_loads_in_the_benchmark():
    items = load_items(SETS / "dev2.yml")
    assert len(items) >= 300
    assert all(len(i.turns) == 2 for i in items if i.style == "followup")
