"""Every message outside a form: the core's router answers first (``ldn_core.respond``).

The NLU's intent and entities travel as hints; the router decides whether the message is
answered from the store, with a screening verdict beside the answer, with small talk, or
declined. The screening form opens only when the clinician asks to be walked through its
questions (the router sets ``walkthrough_requested``).
"""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import clock
from actions.adapter import context_events, latest_intent, latest_text, previous_context, send
from ldn_core.assistant import shared_assistant
from ldn_core.patient import facts_from_dict, facts_to_dict
from ldn_core.respond import State, Turn

log = logging.getLogger(__name__)
HINT_ENTITIES = ("condition", "population", "drug")
LAST_PASSAGES = "last_passages"
WALKTHROUGH = "walkthrough_requested"


def turn_from(tracker: Tracker) -> Turn:
    message = tracker.latest_message or {}
    entities: dict[str, str] = {}
    for item in message.get("entities", []):
        if item.get("entity") in HINT_ENTITIES and item.get("value"):
            entities[item["entity"]] = str(item["value"])
    return Turn(
        text=latest_text(tracker),
        intent=latest_intent(tracker),
        confidence=float((message.get("intent") or {}).get("confidence") or 0.0),
        entities=entities,
    )


def state_from(tracker: Tracker) -> State:
    facts = tracker.get_slot("patient_facts")
    return State(
        context=previous_context(tracker),
        facts=facts_from_dict(facts) if facts else None,
        screening_pending=bool(tracker.get_slot("screening_pending")),
        last_passages=tuple(tracker.get_slot(LAST_PASSAGES) or ()),
    )


class ActionRespond(Action):
    def name(self) -> str:
        return "action_respond"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        return respond(dispatcher, tracker)


def respond(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[dict[str, Any]]:
    """Answer the latest message through the core's router; the slot events to keep."""
    turn = turn_from(tracker)
    reply = shared_assistant().respond(turn, state_from(tracker), clock.today())
    log.info(
        "respond route=%s intent=%s kind=%s noise=%s",
        reply.route,
        turn.intent,
        reply.answer.kind if reply.answer else None,
        ",".join(reply.noise) or "-",
    )
    if reply.response:
        dispatcher.utter_message(response=reply.response)
    elif reply.answer is not None:
        send(dispatcher, reply.answer, tracker.get_latest_input_channel())
    events: list[dict[str, Any]] = list(context_events(reply.context))
    events += [
        SlotSet("patient_facts", facts_to_dict(reply.facts) if reply.facts else None),
        SlotSet("screening_pending", reply.screening_pending),
        SlotSet(LAST_PASSAGES, list(reply.passages) or None),
    ]
    # the one slot that opens the screening form (data/rules/screening.yml)
    events.append(SlotSet(WALKTHROUGH, reply.open_form == "screening_form"))
    return events
