"""Where the conversation goes: PostgreSQL rows and RabbitMQ events, not process memory."""

from __future__ import annotations

import json
import time

import pytest

from scripts.stack import ROOT
from tests.production.conftest import ProdChat, rabbitmq_channel, tracker, tracker_database

pytestmark = pytest.mark.production


def rows_in_postgresql(prod, sender: str, database: str | None = None) -> int:
    env = {**prod.env, "LDN_PG_DB": database or prod.env["LDN_PG_DB"]}
    return int(tracker_database(env, "count", sender))


def test_conversation_is_stored_in_postgresql(prod):
    chat = ProdChat(prod.rasa_url)
    chat.ask("what is the starting dose of LDN?")
    events = tracker(prod.rasa_url, chat.sender)["events"]
    assert rows_in_postgresql(prod, chat.sender) == len(events) > 0


def test_conversation_events_are_published_to_rabbitmq(prod):
    chat = ProdChat(prod.rasa_url)
    chat.ask("what are the side effects of LDN?")
    connection, channel = rabbitmq_channel(prod.env)
    seen: list[dict] = []
    deadline = time.monotonic() + 30
    try:
        while time.monotonic() < deadline:
            method, _, body = channel.basic_get(prod.env["LDN_RABBITMQ_QUEUE"], auto_ack=True)
            if method is None:
                if any(e.get("event") == "bot" for e in seen):
                    break
                time.sleep(0.2)
                continue
            event = json.loads(body)
            if event.get("sender_id") == chat.sender:
                seen.append(event)
    finally:
        connection.close()
    kinds = {e.get("event") for e in seen}
    assert {"user", "bot"} <= kinds, kinds
    user = next(e for e in seen if e.get("event") == "user")
    assert user["text"] == "what are the side effects of LDN?"


def test_tracker_backup_restores_every_conversation(prod, tmp_path):
    """The backup and restore commands of docs/deployment.md, end to end."""
    import shutil
    import subprocess

    if not shutil.which("pg_dump"):
        pytest.skip("pg_dump is not installed (Debian: postgresql-client)")
    chat = ProdChat(prod.rasa_url)
    chat.ask("what is the starting dose of LDN for fibromyalgia?")
    stored = rows_in_postgresql(prod, chat.sender)
    dump = tmp_path / "tracker.dump"
    script = str(ROOT / "scripts" / "tracker_backup.sh")
    subprocess.run([script, "backup", str(dump)], env=prod.env, check=True, capture_output=True)
    restored_db = prod.env["LDN_PG_DB"] + "_restored"
    subprocess.run(
        [script, "restore", str(dump), restored_db], env=prod.env, check=True, capture_output=True
    )
    assert rows_in_postgresql(prod, chat.sender, restored_db) == stored > 0
    tracker_database(prod.env, "drop", restored_db)


def test_long_conversation_is_checkpointed_without_losing_context(prod):
    """Every LDN_TRACKER_WINDOW_TURNS turns a session-start checkpoint bounds what each message
    loads; the history stays stored and a follow-up right after it keeps its context."""
    turns = int(prod.env.get("LDN_TRACKER_WINDOW_TURNS") or 6)
    chat = ProdChat(prod.rasa_url)
    questions = [
        "side effects of LDN?",
        "is LDN safe in pregnancy?",
        "how does LDN work?",
        "LDN and liver disease?",
        "how long before LDN works?",
    ]
    for index in range(turns - 1):
        chat.ask(questions[index % len(questions)])
    chat.ask("what is the starting dose of LDN for fibromyalgia?")  # turn `turns`: checkpoint
    events = tracker(prod.rasa_url, chat.sender)["events"]
    assert [e["event"] for e in events].count("session_started") == 2
    assert events[-1] == {**events[-1], "event": "action", "name": "action_listen"}

    text, payload = chat.ask("and in MS?")
    assert "multiple sclerosis" in text.lower() or "MS" in text, text
    assert payload.get("kind") == "knowledge"
    full = tracker(prod.rasa_url, chat.sender)
    user_turns = [e["text"] for e in full["events"] if e["event"] == "user"]
    assert len(user_turns) == turns + 1, "the history before the checkpoint is still stored"
    assert rows_in_postgresql(prod, chat.sender) == len(full["events"])
