"""The screening and schedule forms as Rasa runs them: validation action, ask actions, cancel.

Real core (extraction + screening rules), trackers shaped like the ones Rasa sends during a
form (active loop, requested slot, the user's message as the latest event).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.interfaces import ActionExecutionRejection

from actions.forms import (
    FAILURES,
    ActionAskLiverStatus,
    ActionAskOpioidStatus,
    ActionCancelForm,
    ValidateScheduleForm,
    ValidateScreeningForm,
)
from actions.screening import ActionScreenPatient, ActionTitrationSchedule
from ldn_core.extraction import extract_facts
from ldn_core.patient import facts_from_dict, facts_to_dict
from tests.actions.conftest import slot_events

pytestmark = [pytest.mark.slow, pytest.mark.anyio]

DOMAIN = yaml.safe_load((Path(__file__).resolve().parents[2] / "domain.yml").read_text())
TODAY = dt.date.today()


def form_tracker(
    text: str,
    intent: str = "inform",
    slots: dict[str, Any] | None = None,
    requested: str | None = None,
    form: str = "screening_form",
    after_user: list[dict[str, Any]] | None = None,
) -> Tracker:
    """The tracker of a form run right after the user's message (or after ``after_user``)."""
    parse = {"text": text, "intent": {"name": intent, "confidence": 0.9}, "entities": []}
    events = [
        {"event": "action", "name": "action_listen"},
        {"event": "user", "text": text, "parse_data": parse},
        *(after_user or []),
        {"event": "slot", "name": "requested_slot", "value": requested},
        {"event": "action", "name": form},
    ]
    return Tracker.from_dict(
        {
            "sender_id": "form-test",
            "slots": {**(slots or {}), "requested_slot": requested},
            "latest_message": parse,
            "events": events,
            "active_loop": {"name": form},
            "latest_action_name": form,
        }
    )


def described(text: str) -> dict[str, Any]:
    """Slots after a screening form was activated by ``text``."""
    return {"patient_facts": facts_to_dict(extract_facts(text, TODAY)), "screening_pending": True}


def texts(dispatcher) -> list[str]:
    return [m["text"] for m in dispatcher.messages if m.get("text")]


async def validate(validator, slot: str, value: str, dispatcher, **tracker_args) -> dict[str, Any]:
    tracker = form_tracker(value, requested=slot, **tracker_args)
    return await getattr(validator, f"validate_{slot}")(value, dispatcher, tracker, DOMAIN)


# ------------------------------------------------------------------ registration


def test_the_action_server_registers_every_custom_action_of_the_domain():
    from rasa_sdk.executor import ActionExecutor

    executor = ActionExecutor()
    executor.register_package("actions")  # what `rasa_sdk --actions actions` does
    custom = [a for a in DOMAIN["actions"] if not a.startswith("utter_")]
    assert sorted(set(custom) - set(executor.actions)) == []
    assert "action_ask_" not in executor.actions  # the abstract bases are not actions


# ------------------------------------------------------------------ activation


@pytest.mark.parametrize(
    ("trigger", "first_slot"),
    [
        ("pt with CRPS, stopped oxycodone 3 days ago, can I start LDN tonight?", "liver_status"),
        ("can my patient start LDN?", "opioid_status"),
        ("pt stopped tramadol, LFTs normal, can she start LDN?", "last_opioid_dose"),
        ("fibromyalgia, no opioids, normal LFTs, knee replacement next Tuesday", "procedure_plan"),
        ("fibromyalgia, no opioids, normal LFTs, start 1.5 mg", None),
        ("pt on oxycodone 10 mg bid, can he start LDN?", None),  # do_not_start is final
    ],
)
async def test_activation_prefills_from_the_trigger_and_asks_only_what_is_missing(
    trigger, first_slot, dispatcher
):
    tracker = form_tracker(trigger, "request_screening", requested=None)
    events = await ValidateScreeningForm().run(dispatcher, tracker, DOMAIN)
    slots = slot_events(events)
    assert slots["requested_slot"] == first_slot
    assert slots["screening_pending"] is True
    assert all(slots[s] is None for s in ("opioid_status", "liver_status", "procedure_plan"))
    assert dispatcher.messages == []  # the ask action, not the validator, asks


