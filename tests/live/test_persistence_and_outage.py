"""Conversations survive a restart; an action-server outage gets a clear reply."""

from __future__ import annotations

import pytest
import requests

from tests.live.conftest import Chat

pytestmark = pytest.mark.live


def tracker(stack, sender: str) -> dict:
    response = requests.get(f"{stack.rasa_url}/conversations/{sender}/tracker", timeout=30)
    assert response.status_code == 200
    return response.json()


def test_action_server_down_gives_a_temporarily_unavailable_reply(stack):
    chat = Chat(stack.rasa_url)
    stack.stop_process("actions")
    try:
        text, payload = chat.ask("what are the side effects of LDN?")
        assert "temporarily unavailable" in text
        assert payload.get("kind") == "unavailable"
    finally:
        stack.start_actions()
    text, payload = chat.ask("what are the side effects of LDN?")
    assert payload["kind"] == "knowledge", "recovers once the action server is back"


def test_conversation_survives_a_restart_of_both_servers(stack):
    chat = Chat(stack.rasa_url)
    chat.ask("what is the starting dose of LDN for fibromyalgia?")
    before = tracker(stack, chat.sender)
    assert before["slots"]["topic"] == "dosing"
    stack.stop()
    stack.start()
    after = tracker(stack, chat.sender)
    assert after["slots"]["topic"] == "dosing"
    assert len(after["events"]) >= len(before["events"])
    user_texts = [e.get("text") for e in after["events"] if e["event"] == "user"]
    assert "what is the starting dose of LDN for fibromyalgia?" in user_texts
