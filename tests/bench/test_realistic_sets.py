"""The realistic-message development sets load and keep their schema (the held-out set is
never opened here)."""

from __future__ import annotations

import pytest

from bench.realistic_benchmark import SETS, load_items
from bench.realistic_check import check


@pytest.mark.parametrize("name", ["dev", "dev2", "dev3", "dev4", "dev5", "dev6", "dev7"])
def test_development_set_schema(name):
    assert check(name) == []


def test_dev2_loads_in_the_benchmark():
    items = load_items(SETS / "dev2.yml")
    assert len(items) >= 300
    assert all(len(i.turns) == 2 for i in items if i.style == "followup")


def test_store_gaps_are_scored_apart_from_covered_questions():
    from bench.realistic_benchmark import Item, Outcome, Tally

    gap = Item("x1", "terse", ("ldn with grapefruit?",), "answer", frozenset({"interactions"}))
    gap = Item(**{**gap.__dict__, "store_gap": True})
    covered = Item("x2", "terse", ("ldn max dose?",), "answer", frozenset({"dosing"}))
    honest = Outcome(gap, "no_answer", cited=False, on_topic=False, clinical=False, seconds=0.1)
    verdict = Outcome(gap, "screening", cited=True, on_topic=False, clinical=True, seconds=0.1)
    answered = Outcome(covered, "knowledge", cited=True, on_topic=True, clinical=True, seconds=0.1)
    tally = Tally()
    for outcome in (honest, verdict, answered):
        tally.add(outcome)
    assert (tally.answered, tally.answer_items) == (1, 3)  # the headline keeps the gaps in
    assert (tally.covered_answered, tally.covered_items) == (1, 1)
    assert (tally.gap_handled, tally.gap_items) == (1, 2)  # the unasked verdict fails
