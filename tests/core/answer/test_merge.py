"""One reply from several answers: one reference list, renumbered, nothing shown twice."""

from __future__ import annotations

import pytest

from ldn_core.answer import AnswerKind, compose_knowledge_answer
from ldn_core.answer.merge import merge_answers
from ldn_core.knowledge import KnowledgeStore
from ldn_core.settings import REPO_ROOT


@pytest.fixture(scope="module")
def store() -> KnowledgeStore:
    return KnowledgeStore.load(REPO_ROOT / "knowledge")


def test_references_are_renumbered_across_parts(store):
    first = compose_knowledge_answer(store, [store.passage("opi-washout-7-10-days")])
    second = compose_knowledge_answer(store, [store.passage("fm-final-trial-negative")])
    merged = merge_answers(store, [first, second])
    assert [c.number for c in merged.citations] == list(range(1, len(merged.citations) + 1))
    by_number = {c.number: c.source.id for c in merged.citations}
    for point in merged.points:
        cited = {by_number[n] for n in point.refs}
        assert cited == set(store.passage(point.origin_id).sources)


def test_the_lead_part_decides_kind_and_a_point_is_shown_once(store):
    washout = store.passage("opi-washout-7-10-days")
    first = compose_knowledge_answer(store, [washout])
    again = compose_knowledge_answer(store, [washout, store.passage("int-tramadol-is-opioid")])
    merged = merge_answers(store, [first, again], intro="Lead line.")
    ids = [p.origin_id for p in merged.points]
    assert ids.count(washout.id) == 1 and "int-tramadol-is-opioid" in ids
    assert merged.kind == AnswerKind.KNOWLEDGE and merged.intro.startswith("Lead line.")


def test_merging_nothing_is_an_error(store):
    with pytest.raises(ValueError):
        merge_answers(store, [])
