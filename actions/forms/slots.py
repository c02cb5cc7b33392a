"""Form and slot names, and how the screening core's missing facts map to form slots."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet

from ldn_core.patient import PatientFacts, facts_from_dict
from ldn_core.rules import ScreeningResult, Verdict

SCREENING_FORM = "screening_form"
SCHEDULE_FORM = "schedule_form"
FAILURES = "form_failures"  # {"slot": name, "count": n}: failures in a row on one slot
FACTS = "patient_facts"
PENDING = "screening_pending"

# Form slots of the screening, in the order they are asked.
SCREENING_SLOTS = (
    "opioid_status",
    "last_opioid_dose",
    "liver_status",
    "procedure_plan",
    "other_naltrexone",
)
SCHEDULE_SLOTS = ("schedule_start", "schedule_variant")
FORM_SLOTS = {SCREENING_FORM: SCREENING_SLOTS, SCHEDULE_FORM: SCHEDULE_SLOTS}

# ScreeningResult.missing key (before any ":drug" suffix) -> the form slot that asks it.
KEY_SLOT = {
    "opioid_status": "opioid_status",
    "opioid_name": "opioid_status",
    "opioid_current": "opioid_status",
    "opioid_last_dose": "last_opioid_dose",
    "urine_opioid_screen": "opioid_status",
    "other_naltrexone": "other_naltrexone",
    "liver_status": "liver_status",
    "procedure_date": "procedure_plan",
    "procedure_needs_opioids": "procedure_plan",
}
# Question asked when the core has none for a slot (should not happen: kept as a safe default).
DEFAULT_QUESTION = {
    "opioid_status": ("opioid_status", {}),
    "last_opioid_dose": ("opioid_last_dose", {"drug": "the opioid"}),
    "other_naltrexone": ("other_naltrexone", {}),
    "liver_status": ("liver_status", {}),
    "procedure_plan": ("procedure_date", {}),
}

# Intents that are questions of their own: inside a form they are answered, then the form


def slot_for_key(key: str) -> str | None:
    return KEY_SLOT.get(key.split(":", 1)[0])


def facts_of(tracker: Tracker) -> PatientFacts:
    return facts_from_dict(tracker.get_slot(FACTS))


def missing_slots(result: ScreeningResult) -> list[str]:
    """Form slots still to ask, in asking order. A do_not_start verdict is final: no more."""
    if result.verdict is Verdict.DO_NOT_START:
        return []
    wanted = {slot_for_key(key) for key in result.missing}
    return [slot for slot in SCREENING_SLOTS if slot in wanted]


def questions_for(slot: str, result: ScreeningResult) -> list[str]:
    return [
        result.questions[key]
        for key in result.missing
        if slot_for_key(key) == slot and key in result.questions
    ]


def reset_events(form: str) -> list[dict[str, Any]]:
    """Clear a finished form's slots so that the next run starts afresh."""
    return [SlotSet(slot, None) for slot in FORM_SLOTS[form]] + [SlotSet(FAILURES, None)]
