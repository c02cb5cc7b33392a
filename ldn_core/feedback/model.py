"""A feedback submission, validated, and joined with the answer it is about."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

RATINGS: tuple[str, ...] = ("helpful", "not_helpful")
#: reason codes -> the label shown to clinicians (web chat, Slack menu, report)
REASONS: dict[str, str] = {
    "wrong": "Wrong",
    "outdated": "Outdated",
    "missing_source": "Missing source",
    "unsafe": "Unsafe",
    "did_not_answer": "Did not answer",
}
CHANNELS: tuple[str, ...] = ("webchat", "slack", "rest")
MAX_COMMENT_CHARS = 1000
MAX_ID_CHARS = 200
# Passage ids are kebab-case with at least one hyphen, rule ids snake_case (both enforced by
# their schemas), so a point's origin id says which kind it is.
PASSAGE_ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)+$")
RULE_ID_RE = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$")


class FeedbackError(ValueError):
    """A submission that cannot be accepted; the message is safe to return to the client."""


@dataclass(frozen=True)
class Submission:
    sender_id: str
    answer_id: str
    rating: str
    reason: str | None
    comment: str
    channel: str


@dataclass(frozen=True)
class AnswerFacts:
    """What the stored answer was: taken from the tracker, never from the client."""

    kind: str
    passage_ids: tuple[str, ...]
    rule_ids: tuple[str, ...]
    knowledge_version: str
    reviewed: str | None
    question: str  # the clinician's message the answer replied to


@dataclass(frozen=True)
class FeedbackRecord:
    submission: Submission
    answer: AnswerFacts
    created_at: float
    extra: dict[str, Any] = field(default_factory=dict)

    def row(self) -> dict[str, Any]:
        """The columns of the feedback table."""
        s, a = self.submission, self.answer
        return {
            "created_at": self.created_at,
            "sender_id": s.sender_id,
            "answer_id": s.answer_id,
            "channel": s.channel,
            "rating": s.rating,
            "reason": s.reason,
            "comment": s.comment,
            "answer_kind": a.kind,
            "passage_ids": ",".join(a.passage_ids),
            "rule_ids": ",".join(a.rule_ids),
            "knowledge_version": a.knowledge_version,
            "reviewed": a.reviewed,
            "question": a.question,
        }


def _text(data: dict[str, Any], key: str, limit: int, required: bool = True) -> str:
    value = data.get(key)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value.strip()):
        raise FeedbackError(f"field '{key}' must be a non-empty string")
    if len(value) > limit:
        raise FeedbackError(f"field '{key}' is longer than {limit} characters")
    # control characters out (they break logs and CSV); newlines kept in comments
    return "".join(ch for ch in value if ch in "\n\t" or ch.isprintable()).strip()


def parse_submission(data: Any, channel: str) -> Submission:
    """Validate a submission (a JSON object); ``FeedbackError`` says what is wrong."""
    if not isinstance(data, dict):
        raise FeedbackError("body must be a JSON object")
    if channel not in CHANNELS:
        raise FeedbackError(f"unknown channel {channel!r}")
    rating = data.get("rating")
    if rating not in RATINGS:
        raise FeedbackError(f"field 'rating' must be one of {', '.join(RATINGS)}")
    reason = data.get("reason")
    if reason in ("", None):
        reason = None
    elif reason not in REASONS:
        raise FeedbackError(f"field 'reason' must be one of {', '.join(REASONS)}")
    if rating == "helpful" and reason is not None:
        raise FeedbackError("a reason is only given with 'not_helpful'")
    return Submission(
        sender_id=_text(data, "sender", MAX_ID_CHARS),
        answer_id=_text(data, "answer_id", MAX_ID_CHARS),
        rating=rating,
        reason=reason,
        comment=_text(data, "comment", MAX_COMMENT_CHARS, required=False),
        channel=channel,
    )


def answer_facts(payload: dict[str, Any], question: str) -> AnswerFacts:
    """Passage and rule ids, knowledge version and review date of a stored answer payload."""
    # "<passage>#short" is a passage's short direct answer: feedback on it is on the passage
    ids = [
        str(p.get("id") or "").split("#", 1)[0]
        for p in payload.get("points") or []
        if isinstance(p, dict)
    ]
    return AnswerFacts(
        kind=str(payload.get("kind") or ""),
        passage_ids=tuple(dict.fromkeys(i for i in ids if PASSAGE_ID_RE.match(i))),
        rule_ids=tuple(dict.fromkeys(i for i in ids if RULE_ID_RE.match(i))),
        knowledge_version=str(payload.get("knowledge_version") or ""),
        reviewed=payload.get("reviewed"),
        question=question,
    )
