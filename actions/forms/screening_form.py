"""The screening form: asks only what the screening core still misses."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import replace
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import clock
from actions.adapter import latest_text
from actions.forms.answer_shapes import CONTINUE, ONLY_NO, ONLY_YES, STILL_TAKING, UNSURE
from actions.forms.base import LdnFormValidation
from actions.forms.slots import (
    FACTS,
    FAILURES,
    PENDING,
    SCREENING_SLOTS,
    facts_of,
    missing_slots,
    slot_for_key,
)
from ldn_core.extraction import extract_facts
from ldn_core.extraction.dates import find_time_expressions
from ldn_core.patient import OpioidExposure, PatientFacts, facts_to_dict
from ldn_core.rules import ScreeningResult, screen

log = logging.getLogger(__name__)


class ValidateScreeningForm(LdnFormValidation):
    """Screening: asks only what ``ScreeningResult.missing`` still lists."""

    def name(self) -> str:
        return "validate_screening_form"

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
    ) -> list[str]:
        return missing_slots(screen(facts_of(tracker), clock.today()))

    def activation_events(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> dict:
        # The router opens the form after it has answered: the facts it already gathered
        # (patient_facts) stay, and the triggering message may add more.
        facts = facts_of(tracker).merged_with(extract_facts(latest_text(tracker), clock.today()))
        return {FACTS: facts_to_dict(facts), PENDING: True}

    def answers(self, slot: str, text: str, tracker: Tracker) -> bool:
        known = facts_of(tracker)
        new = self.parse(slot, text, known, screen(known, clock.today()))
        return new is not None and state(slot, known.merged_with(new)) != state(slot, known)

    # ------------------------------------------------------------ parsing

    def parse(
        self, slot: str, text: str, known: PatientFacts, result: ScreeningResult
    ) -> PatientFacts | None:
        """Facts in an answer to ``slot``; short answers are read in the question's context."""
        pending = [k for k in result.missing if slot_for_key(k) == slot]
        now = clock.today()
        if slot == "last_opioid_dose":
            return self.parse_last_dose(text, known, pending, now)
        facts = extract_facts(text, now)
        if state(slot, known.merged_with(facts)) == state(slot, known):
            phrase = contextual_phrase(slot, text, pending)
            if phrase:
                facts = facts.merged_with(extract_facts(phrase, now))
        if slot == "procedure_plan":  # "no opioids" here is about pain relief after surgery
            facts = replace(facts, opioids=[], opioid_free=None, last_opioid_dose=None)
        return facts

    @staticmethod
    def parse_last_dose(
        text: str, known: PatientFacts, pending: list[str], now: dt.date
    ) -> PatientFacts | None:
        drugs = [k.split(":", 1)[1] for k in pending if ":" in k]
        facts = extract_facts(text, now)
        if facts.opioids and any(o.last_dose for o in facts.opioids):
            return facts  # "tramadol, stopped 4 days ago": named and dated
        if not drugs:
            return facts
        drug = drugs[0]
        if STILL_TAKING.search(text):
            return extract_facts(f"still taking {drug}", now)
        found = find_time_expressions(text)
        if not found:
            return None
        day = found[0].resolve(now, "past")
        if day is None:
            return None
        base = next((o for o in known.opioids if o.drug == drug), OpioidExposure(drug))
        exposure = replace(base, current=False, last_dose=day)
        last = max([d for d in (known.last_opioid_dose, day) if d is not None])
        return PatientFacts(opioids=[exposure], last_opioid_dose=last)

    # ------------------------------------------------------------ validation

    def validate_answer(
        self, slot: str, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> dict[str, Any]:
        text = str(value or "")
        if CONTINUE.search(text):  # "let's continue": ask the question again, no failure
            return {slot: None}
        if UNSURE.search(text):  # a hedged answer is not a fact ("maybe last week")
            return self.fail(slot, self.unreadable(slot, text), dispatcher, tracker)
        known = facts_of(tracker)
        before = screen(known, clock.today())
        if slot == "last_opioid_dose":
            problem = self.last_dose_problem(text)
            if problem:
                return self.fail(slot, problem, dispatcher, tracker)
        new = self.parse(slot, text, known, before)
        merged = known.merged_with(new) if new is not None else known
        if new is None or state(slot, merged) == state(slot, known):
            if slot == "opioid_status" and ONLY_YES.search(text):
                problem = (
                    "Which opioid, and is the patient still taking it or when was the last dose?"
                )
            else:
                problem = self.unreadable(slot, text)
            return self.fail(slot, problem, dispatcher, tracker)
        after = screen(merged, clock.today())
        still = missing_slots(after)
        values: dict[str, Any] = {FACTS: facts_to_dict(merged), FAILURES: None}
        # a slot whose facts are missing again (changed by this answer) is asked again
        values |= {s: None for s in SCREENING_SLOTS if s in still and s != slot}
        values[slot] = None if slot in still else summary(slot, merged)
        log.info("form slot %s: %s", slot, "answered" if values[slot] else "partly answered")
        return values

    @staticmethod
    def last_dose_problem(text: str) -> str | None:
        """Dates that cannot be a last dose: in the future, negative, or not a day at all."""
        if STILL_TAKING.search(text):
            return None
        found = find_time_expressions(text)
        if not found:
            return None  # left to the generic re-prompt
        now = clock.today()
        expr = found[0]
        day = expr.resolve(now, "past")
        if day is None:
            return (
                f'"{text.strip()[:60]}" is not a valid date. Please give the day of the last dose.'
            )
        if day > now or expr.text_direction == "future":
            return (
                f'The last dose cannot be in the future ("{text.strip()[:60]}" is '
                f"{day:%a %-d %b %Y}). When was the last dose taken? If the patient is still "
                'taking it, say "still taking".'
            )
        return None

    async def validate_opioid_status(self, value, dispatcher, tracker, domain) -> dict[str, Any]:
        return self.validate_answer("opioid_status", value, dispatcher, tracker)

    async def validate_last_opioid_dose(self, value, dispatcher, tracker, domain) -> dict[str, Any]:
        return self.validate_answer("last_opioid_dose", value, dispatcher, tracker)

    async def validate_other_naltrexone(self, value, dispatcher, tracker, domain) -> dict[str, Any]:
        return self.validate_answer("other_naltrexone", value, dispatcher, tracker)

    async def validate_liver_status(self, value, dispatcher, tracker, domain) -> dict[str, Any]:
        return self.validate_answer("liver_status", value, dispatcher, tracker)

    async def validate_procedure_plan(self, value, dispatcher, tracker, domain) -> dict[str, Any]:
        return self.validate_answer("procedure_plan", value, dispatcher, tracker)

    async def extract_opioid_status(self, dispatcher, tracker, domain) -> dict[str, Any]:
        return self.extract_answer("opioid_status", tracker)

    async def extract_last_opioid_dose(self, dispatcher, tracker, domain) -> dict[str, Any]:
        return self.extract_answer("last_opioid_dose", tracker)

    async def extract_other_naltrexone(self, dispatcher, tracker, domain) -> dict[str, Any]:
        return self.extract_answer("other_naltrexone", tracker)

    async def extract_liver_status(self, dispatcher, tracker, domain) -> dict[str, Any]:
        return self.extract_answer("liver_status", tracker)

    async def extract_procedure_plan(self, dispatcher, tracker, domain) -> dict[str, Any]:
        return self.extract_answer("procedure_plan", tracker)


def state(slot: str, facts: PatientFacts) -> tuple:
    """The facts a slot's answer may change: an answer that leaves them as they were failed."""
    if slot in ("opioid_status", "last_opioid_dose"):
        exposures = tuple(
            sorted(
                (o.drug, o.current, o.last_dose, o.maintenance, o.long_acting)
                for o in facts.opioids
            )
        )
        return (facts.opioid_free, facts.last_opioid_dose, exposures)
    if slot == "liver_status":
        return (facts.liver_status,)
    if slot == "other_naltrexone":
        return (facts.on_naltrexone_50mg, facts.on_naltrexone_bupropion)
    return (facts.procedure_planned, facts.procedure_date, facts.procedure_needs_opioids)


def contextual_phrase(slot: str, text: str, pending: list[str]) -> str | None:
    """A short answer ("no", "normal", "next Tuesday") read in the context of its question."""
    bare = text.strip().rstrip(".!")
    if slot == "opioid_status":
        current = [k.split(":", 1)[1] for k in pending if k.startswith("opioid_current:")]
        if current and ONLY_YES.search(text):
            return f"still taking {current[0]}"
        if current and ONLY_NO.search(text):
            return f"stopped {current[0]}"
        if ONLY_NO.search(text):
            return "no opioids"
        return None
    if slot == "liver_status":
        return None if ONLY_NO.search(text) or ONLY_YES.search(text) else f"LFTs {bare}"
    if slot == "other_naltrexone":
        # "no" to "any other naltrexone product?"; a "yes" needs the product named
        return "no other naltrexone products" if ONLY_NO.search(text) else None
    if slot == "procedure_plan":
        if "procedure_needs_opioids" in pending and ONLY_YES.search(text):
            return "surgery planned, opioids will be needed after the surgery"
        if "procedure_needs_opioids" in pending and ONLY_NO.search(text):
            return "surgery planned, no opioids needed"
        if pending == ["procedure_date"] and ONLY_NO.search(text):
            return None
        return f"surgery {bare}"
    return None


def summary(slot: str, facts: PatientFacts) -> str:
    """The value a filled form slot keeps (a marker; the facts are in ``patient_facts``)."""
    if slot == "liver_status":
        return facts.liver_status or "answered"
    if slot == "opioid_status":
        if facts.opioid_free and not facts.opioids:
            return "none"
        return "current" if any(o.current for o in facts.opioids) else "stopped"
    if slot == "last_opioid_dose":
        return facts.last_opioid_dose.isoformat() if facts.last_opioid_dose else "answered"
    if slot == "other_naltrexone":
        taking = facts.on_naltrexone_50mg or facts.on_naltrexone_bupropion
        return "taking" if taking else "none"
    if facts.procedure_planned is False:
        return "none"
    return facts.procedure_date.isoformat() if facts.procedure_date else "answered"