async def test_required_slots_follow_the_core_for_a_partly_described_patient(dispatcher):
    form = ValidateScreeningForm()
    tracker = form_tracker("x", slots=described("pt with fibro, stopped codeine"))
    slots = await form.required_slots([], dispatcher, tracker, DOMAIN)
    assert slots == ["last_opioid_dose", "liver_status"]
    tracker = form_tracker("x", slots=described("no opioids, LFTs normal"))
    assert await form.required_slots([], dispatcher, tracker, DOMAIN) == []


async def test_a_whole_answer_turn_fills_the_slot_and_completes_the_form(dispatcher):
    slots = described("pt with CRPS, stopped oxycodone 3 days ago, can I start LDN tonight?")
    tracker = form_tracker("LFTs normal", slots=slots, requested="liver_status")
    events = await ValidateScreeningForm().run(dispatcher, tracker, DOMAIN)
    result = slot_events(events)
    assert result["liver_status"] == "normal"
    assert result["requested_slot"] is None
    assert facts_from_dict(result["patient_facts"]).liver_status == "normal"


async def test_the_verdict_after_the_form_uses_the_gathered_facts(dispatcher):
    slots = described("pt with CRPS, stopped oxycodone 3 days ago, can I start LDN tonight?")
    facts = facts_from_dict(slots["patient_facts"])
    facts.liver_status = "normal"
    slots["patient_facts"] = facts_to_dict(facts)
    tracker = form_tracker("LFTs normal", slots=slots)
    tracker.events.append({"event": "active_loop", "name": None})
    events = await ActionScreenPatient().run(dispatcher, tracker, DOMAIN)
    screening = dispatcher.messages[0]["custom"]["screening"]
    assert screening["verdict"] == "wait_until"
    assert screening["earliest_start"] == (TODAY + dt.timedelta(days=4)).isoformat()
    assert slot_events(events)["liver_status"] is None  # form slots cleared for the next run


# ------------------------------------------------------------------ validators


@pytest.mark.parametrize(
    ("answer", "value"),
    [
        ("no opioids", "none"),
        ("no", "none"),
        ("none", "none"),
        ("denies opioid use", "none"),
        ("still on tramadol 50 mg bid", "current"),
        ("stopped oxycodone 3 days ago", "stopped"),
    ],
)
async def test_opioid_status_accepts(answer, value, dispatcher):
    slots = described("can my patient start LDN?")
    result = await validate(
        ValidateScreeningForm(), "opioid_status", answer, dispatcher, slots=slots
    )
    assert result["opioid_status"] == value
    assert result[FAILURES] is None
    assert dispatcher.messages == []


@pytest.mark.parametrize(
    ("answer", "says"),
    [
        ("abc", 'I could not read "abc" as an answer about opioid use'),
        ("maybe", "I need a definite answer"),
        ("not sure", "I need a definite answer"),
        ("yes", "Which opioid"),
    ],
)
async def test_opioid_status_rejects_with_a_specific_reprompt(answer, says, dispatcher):
    slots = described("can my patient start LDN?")
    result = await validate(
        ValidateScreeningForm(), "opioid_status", answer, dispatcher, slots=slots
    )
    assert result["opioid_status"] is None
    assert result[FAILURES] == {"slot": "opioid_status", "count": 1}
    assert says in texts(dispatcher)[0]


async def test_a_drug_without_status_is_kept_and_the_core_asks_the_rest(dispatcher):
    slots = described("can my patient start LDN?")
    form = ValidateScreeningForm()
    result = await validate(form, "opioid_status", "tramadol", dispatcher, slots=slots)
    assert result["opioid_status"] is None and result[FAILURES] is None  # progress, no failure
    facts = facts_from_dict(result["patient_facts"])
    assert [o.drug for o in facts.opioids] == ["tramadol"]
    tracker = form_tracker("", slots={**slots, **result}, requested="opioid_status")
    await ActionAskOpioidStatus().run(dispatcher, tracker, DOMAIN)
    assert "still taking tramadol" in dispatcher.messages[-1]["text"]
    # "no" to "Is the patient still taking tramadol?" means stopped; the date comes next
    followup = await validate(form, "opioid_status", "no", dispatcher, slots={**slots, **result})
    assert followup["opioid_status"] == "stopped"
    facts = facts_from_dict(followup["patient_facts"])
    assert facts.opioids[0].current is False


