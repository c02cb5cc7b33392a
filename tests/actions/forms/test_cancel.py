"""Cancelling a form: what the clinician is told and which slots are cleared."""

from __future__ import annotations

import pytest

from actions.forms.cancel import ActionCancelForm
from tests.actions.conftest import slot_events
from tests.actions.forms.helpers import DOMAIN, described, form_tracker

pytestmark = [pytest.mark.slow, pytest.mark.anyio]


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
