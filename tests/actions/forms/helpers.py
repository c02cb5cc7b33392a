"""Trackers shaped like the ones Rasa sends while a form runs, and small helpers for the tests.

Real core (extraction + screening rules); the tracker holds the active loop, the requested
slot and the user's message as the latest event.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from rasa_sdk import Tracker

from ldn_core.extraction import extract_facts
from ldn_core.patient import facts_to_dict
from tests.actions.frozen_clock import TODAY

DOMAIN = yaml.safe_load((Path(__file__).resolve().parents[3] / "domain.yml").read_text())


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