@pytest.mark.parametrize(
    ("answer", "days_ago"),
    [("3 days ago", 3), ("yesterday", 1), ("today", 0), ("a week ago", 7)],
)
async def test_last_dose_accepts_past_dates(answer, days_ago, dispatcher):
    slots = described("pt stopped tramadol, LFTs normal")
    result = await validate(
        ValidateScreeningForm(), "last_opioid_dose", answer, dispatcher, slots=slots
    )
    day = TODAY - dt.timedelta(days=days_ago)
    assert result["last_opioid_dose"] == day.isoformat()
    assert facts_from_dict(result["patient_facts"]).opioids[0].last_dose == day


@pytest.mark.parametrize(
    ("answer", "says"),
    [
        ("-3 days", "negative time"),
        ("tomorrow", "cannot be in the future"),
        ("in 2 days", "cannot be in the future"),
        ("abc", "as the date of the last dose"),
        ("maybe last week?", "definite answer"),  # a hedged date is not a fact
    ],
)
async def test_last_dose_rejects_future_negative_and_unreadable(answer, says, dispatcher):
    slots = described("pt stopped tramadol, LFTs normal")
    result = await validate(
        ValidateScreeningForm(), "last_opioid_dose", answer, dispatcher, slots=slots
    )
    assert result["last_opioid_dose"] is None
    assert says in texts(dispatcher)[0]


@pytest.mark.parametrize(
    ("answer", "value"),
    [
        ("LFTs normal", "normal"),
        ("normal", "normal"),
        ("fine", "normal"),
        ("raised", "raised_lfts"),
        ("acute hepatitis", "acute_hepatitis"),
        ("decompensated cirrhosis", "decompensated_cirrhosis"),
    ],
)
async def test_liver_status_accepts(answer, value, dispatcher):
    slots = described("pt with fibro, no opioids")
    result = await validate(
        ValidateScreeningForm(), "liver_status", answer, dispatcher, slots=slots
    )
    assert result["liver_status"] == value


@pytest.mark.parametrize("answer", ["abc", "maybe", "yes", "-3 days"])
async def test_liver_status_rejects(answer, dispatcher):
    slots = described("pt with fibro, no opioids")
    result = await validate(
        ValidateScreeningForm(), "liver_status", answer, dispatcher, slots=slots
    )
    assert result["liver_status"] is None
    assert len(texts(dispatcher)) == 1


async def test_procedure_plan_date_then_opioid_need(dispatcher):
    slots = described("fibromyalgia, no opioids, normal LFTs, hip replacement planned")
    form = ValidateScreeningForm()
    first = await validate(form, "procedure_plan", "next Tuesday", dispatcher, slots=slots)
    facts = facts_from_dict(first["patient_facts"])
    assert facts.procedure_date is not None and facts.procedure_date > TODAY
    assert first["procedure_plan"] is None  # the opioid question is still open
    assert facts.opioid_free is True  # not touched by the procedure answer
    second = await validate(form, "procedure_plan", "yes", dispatcher, slots={**slots, **first})
    assert facts_from_dict(second["patient_facts"]).procedure_needs_opioids is True
    assert second["procedure_plan"] == facts.procedure_date.isoformat()


async def test_two_failures_on_a_slot_explain_what_is_needed_and_offer_to_stop(dispatcher):
    slots = described("can my patient start LDN?")
    form = ValidateScreeningForm()
    first = await validate(form, "opioid_status", "abc", dispatcher, slots=slots)
    assert len(texts(dispatcher)) == 1
    second = await validate(form, "opioid_status", "xyz", dispatcher, slots={**slots, **first})
    assert second[FAILURES] == {"slot": "opioid_status", "count": 2}
    explanation = texts(dispatcher)[-1]
    assert "no opioids" in explanation and '"cancel"' in explanation
    # a failure on another slot starts counting again
    other = await validate(
        form, "liver_status", "abc", dispatcher, slots={**slots, FAILURES: second[FAILURES]}
    )
    assert other[FAILURES] == {"slot": "liver_status", "count": 1}


