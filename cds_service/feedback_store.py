"""Clinician feedback on cards (CDS Hooks 2.0 feedback endpoint), kept in SQLite.

Its own small module and table so it can be merged with the general clinician-feedback
storage later. Stores no patient data: card uuid, outcome, override reason code and the
clinician's comment, accepted suggestion ids, times.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import threading
from pathlib import Path

OUTCOMES = ("accepted", "overridden")
SCHEMA = """
CREATE TABLE IF NOT EXISTS cds_feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    received_at TEXT NOT NULL,
    service_id TEXT NOT NULL,
    card_uuid TEXT NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('accepted', 'overridden')),
    outcome_timestamp TEXT,
    override_system TEXT,
    override_code TEXT,
    override_display TEXT,
    user_comment TEXT,
    accepted_suggestions TEXT NOT NULL DEFAULT '[]'
)
"""


class FeedbackError(ValueError):
    """A feedback item that does not follow the CDS Hooks feedback format."""


def _parse_item(item: object) -> dict:
    if not isinstance(item, dict):
        raise FeedbackError("each feedback item must be an object")
    card, outcome = item.get("card"), item.get("outcome")
    if not isinstance(card, str) or not card:
        raise FeedbackError("feedback.card (the card's uuid) is required")
    if outcome not in OUTCOMES:
        raise FeedbackError("feedback.outcome must be 'accepted' or 'overridden'")
    override = item.get("overrideReason") or item.get("overrideReasons") or {}
    if isinstance(override, list):  # tolerate a list; keep the first reason
        override = override[0] if override else {}
    if not isinstance(override, dict):
        raise FeedbackError("overrideReason must be an object")
    reason = override.get("reason") or {}
    comment = override.get("userComment")
    suggestions = item.get("acceptedSuggestions") or []
    if not isinstance(suggestions, list) or not isinstance(reason, dict):
        raise FeedbackError("acceptedSuggestions must be a list and reason a Coding")
    if outcome == "accepted" and override:
        raise FeedbackError("an accepted card has no overrideReason")
    return {
        "card_uuid": card,
        "outcome": outcome,
        "outcome_timestamp": item.get("outcomeTimestamp"),
        "override_system": reason.get("system"),
        "override_code": reason.get("code"),
        "override_display": reason.get("display"),
        "user_comment": comment if isinstance(comment, str) else None,
        "accepted_suggestions": json.dumps(
            [s.get("id") for s in suggestions if isinstance(s, dict)]
        ),
    }


class FeedbackStore:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        with self._connect() as db:
            db.execute(SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=10)

    def record(self, service_id: str, body: object) -> int:
        """Validate every item first, then store them all in one transaction."""
        items = body.get("feedback") if isinstance(body, dict) else None
        if not isinstance(items, list) or not items:
            raise FeedbackError("the body must be {'feedback': [ ... ]} with at least one item")
        rows = [_parse_item(item) for item in items]
        now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        with self._lock, self._connect() as db:
            db.executemany(
                "INSERT INTO cds_feedback (received_at, service_id, card_uuid, outcome, "
                "outcome_timestamp, override_system, override_code, override_display, "
                "user_comment, accepted_suggestions) VALUES (?,?,?,?,?,?,?,?,?,?)",
                [
                    (
                        now,
                        service_id,
                        r["card_uuid"],
                        r["outcome"],
                        r["outcome_timestamp"],
                        r["override_system"],
                        r["override_code"],
                        r["override_display"],
                        r["user_comment"],
                        r["accepted_suggestions"],
                    )
                    for r in rows
                ],
            )
        return len(rows)

    def all(self) -> list[dict]:
        with self._connect() as db:
            db.row_factory = sqlite3.Row
            return [dict(r) for r in db.execute("SELECT * FROM cds_feedback ORDER BY id")]
