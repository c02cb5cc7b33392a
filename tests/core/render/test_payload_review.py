"""The answer payload carries what feedback and review need: an answer id, the knowledge
version, and the review date of each point and of the answer (the oldest of its points)."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from ldn_core.answer import compose_knowledge_answer
from ldn_core.answer.compose import out_of_scope
from ldn_core.knowledge import KnowledgeStore
from ldn_core.render import to_payload
from ldn_core.settings import REPO_ROOT


@pytest.fixture(scope="module")
def store() -> KnowledgeStore:
    return KnowledgeStore.load(REPO_ROOT / "knowledge")


def test_points_and_answer_expose_review_dates(store):
    first, second = store.passages[:2]
    payload = to_payload(compose_knowledge_answer(store, [first, second]))
    by_id = {p["id"]: p for p in payload["points"]}
    assert by_id[first.id]["reviewed"] == first.reviewed.isoformat()
    assert by_id[first.id]["reviewed_by"]
    dates = [p["reviewed"] for p in payload["points"] if p["reviewed"]]
    assert payload["reviewed"] == min(dates)


def test_answer_id_is_unique_and_knowledge_version_is_the_store_hash(store):
    answer = compose_knowledge_answer(store, store.passages[:1])
    a, b = to_payload(answer), to_payload(answer)
    assert len(a["answer_id"]) == 32 and a["answer_id"] != b["answer_id"]
    assert a["knowledge_version"] == store.content_hash()[:12]


def test_a_declined_answer_has_an_id_but_no_review_date():
    payload = to_payload(out_of_scope())
    assert payload["answer_id"] and payload["reviewed"] is None


def test_the_answer_is_as_current_as_its_oldest_point(store, monkeypatch):
    from ldn_core.knowledge import reviews

    real = reviews.reviews_for(str(REPO_ROOT / "knowledge"))
    first, second = store.passages[:2]
    old = reviews.Review(dt.date(2024, 2, 1), "evidence curator")
    patched = dataclasses.replace(real, passages={**real.passages, second.id: old})
    monkeypatch.setattr("ldn_core.render.payload._reviews", lambda: patched)
    payload = to_payload(compose_knowledge_answer(store, [first, second]))
    assert payload["reviewed"] == "2024-02-01"