async def test_lets_continue_reasks_without_counting_a_failure(dispatcher):
    slots = described("can my patient start LDN?")
    result = await validate(
        ValidateScreeningForm(), "opioid_status", "let's continue", dispatcher, slots=slots
    )
    assert result == {"opioid_status": None}
    assert dispatcher.messages == []


# ------------------------------------------------------------------ leaving and coming back


async def test_cancel_rejects_the_form_so_the_cancel_rule_runs(dispatcher):
    tracker = form_tracker(
        "cancel", "cancel", slots=described("can my patient start LDN?"), requested="opioid_status"
    )
    with pytest.raises(ActionExecutionRejection):
        await ValidateScreeningForm().run(dispatcher, tracker, DOMAIN)


async def test_lets_continue_misread_as_cancel_still_resumes(dispatcher):
    tracker = form_tracker(
        "let's continue",
        "cancel",
        slots=described("can my patient start LDN?"),
        requested="opioid_status",
    )
    events = await ValidateScreeningForm().run(dispatcher, tracker, DOMAIN)
    slots = slot_events(events)
    assert slots["opioid_status"] is None and slots["requested_slot"] == "opioid_status"


async def test_an_unrelated_question_rejects_the_form(dispatcher):
    tracker = form_tracker(
        "what are the side effects of LDN?",
        "ask_adverse_effects",
        slots=described("can my patient start LDN?"),
        requested="opioid_status",
    )
    with pytest.raises(ActionExecutionRejection):
        await ValidateScreeningForm().run(dispatcher, tracker, DOMAIN)


async def test_an_answer_classified_as_a_question_is_still_an_answer(dispatcher):
    tracker = form_tracker(
        "LFTs normal",
        "ask_special_populations",
        slots=described("pt with CRPS, stopped oxycodone 3 days ago"),
        requested="liver_status",
    )
    events = await ValidateScreeningForm().run(dispatcher, tracker, DOMAIN)
    assert slot_events(events)["liver_status"] == "normal"


async def test_after_a_digression_the_form_asks_again_without_reading_the_question(dispatcher):
    tracker = form_tracker(
        "what are the side effects of LDN?",
        "ask_adverse_effects",
        slots=described("can my patient start LDN?"),
        requested="opioid_status",
        after_user=[
            {"event": "action_execution_rejected", "name": "screening_form"},
            {"event": "action", "name": "action_answer_question"},
            {"event": "bot", "text": "..."},
        ],
    )
    events = await ValidateScreeningForm().run(dispatcher, tracker, DOMAIN)
    assert slot_events(events) == {"requested_slot": "opioid_status"}
    assert dispatcher.messages == []


async def test_cancel_action_says_so_and_clears_the_form(dispatcher):
    tracker = form_tracker(
        "cancel",
        "cancel",
        slots={**described("can my patient start LDN?"), "opioid_status": "none"},
        after_user=[
            {"event": "active_loop", "name": "screening_form"},
            {"event": "action", "name": "action_deactivate_loop"},
            {"event": "active_loop", "name": None},
        ],
    )
    events = await ActionCancelForm().run(dispatcher, tracker, DOMAIN)
    assert "stopped the screening" in dispatcher.messages[0]["text"]
    slots = slot_events(events)
    assert slots["opioid_status"] is None and slots["screening_pending"] is False


# ------------------------------------------------------------------ ask actions


async def test_questions_come_from_the_core(dispatcher):
    slots = described("can my patient start LDN?")
    tracker = form_tracker("", slots=slots, requested="opioid_status")
    await ActionAskOpioidStatus().run(dispatcher, tracker, DOMAIN)
    message = dispatcher.messages[0]
    assert message["text"].startswith("Does the patient take any opioid now")
    assert "liver" not in message["text"]  # one slot at a time
    assert message["custom"]["kind"] == "message"
    assert message["custom"]["form"]["slot"] == "opioid_status"


