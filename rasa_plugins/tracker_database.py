"""Administration of the PostgreSQL tracker database (run with the Rasa venv's Python).

    python -m rasa_plugins.tracker_database ensure          create the database and tables
                                                            (with the feedback table)
    python -m rasa_plugins.tracker_database drop [NAME]     drop a database (default LDN_PG_DB)
    python -m rasa_plugins.tracker_database count SENDER    stored events of one conversation

Connection settings come from LDN_PG_HOST, LDN_PG_PORT, LDN_PG_USER, LDN_PG_PASSWORD and
LDN_PG_DB, as for the production profile. `ensure` runs before the replicas start: left to
them, they race to create the tables and all but one wait and retry.
"""

from __future__ import annotations

import os
import sys

import psycopg2
import sqlalchemy as sa


def _settings() -> dict:
    return {
        "host": os.environ.get("LDN_PG_HOST", "127.0.0.1"),
        "port": int(os.environ.get("LDN_PG_PORT") or 5432),
        "user": os.environ.get("LDN_PG_USER", "postgres"),
        "password": os.environ.get("LDN_PG_PASSWORD") or None,
    }


def _database() -> str:
    return os.environ.get("LDN_PG_DB", "ldn_tracker")


def _admin(*statements: tuple[str, tuple]) -> list:
    """Run statements on the maintenance database outside any transaction (CREATE and DROP
    DATABASE refuse to run inside one; psycopg2's `with connection` would open one)."""
    connection = psycopg2.connect(dbname="postgres", **_settings())
    connection.autocommit = True
    try:
        cursor = connection.cursor()
        rows = []
        for sql, params in statements:
            cursor.execute(sql, params)
            rows.append(cursor.fetchone() if cursor.description else None)
        return rows
    finally:
        connection.close()


def _quoted(name: str) -> str:
    return '"' + name.replace('"', "") + '"'


def ensure() -> None:
    from rasa.core.tracker_store import SQLTrackerStore

    name = _database()
    (exists,) = _admin(("SELECT 1 FROM pg_database WHERE datname = %s", (name,)))
    if exists is None:
        _admin((f"CREATE DATABASE {_quoted(name)}", ()))
    settings = _settings()
    url = sa.engine.url.URL.create(
        "postgresql",
        username=settings["user"],
        password=settings["password"],
        host=settings["host"],
        port=settings["port"],
        database=name,
    )
    engine = sa.create_engine(url)
    SQLTrackerStore.Base.metadata.create_all(engine)
    # The clinicians' feedback table lives beside the conversations (channels/feedback.py).
    from channels.feedback_store import ensure_table

    ensure_table(engine)
    engine.dispose()


def drop(name: str) -> None:
    _admin((f"DROP DATABASE IF EXISTS {_quoted(name)} WITH (FORCE)", ()))


def count(sender: str) -> int:
    connection = psycopg2.connect(dbname=_database(), **_settings())
    try:
        cursor = connection.cursor()
        cursor.execute("SELECT count(*) FROM events WHERE sender_id = %s", (sender,))
        return int(cursor.fetchone()[0])
    finally:
        connection.close()


def main(argv: list[str]) -> int:
    if argv[:1] == ["ensure"] and len(argv) == 1:
        ensure()
    elif argv[:1] == ["drop"] and len(argv) in (1, 2):
        drop(argv[1] if len(argv) == 2 else _database())
    elif argv[:1] == ["count"] and len(argv) == 2:
        print(count(argv[1]))
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
