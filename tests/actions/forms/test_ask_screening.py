"""The screening questions: from the core, with any provisional verdict."""

from __future__ import annotations

import datetime as dt

import pytest

from actions.forms.ask_screening import ActionAskLiverStatus, ActionAskOpioidStatus
from tests.actions.forms.helpers import DOMAIN, TODAY, described, form_tracker

pytestmark = [pytest.mark.slow, pytest.mark.anyio]

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
    # oxycodone of unstated form: the conservative end of the 7-10 day interval
    assert payload["screening"]["earliest_start"] == (TODAY + dt.timedelta(days=7)).isoformat()
    assert any(c["source_id"] == "label_ntx_oral" for c in payload["citations"])
    assert payload["form"] == {
        "name": "screening_form",
        "slot": "liver_status",
        "missing": ["liver_status", "other_naltrexone"],
    }