async def test_a_provisional_wait_verdict_is_shown_with_the_open_question(dispatcher):
    slots = described("pt with CRPS, stopped oxycodone 3 days ago, can I start LDN tonight?")
    tracker = form_tracker("", slots=slots, requested="liver_status")
    await ActionAskLiverStatus().run(dispatcher, tracker, DOMAIN)
    message = dispatcher.messages[0]
    assert "What is the liver status" in message["text"]
    payload = message["custom"]
    assert payload["screening"]["verdict"] == "wait_until"
    assert payload["screening"]["earliest_start"] == (TODAY + dt.timedelta(days=4)).isoformat()
    assert any(c["source_id"] == "label_ntx_oral" for c in payload["citations"])
    assert payload["form"] == {
        "name": "screening_form",
        "slot": "liver_status",
        "missing": ["liver_status"],
    }


# ------------------------------------------------------------------ schedule form


def next_weekday(name: str) -> dt.date:
    target = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
    ahead = (target.index(name) - TODAY.weekday()) % 7 or 7
    return TODAY + dt.timedelta(days=ahead)


@pytest.mark.parametrize(
    ("trigger", "start", "variant"),
    [
        ("give me a titration schedule", None, "standard"),
        ("titration schedule starting Monday", next_weekday("monday").isoformat(), "standard"),
        ("a schedule for a sensitive patient from today", TODAY.isoformat(), "low_start"),
        ("schedule starting 2020-01-01", None, "standard"),  # in the past: asked again
    ],
)
async def test_schedule_form_prefills_from_the_request(trigger, start, variant, dispatcher):
    tracker = form_tracker(trigger, "request_schedule", form="schedule_form")
    slots = slot_events(await ValidateScheduleForm().run(dispatcher, tracker, DOMAIN))
    assert slots["schedule_start"] == start
    assert slots["schedule_variant"] == variant
    if trigger.endswith("2020-01-01"):
        assert "in the past" in texts(dispatcher)[0]


@pytest.mark.parametrize(
    ("answer", "day"),
    [
        ("today", TODAY),
        ("tonight", TODAY),
        ("Monday", next_weekday("monday")),
        ("next Monday", next_weekday("monday")),
        ((TODAY + dt.timedelta(days=3)).isoformat(), TODAY + dt.timedelta(days=3)),
        ("1 Dec", None),
    ],
)
async def test_schedule_start_accepts(answer, day, dispatcher):
    result = await validate(
        ValidateScheduleForm(), "schedule_start", answer, dispatcher, form="schedule_form"
    )
    if day is None:  # "1 Dec": the next 1 December, today or later
        day = dt.date(TODAY.year, 12, 1)
        day = day if day >= TODAY else dt.date(TODAY.year + 1, 12, 1)
    assert result["schedule_start"] == day.isoformat()


@pytest.mark.parametrize(
    ("answer", "says"),
    [
        ("yesterday", "in the past"),
        ("2020-01-01", "in the past"),
        ("abc", "as a start date"),
        ("-3 days", "negative time"),
        ("maybe", "definite answer"),
    ],
)
async def test_schedule_start_rejects(answer, says, dispatcher):
    result = await validate(
        ValidateScheduleForm(), "schedule_start", answer, dispatcher, form="schedule_form"
    )
    assert result["schedule_start"] is None
    assert says in texts(dispatcher)[0]


@pytest.mark.parametrize(
    ("answer", "variant"),
    [("standard", "standard"), ("low start", "low_start"), ("sensitive", "low_start")],
)
async def test_schedule_variant(answer, variant, dispatcher):
    result = await validate(
        ValidateScheduleForm(), "schedule_variant", answer, dispatcher, form="schedule_form"
    )
    assert result["schedule_variant"] == variant


async def test_schedule_variant_rejects_nonsense(dispatcher):
    result = await validate(
        ValidateScheduleForm(), "schedule_variant", "abc", dispatcher, form="schedule_form"
    )
    assert result["schedule_variant"] is None


async def test_schedule_from_the_form_slots(dispatcher):
    start = next_weekday("monday")
    tracker = form_tracker(
        "next Monday",
        slots={"schedule_start": start.isoformat(), "schedule_variant": "standard"},
        form="schedule_form",
    )
    events = await ActionTitrationSchedule().run(dispatcher, tracker, DOMAIN)
    rows = dispatcher.messages[0]["custom"]["schedule"]["rows"]
    assert rows[0]["start"] == start.isoformat() and rows[0]["dose_mg"] == 1.5
    assert rows[-1]["dose_mg"] == 4.5
    assert slot_events(events)["schedule_start"] is None
