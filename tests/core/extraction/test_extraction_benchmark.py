"""Regression gate: the labelled set in eval/extraction/cases.yaml must keep scoring."""

import pytest

from bench import extraction_score as bench

CASES = bench.load_cases()


def test_labelled_set_is_large_and_well_formed():
    splits = [c["split"] for c in CASES]
    assert (
        splits.count("test") >= 45 and splits.count("dev") >= 20 and splits.count("holdout") >= 20
    )
    assert len({c["id"] for c in CASES}) == len(CASES)
    for case in CASES:
        assert set(case["expect"]) <= set(bench.FACT_NAMES), case["id"]


@pytest.mark.parametrize("split", ["test", "dev", "holdout"])
def test_split_accuracy(split):
    result = bench.score([c for c in CASES if c["split"] == split])
    assert result["accuracy"] >= 0.95, "\n".join(result["errors"])


def test_scoring_counts_wrong_and_spurious_values():
    case = {
        "id": "x",
        "split": "x",
        "today": "2026-11-27",
        "text": "pregnant, on tramadol",
        "expect": {"pregnant": False},
    }
    result = bench.score([case])
    assert result["accuracy"] == 0.0
    assert result["per_fact"]["opioids"]["extracted"] == 1  # spurious (unlabelled) opioid
    assert len(result["errors"]) == 2
