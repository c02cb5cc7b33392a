"""SQL tracker store that survives a database restart.

Rasa's SQLTrackerStore keeps pooled connections without checking them, so after PostgreSQL
restarts the first messages fail on dead connections. This subclass rebuilds the engine with
``pool_pre_ping`` (a connection is tested, and replaced if dead, before each use), keeping
Rasa's pool settings (SQL_POOL_SIZE, SQL_MAX_OVERFLOW, POSTGRESQL_SCHEMA).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs


class ResilientSQLTrackerStore(SQLTrackerStore):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        url = self.engine.url
        self.engine.dispose()
        self.engine = sa.create_engine(url, pool_pre_ping=True, **create_engine_kwargs(url))
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)
