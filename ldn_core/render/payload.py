"""Structured JSON for integrators (the REST `custom` payload) and the web widget."""

from __future__ import annotations

import uuid
from typing import Any

from ldn_core.answer.evidence import CERTAINTY_LABEL
from ldn_core.answer.model import DISCLAIMER, Answer
from ldn_core.knowledge import Source
from ldn_core.knowledge.reviews import ReviewIndex, reviews_for
from ldn_core.settings import Settings

PAYLOAD_VERSION = 1


def source_json(source: Source) -> dict[str, Any]:
    return {
        "source_id": source.id,
        "authors": source.authors,
        "year": source.year,
        "title": source.title,
        "journal": source.journal,
        "volume_pages": source.volume_pages,
        "doi": source.doi or None,
        "pmid": source.pmid or None,
        "pmcid": source.pmcid or None,
        "url": source.best_url or None,
        "type": source.type,
        "evidence_level": source.evidence_level,
    }


def _reviews() -> ReviewIndex:
    return reviews_for(str(Settings.from_env().knowledge_dir))


def _review_fields(index: ReviewIndex, origin_id: str) -> dict[str, Any]:
    review = index.of(origin_id)
    return {
        "reviewed": review.reviewed.isoformat() if review else None,
        "reviewed_by": review.reviewed_by if review else None,
    }


def to_payload(answer: Answer) -> dict[str, Any]:
    index = _reviews()
    payload: dict[str, Any] = {
        "ldn_answer": PAYLOAD_VERSION,
        "kind": answer.kind,
        "intro": answer.intro or None,
        "points": [
            {
                "title": p.title,
                "text": p.text,
                "evidence": p.evidence,
                "refs": list(p.refs),
                "id": p.origin_id,
                "disputes": p.disputes,
                **_review_fields(index, p.origin_id),
            }
            for p in answer.points
        ],
        "citations": [{"number": c.number, **source_json(c.source)} for c in answer.citations],
        "evidence": (
            {
                "level": answer.evidence,
                "label": CERTAINTY_LABEL.get(answer.evidence, answer.evidence),
                "summary": answer.evidence_note,
            }
            if answer.evidence
            else None
        ),
        "conflict": answer.conflict_note or None,
        "buttons": [{"title": t, "payload": p} for t, p in answer.buttons],
        "topic": answer.topic,
        "condition": answer.condition,
        "disclaimer": DISCLAIMER if answer.is_clinical else None,
    }
    # Feedback and review metadata (additive): an id the channels send back with feedback, the
    # knowledge version the answer came from, and the oldest review date among its points (an
    # answer is only as current as its least recently reviewed statement).
    dates = [pt["reviewed"] for pt in payload["points"] if pt["reviewed"]]
    payload["answer_id"] = uuid.uuid4().hex
    payload["knowledge_version"] = index.knowledge_version
    payload["reviewed"] = min(dates) if dates else None
    payload.update(answer.structured)
    return payload
