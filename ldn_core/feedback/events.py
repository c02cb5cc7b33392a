"""Reading tracker-store events: answers by id, and the questions the assistant declined.

Works on plain rows ``(sender_id, type_name, timestamp, data)`` where ``data`` is the event's
JSON as Rasa's SQL tracker store keeps it, so it serves the SQLite and PostgreSQL stores
alike (and tests with hand-made rows).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from .model import AnswerFacts, answer_facts

DECLINED_KINDS = ("out_of_scope", "no_answer")


@dataclass(frozen=True)
class Declined:
    timestamp: float
    sender_id: str
    kind: str  # out_of_scope | no_answer
    question: str
    topic: str | None


def _data(raw: Any) -> dict[str, Any]:
    if isinstance(raw, dict):
        return raw
    try:
        value = json.loads(raw or "{}")
    except (TypeError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}


def bot_payload(event: dict[str, Any]) -> dict[str, Any] | None:
    """Our answer payload of a stored ``bot`` event, if it has one."""
    custom = (event.get("data") or {}).get("custom")
    return custom if isinstance(custom, dict) and custom.get("ldn_answer") else None


def _walk(rows: Iterable[tuple[str, str, float, Any]]):
    """(sender, timestamp, payload, last question) for every answer, in stored order."""
    last_question: dict[str, str] = {}
    for sender, type_name, timestamp, raw in rows:
        if type_name == "user":
            last_question[sender] = str(_data(raw).get("text") or "")
        elif type_name == "bot":
            payload = bot_payload(_data(raw))
            if payload is not None:
                yield sender, float(timestamp or 0), payload, last_question.get(sender, "")


def find_answer(rows: Iterable[tuple[str, str, float, Any]], answer_id: str) -> AnswerFacts | None:
    """The answer with this id among one conversation's events, with its question."""
    for _sender, _ts, payload, question in _walk(rows):
        if payload.get("answer_id") == answer_id:
            return answer_facts(payload, question)
    return None


def declined_questions(rows: Iterable[tuple[str, str, float, Any]]) -> list[Declined]:
    """Questions answered with out_of_scope or no_answer, oldest first."""
    return [
        Declined(ts, sender, str(payload["kind"]), question, payload.get("topic"))
        for sender, ts, payload, question in _walk(rows)
        if payload.get("kind") in DECLINED_KINDS
    ]
