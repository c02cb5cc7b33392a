"""The actions as Rasa calls them: tracker in, messages and slot events out.

These use the real assistant (knowledge store + packaged MiniLM model), loaded once.
"""

from __future__ import annotations

import datetime as dt

import pytest

from actions.answer_question import ActionAnswerQuestion
from actions.fallback import ActionClarify, ActionOutOfScope
from actions.screening import ActionScreenPatient, ActionTitrationSchedule
from tests.actions.conftest import make_tracker, slot_events
from tests.actions.frozen_clock import TODAY

pytestmark = [pytest.mark.slow, pytest.mark.anyio]


async def run(action, tracker, dispatcher):
    return await action.run(dispatcher, tracker, {})


def only_message(dispatcher):
    assert len(dispatcher.messages) == 1
    return dispatcher.messages[0]


async def test_answer_question_sends_text_and_cited_payload(dispatcher):
    tracker = make_tracker(
        "what is the starting dose of LDN for fibromyalgia?",
        "ask_dosing",
        entities=[{"entity": "condition", "value": "fibromyalgia"}],
    )
    events = await run(ActionAnswerQuestion(), tracker, dispatcher)
    message = only_message(dispatcher)
    assert "1.5 mg" in message["text"] and "4.5 mg" in message["text"]
    payload = message["custom"]
    assert payload["kind"] == "knowledge" and payload["citations"]
    slots = slot_events(events)
    assert slots["topic"] == "dosing" and slots["condition"] == "fibromyalgia"
    assert slots["last_question"] == "what is the starting dose of LDN for fibromyalgia?"


async def test_followup_uses_the_previous_question(dispatcher):
    tracker = make_tracker(
        "and in MS?",
        "followup",
        entities=[{"entity": "condition", "value": "multiple_sclerosis"}],
        slots={
            "topic": "fibromyalgia",
            "condition": "fibromyalgia",
            "last_question": "does LDN work for fibromyalgia?",
        },
    )
    events = await run(ActionAnswerQuestion(), tracker, dispatcher)
    payload = only_message(dispatcher)["custom"]
    assert payload["kind"] == "knowledge"
    assert any(p["id"].startswith("ms-") for p in payload["points"])
    assert slot_events(events)["condition"] == "multiple_sclerosis"


async def test_out_of_scope_has_no_citations(dispatcher):
    await run(ActionOutOfScope(), make_tracker("weather?", "out_of_scope"), dispatcher)
    message = only_message(dispatcher)
    assert message["custom"]["kind"] == "out_of_scope"
    assert message["custom"]["citations"] == []


async def test_clarify_offers_buttons_for_the_likely_topics(dispatcher):
    ranking = [
        {"name": "nlu_fallback", "confidence": 0.5},
        {"name": "ask_perioperative", "confidence": 0.3},
        {"name": "ask_dosing", "confidence": 0.2},
    ]
    await run(
        ActionClarify(), make_tracker("surgery dose??", "nlu_fallback", ranking=ranking), dispatcher
    )
    buttons = only_message(dispatcher)["buttons"]
    assert [b["title"] for b in buttons] == ["Surgery", "Dose and titration"]
    assert all(not b["payload"].startswith("/") for b in buttons)


async def test_screening_then_answer_completes_the_facts(dispatcher):
    first = make_tracker("can my patient with fibromyalgia start LDN?", "request_screening")
    events = await run(ActionScreenPatient(), first, dispatcher)
    slots = slot_events(events)
    assert dispatcher.messages[0]["custom"]["screening"]["verdict"] == "insufficient_information"
    assert slots["screening_pending"] is True
    assert slots["patient_facts"]["indication"] == "fibromyalgia"

    second = make_tracker(
        "no opioids, no naltrexone products and LFTs are normal", "inform", slots=slots
    )
    events = await run(ActionScreenPatient(), second, dispatcher)
    payload = dispatcher.messages[1]["custom"]
    assert payload["screening"]["verdict"] == "can_start"
    assert payload["schedule"]["rows"][-1]["dose_mg"] == 4.5
    assert slot_events(events)["screening_pending"] is False


