from __future__ import annotations

import datetime as dt
import json

import pytest

from ldn_core.answer import Answer, AnswerKind, compose_knowledge_answer
from ldn_core.answer.clinical import compose_schedule, compose_screening
from ldn_core.knowledge import KnowledgeStore
from ldn_core.patient import OpioidExposure, PatientFacts
from ldn_core.render import format_reference, to_payload, to_text
from ldn_core.rules import build_schedule, screen
from ldn_core.settings import REPO_ROOT


@pytest.fixture(scope="module")
def store() -> KnowledgeStore:
    return KnowledgeStore.load(REPO_ROOT / "knowledge")


def test_reference_shows_doi_and_pmid_links_exactly_as_stored(store):
    source = store.source("smith2011")
    line = format_reference(source)
    assert f"DOI {source.doi} https://doi.org/{source.doi}" in line
    assert f"PMID {source.pmid} https://pubmed.ncbi.nlm.nih.gov/{source.pmid}/" in line
    assert source.authors in line and str(source.year) in line


def test_reference_without_verified_authors_says_so(store):
    source = next(s for s in store.sources.values() if not s.authors)
    assert "not verified" in format_reference(source)


def test_text_has_points_evidence_references_and_disclaimer(store):
    passage = next(p for p in store.passages if p.sources and p.evidence == "low")
    text = to_text(compose_knowledge_answer(store, [passage]))
    assert passage.text in text
    assert "Strength of evidence: Low certainty" in text
    assert "References:\n[1] " in text
    assert "does not replace clinical judgement" in text


def test_payload_is_json_with_structured_citations(store):
    passage = next(p for p in store.passages if any(store.source(s).doi for s in p.sources))
    payload = to_payload(compose_knowledge_answer(store, [passage]))
    json.dumps(payload)  # JSON-safe
    assert payload["kind"] == "knowledge"
    citation = payload["citations"][0]
    assert set(citation) >= {
        "source_id",
        "authors",
        "year",
        "title",
        "journal",
        "doi",
        "pmid",
        "url",
    }
    assert payload["evidence"]["level"] == passage.evidence


def test_screening_payload_and_text_agree(store):
    today = dt.date(2026, 3, 1)
    facts = PatientFacts(
        indication="crps",
        opioids=[
            OpioidExposure(
                "oxycodone", current=False, last_dose=dt.date(2026, 2, 26), long_acting=False
            )
        ],
        last_opioid_dose=dt.date(2026, 2, 26),
        liver_status="normal",
    )
    answer = compose_screening(store, screen(facts, today))
    payload = to_payload(answer)
    assert payload["screening"]["verdict"] == "wait_until"
    assert payload["screening"]["earliest_start"] == "2026-03-05"
    assert "Earliest start Thu 5 Mar 2026" in to_text(answer)


def test_schedule_table_lists_every_row(store):
    answer = compose_schedule(store, build_schedule(dt.date(2026, 12, 21)))
    text = to_text(answer)
    assert "| 1 | 2026-12-21 | 2027-01-03 | 1.5 mg | 1.5 mL |" in text
    assert "| 3 | 2027-01-18 | continue | 4.5 mg | 4.5 mL |" in text
    assert to_payload(answer)["schedule"]["target_mg"] == 4.5


def test_non_clinical_messages_have_no_disclaimer_or_evidence():
    answer = Answer(kind=AnswerKind.MESSAGE, intro="Hello")
    assert to_text(answer) == "Hello"
    assert to_payload(answer)["disclaimer"] is None
