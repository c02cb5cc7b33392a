"""Out-of-scope questions and low-confidence clarification."""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.adapter import entity_texts, latest_text, previous_context, send
from actions.answer_question import answer_from_store
from ldn_core import intents
from ldn_core.answer import out_of_scope
from ldn_core.answer.clarify import clarify
from ldn_core.assistant import shared_assistant
from ldn_core.routing import out_of_scope_is_a_followup

log = logging.getLogger(__name__)
FOLLOWUP_ENTITIES = ("drug", "condition", "population")


def store_overrules(tracker: Tracker) -> bool:
    """Outside a form, a question the store answers with confidence is answered (core rule:
    ``Assistant.overrules_out_of_scope``); inside a form the form's own handling stays."""
    if (tracker.active_loop or {}).get("name"):
        return False
    return shared_assistant().overrules_out_of_scope(latest_text(tracker))


class ActionOutOfScope(Action):
    def name(self) -> str:
        return "action_out_of_scope"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        named = entity_texts(tracker, FOLLOWUP_ENTITIES)
        if out_of_scope_is_a_followup(latest_text(tracker), named, previous_context(tracker)):
            log.info("out-of-scope reading replaced: a bare follow-up to the previous question")
            return answer_from_store(dispatcher, tracker, intents.FOLLOWUP)
        if store_overrules(tracker):
            log.info("out-of-scope reading replaced: the store answers it with confidence")
            return answer_from_store(dispatcher, tracker, None)
        send(dispatcher, out_of_scope(), tracker.get_latest_input_channel())
        return []


class ActionClarify(Action):
    def name(self) -> str:
        return "action_clarify"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        if store_overrules(tracker):
            log.info("clarifying question replaced: the store answers it with confidence")
            return answer_from_store(dispatcher, tracker, None)
        ranking = [
            (item.get("name"), float(item.get("confidence") or 0.0))
            for item in (tracker.latest_message or {}).get("intent_ranking", [])
            if item.get("name") not in (None, intents.NLU_FALLBACK)
        ]
        send(dispatcher, clarify(ranking), tracker.get_latest_input_channel())
        return []