async def test_schedule_starts_on_the_requested_day(dispatcher):
    tracker = make_tracker("titration schedule starting tomorrow", "request_schedule")
    await run(ActionTitrationSchedule(), tracker, dispatcher)
    schedule = only_message(dispatcher)["custom"]["schedule"]
    tomorrow = TODAY + dt.timedelta(days=1)
    assert schedule["rows"][0]["start"] == tomorrow.isoformat()
    assert schedule["rows"][0]["dose_mg"] == 1.5


@pytest.mark.parametrize(
    ("channel", "has_blocks"), [("rest", False), ("socketio", False), ("slack", True)]
)
async def test_slack_rendering_is_sent_only_to_slack(dispatcher, channel, has_blocks):
    tracker = make_tracker("side effects of LDN?", "ask_adverse_effects", channel=channel)
    await run(ActionAnswerQuestion(), tracker, dispatcher)
    payload = only_message(dispatcher)["custom"]
    assert payload["citations"], "the clinical payload is the same on every channel"
    assert ("slack_blocks" in payload) is has_blocks
    assert ("slack_text" in payload) is has_blocks


async def test_out_of_scope_reading_of_a_bare_followup_answers_it(dispatcher):
    # "what about loperamide?" after an interactions question: the NLU, reading the message
    # alone, says out_of_scope; the conversation says it is the same question about loperamide.
    tracker = make_tracker(
        "what about loperamide?",
        "out_of_scope",
        entities=[{"entity": "drug", "value": "loperamide", "start": 11, "end": 21}],
        slots={"topic": "interactions", "last_question": "does LDN interact with other medicines?"},
    )
    events = await run(ActionOutOfScope(), tracker, dispatcher)
    payload = only_message(dispatcher)["custom"]
    assert payload["kind"] == "knowledge" and payload["citations"]
    assert "antidiarrh" in only_message(dispatcher)["text"]
    assert slot_events(events)["last_question"] == "does LDN interact with other medicines?"


async def test_out_of_scope_without_context_stays_out_of_scope(dispatcher):
    # a drug the store says nothing about: with no earlier question there is nothing to
    # follow up. ("what about loperamide?" alone is answered: the store's antidiarrhoeal
    # passage clears the overrule margin on the text alone.)
    tracker = make_tracker(
        "what about metformin?",
        "out_of_scope",
        entities=[{"entity": "drug", "value": "metformin", "start": 11, "end": 20}],
    )
    assert await run(ActionOutOfScope(), tracker, dispatcher) == []
    assert only_message(dispatcher)["custom"]["kind"] == "out_of_scope"


async def test_a_confident_store_answer_overrules_out_of_scope(dispatcher):
    text = "what was the FINAL trial result for LDN in fibromyalgia"
    await run(ActionOutOfScope(), make_tracker(text, "out_of_scope"), dispatcher)
    payload = only_message(dispatcher)["custom"]
    assert payload["kind"] == "knowledge" and payload["citations"]


async def test_a_confident_store_answer_replaces_the_clarifying_question(dispatcher):
    text = "what was the FINAL trial result for LDN in fibromyalgia"
    await run(ActionClarify(), make_tracker(text, "nlu_fallback"), dispatcher)
    assert only_message(dispatcher)["custom"]["kind"] == "knowledge"


async def test_inside_a_form_out_of_scope_is_not_overruled(dispatcher):
    text = "what was the FINAL trial result for LDN in fibromyalgia"
    tracker = make_tracker(text, "out_of_scope")
    tracker.active_loop = {"name": "screening_form"}
    await run(ActionOutOfScope(), tracker, dispatcher)
    assert only_message(dispatcher)["custom"]["kind"] == "out_of_scope"
