"""What the assistant says, as data. Channels render it; none owns clinical content."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ldn_core.knowledge import Source

DISCLAIMER = (
    "Decision support for clinicians, drawn from a curated and cited evidence store. "
    "It does not replace clinical judgement or the product information."
)


class AnswerKind:
    KNOWLEDGE = "knowledge"  # passages from the curated store
    NO_ANSWER = "no_answer"  # on topic, but the store has no good passage
    OUT_OF_SCOPE = "out_of_scope"
    SCREENING = "screening"  # deterministic verdict from the rules core
    SCHEDULE = "schedule"  # deterministic titration schedule
    MESSAGE = "message"  # greetings, help, prompts: no clinical content


@dataclass(frozen=True)
class Citation:
    number: int
    source: Source


@dataclass(frozen=True)
class Point:
    """One statement in an answer, backed by a passage (or a rule) and its sources."""

    title: str
    text: str
    evidence: str  # high | moderate | low | very_low
    refs: tuple[int, ...]
    origin_id: str  # passage id or rule id
    disputes: bool = False  # shown because it disagrees with another point


@dataclass(frozen=True)
class Answer:
    kind: str
    intro: str = ""
    points: tuple[Point, ...] = ()
    citations: tuple[Citation, ...] = ()
    evidence: str | None = None  # overall certainty word for the leading statement
    evidence_note: str = ""
    conflict_note: str = ""
    structured: dict[str, Any] = field(default_factory=dict)  # verdict / schedule data
    buttons: tuple[tuple[str, str], ...] = ()  # (title, payload)
    topic: str | None = None  # for follow-up context
    condition: str | None = None

    @property
    def is_clinical(self) -> bool:
        return self.kind in (AnswerKind.KNOWLEDGE, AnswerKind.SCREENING, AnswerKind.SCHEDULE)
