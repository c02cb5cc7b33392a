"""Turns a processed doc into ``Mention`` objects: entity + context status + time expression.

Status: the nearest ConText cue among negated / historical / hypothetical / current wins
("stopped oxycodone, on tramadol" keeps the two apart). ``future`` is set by cues such as
"will need", "planned", "post-op". Each time expression is attached to the nearest
date-taking entity of its clause.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from spacy.tokens import Doc, Span

from .dates import TimeExpr, find_time_expressions

STATUS_PRIORITY = {
    "NEGATED_EXISTENCE": 0,
    "ALLERGY": 1,  # "allergic to codeine": the drug is not taken
    "HISTORICAL": 2,
    "HYPOTHETICAL": 3,
    "CURRENT": 4,
}
DATE_TAKING = {"OPIOID", "OPIOID_CLASS", "OPIOID_FREE", "PROCEDURE", "START", "NTX_BUP", "NTX_FULL"}
FUTURE_WORDS = {
    "need",
    "needs",
    "needed",
    "require",
    "required",
    "requires",
    "planned",
    "post-op",
    "postop",
    "postoperative",
    "post-operative",
    "postoperatively",
    "after",
}
NEGATING_FUTURE = (
    "won't",
    "will not",
    "not needed",
    "not required",
    "not planned",
    "not expected",
    "not anticipated",
    "unlikely",
)
STOP_WORDS = {
    "stopped",
    "discontinued",
    "d/c",
    "d/c'd",
    "dc'd",
    "off",
    "weaned",
    "tapered",
    "quit",
    "ceased",
    "longer",
    "came",
    "come",
    "got",
    "removed",
    "detoxed",
}


@dataclass
class Mention:
    span: Span
    category: str
    value: str
    meta: dict[str, Any]
    status: str | None = None
    status_cue: str = ""
    future: bool = False
    future_negated: bool = False
    time: TimeExpr | None = None

    @property
    def negated(self) -> bool:
        return self.status == "NEGATED_EXISTENCE"

    @property
    def stop_cue(self) -> bool:
        return self.status == "HISTORICAL" and bool(
            set(self.status_cue.lower().split()) & STOP_WORDS
        )

    @property
    def sentence(self) -> Span:
        return self.span.sent


def _distance(a: tuple[int, int], b: tuple[int, int]) -> int:
    return b[0] - a[1] if a[1] <= b[0] else a[0] - b[1] if b[1] <= a[0] else 0


def _make_mention(ent: Span) -> Mention:
    rule = ent._.target_rule
    meta = dict(rule.metadata or {})
    mention = Mention(ent, ent.label_, str(meta.pop("value", rule.literal)), meta)
    best: tuple[int, int] | None = None
    doc = ent.doc
    for mod in ent._.modifiers:
        if ent.start <= mod.modifier_span[0] and mod.modifier_span[1] <= ent.end:
            continue  # the cue is part of the term itself ("LFTs not raised")
        cue = doc[mod.modifier_span[0] : mod.modifier_span[1]].text.lower()
        words = set(cue.split())
        if mod.category == "FUTURE" or words & FUTURE_WORDS:
            mention.future = True
            mention.future_negated |= cue.startswith(NEGATING_FUTURE) or cue in NEGATING_FUTURE
        if mod.category in STATUS_PRIORITY:
            key = (
                _distance((ent.start, ent.end), mod.modifier_span),
                STATUS_PRIORITY[mod.category],
            )
            if best is None or key < best:
                best, mention.status, mention.status_cue = key, mod.category, cue
    if mention.future_negated and mention.status is None:
        mention.status = "NEGATED_EXISTENCE"
    return mention


def _needs_context_ok(mention: Mention, words: set[str]) -> bool:
    needs = mention.meta.get("needs_any")
    return not needs or bool(words & set(needs))


def build_mentions(doc: Doc) -> list[Mention]:
    words = {t.lower_.strip("'s") for t in doc} | {t.lower_ for t in doc}
    mentions = [_make_mention(e) for e in doc.ents if e.label_ != "IGNORE"]
    mentions = [m for m in mentions if _needs_context_ok(m, words)]
    _attach_times(doc, mentions)
    return mentions


def _attach_times(doc: Doc, mentions: list[Mention]) -> None:
    for expr in find_time_expressions(doc.text):
        span = doc.char_span(expr.start, expr.end, alignment_mode="expand")
        if span is None or any(
            span.start < m.span.end and m.span.start < span.end for m in mentions
        ):
            continue
        sentence = span.sent
        candidates = [m for m in mentions if m.category in DATE_TAKING and m.sentence == sentence]
        if not candidates:
            continue
        nearest = min(
            candidates,
            key=lambda m: (
                _distance((m.span.start, m.span.end), (span.start, span.end)),
                m.span.start > span.start,
            ),
        )
        if nearest.time is None:
            nearest.time = expr
