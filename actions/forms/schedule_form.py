"""The titration schedule form: a start date (today or later) and a variant."""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import clock
from actions.adapter import latest_text, say
from actions.forms.answer_shapes import CONTINUE, STANDARD_WORDS, UNSURE
from actions.forms.base import LdnFormValidation
from actions.forms.slots import FAILURES
from ldn_core.assistant import LOW_START_WORDS
from ldn_core.extraction.dates import find_time_expressions
from ldn_core.understanding import asks_about_a_schedule


class ValidateScheduleForm(LdnFormValidation):
    """Titration schedule: start date (today or later) and variant (standard / low start)."""

    def name(self) -> str:
        return "validate_schedule_form"

    def activation_events(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> dict:
        text = latest_text(tracker)
        if asks_about_a_schedule(text):
            # a question about a schedule, not a request for one: the form completes at once
            # and action_titration_schedule answers the question from the store
            return {"schedule_variant": "standard", "schedule_start": clock.today().isoformat()}
        values: dict[str, Any] = {"schedule_variant": parse_variant(text) or "standard"}
        start, problem = parse_start(text)
        if problem and find_time_expressions(text):
            say(dispatcher, problem)
        values["schedule_start"] = start
        return values

    def answers(self, slot: str, text: str, tracker: Tracker) -> bool:
        if slot == "schedule_start":
            return bool(find_time_expressions(text))
        return parse_variant(text) is not None

    async def validate_schedule_start(self, value, dispatcher, tracker, domain) -> dict[str, Any]:
        text = str(value or "")
        if CONTINUE.search(text):
            return {"schedule_start": None}
        if UNSURE.search(text):
            problem = self.unreadable("schedule_start", text)
            return self.fail("schedule_start", problem, dispatcher, tracker)
        start, problem = parse_start(text)
        if start is None:
            return self.fail("schedule_start", problem, dispatcher, tracker)
        values: dict[str, Any] = {"schedule_start": start, FAILURES: None}
        variant = parse_variant(text)  # "Monday, low start"
        if variant:
            values["schedule_variant"] = variant
        return values

    async def validate_schedule_variant(self, value, dispatcher, tracker, domain) -> dict[str, Any]:
        text = str(value or "")
        variant = parse_variant(text)
        if variant is None:
            return self.fail(
                "schedule_variant", self.unreadable("schedule_variant", text), dispatcher, tracker
            )
        return {"schedule_variant": variant, FAILURES: None}

    async def extract_schedule_start(self, dispatcher, tracker, domain) -> dict[str, Any]:
        return self.extract_answer("schedule_start", tracker)

    async def extract_schedule_variant(self, dispatcher, tracker, domain) -> dict[str, Any]:
        return self.extract_answer("schedule_variant", tracker)


def parse_variant(text: str) -> str | None:
    if LOW_START_WORDS.search(text) or re.search(r"\blow\b|\bslow\b", text, re.I):
        return "low_start"
    if STANDARD_WORDS.search(text):
        return "standard"
    return None


def parse_start(text: str) -> tuple[str | None, str]:
    """(ISO start date, "") or (None, the re-prompt): today or later, read as a future date."""
    shown = text.strip()[:60]
    found = find_time_expressions(text)
    if not found:
        return None, LdnFormValidation.unreadable("schedule_start", text)
    now = clock.today()
    day = found[0].resolve(now, "future")
    if day is None:
        return None, f'"{shown}" is not a valid date. Please give the day of the first dose.'
    if day < now:
        return None, (
            f'"{shown}" is {day:%a %-d %b %Y}, in the past. A schedule starts today or later: '
            "which day should the first dose be?"
        )
    return day.isoformat(), ""


# Verdicts that more facts cannot turn into "can start" but that are worth showing while the
