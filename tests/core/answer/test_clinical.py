"""Screening answers: a final verdict does not ask for facts it does not need."""

from __future__ import annotations

import datetime as dt

import pytest

from ldn_core.answer.clinical import compose_screening
from ldn_core.knowledge import KnowledgeStore
from ldn_core.patient import OpioidExposure, PatientFacts
from ldn_core.render import to_text
from ldn_core.rules import screen
from ldn_core.settings import REPO_ROOT

TODAY = dt.date(2026, 3, 1)


@pytest.fixture(scope="module")
def store() -> KnowledgeStore:
    return KnowledgeStore.load(REPO_ROOT / "knowledge")


def test_do_not_start_is_not_followed_by_questions(store):
    # Buprenorphine maintenance, liver status unknown: the verdict is already final.
    facts = PatientFacts(opioids=[OpioidExposure("buprenorphine", current=True)])
    result = screen(facts, TODAY)
    assert result.verdict.value == "do_not_start" and result.missing
    text = to_text(compose_screening(store, result))
    assert text.startswith("Verdict: do not start LDN.")
    assert "still need" not in text


def test_a_provisional_verdict_lists_what_is_still_needed(store):
    stopped = OpioidExposure("oxycodone", current=False, last_dose=TODAY - dt.timedelta(days=3))
    facts = PatientFacts(opioids=[stopped], last_opioid_dose=stopped.last_dose)
    result = screen(facts, TODAY)
    assert result.verdict.value == "wait_until" and result.missing
    text = to_text(compose_screening(store, result))
    assert "To decide, I still need:" in text
    assert all(result.questions[k] in text for k in result.missing if k in result.questions)
