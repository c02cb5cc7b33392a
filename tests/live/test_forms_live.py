"""Screening and schedules over REST, end to end (Rasa + action server + core).

A described patient gets a verdict at once, with what is still unconfirmed; a short reply
adds to that patient. The screening form asks its questions only when the clinician asks for
them ("ask me the screening questions", the button under an undecided verdict).
"""

from __future__ import annotations

import datetime as dt

import pytest

pytestmark = pytest.mark.live


def form_slot(payload: dict) -> str | None:
    return (payload.get("form") or {}).get("slot")


def test_a_described_patient_gets_the_verdict_first_and_a_short_reply_completes_it(chat):
    text, payload = chat.ask("pt with CRPS, stopped oxycodone 3 days ago, can I start LDN tonight?")
    assert "form" not in payload, text
    # the verdict so far, with the one fact still missing, in the first reply
    assert payload["screening"]["verdict"] == "wait_until"
    assert payload["screening"]["missing"] == ["liver_status", "other_naltrexone"]
    assert "liver status" in text and "opioid now" not in text
    assert payload["citations"]

    text, payload = chat.ask("LFTs normal")
    assert "form" not in payload, text
    screening = payload["screening"]
    assert screening["verdict"] == "wait_until"
    assert screening["missing"] == ["other_naltrexone"]
    # oxycodone of unstated form: last dose 3 days ago + the conservative 10 days
    earliest = dt.date.today() + dt.timedelta(days=7)
    assert screening["earliest_start"] == earliest.isoformat()
    assert "7-10" in text
    assert any(c["source_id"] == "label_ntx_oral" for c in payload["citations"])


def start_the_form(chat) -> tuple[str, dict]:
    text, payload = chat.ask("can my patient start LDN?")
    assert "form" not in payload and payload["citations"], text
    titles = [b["title"] for b in payload["buttons"]]
    assert "Ask me the screening questions" in titles, titles
    return chat.ask("Ask me the screening questions")


def test_screening_reprompts_an_unreadable_answer_then_completes(chat):
    text, payload = start_the_form(chat)
    assert form_slot(payload) == "opioid_status", text
    assert "opioid" in text and "liver" not in text

    text, payload = chat.ask("abc")
    assert 'I could not read "abc"' in text
    assert form_slot(payload) == "opioid_status"

    text, payload = chat.ask("no opioids")
    assert form_slot(payload) == "liver_status", text

    text, payload = chat.ask("LFTs normal")
    assert form_slot(payload) == "other_naltrexone", text

    text, payload = chat.ask("no")
    assert payload["screening"]["verdict"] == "can_start", text
    rows = payload["schedule"]["rows"]
    assert rows[0]["dose_mg"] == 1.5 and rows[-1]["dose_mg"] == 4.5


def test_two_failures_explain_and_cancel_leaves_the_form(chat):
    start_the_form(chat)
    chat.ask("maybe")
    text, payload = chat.ask("-3 days")
    assert "negative time" in text or "could not read" in text
    assert "cancel" in text and "no opioids" in text  # what is needed, and how to stop
    assert form_slot(payload) == "opioid_status"

    text, payload = chat.ask("cancel")
    assert "stopped the screening" in text
    assert payload["form"]["cancelled"] is True
    # the form is gone: a knowledge question gets a plain answer, no form question
    text, payload = chat.ask("what are the common side effects of LDN?")
    assert payload["kind"] in {"knowledge", "no_answer"} and "form" not in payload


def test_a_question_inside_the_form_is_answered_and_the_form_asks_again(chat):
    start_the_form(chat)
    text, payload = chat.ask("what are the common side effects of LDN?")
    replies = chat.send("let's continue")
    # the side-effect question got its own answer, then the form re-asked
    assert "opioid" in text.lower()
    assert form_slot(payload) == "opioid_status", text
    customs = [r["custom"] for r in replies if isinstance(r.get("custom"), dict)]
    assert customs and form_slot(customs[-1]) == "opioid_status"
    text, payload = chat.ask("stopped tramadol 2 days ago")
    assert form_slot(payload) == "liver_status", text


def test_schedule_form_asks_the_start_date_then_gives_a_dated_schedule(chat):
    text, payload = chat.ask("give me a titration schedule")
    assert "start" in text.lower() and "schedule" not in payload, text

    text, payload = chat.ask("yesterday")
    assert "in the past" in text

    text, payload = chat.ask("next Monday")
    rows = payload["schedule"]["rows"]
    monday = dt.date.today() + dt.timedelta(days=(0 - dt.date.today().weekday()) % 7 or 7)
    assert rows[0]["start"] == monday.isoformat()
    assert rows[0]["dose_mg"] == 1.5 and rows[-1]["dose_mg"] == 4.5
    assert max(r["dose_mg"] for r in rows) == 4.5


def test_schedule_request_with_a_date_and_variant_needs_no_question(chat):
    text, payload = chat.ask("titration schedule for a sensitive patient starting tomorrow")
    rows = payload["schedule"]["rows"]
    assert rows[0]["start"] == (dt.date.today() + dt.timedelta(days=1)).isoformat()
    assert payload["schedule"]["variant"] == "low_start"
