"""Shared form behaviour: pre-fill on activation, cancel and digressions, failure counts."""

from __future__ import annotations

import logging
from abc import abstractmethod
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import REQUESTED_SLOT, FormValidationAction
from rasa_sdk.interfaces import ActionExecutionRejection

from actions.adapter import latest_intent, latest_text, say
from actions.forms.answer_shapes import (
    CONTINUE,
    EXPLAIN,
    NEGATIVE_NUMBER,
    OFFER_STOP,
    QUESTION_INTENTS,
    QUESTION_SHAPE,
    TURN_ACTIONS,
    UNSURE,
    WHAT,
)
from actions.forms.slots import FAILURES, FORM_SLOTS
from ldn_core import intents

log = logging.getLogger(__name__)


def answered_this_turn(tracker: Tracker) -> bool:
    """True if the form runs on a fresh user message (not when it resumes after a digression)."""
    for event in reversed(tracker.events):
        kind = event.get("event")
        if kind == "user":
            return True
        if kind == "action":
            name = event.get("name")
            if (
                name not in TURN_ACTIONS
                and name not in FORM_SLOTS
                and not str(name).startswith("validate_")
            ):
                return False
    return False


SHORT_ANSWER_WORDS = 3


def looks_like_question(text: str) -> bool:
    return bool(QUESTION_SHAPE.search(text))


class LdnFormValidation(FormValidationAction):
    """Shared behaviour: pre-fill on activation, cancel / digression rejection, failure count."""

    @abstractmethod
    def name(self) -> str:
        """Abstract, so that rasa_sdk does not register this base class as an action."""

    # ---------------------------------------------------------------- hooks

    def activation_events(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> dict:
        """Slot values from the triggering message (the form's slots are reset first)."""
        return {}

    def answers(self, slot: str, text: str, tracker: Tracker) -> bool:
        """Whether ``text`` carries an answer to ``slot`` (used to tell answers from questions)."""
        return False

    # ---------------------------------------------------------------- flow

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        requested = tracker.get_slot(REQUESTED_SLOT)
        if requested is None:  # activation: the temporary tracker has no requested slot yet
            values = {slot: None for slot in FORM_SLOTS[self.form_name()]}
            values[FAILURES] = None
            values.update(self.activation_events(dispatcher, tracker))
            events = [SlotSet(k, v) for k, v in values.items()]
            tracker.add_slots(events)
            follow = await self.next_requested_slot(dispatcher, tracker, domain)
            return events + ([follow] if follow else [])
        if answered_this_turn(tracker):
            self.reject_if_not_an_answer(requested, tracker)
        return await super().run(dispatcher, tracker, domain)

    def reject_if_not_an_answer(self, slot: str, tracker: Tracker) -> None:
        """Hand "cancel" and unrelated questions back to the rules (the form stays active)."""
        intent, text = latest_intent(tracker), latest_text(tracker)
        if CONTINUE.search(text):
            return  # "let's continue": the validator re-asks the question
        if intent == intents.CANCEL and not self.answers(slot, text, tracker):
            raise ActionExecutionRejection(self.name(), "cancel inside the form")
        # A short non-answer ("abc", "maybe") is a bad answer to re-prompt, whatever intent
        # the NLU guessed; a question or a longer unrelated message is a digression.
        if intent in QUESTION_INTENTS and (
            looks_like_question(text)
            or (not self.answers(slot, text, tracker) and len(text.split()) > SHORT_ANSWER_WORDS)
        ):
            raise ActionExecutionRejection(self.name(), f"{intent} inside the form")

    def extract_answer(self, slot: str, tracker: Tracker) -> dict[str, Any]:
        """The raw answer for the requested slot, only on a fresh user message."""
        if tracker.get_slot(REQUESTED_SLOT) != slot or not answered_this_turn(tracker):
            return {}
        return {slot: latest_text(tracker)}

    # ---------------------------------------------------------------- outcomes

    def fail(
        self, slot: str, problem: str, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> dict[str, Any]:
        """A rejected answer: a specific re-prompt; after two in a row, what is needed."""
        state = tracker.get_slot(FAILURES) or {}
        count = int(state.get("count", 0)) + 1 if state.get("slot") == slot else 1
        say(dispatcher, problem)
        if count >= 2:
            say(dispatcher, f"{EXPLAIN[slot]} {OFFER_STOP}")
        log.info("form slot %s: answer rejected (%d in a row)", slot, count)
        return {slot: None, FAILURES: {"slot": slot, "count": count}}

    @staticmethod
    def unreadable(slot: str, text: str) -> str:
        """The re-prompt for an answer that could not be used, by kind of problem."""
        shown = text.strip()[:60]
        if UNSURE.search(text):
            return (
                f'I need a definite answer here, not "{shown}". If it is not known yet, '
                'check and tell me, or say "cancel" to stop.'
            )
        if NEGATIVE_NUMBER.search(text):
            return f'"{shown}" is a negative time, which cannot be a date. Please give a date.'
        return f'I could not read "{shown}" as {WHAT[slot]}.'
