"""`make curator-report` on a seeded tracker database (SQLite, the schema Rasa and the feedback
route write): the command runs with the Rasa venv's Python, as the Makefile does."""

from __future__ import annotations

import csv
import json
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RASA_PYTHON = ROOT / ".venv" / "rasa" / "bin" / "python"


def seed(db: Path) -> None:
    now = time.time()
    answer = {
        "ldn_answer": 1,
        "kind": "knowledge",
        "answer_id": "a1",
        "points": [{"id": "dose-start-1-5"}, {"id": "titration_standard"}],
    }
    declined = {"ldn_answer": 1, "kind": "no_answer", "answer_id": "a2", "points": []}
    events = [
        ("s1", "user", now - 60, {"event": "user", "text": "start dose for Mrs Jones, 71F?"}),
        ("s1", "bot", now - 59, {"event": "bot", "data": {"custom": answer}}),
        ("s1", "user", now - 30, {"event": "user", "text": "LDN for tinnitus, MRN 1234567?"}),
        ("s1", "bot", now - 29, {"event": "bot", "data": {"custom": declined}}),
        ("s2", "user", now - 20, {"event": "user", "text": "old question"}),
        ("s2", "bot", now - 400 * 86400, {"event": "bot", "data": {"custom": declined}}),
    ]
    with sqlite3.connect(db) as c:
        c.execute(
            "CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id TEXT, type_name TEXT,"
            " timestamp REAL, intent_name TEXT, action_name TEXT, data TEXT)"
        )
        c.executemany(
            "INSERT INTO events (sender_id, type_name, timestamp, data) VALUES (?, ?, ?, ?)",
            [(s, t, ts, json.dumps(d)) for s, t, ts, d in events],
        )
        c.execute(
            "CREATE TABLE ldn_feedback (id INTEGER PRIMARY KEY, created_at REAL, sender_id TEXT,"
            " answer_id TEXT, channel TEXT, rating TEXT, reason TEXT, comment TEXT,"
            " answer_kind TEXT, passage_ids TEXT, rule_ids TEXT, knowledge_version TEXT,"
            " reviewed TEXT, question TEXT)"
        )
        c.execute(
            "INSERT INTO ldn_feedback (created_at, sender_id, answer_id, channel, rating, reason,"
            " comment, answer_kind, passage_ids, rule_ids, knowledge_version, reviewed, question)"
            " VALUES (?, 's1', 'a1', 'webchat', 'not_helpful', 'unsafe', 'seen 03/04/2026',"
            " 'knowledge', 'dose-start-1-5', 'titration_standard', 'abc', '2026-11-27',"
            " 'start dose for Mrs Jones, 71F?')",
            (now - 10,),
        )


def test_report_command_on_a_seeded_database(tmp_path: Path) -> None:
    if not RASA_PYTHON.exists():
        reason = f"Rasa venv not built ({RASA_PYTHON}); run make envs"
        print(reason)
        pytest.skip(reason)
    db = tmp_path / "tracker.db"
    seed(db)
    out = tmp_path / "report"
    result = subprocess.run(
        [
            str(RASA_PYTHON),
            "scripts/curator_report.py",
            "--db",
            f"sqlite:///{db}",
            "--out",
            str(out),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "1 declined questions, 1 not-helpful and 0 helpful" in result.stdout
    rows = list(csv.DictReader((out / "curator-report.csv").open(encoding="utf-8")))
    assert [(r["item"], r["kind_or_reason"]) for r in rows] == [
        ("no_answer", "no_answer"),
        ("not_helpful", "unsafe"),
    ]
    assert rows[0]["question"] == "LDN for tinnitus, [ID]?"
    assert (
        rows[1]["passage_ids"] == "dose-start-1-5" and rows[1]["rule_ids"] == "titration_standard"
    )
    assert rows[1]["comment"] == "seen [DATE]"
    page = (out / "curator-report.html").read_text(encoding="utf-8")
    assert "dose-start-1-5" in page and "<svg" in page and "Unsafe 1" in page
    for secret in ("Jones", "71F", "1234567", "03/04/2026", "old question"):
        assert secret not in page
    assert (out / "curator-report.svg").read_text(encoding="utf-8").startswith("<svg")
