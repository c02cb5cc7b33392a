"""One conversation, many simultaneous messages over both replicas: the Redis lock
serialises them, and every message and reply is stored exactly once."""

from __future__ import annotations

import json
import subprocess
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.production.conftest import RASA_PYTHON, ProdChat, tracker

pytestmark = pytest.mark.production

QUESTIONS = [
    "what is the starting dose of LDN?",
    "side effects of LDN?",
    "can LDN be used in pregnancy?",
    "thanks",
    "how long before LDN works in fibromyalgia?",
    "is LDN safe with liver disease?",
    "what is the mechanism of LDN?",
    "LDN for Crohn's disease evidence?",
    "hello",
    "how is LDN compounded?",
]


def test_concurrent_messages_in_one_conversation_are_serialised(prod):
    replicas = [prod.replica_url(name) for name in prod.rasa_ports] + [prod.rasa_url]
    chat = ProdChat(prod.rasa_url)
    jobs = [(text, replicas[i % len(replicas)]) for i, text in enumerate(QUESTIONS)]
    with ThreadPoolExecutor(len(jobs)) as pool:
        replies = list(pool.map(lambda job: chat.send(*job), jobs))
    texts = ["\n".join(r.get("text") or "" for r in reply) for reply in replies]
    assert all(texts), "a message got no reply"
    assert not [t for t in texts if "temporarily unavailable" in t], texts

    events = tracker(prod.rasa_url, chat.sender)["events"]
    user_texts = [e["text"] for e in events if e["event"] == "user"]
    assert sorted(user_texts) == sorted(QUESTIONS), "a message was lost or stored twice"
    # Serialised: each turn runs to its closing action_listen before the next message starts.
    turn_open = False
    bot_turns = 0
    for event in events:
        if event["event"] == "user":
            assert not turn_open, "two messages of one conversation were processed at once"
            turn_open = True
        elif event["event"] == "bot" and turn_open:
            bot_turns += 1
        elif event["event"] == "action" and event.get("name") == "action_listen":
            turn_open = False
    assert bot_turns >= len(QUESTIONS), "a reply is missing from the stored conversation"


def lock_race(prod, *extra: str) -> dict:
    result = subprocess.run(
        [
            RASA_PYTHON,
            "tests/production/lock_race.py",
            "atomic",
            prod.env["LDN_REDIS_PORT"],
            prod.env["LDN_REDIS_PREFIX"],
            *extra,
        ],
        env=prod.env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_lock_store_serialises_racing_replicas(prod):
    """The lock store itself, raced by four processes with a deliberately slow critical
    section (tests/production/lock_race.py): no lost update, no lock left behind."""
    outcome = lock_race(prod)
    assert outcome["counted"] == outcome["expected"], outcome
    assert outcome["errors"] == 0 and outcome["left"] == 0, outcome


def test_a_message_queued_behind_a_crashed_replica_gets_the_lock(prod):
    """A dead replica's ticket (2 s lifetime here) runs out; the live message waiting behind
    it, which keeps renewing its own ticket, then proceeds instead of failing."""
    outcome = lock_race(prod, "crash")
    assert outcome["acquired"], outcome
    assert 1.5 <= outcome["waited"] <= 6, outcome
