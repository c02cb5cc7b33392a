"""Conversations move freely between replicas: state lives in PostgreSQL, not in a process."""

from __future__ import annotations

import re
import uuid

import pytest

from tests.production.conftest import ProdChat, socketio_connect, tracker, webchat_token

pytestmark = pytest.mark.production


def test_conversation_started_on_one_replica_continues_on_another(prod):
    first, second = (prod.replica_url(name) for name in prod.rasa_ports)
    chat = ProdChat(prod.rasa_url)
    text, payload = chat.ask("what is the starting dose of LDN for fibromyalgia?", first)
    assert "1.5 mg" in text and payload.get("citations")
    slots_on_first = tracker(first, chat.sender)["slots"]
    assert slots_on_first["condition"] == "fibromyalgia"

    # The other replica sees the same slots before answering...
    assert tracker(second, chat.sender)["slots"]["condition"] == "fibromyalgia"
    # ...and a follow-up sent there resolves against the topic kept from the first turn.
    text, payload = chat.ask("and in MS?", second)
    assert re.search(r"multiple sclerosis|\bMS\b", text), text
    assert payload.get("citations")
    events = tracker(first, chat.sender)["events"]
    user_turns = [e["text"] for e in events if e["event"] == "user"]
    assert user_turns == ["what is the starting dose of LDN for fibromyalgia?", "and in MS?"]


def test_socketio_requests_of_one_browser_stay_on_one_replica(prod):
    """Engine.io long-polling through nginx: the handshake and every later request of a
    session must reach the replica that holds the session (else "Session ID unknown")."""
    affinities = [uuid.uuid4().hex for _ in range(12)]
    for affinity in affinities:
        reply = socketio_connect(prod.rasa_url, affinity, {"token": webchat_token()})
        assert reply.startswith("40"), reply

    access_log = (prod.log_dir / "nginx-access.log").read_text()
    upstreams = {}
    for affinity in affinities:
        served = set(re.findall(rf"upstream=(\S+) \S+ affinity={affinity}", access_log))
        assert len(served) == 1, f"browser {affinity} was served by {served}"
        upstreams[affinity] = served.pop()
    assert len(set(upstreams.values())) > 1, "all browsers landed on one replica"
