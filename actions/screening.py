"""Patient screening and titration schedules: deterministic rules behind thin adapters."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.adapter import latest_text, send
from ldn_core.assistant import shared_assistant
from ldn_core.patient import facts_from_dict, facts_to_dict

log = logging.getLogger(__name__)


def today() -> dt.date:
    return dt.date.today()


class ActionScreenPatient(Action):
    """Screens the described patient; a pending screening merges later answers in."""

    def name(self) -> str:
        return "action_screen_patient"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        pending = bool(tracker.get_slot("screening_pending"))
        known = facts_from_dict(tracker.get_slot("patient_facts")) if pending else None
        answer, facts = shared_assistant().screen_patient(latest_text(tracker), today(), known)
        verdict = answer.structured["screening"]["verdict"]
        still_missing = bool(answer.structured["screening"]["missing"])
        log.info("screening verdict=%s missing=%s", verdict, still_missing)
        send(dispatcher, answer)
        return [
            SlotSet("patient_facts", facts_to_dict(facts)),
            SlotSet("screening_pending", still_missing),
            SlotSet("topic", "screening"),
        ]


class ActionTitrationSchedule(Action):
    def name(self) -> str:
        return "action_titration_schedule"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        send(dispatcher, shared_assistant().titration_schedule(latest_text(tracker), today()))
        return [SlotSet("topic", "dosing"), SlotSet("screening_pending", False)]
