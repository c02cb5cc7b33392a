"""action_respond as Rasa calls it: any message outside a form, answered first."""

from __future__ import annotations

import pytest

from actions.respond import ActionRespond
from tests.actions.conftest import make_tracker, slot_events

pytestmark = [pytest.mark.slow, pytest.mark.anyio]


async def respond(tracker, dispatcher):
    return await ActionRespond().run(dispatcher, tracker, {})


async def test_an_ldn_question_read_as_small_talk_is_answered(dispatcher):
    events = await respond(
        make_tracker("hi! how long off morphine before LDN?", "greet"), dispatcher
    )
    (message,) = dispatcher.messages
    assert message["custom"]["kind"] == "knowledge" and message["custom"]["citations"]
    slots = slot_events(events)
    assert slots["last_passages"] and slots["walkthrough_requested"] is False


async def test_small_talk_uses_the_domain_response(dispatcher):
    await respond(make_tracker("thank you", "thanks"), dispatcher)
    (message,) = dispatcher.messages
    assert message["response"] == "utter_thanks"


async def test_a_described_patient_gets_a_verdict_and_the_facts_are_kept(dispatcher):
    tracker = make_tracker(
        "55M CRPS, on tramadol 50 mg tds, can we start LDN?", "request_screening"
    )
    events = await respond(tracker, dispatcher)
    (message,) = dispatcher.messages
    assert message["custom"]["screening"]["verdict"] == "do_not_start"
    facts = slot_events(events)["patient_facts"]
    assert [o["drug"] for o in facts["opioids"]] == ["tramadol"]


async def test_a_source_request_uses_the_last_answer(dispatcher):
    slots = {
        "last_passages": ["opi-washout-7-10-days"],
        "last_question": "washout?",
        "topic": "opioids",
    }
    await respond(make_tracker("source?", "thanks", slots=slots), dispatcher)
    (message,) = dispatcher.messages
    assert [p["id"] for p in message["custom"]["points"]] == ["opi-washout-7-10-days"]


async def test_asking_for_the_questions_sets_the_form_slot(dispatcher):
    tracker = make_tracker("walk me through the screening questions", "request_screening")
    events = await respond(tracker, dispatcher)
    assert slot_events(events)["walkthrough_requested"] is True
    assert dispatcher.messages == []
