"""Patient screening and titration schedules: deterministic rules behind thin adapters.

Both usually run when their form (``actions/forms/``) completes: the screening from the
facts the form gathered in ``patient_facts``, the schedule from ``schedule_start`` and
``schedule_variant``. Called without a form they read the latest message, as before.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import clock
from actions.adapter import latest_text, send
from actions.forms.slots import SCHEDULE_FORM, SCREENING_FORM, reset_events
from actions.respond import respond
from ldn_core.answer import message
from ldn_core.assistant import shared_assistant
from ldn_core.patient import facts_from_dict, facts_to_dict
from ldn_core.understanding import asks_about_a_schedule

log = logging.getLogger(__name__)


class ActionScreenPatient(Action):
    """Screens the described patient; a pending screening merges later answers in."""

    def name(self) -> str:
        return "action_screen_patient"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        pending = bool(tracker.get_slot("screening_pending"))
        known = facts_from_dict(tracker.get_slot("patient_facts")) if pending else None
        # After the form every answer is already parsed (in its question's context) into
        # patient_facts: the last message is not read again out of that context.
        text = "" if last_action(tracker) == SCREENING_FORM else latest_text(tracker)
        answer, facts = shared_assistant().screen_patient(text, clock.today(), known)
        verdict = answer.structured["screening"]["verdict"]
        still_missing = bool(answer.structured["screening"]["missing"])
        log.info("screening verdict=%s missing=%s", verdict, still_missing)
        send(dispatcher, answer, tracker.get_latest_input_channel())
        return [
            SlotSet("patient_facts", facts_to_dict(facts)),
            SlotSet("screening_pending", still_missing),
            SlotSet("topic", "screening"),
            SlotSet("walkthrough_requested", False),
            *reset_events(SCREENING_FORM),
        ]


def last_action(tracker: Tracker) -> str | None:
    for event in reversed(tracker.events):
        if event.get("event") == "action" and event.get("name") != "action_listen":
            return event.get("name")
    return None


class ActionTitrationSchedule(Action):
    def name(self) -> str:
        return "action_titration_schedule"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        if asks_about_a_schedule(latest_text(tracker)):
            # "where does the titration schedule come from?": the store's answer
            return [*respond(dispatcher, tracker), *reset_events(SCHEDULE_FORM)]
        assistant = shared_assistant()
        start = tracker.get_slot("schedule_start")
        if start:  # from the schedule form
            variant = tracker.get_slot("schedule_variant") or "standard"
            try:
                answer = assistant.schedule_from(dt.date.fromisoformat(start), variant)
            except ValueError:  # a malformed stored date: never a stack trace to the user
                answer = message("I cannot build that schedule: the start date is not valid.")
        else:
            answer = assistant.titration_schedule(latest_text(tracker), clock.today())
        send(dispatcher, answer, tracker.get_latest_input_channel())
        return [
            SlotSet("topic", "dosing"),
            SlotSet("screening_pending", False),
            *reset_events(SCHEDULE_FORM),
        ]
