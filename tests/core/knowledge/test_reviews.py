"""Review dates and reviewer roles: every passage and rule has them, old ones are flagged,
and the answer payload exposes them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import yaml

from ldn_core.knowledge import validate
from ldn_core.knowledge.reviews import load_reviews, months_before

from .conftest import Tree, default_passages

TODAY = dt.date(2027, 6, 15)
RULES = {
    "rules": [
        {"id": "opioid_current", "sources": ["alpha2020"]},
        {"id": "renal_severe", "sources": ["beta2019"]},
    ]
}


def review_issues(tree: Tree, **kwargs) -> list:
    return [i for i in validate(tree.kdir, today=TODAY, **kwargs) if "review" in i.field]


def test_months_before_clamps_to_the_month_end() -> None:
    assert months_before(dt.date(2026, 3, 31), 1) == dt.date(2026, 2, 28)
    assert months_before(dt.date(2026, 12, 4), 12) == dt.date(2025, 12, 4)
    assert months_before(dt.date(2026, 1, 15), 13) == dt.date(2024, 12, 15)


def test_passages_older_than_the_maximum_age_are_warned(tree: Tree) -> None:
    # fixture dates: 2026-11-27 (two passages) and 2026-01-02 (dose-cohort-range)
    issues = review_issues(tree, max_review_age_months=12)
    assert [(i.severity, i.item, i.file) for i in issues] == [
        ("warning", "dose-cohort-range", "knowledge/passages/dosing.yaml")
    ]
    assert "last reviewed 2026-01-02 by evidence curator" in issues[0].message
    assert "more than 12 months ago" in issues[0].message
    assert review_issues(tree, max_review_age_months=24) == []


def test_maximum_age_comes_from_the_ledger(tree: Tree) -> None:
    tree.write_reviews(max_age_months=6)
    stale = {i.item for i in review_issues(tree)}
    assert stale == {"fm-alpha-trial", "fm-beta-review", "dose-cohort-range"}


def test_a_passage_can_name_its_reviewer_role(tree: Tree, make_passage) -> None:
    tree.write_passages(
        "crps",
        [
            make_passage(
                id="crps-x",
                conditions=["crps"],
                text="CRPS case reports describe remitting dystonia on LDN.",
                reviewed_by="pain specialist",
            )
        ],
    )
    assert validate(tree.kdir, today=TODAY) == []
    assert load_reviews(tree.kdir).of("crps-x").reviewed_by == "pain specialist"
    assert load_reviews(tree.kdir).of("fm-alpha-trial").reviewed_by == "evidence curator"


def test_a_passage_without_any_reviewer_role_is_warned(tree: Tree) -> None:
    tree.write_yaml("reviews.yaml", {"rules": {}})
    issues = [i for i in validate(tree.kdir, today=TODAY) if i.field == "reviewed_by"]
    assert {i.item for i in issues} == set(
        p["id"] for items in default_passages().values() for p in items
    )


def test_rules_need_a_review_entry(tree: Tree) -> None:
    tree.write_yaml("rules/screening.yaml", RULES)
    tree.write_reviews(
        {
            "opioid_current": {"reviewed": "2027-01-10", "reviewed_by": "clinical pharmacist"},
            "retired_rule": {"reviewed": "2027-01-10", "reviewed_by": "clinical pharmacist"},
        }
    )
    found = {(i.item, i.file): i.message for i in validate(tree.kdir, today=TODAY)}
    assert "no review date and role" in found[("renal_severe", "knowledge/rules/screening.yaml")]
    assert "no rule file has" in found[("retired_rule", "knowledge/reviews.yaml")]
    assert ("opioid_current", "knowledge/rules/screening.yaml") not in found


def test_old_and_future_rule_reviews(tree: Tree) -> None:
    tree.write_yaml("rules/screening.yaml", RULES)
    tree.write_reviews(
        {
            "opioid_current": {"reviewed": "2025-01-10", "reviewed_by": "clinical pharmacist"},
            "renal_severe": {"reviewed": "2027-07-01", "reviewed_by": "clinical pharmacist"},
        },
        max_age_months=12,
    )
    found = {i.item: i for i in review_issues(tree)}
    assert found["opioid_current"].severity == "warning"
    assert "by clinical pharmacist" in found["opioid_current"].message
    assert found["renal_severe"].severity == "error"
    assert "in the future" in found["renal_severe"].message


def test_the_real_store_has_review_metadata_for_every_passage_and_rule() -> None:
    repo = Path(__file__).resolve().parents[3]
    index = load_reviews(repo / "knowledge")
    ids = {
        raw["id"]
        for path in (repo / "knowledge" / "passages").glob("*.yaml")
        for raw in yaml.safe_load(path.read_text(encoding="utf-8"))["passages"]
    }
    assert set(index.passages) == ids
    assert set(index.rule_ids) <= set(index.rules)
    assert all(r.reviewed_by for r in [*index.passages.values(), *index.rules.values()])
