"""The screening form's validation action: activation, answers, re-prompts, leaving and resuming."""

from __future__ import annotations

import datetime as dt

import pytest
from rasa_sdk.interfaces import ActionExecutionRejection

from actions.forms.ask_screening import ActionAskOpioidStatus
from actions.forms.screening_form import ValidateScreeningForm
from actions.forms.slots import FAILURES
from actions.screening import ActionScreenPatient
from ldn_core.patient import facts_from_dict, facts_to_dict
from tests.actions.conftest import slot_events
from tests.actions.forms.helpers import DOMAIN, TODAY, described, form_tracker, texts, validate

pytestmark = [pytest.mark.slow, pytest.mark.anyio]

# ------------------------------------------------------------------ activation


@pytest.mark.parametrize(
    ("trigger", "first_slot"),
    [
        ("pt with CRPS, stopped oxycodone 3 days ago, can I start LDN tonight?", "liver_status"),
        ("can my patient start LDN?", "opioid_status"),
        ("pt stopped tramadol, LFTs normal, can she start LDN?", "last_opioid_dose"),
        ("fibromyalgia, no opioids, normal LFTs, knee replacement next Tuesday", "procedure_plan"),
        # other naltrexone products must be known before any start (knowledge/rules)
        ("fibromyalgia, no opioids, normal LFTs, start 1.5 mg", "other_naltrexone"),
        ("fibromyalgia, no opioids, no naltrexone products, normal LFTs, start 1.5 mg", None),
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
    assert slots == ["last_opioid_dose", "liver_status", "other_naltrexone"]
    tracker = form_tracker("x", slots=described("no opioids, LFTs normal"))
    assert await form.required_slots([], dispatcher, tracker, DOMAIN) == ["other_naltrexone"]
    tracker = form_tracker("x", slots=described("no opioids, no naltrexone products, LFTs normal"))
    assert await form.required_slots([], dispatcher, tracker, DOMAIN) == []


async def test_a_whole_answer_turn_fills_the_slot_and_completes_the_form(dispatcher):
    slots = described(
        "pt with CRPS, stopped oxycodone 3 days ago, no other naltrexone, can I start LDN tonight?"
    )
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
    # the form of oxycodone is not stated: the conservative end of 7-10 days applies
    assert screening["earliest_start"] == (TODAY + dt.timedelta(days=7)).isoformat()
    assert slot_events(events)["liver_status"] is None  # form slots cleared for the next run


# ------------------------------------------------------------------ validators


ASKED_ABOUT_OPIOIDS = "can my patient start LDN?"
ASKED_ABOUT_LAST_DOSE = "pt stopped tramadol, LFTs normal"
ASKED_ABOUT_LIVER = "pt with fibro, no opioids"


@pytest.mark.parametrize(
    ("trigger", "slot", "answer", "value"),
    [
        (ASKED_ABOUT_OPIOIDS, "opioid_status", "no opioids", "none"),
        (ASKED_ABOUT_OPIOIDS, "opioid_status", "no", "none"),
        (ASKED_ABOUT_OPIOIDS, "opioid_status", "none", "none"),
        (ASKED_ABOUT_OPIOIDS, "opioid_status", "denies opioid use", "none"),
        (ASKED_ABOUT_OPIOIDS, "opioid_status", "still on tramadol 50 mg bid", "current"),
        (ASKED_ABOUT_OPIOIDS, "opioid_status", "stopped oxycodone 3 days ago", "stopped"),
        (ASKED_ABOUT_LIVER, "liver_status", "LFTs normal", "normal"),
        (ASKED_ABOUT_LIVER, "liver_status", "normal", "normal"),
        (ASKED_ABOUT_LIVER, "liver_status", "fine", "normal"),
        (ASKED_ABOUT_LIVER, "liver_status", "raised", "raised_lfts"),
        (ASKED_ABOUT_LIVER, "liver_status", "acute hepatitis", "acute_hepatitis"),
        (ASKED_ABOUT_LIVER, "liver_status", "decompensated cirrhosis", "decompensated_cirrhosis"),
    ],
)
async def test_a_screening_answer_fills_its_slot(trigger, slot, answer, value, dispatcher):
    result = await validate(
        ValidateScreeningForm(), slot, answer, dispatcher, slots=described(trigger)
    )
    assert result[slot] == value
    assert result[FAILURES] is None
    assert dispatcher.messages == []


@pytest.mark.parametrize(
    ("trigger", "slot", "answer", "says"),
    [
        (
            ASKED_ABOUT_OPIOIDS,
            "opioid_status",
            "abc",
            'I could not read "abc" as an answer about opioid use',
        ),
        (ASKED_ABOUT_OPIOIDS, "opioid_status", "maybe", "I need a definite answer"),
        (ASKED_ABOUT_OPIOIDS, "opioid_status", "not sure", "I need a definite answer"),
        (ASKED_ABOUT_OPIOIDS, "opioid_status", "yes", "Which opioid"),
        (ASKED_ABOUT_LAST_DOSE, "last_opioid_dose", "-3 days", "negative time"),
        (ASKED_ABOUT_LAST_DOSE, "last_opioid_dose", "tomorrow", "cannot be in the future"),
        (ASKED_ABOUT_LAST_DOSE, "last_opioid_dose", "in 2 days", "cannot be in the future"),
        (ASKED_ABOUT_LAST_DOSE, "last_opioid_dose", "abc", "as the date of the last dose"),
        # a hedged date is not a fact
        (ASKED_ABOUT_LAST_DOSE, "last_opioid_dose", "maybe last week?", "definite answer"),
        (ASKED_ABOUT_LIVER, "liver_status", "abc", 'I could not read "abc" as a liver status'),
        (ASKED_ABOUT_LIVER, "liver_status", "maybe", "I need a definite answer"),
        (ASKED_ABOUT_LIVER, "liver_status", "yes", 'I could not read "yes" as a liver status'),
        (ASKED_ABOUT_LIVER, "liver_status", "-3 days", "negative time"),
    ],
)
async def test_a_bad_answer_is_refused_with_a_specific_reprompt(
    trigger, slot, answer, says, dispatcher
):
    result = await validate(
        ValidateScreeningForm(), slot, answer, dispatcher, slots=described(trigger)
    )
    assert result[slot] is None
    assert result[FAILURES] == {"slot": slot, "count": 1}
    assert [says in text for text in texts(dispatcher)] == [True]


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
    slots = described(ASKED_ABOUT_LAST_DOSE)
    result = await validate(
        ValidateScreeningForm(), "last_opioid_dose", answer, dispatcher, slots=slots
    )
    day = TODAY - dt.timedelta(days=days_ago)
    assert result["last_opioid_dose"] == day.isoformat()
    assert facts_from_dict(result["patient_facts"]).opioids[0].last_dose == day


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


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("cancel", "cancel"),  # so that the cancel rule runs
        ("what are the side effects of LDN?", "ask_adverse_effects"),  # answered, then re-asked
    ],
)
async def test_cancel_or_an_unrelated_question_rejects_the_form(text, intent, dispatcher):
    tracker = form_tracker(
        text, intent, slots=described("can my patient start LDN?"), requested="opioid_status"
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
