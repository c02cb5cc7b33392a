"""Translating between Rasa (tracker, dispatcher) and the domain core."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from ldn_core.answer import Answer, AnswerKind
from ldn_core.render import notification_text, to_payload, to_slack_blocks, to_text
from ldn_core.routing import Context


def latest_text(tracker: Tracker) -> str:
    return (tracker.latest_message or {}).get("text") or ""


def latest_intent(tracker: Tracker) -> str | None:
    return ((tracker.latest_message or {}).get("intent") or {}).get("name")


def entity(tracker: Tracker, name: str) -> str | None:
    """Last value of an entity in the latest message (synonyms already mapped by NLU)."""
    values = [
        e.get("value")
        for e in (tracker.latest_message or {}).get("entities", [])
        if e.get("entity") == name and e.get("value")
    ]
    return str(values[-1]) if values else None


def entity_texts(tracker: Tracker, names: tuple[str, ...]) -> list[str]:
    """The words of the latest message that NLU recognised as one of these entities."""
    message = tracker.latest_message or {}
    text = message.get("text") or ""
    return [
        text[e["start"] : e["end"]]
        for e in message.get("entities", [])
        if e.get("entity") in names and isinstance(e.get("start"), int) and e.get("end")
    ]


def previous_context(tracker: Tracker) -> Context:
    return Context(
        topic=tracker.get_slot("topic"),
        condition=tracker.get_slot("condition"),
        population=tracker.get_slot("population"),
        question=tracker.get_slot("last_question"),
    )


def context_events(context: Context) -> list[dict[str, Any]]:
    from rasa_sdk.events import SlotSet

    return [
        SlotSet("topic", context.topic),
        SlotSet("condition", context.condition),
        SlotSet("population", context.population),
        SlotSet("last_question", context.question),
    ]


def send(dispatcher: CollectingDispatcher, answer: Answer, channel: str | None = None) -> None:
    """One message: readable text, buttons, and the structured payload for integrators.

    For Slack (``channel`` "slack", or not known) the payload also carries the Block Kit
    rendering of the same answer (``slack_blocks``, ``slack_text``): the Slack channel runs in
    the Rasa process and cannot import ldn_core. Other channels do not get it: every reply is
    stored in the conversation and sent back to the action server with each later message, so
    a third of each answer's size would be carried for nothing.
    """
    buttons = [{"title": title, "payload": payload} for title, payload in answer.buttons]
    payload = to_payload(answer)
    if channel in (None, "slack"):
        payload["slack_blocks"] = to_slack_blocks(answer)
        payload["slack_text"] = notification_text(answer)
    dispatcher.utter_message(text=to_text(answer), buttons=buttons, json_message=payload)


def say(dispatcher: CollectingDispatcher, text: str, **structured: Any) -> None:
    """A prompt or notice (no clinical content) through the one renderer."""
    send(dispatcher, Answer(kind=AnswerKind.MESSAGE, intro=text, structured=structured))
