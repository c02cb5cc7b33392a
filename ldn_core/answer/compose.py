"""Turn retrieved passages (or rule results) into an Answer with numbered references."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ldn_core.answer.evidence import evidence_sentence
from ldn_core.answer.model import Answer, AnswerKind, Citation, Point
from ldn_core.knowledge import KnowledgeStore, Passage, Source

MAX_DISPUTING = 2

# Topics where a disagreement is about harm rather than benefit. There, sources are not
# weighed by size or date: a label contraindication and a retrospective cohort are not
# peers, and observing co-prescription in practice is not evidence that it is safe.
SAFETY_TOPICS = frozenset(
    {
        "opioids",
        "contraindications",
        "perioperative",
        "interactions",
        "hepatic",
        "renal",
        "pregnancy",
        "paediatric",
        "adverse_effects",
    }
)
EFFICACY_CONFLICT_NOTE = (
    "The evidence is not consistent: the points marked as disagreeing come to a different "
    "conclusion. Weigh study design first (a randomised placebo-controlled trial outweighs a "
    "pilot, a secondary outcome or a chart review), then size."
)
SAFETY_CONFLICT_NOTE = (
    "These points disagree on a safety question, and they are not equal evidence: a "
    "prescribing-label contraindication or warning stands unless a specialist decides "
    "otherwise, while an observational report only shows what was done in practice, not that "
    "it was safe. Read each point in its own words."
)


def conflict_note_for(passages: Sequence[tuple[Passage, bool]]) -> str:
    """The note shown when points disagree; safety conflicts get their own wording."""
    if not any(disputing for _, disputing in passages):
        return ""
    if any(p.topic in SAFETY_TOPICS for p, _ in passages):
        return SAFETY_CONFLICT_NOTE
    return EFFICACY_CONFLICT_NOTE


SCOPE_TEXT = (
    "I answer clinicians' questions about low-dose naltrexone (LDN): dosing and titration, "
    "indications and the evidence for them, opioids and washout, surgery, liver, kidney, "
    "pregnancy, side effects, mechanism, compounding, and how LDN differs from 50 mg "
    "naltrexone and naltrexone-bupropion. I can also screen a patient description and "
    "draw up a dated titration schedule."
)


class CitationNumbering:
    """Numbers sources in order of first use, so references read [1], [2], ..."""

    def __init__(self, store: KnowledgeStore):
        self._store = store
        self._numbers: dict[str, int] = {}

    def refs(self, source_ids: Iterable[str]) -> tuple[int, ...]:
        out = []
        for sid in source_ids:
            if sid not in self._numbers:
                self._numbers[sid] = len(self._numbers) + 1
            out.append(self._numbers[sid])
        return tuple(out)

    def citations(self) -> tuple[Citation, ...]:
        return tuple(Citation(n, self._store.source(sid)) for sid, n in self._numbers.items())

    def sources(self) -> list[Source]:
        return [self._store.source(sid) for sid in self._numbers]


def _with_disputes(store: KnowledgeStore, primary: Sequence[Passage]) -> list[tuple[Passage, bool]]:
    chosen: list[tuple[Passage, bool]] = [(p, False) for p in primary]
    seen = {p.id for p in primary}
    added = 0
    for passage in primary:
        for other_id in passage.conflicts_with:
            if other_id in seen or added >= MAX_DISPUTING:
                continue
            chosen.append((store.passage(other_id), True))
            seen.add(other_id)
            added += 1
    return chosen


@dataclass(frozen=True)
class RuleStatement:
    """A statement from the deterministic rules, shown before retrieved passages."""

    title: str
    text: str
    evidence: str
    sources: tuple[str, ...]
    rule_id: str


def compose_knowledge_answer(
    store: KnowledgeStore,
    passages: Sequence[Passage],
    topic: str | None = None,
    condition: str | None = None,
    rules: Sequence[RuleStatement] = (),
) -> Answer:
    """Rule statements first, then passages in retrieval order, then any passage that
    disagrees with them."""
    if not passages and not rules:
        return no_answer(topic=topic, condition=condition)
    numbering = CitationNumbering(store)
    rule_points = tuple(
        Point(r.title, r.text, r.evidence, numbering.refs(r.sources), r.rule_id) for r in rules
    )
    shown = _with_disputes(store, passages)
    points = rule_points + tuple(
        Point(
            title=p.title,
            text=p.text,
            evidence=p.evidence,
            refs=numbering.refs(p.sources),
            origin_id=p.id,
            disputes=disputing,
        )
        for p, disputing in shown
    )
    lead = points[0]
    lead_ids = rules[0].sources if rules else passages[0].sources
    lead_sources = [store.source(sid) for sid in lead_ids]
    conflict_note = conflict_note_for(shown)
    return Answer(
        kind=AnswerKind.KNOWLEDGE,
        points=points,
        citations=numbering.citations(),
        evidence=lead.evidence,
        evidence_note=evidence_sentence(lead.evidence, lead_sources),
        conflict_note=conflict_note,
        topic=topic or (passages[0].topic if passages else None),
        condition=condition,
    )


def no_answer(topic: str | None = None, condition: str | None = None) -> Answer:
    return Answer(
        kind=AnswerKind.NO_ANSWER,
        intro=(
            "My curated store on low-dose naltrexone (LDN) has no cited answer to that "
            "question, so I will not guess. Please check primary literature or a specialist. "
            "You can rephrase, or ask about LDN dosing, indications, opioids and washout, "
            "surgery, side effects or mechanism."
        ),
        topic=topic,
        condition=condition,
    )


def out_of_scope() -> Answer:
    return Answer(
        kind=AnswerKind.OUT_OF_SCOPE,
        intro="That is outside what I cover, so I have no answer for it. " + SCOPE_TEXT,
    )


def message(text: str, buttons: Sequence[tuple[str, str]] = ()) -> Answer:
    return Answer(kind=AnswerKind.MESSAGE, intro=text, buttons=tuple(buttons))
