"""The titration schedule form: start date, variant, and the schedule it produces."""

from __future__ import annotations

import datetime as dt

import pytest

from actions.forms.schedule_form import ValidateScheduleForm
from actions.screening import ActionTitrationSchedule
from tests.actions.conftest import slot_events
from tests.actions.forms.helpers import DOMAIN, TODAY, form_tracker, texts, validate

pytestmark = [pytest.mark.slow, pytest.mark.anyio]

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


async def test_a_question_about_the_schedule_is_answered_not_asked_a_start_day(dispatcher):
    question = "where does the 1.5 to 4.5 mg titration schedule come from, which paper?"
    tracker = form_tracker(question, "request_schedule", form="schedule_form")
    slots = slot_events(await ValidateScheduleForm().run(dispatcher, tracker, DOMAIN))
    assert slots["schedule_start"] is not None  # the form completes at once: no question
    assert not texts(dispatcher)

    answered = slot_events(await ActionTitrationSchedule().run(dispatcher, tracker, DOMAIN))
    payload = dispatcher.messages[-1]["custom"]
    assert payload["kind"] == "knowledge" and payload["citations"]
    assert "schedule" not in payload  # the store's answer, not a dated schedule
    assert answered["schedule_start"] is None  # the form's slots are reset
