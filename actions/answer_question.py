"""Knowledge questions: route to the curated store and answer with citations."""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.adapter import (
    context_events,
    entity,
    latest_intent,
    latest_text,
    previous_context,
    send,
)
from ldn_core.assistant import shared_assistant

log = logging.getLogger(__name__)


def answer_from_store(
    dispatcher: CollectingDispatcher, tracker: Tracker, intent: str | None
) -> list[dict[str, Any]]:
    """Answer the latest message as a question of type ``intent``; keep its context."""
    answer, context = shared_assistant().answer_question(
        latest_text(tracker),
        intent,
        condition=entity(tracker, "condition"),
        population=entity(tracker, "population"),
        previous=previous_context(tracker),
    )
    log.info("answered intent=%s kind=%s topic=%s", intent, answer.kind, answer.topic)
    send(dispatcher, answer, tracker.get_latest_input_channel())
    return context_events(context)


class ActionAnswerQuestion(Action):
    def name(self) -> str:
        return "action_answer_question"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        return answer_from_store(dispatcher, tracker, latest_intent(tracker))
