"""Structured JSON for integrators (the REST `custom` payload) and the web widget."""

from __future__ import annotations

from typing import Any

from ldn_core.answer.evidence import CERTAINTY_LABEL
from ldn_core.answer.model import DISCLAIMER, Answer
from ldn_core.knowledge import Source

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


def to_payload(answer: Answer) -> dict[str, Any]:
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
    payload.update(answer.structured)
    return payload
