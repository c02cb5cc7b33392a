"""Rasa forms for the screening and the titration schedule: thin adapters over ``ldn_core``.

``screening_form`` asks only for what the screening core still misses: its required slots
are derived, turn by turn, from ``ScreeningResult.missing`` for the facts gathered so far
(slot ``patient_facts``), and its questions are the core's ``ScreeningResult.questions``.
Each answer is parsed by the core's extraction (``extract_facts``) and merged into
``patient_facts``; the form slots only record that a group of facts has been answered.

``schedule_form`` collects a start date and a variant (standard / low start) and hands them
to the dosing core.

Both forms are pre-filled from the message that triggers them, reject invalid or ambiguous
answers with a specific re-prompt, explain what they need after two failures on the same
slot (and offer to stop), and reject their own execution (``ActionExecutionRejection``) on
"cancel" or an unrelated question, so that the rules in ``data/rules/forms.yml`` can take
over: cancel deactivates the form; a question is answered and the form asks again.

No clinical wording lives here: questions come from the core's rule data, verdicts and
schedules from the core's composers. The texts below only say what kind of answer is needed.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from abc import ABC, abstractmethod
from dataclasses import replace
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import REQUESTED_SLOT, FormValidationAction
from rasa_sdk.interfaces import ActionExecutionRejection

from actions.adapter import latest_intent, latest_text, send
from ldn_core.answer.model import Answer, AnswerKind
from ldn_core.assistant import LOW_START_WORDS, shared_assistant
from ldn_core.extraction import extract_facts
from ldn_core.extraction.dates import find_time_expressions
from ldn_core.patient import OpioidExposure, PatientFacts, facts_from_dict, facts_to_dict
from ldn_core.rules import ScreeningResult, Verdict, screen
from ldn_core.rules.screening import screening_rules

log = logging.getLogger(__name__)

SCREENING_FORM = "screening_form"
SCHEDULE_FORM = "schedule_form"
FAILURES = "form_failures"  # {"slot": name, "count": n}: failures in a row on one slot
FACTS = "patient_facts"
PENDING = "screening_pending"

# Form slots of the screening, in the order they are asked.
SCREENING_SLOTS = ("opioid_status", "last_opioid_dose", "liver_status", "procedure_plan")
SCHEDULE_SLOTS = ("schedule_start", "schedule_variant")
FORM_SLOTS = {SCREENING_FORM: SCREENING_SLOTS, SCHEDULE_FORM: SCHEDULE_SLOTS}

# ScreeningResult.missing key (before any ":drug" suffix) -> the form slot that asks it.
KEY_SLOT = {
    "opioid_status": "opioid_status",
    "opioid_name": "opioid_status",
    "opioid_current": "opioid_status",
    "opioid_last_dose": "last_opioid_dose",
    "liver_status": "liver_status",
    "procedure_date": "procedure_plan",
    "procedure_needs_opioids": "procedure_plan",
}
# Question asked when the core has none for a slot (should not happen: kept as a safe default).
DEFAULT_QUESTION = {
    "opioid_status": ("opioid_status", {}),
    "last_opioid_dose": ("opioid_last_dose", {"drug": "the opioid"}),
    "liver_status": ("liver_status", {}),
    "procedure_plan": ("procedure_date", {}),
}

# Intents that are questions of their own: inside a form they are answered, then the form
# asks again (rules in data/rules/forms.yml), unless the message does answer the question.
QUESTION_INTENTS = frozenset(
    {
        "ask_dosing",
        "ask_titration",
        "ask_indication",
        "ask_efficacy",
        "ask_mechanism",
        "ask_adverse_effects",
        "ask_contraindications",
        "ask_interactions",
        "ask_perioperative",
        "ask_special_populations",
        "ask_formulation",
        "ask_naltrexone_confusion",
        "followup",
        "out_of_scope",
        "help",
        "bot_challenge",
    }
)
# Actions that do not end the user's turn (the form itself, slot extraction).
TURN_ACTIONS = frozenset({"action_listen", "action_extract_slots", None})

QUESTION_SHAPE = re.compile(
    r"^\s*(what|how|why|when|which|who|where|whats|what's|is|are|can|could|does|do|should|"
    r"will|would|may|tell me|explain|any)\b",
    re.I,
)
ONLY_NO = re.compile(
    r"^\s*(no|none|nope|nothing|nil|never|neither|n/?a|not at all|no,? none)\s*[.!]?\s*$", re.I
)
ONLY_YES = re.compile(
    r"^\s*(yes|yeah|yep|yup|y|correct|right|sure|indeed|affirmative)\s*[.!]?\s*$", re.I
)
UNSURE = re.compile(
    r"\b(maybe|perhaps|possibly|not sure|unsure|don'?t know|do not know|dunno|no idea|"
    r"unknown|uncertain|probably|might|can'?t remember|not certain)\b|^\s*\?+\s*$",
    re.I,
)
NEGATIVE_NUMBER = re.compile(r"(^|[\s(])[-−–]\s*\d")
STILL_TAKING = re.compile(
    r"\b(still|ongoing|continuing|not stopped|hasn'?t stopped|never stopped|currently)\b", re.I
)
CONTINUE = re.compile(
    r"^\s*(let'?s |ok,? |okay,? )?(continue|go on|carry on|resume|proceed|where were we|"
    r"back to (it|the (screening|questions|schedule)))\b",
    re.I,
)
STANDARD_WORDS = re.compile(r"\b(standard|normal|usual|default|regular|typical)\b", re.I)

# What each slot needs, said after a failed answer ("I could not read X as ...").
WHAT = {
    "opioid_status": "an answer about opioid use",
    "last_opioid_dose": "the date of the last dose",
    "liver_status": "a liver status",
    "procedure_plan": "an answer about the planned procedure",
    "schedule_start": "a start date",
    "schedule_variant": "a schedule variant",
}
# After two failures on the same slot: the kind of answer that works (format, not content).
EXPLAIN = {
    "opioid_status": (
        "To finish the screening I need the patient's opioid use: none, still taking (which "
        'drug), or stopped (which drug, and when). For example "no opioids", "still on '
        'tramadol" or "stopped oxycodone 3 days ago".'
    ),
    "last_opioid_dose": (
        "I need the day of the last opioid dose, today or earlier: for example "
        '"3 days ago", "last Sunday", "12 March" or "2026-03-12". If the patient still takes '
        'it, say "still taking".'
    ),
    "liver_status": (
        'I need the liver status in a few words, for example "LFTs normal", "LFTs raised", '
        '"acute hepatitis", "compensated cirrhosis" or "decompensated cirrhosis".'
    ),
    "procedure_plan": (
        'I need when the procedure is (for example "next Tuesday" or "12 March") and '
        'whether opioids will be needed ("yes" or "no"), or "no surgery planned".'
    ),
    "schedule_start": (
        "I need the day of the first dose, today or later: for example "
        '"today", "Monday", "1 Dec" or "2026-12-01".'
    ),
    "schedule_variant": 'I need "standard" or "low start" (for a sensitive patient).',
}
OFFER_STOP = 'If you would rather stop here, say "cancel".'
FORM_LABEL = {SCREENING_FORM: "screening", SCHEDULE_FORM: "titration schedule"}


def today() -> dt.date:
    """The clock of the screening actions (one place to patch in tests)."""
    from actions import screening

    return screening.today()


def say(dispatcher: CollectingDispatcher, text: str, **structured: Any) -> None:
    """A prompt or notice (no clinical content) through the one renderer."""
    send(dispatcher, Answer(kind=AnswerKind.MESSAGE, intro=text, structured=structured))


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
        if intent == "cancel" and not self.answers(slot, text, tracker):
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
        return missing_slots(screen(facts_of(tracker), today()))

    def activation_events(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> dict:
        facts = extract_facts(latest_text(tracker), today())
        return {FACTS: facts_to_dict(facts), PENDING: True}

    def answers(self, slot: str, text: str, tracker: Tracker) -> bool:
        known = facts_of(tracker)
        new = self.parse(slot, text, known, screen(known, today()))
        return new is not None and state(slot, known.merged_with(new)) != state(slot, known)

    # ------------------------------------------------------------ parsing

    def parse(
        self, slot: str, text: str, known: PatientFacts, result: ScreeningResult
    ) -> PatientFacts | None:
        """Facts in an answer to ``slot``; short answers are read in the question's context."""
        pending = [k for k in result.missing if slot_for_key(k) == slot]
        now = today()
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
        before = screen(known, today())
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
        after = screen(merged, today())
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
        now = today()
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

    async def validate_liver_status(self, value, dispatcher, tracker, domain) -> dict[str, Any]:
        return self.validate_answer("liver_status", value, dispatcher, tracker)

    async def validate_procedure_plan(self, value, dispatcher, tracker, domain) -> dict[str, Any]:
        return self.validate_answer("procedure_plan", value, dispatcher, tracker)

    async def extract_opioid_status(self, dispatcher, tracker, domain) -> dict[str, Any]:
        return self.extract_answer("opioid_status", tracker)

    async def extract_last_opioid_dose(self, dispatcher, tracker, domain) -> dict[str, Any]:
        return self.extract_answer("last_opioid_dose", tracker)

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
    if facts.procedure_planned is False:
        return "none"
    return facts.procedure_date.isoformat() if facts.procedure_date else "answered"


