"""One reply from several answers (a verdict, a direct answer, the evidence for a condition),
with one reference list: each part's [n] numbers are renumbered in order of first use."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from ldn_core.answer.compose import CitationNumbering
from ldn_core.answer.evidence import evidence_sentence
from ldn_core.answer.model import Answer, Point
from ldn_core.knowledge import KnowledgeStore


def merge_answers(store: KnowledgeStore, parts: Sequence[Answer], intro: str = "") -> Answer:
    """The first part leads (its kind, evidence and structured data win); later parts add
    their points after it, skipping any statement already shown."""
    if not parts:
        raise ValueError("merge_answers needs at least one answer")
    lead = parts[0]
    numbering = CitationNumbering(store)
    points: list[Point] = []
    shown: set[str] = set()
    structured: dict = {}
    buttons: list[tuple[str, str]] = []
    intros = [intro] if intro else []
    conflict_notes: list[str] = []
    for part in parts:
        by_number = {c.number: c.source.id for c in part.citations}
        for point in part.points:
            if point.origin_id in shown:
                continue
            shown.add(point.origin_id)
            refs = numbering.refs(by_number[n] for n in point.refs if n in by_number)
            points.append(replace(point, refs=refs))
        if part.intro and part.intro not in intros:
            intros.append(part.intro)
        for key, value in part.structured.items():
            structured.setdefault(key, value)
        buttons += [b for b in part.buttons if b not in buttons]
        if part.conflict_note and part.conflict_note not in conflict_notes:
            conflict_notes.append(part.conflict_note)
    lead_sources = [numbering.sources()[n - 1] for n in (points[0].refs if points else ())]
    evidence = lead.evidence or (points[0].evidence if points else None)
    return Answer(
        kind=lead.kind,
        intro="\n\n".join(intros),
        points=tuple(points),
        citations=numbering.citations(),
        evidence=evidence,
        evidence_note=(
            lead.evidence_note or (evidence_sentence(evidence, lead_sources) if evidence else "")
        ),
        conflict_note=" ".join(conflict_notes),
        structured=structured,
        buttons=tuple(buttons),
        topic=lead.topic,
        condition=lead.condition or next((p.condition for p in parts if p.condition), None),
    )
