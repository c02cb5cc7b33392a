"""The feedback table on the tracker database, and reads of the tracker's events.

The table (``ldn_feedback``) lives in the same database as the conversations: SQLite
``$LDN_DATA_DIR/tracker.db`` by default, PostgreSQL in the production profile. Inside the Rasa
process the engine is the tracker store's own (``engine_from_agent``), so the URL is known the
same way Rasa knows it; the curator report command builds it from the same environment
variables as endpoints.yml / endpoints.production.yml (``tracker_db_url``).

All calls here block (SQLAlchemy 1.4 core): async callers run them in a thread
(``asyncio.to_thread``), so no database wait ever sits on the event loop that answers.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from ldn_core.feedback.model import FeedbackRecord

metadata = sa.MetaData()
feedback_table = sa.Table(
    "ldn_feedback",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("created_at", sa.Float, nullable=False, index=True),
    sa.Column("sender_id", sa.String(255), nullable=False),
    sa.Column("answer_id", sa.String(255), nullable=False, index=True),
    sa.Column("channel", sa.String(32), nullable=False),
    sa.Column("rating", sa.String(32), nullable=False),
    sa.Column("reason", sa.String(32)),
    sa.Column("comment", sa.Text),
    sa.Column("answer_kind", sa.String(32)),
    sa.Column("passage_ids", sa.Text),
    sa.Column("rule_ids", sa.Text),
    sa.Column("knowledge_version", sa.String(64)),
    sa.Column("reviewed", sa.String(10)),
    sa.Column("question", sa.Text),
)


def tracker_db_url(profile: str | None = None) -> str:
    """The tracker database URL, from the variables the endpoints files use.

    ``LDN_FEEDBACK_DB_URL`` overrides; the production profile (``LDN_PROFILE=production`` or
    ``profile="production"``) is PostgreSQL from LDN_PG_*; otherwise SQLite at
    ``$LDN_TRACKER_DB`` (default ``$LDN_DATA_DIR/tracker.db``, ``./var``).
    """
    env = os.environ
    if env.get("LDN_FEEDBACK_DB_URL"):
        return env["LDN_FEEDBACK_DB_URL"]
    if (profile or env.get("LDN_PROFILE")) == "production":
        return str(
            sa.engine.URL.create(
                "postgresql",
                username=env.get("LDN_PG_USER", "postgres"),
                password=env.get("LDN_PG_PASSWORD") or None,
                host=env.get("LDN_PG_HOST", "127.0.0.1"),
                port=int(env.get("LDN_PG_PORT") or 5432),
                database=env.get("LDN_PG_DB", "ldn_tracker"),
            )
        )
    db = env.get("LDN_TRACKER_DB") or str(Path(env.get("LDN_DATA_DIR", "var")) / "tracker.db")
    return f"sqlite:///{db}"


def engine_from_agent(agent: Any) -> sa.engine.Engine | None:
    """The SQL engine of Rasa's tracker store, through its wrappers (None if not SQL)."""
    store = getattr(agent, "tracker_store", None)
    for _ in range(5):
        if store is None:
            return None
        engine = getattr(store, "engine", None)
        if isinstance(engine, sa.engine.Engine):
            return engine
        store = getattr(store, "_tracker_store", None) or getattr(store, "tracker_store", None)
    return None


_ensured: set[str] = set()


def ensure_table(engine: sa.engine.Engine) -> None:
    """Create the feedback table if missing (once per database and process). The production
    profile creates it before the replicas start (rasa_plugins/tracker_database.py ensure)."""
    key = engine.url.render_as_string(hide_password=True)
    if key not in _ensured:
        metadata.create_all(engine, tables=[feedback_table], checkfirst=True)
        _ensured.add(key)


def insert(engine: sa.engine.Engine, record: FeedbackRecord) -> int:
    ensure_table(engine)
    with engine.begin() as connection:
        result = connection.execute(feedback_table.insert().values(**record.row()))
        return int(result.inserted_primary_key[0])


def feedback_rows(engine: sa.engine.Engine, since: float = 0.0) -> list[dict[str, Any]]:
    ensure_table(engine)
    query = (
        sa.select(feedback_table)
        .where(feedback_table.c.created_at >= since)
        .order_by(feedback_table.c.created_at)
    )
    with engine.connect() as connection:
        return [dict(row._mapping) for row in connection.execute(query)]


def _events_table(engine: sa.engine.Engine) -> sa.Table | None:
    if not sa.inspect(engine).has_table("events"):
        return None
    return sa.Table("events", sa.MetaData(), autoload_with=engine)


def conversation_events(engine: sa.engine.Engine, sender_id: str) -> list[tuple]:
    """(sender, type, timestamp, data) of one conversation's user and bot events, in order."""
    events = _events_table(engine)
    if events is None:
        return []
    query = (
        sa.select(events.c.sender_id, events.c.type_name, events.c.timestamp, events.c.data)
        .where(events.c.sender_id == sender_id, events.c.type_name.in_(("user", "bot")))
        .order_by(events.c.id)
    )
    with engine.connect() as connection:
        return [tuple(row) for row in connection.execute(query)]


def conversations_ending(engine: sa.engine.Engine, suffix: str, limit: int = 20) -> list[str]:
    """Sender ids ending with ``suffix`` (a Slack thread asked about by several people)."""
    events = _events_table(engine)
    if events is None or not suffix:
        return []
    escaped = suffix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    query = (
        sa.select(events.c.sender_id)
        .where(events.c.sender_id.like("%" + escaped, escape="\\"))
        .distinct()
        .limit(limit)
    )
    with engine.connect() as connection:
        return [row[0] for row in connection.execute(query)]


def all_events(engine: sa.engine.Engine, since: float = 0.0) -> list[tuple]:
    """(sender, type, timestamp, data) of every user and bot event since ``since``."""
    events = _events_table(engine)
    if events is None:
        return []
    query = (
        sa.select(events.c.sender_id, events.c.type_name, events.c.timestamp, events.c.data)
        .where(events.c.type_name.in_(("user", "bot")), events.c.timestamp >= since)
        .order_by(events.c.sender_id, events.c.id)
    )
    with engine.connect() as connection:
        return [tuple(row) for row in connection.execute(query)]