class ValidateScheduleForm(LdnFormValidation):
    """Titration schedule: start date (today or later) and variant (standard / low start)."""

    def name(self) -> str:
        return "validate_schedule_form"

    def activation_events(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> dict:
        text = latest_text(tracker)
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
    now = today()
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
# form asks for the rest: the provisional verdict is sent with the question.
PROVISIONAL = frozenset({Verdict.WAIT_UNTIL, Verdict.NEEDS_SPECIALIST_REVIEW})


class AskScreeningSlot(Action, ABC):
    """Asks the core's question(s) for one screening slot (``action_ask_<slot>``).

    While the verdict is still "insufficient information" only the slot's question(s) are
    asked. When the facts so far already give "wait" or "needs specialist review", that
    provisional verdict is shown with its reasons and citations, followed by the open
    questions (the core's screening answer lists them).
    """

    @property
    @abstractmethod
    def slot(self) -> str:
        """The form slot asked (a class attribute in each subclass)."""

    def name(self) -> str:
        return f"action_ask_{self.slot}"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        facts = facts_of(tracker)
        result = screen(facts, today())
        form = {"name": SCREENING_FORM, "slot": self.slot, "missing": list(result.missing)}
        if result.verdict in PROVISIONAL:
            # The verdict so far (dates, reasons, citations), ending with the open questions.
            answer, _ = shared_assistant().screen_patient("", today(), facts)
            send(
                dispatcher,
                replace(answer, structured={**answer.structured, "form": form}),
                tracker.get_latest_input_channel(),
            )
            return []
        questions = questions_for(self.slot, result)
        if not questions:
            key, values = DEFAULT_QUESTION[self.slot]
            questions = [screening_rules().question(key, **values)]
        say(dispatcher, " ".join(questions), form=form)
        return []


class ActionAskOpioidStatus(AskScreeningSlot):
    slot = "opioid_status"


class ActionAskLastOpioidDose(AskScreeningSlot):
    slot = "last_opioid_dose"


class ActionAskLiverStatus(AskScreeningSlot):
    slot = "liver_status"


class ActionAskProcedurePlan(AskScreeningSlot):
    slot = "procedure_plan"


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


def reset_events(form: str) -> list[dict[str, Any]]:
    """Clear a finished form's slots so that the next run starts afresh."""
    return [SlotSet(slot, None) for slot in FORM_SLOTS[form]] + [SlotSet(FAILURES, None)]
