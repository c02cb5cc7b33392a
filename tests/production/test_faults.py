"""Faults: a replica killed under load, action servers down, PostgreSQL restarted."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

from scripts.production import port_open
from tests.production.conftest import ProdChat, tracker

pytestmark = pytest.mark.production

QUESTIONS = [
    "what is the starting dose of LDN for fibromyalgia?",
    "and what about side effects?",
    "thanks",
    "can LDN be taken with tramadol?",
]


def kill(prod, name: str) -> None:
    """SIGKILL: no clean shutdown, as in a crash or an OOM kill."""
    process = prod.processes[name]
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=30)


def subsequence(short: list[str], long: list[str]) -> bool:
    remaining = iter(long)
    return all(item in remaining for item in short)


def describe(sender: str, acknowledged: list[str], stored: list[str]) -> str:
    import difflib

    diff = difflib.unified_diff(acknowledged, stored, "acknowledged", "stored", lineterm="", n=1)
    return f"{sender}:\n" + "\n".join(diff)


def test_killing_a_replica_under_load_loses_no_conversation(prod):
    stop = threading.Event()
    acknowledged: dict[str, list[str]] = {}
    failures: list[str] = []

    def clinician() -> None:
        chat = ProdChat(prod.rasa_url)
        acknowledged[chat.sender] = []
        turn = 0
        while not stop.is_set():
            text = QUESTIONS[turn % len(QUESTIONS)]
            try:
                replies = chat.send(text)
                reply = "\n".join(r.get("text") or "" for r in replies)
                assert reply, "empty reply"
                assert "temporarily unavailable" not in reply, "unavailable reply"
                acknowledged[chat.sender].append(text)
            except (AssertionError, requests.RequestException) as err:
                failures.append(f"{chat.sender} turn {turn}: {err}")
            turn += 1

    with ThreadPoolExecutor(4) as pool:
        running = [pool.submit(clinician) for _ in range(4)]
        time.sleep(5)
        kill(prod, "rasa-1")
        time.sleep(10)
        stop.set()
        for future in running:
            future.result(timeout=180)

    assert not failures, failures
    assert sum(len(texts) for texts in acknowledged.values()) >= 8, "too little load"
    survivor = prod.replica_url("rasa-2")
    for sender, texts in acknowledged.items():
        stored = [e["text"] for e in tracker(survivor, sender)["events"] if e["event"] == "user"]
        assert subsequence(texts, stored), describe(sender, texts, stored)
        # A message retried after the crash may at most be stored once more.
        assert len(stored) <= len(texts) + 1, (sender, texts, stored)

    # The replica comes back and picks up a conversation it never saw.
    prod.start_replica("rasa-1")
    sender = next(iter(acknowledged))
    chat = ProdChat(prod.rasa_url, sender=sender)
    text, _ = chat.ask("what is the maximum dose?", prod.replica_url("rasa-1"))
    assert text
    stored = [e["text"] for e in tracker(survivor, sender)["events"] if e["event"] == "user"]
    assert subsequence(acknowledged[sender] + ["what is the maximum dose?"], stored)


def test_action_servers_down_give_a_clear_reply_and_recovery(prod):
    chat = ProdChat(prod.rasa_url)
    kill(prod, "actions-1")
    try:
        # One action server left: nginx fails over, the clinician notices nothing.
        text, payload = chat.ask("what are the side effects of LDN?")
        assert payload.get("kind") == "knowledge" and payload.get("citations"), text
        kill(prod, "actions-2")
        text, payload = chat.ask("what is the maximum dose of LDN?")
        assert "temporarily unavailable" in text
        assert payload.get("kind") == "unavailable"
    finally:
        for name in ("actions-1", "actions-2"):
            prod.stop_process(name)
        urls = {
            name: prod.spawn_actions(name, prod.action_ports[name]) for name in prod.action_ports
        }
        for name, url in urls.items():
            prod.wait_actions(name, url)
    text, payload = chat.ask("what is the maximum dose of LDN?")
    assert payload.get("kind") == "knowledge" and payload.get("citations"), text


def postgres_restart_command() -> list[str] | None:
    versions = (
        sorted(Path("/etc/postgresql").glob("*/main")) if Path("/etc/postgresql").exists() else []
    )
    if not versions or not shutil.which("pg_ctlcluster") or os.geteuid() != 0:
        return None
    version = versions[-1].parent.name
    return ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart"]


def test_postgresql_restart_loses_no_stored_conversation(prod):
    command = postgres_restart_command()
    if command is None:
        pytest.skip("cannot restart PostgreSQL here (needs root and a Debian pg_ctlcluster)")
    chat = ProdChat(prod.rasa_url)
    chat.ask("what is the starting dose of LDN for CRPS?")
    chat.ask("what about side effects?")
    before = tracker(prod.rasa_url, chat.sender)

    subprocess.run(command, check=True, capture_output=True, timeout=120)
    deadline = time.monotonic() + 60
    while not port_open(prod.env["LDN_PG_HOST"], int(prod.env["LDN_PG_PORT"])):
        assert time.monotonic() < deadline, "PostgreSQL did not come back"
        time.sleep(0.5)

    # Both replicas answer again at once (stale pooled connections are replaced), and the
    # conversation continues with everything stored before the restart.
    for name in prod.rasa_ports:
        text, payload = chat.ask("is LDN safe in pregnancy?", prod.replica_url(name))
        assert payload.get("kind") == "knowledge", text
    after = tracker(prod.rasa_url, chat.sender)
    assert after["events"][: len(before["events"])] == before["events"]
    assert before["slots"]["condition"] == "crps"
    user_turns = [e["text"] for e in after["events"] if e["event"] == "user"]
    assert user_turns[:2] == [
        "what is the starting dose of LDN for CRPS?",
        "what about side effects?",
    ]
