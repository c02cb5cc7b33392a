"""Answer composition over the real knowledge store (YAML only; no embedding model)."""

from __future__ import annotations

import pytest

from ldn_core.answer import AnswerKind, compose_knowledge_answer, no_answer, out_of_scope
from ldn_core.answer.compose import RuleStatement
from ldn_core.knowledge import KnowledgeStore
from ldn_core.settings import REPO_ROOT


@pytest.fixture(scope="module")
def store() -> KnowledgeStore:
    return KnowledgeStore.load(REPO_ROOT / "knowledge")


def passage_with_conflict(store):
    return next(p for p in store.passages if p.conflicts_with)


def test_references_are_numbered_in_order_of_first_use(store):
    passages = [p for p in store.passages if len(p.sources) >= 2][:2]
    answer = compose_knowledge_answer(store, passages)
    numbers = [c.number for c in answer.citations]
    assert numbers == list(range(1, len(numbers) + 1))
    first_refs = answer.points[0].refs
    assert first_refs == tuple(range(1, len(passages[0].sources) + 1))
    cited = {c.source.id for c in answer.citations}
    assert cited == {sid for p in answer.points for sid in store.passage(p.origin_id).sources}


def test_a_disagreeing_passage_is_added_and_flagged(store):
    passage = passage_with_conflict(store)
    answer = compose_knowledge_answer(store, [passage])
    disputing = [p for p in answer.points if p.disputes]
    assert disputing and disputing[0].origin_id in passage.conflicts_with
    assert answer.conflict_note


def test_a_shared_source_gets_one_number(store):
    by_source: dict[str, list] = {}
    for p in store.passages:
        for sid in p.sources:
            by_source.setdefault(sid, []).append(p)
    sid, group = next((s, g) for s, g in by_source.items() if len(g) >= 2)
    answer = compose_knowledge_answer(store, group[:2])
    assert [c.source.id for c in answer.citations].count(sid) == 1


def test_rule_statements_lead_and_carry_their_sources(store):
    rule = RuleStatement("Rule", "Start 1.5 mg.", "very_low", ("practice_dosing",), "rule_x")
    answer = compose_knowledge_answer(store, [store.passages[0]], rules=[rule])
    assert answer.points[0].origin_id == "rule_x"
    assert answer.citations[0].source.id == "practice_dosing"


def test_evidence_statement_reflects_the_leading_passage(store):
    passage = next(p for p in store.passages if p.evidence == "moderate")
    answer = compose_knowledge_answer(store, [passage])
    assert answer.evidence == "moderate"
    assert answer.evidence_note.startswith("Moderate certainty")


def test_no_answer_and_out_of_scope_carry_no_citations():
    assert no_answer().kind == AnswerKind.NO_ANSWER and not no_answer().citations
    assert out_of_scope().kind == AnswerKind.OUT_OF_SCOPE and not out_of_scope().citations


def test_opioid_safety_conflict_does_not_tilt_towards_co_prescribing(store):
    # The label contraindication and the Mayo cohort disagree; the note must not tell the
    # clinician to prefer the "larger and more recent" study.
    answer = compose_knowledge_answer(store, [store.passage("opi-mayo-concomitant-opioids")])
    assert any(p.disputes for p in answer.points)
    note = answer.conflict_note
    assert "larger" not in note and "more recent" not in note
    assert "label" in note and "not that it was safe" in note


def test_efficacy_conflict_weighs_design_before_size(store):
    answer = compose_knowledge_answer(store, [store.passage("fm-younger2009-pilot")])
    assert [p.origin_id for p in answer.points if p.disputes] == ["fm-final-trial-negative"]
    assert "design first" in answer.conflict_note


@pytest.mark.parametrize(
    "passage_id",
    [
        "fm-younger2009-pilot",
        "fm-final-secondary-outcomes",
        "fm-younger2013-secondary-outcomes",
        "fm-final-pain-mechanisms",
    ],
)
def test_secondary_fibromyalgia_findings_bring_the_negative_trial(store, passage_id):
    answer = compose_knowledge_answer(store, [store.passage(passage_id)])
    assert "fm-final-trial-negative" in [p.origin_id for p in answer.points]
