"""Stopping a form: what the clinician is told, and the slots cleared."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import REQUESTED_SLOT

from actions.adapter import say
from actions.forms.answer_shapes import FORM_LABEL
from actions.forms.slots import (
    FAILURES,
    FORM_SLOTS,
    PENDING,
    SCHEDULE_SLOTS,
    SCREENING_FORM,
    SCREENING_SLOTS,
)


class ActionCancelForm(Action):
    """After ``action_deactivate_loop``: say which form stopped and clear its slots."""

    def name(self) -> str:
        return "action_cancel_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        form = last_form(tracker)
        label = FORM_LABEL.get(form or "", "questions")
        say(
            dispatcher,
            f"OK, I stopped the {label} questions; nothing was decided. "
            "Ask again whenever you like.",
            form={"name": form, "cancelled": True},
        )
        slots = FORM_SLOTS.get(form or "", SCREENING_SLOTS + SCHEDULE_SLOTS)
        events = [SlotSet(slot, None) for slot in slots]
        events += [SlotSet(FAILURES, None), SlotSet(REQUESTED_SLOT, None)]
        if form == SCREENING_FORM:
            events.append(SlotSet(PENDING, False))
        return events


def last_form(tracker: Tracker) -> str | None:
    for event in reversed(tracker.events):
        if event.get("event") == "active_loop" and event.get("name"):
            return event["name"]
    return None
