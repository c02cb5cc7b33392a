"""SQL tracker store that survives a database restart and keeps per-message work bounded.

- Rasa's SQLTrackerStore keeps pooled connections without checking them, so after PostgreSQL
  restarts the first messages fail on dead connections. The engine is rebuilt with
  ``pool_pre_ping`` (a connection is tested, and replaced if dead, before each use), keeping
  Rasa's pool settings (SQL_POOL_SIZE, SQL_MAX_OVERFLOW, POSTGRESQL_SCHEMA).
- Rasa loads, replays and sends to the action server every event of the current session on
  every message, so each answer in a long conversation costs more than the one before. After
  every LDN_TRACKER_WINDOW_TURNS completed turns (no form open), a checkpoint is stored, the
  same events Rasa writes when a session starts: ``action_session_start``, ``session_started``,
  every slot carried over, ``action_listen``. Later messages load from there. Nothing is
  deleted: the full history stays in the database (and the HTTP API's tracker endpoint shows
  it), and the follow-up context lives in slots, which the checkpoint carries over.
- Rasa's save re-reads the whole session from the database to find which events are new
  (once to publish them to the event broker, once more, as a count, to store them). Here the
  number of events already stored is remembered on the tracker when it is loaded or saved
  (both happen under the conversation's lock), so a save only writes and publishes.
"""

from __future__ import annotations

import itertools
import json
import os
from typing import Any

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs
from rasa.shared.core.constants import ACTION_LISTEN_NAME, ACTION_SESSION_START_NAME
from rasa.shared.core.events import ActionExecuted, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from rasa_plugins import patches

patches.install()

DEFAULT_WINDOW_TURNS = 6
# Attribute set on a tracker: how many of its events are already in the database.
STORED_MARK = "_ldn_events_in_store"
SESSION_START_METADATA_SLOT = "session_started_metadata"


def window_turns() -> int:
    raw = os.environ.get("LDN_TRACKER_WINDOW_TURNS", "")
    return int(raw) if raw.isdigit() else DEFAULT_WINDOW_TURNS


def needs_checkpoint(tracker: DialogueStateTracker, turns: int) -> bool:
    """A completed turn (the bot listens again), no form open, and ``turns`` user messages or
    more since the session (or the last checkpoint) started. ``turns`` 0 turns it off."""
    if turns <= 0 or tracker.active_loop_name:
        return False
    last = tracker.events[-1] if tracker.events else None
    if not (isinstance(last, ActionExecuted) and last.action_name == ACTION_LISTEN_NAME):
        return False
    since_start = 0
    for event in reversed(tracker.events):
        if isinstance(event, SessionStarted):
            break
        if isinstance(event, UserUttered):
            since_start += 1
    return since_start >= turns


def checkpoint_events(tracker: DialogueStateTracker) -> list:
    """What Rasa's own session start writes, with every slot carried over."""
    slots = [
        SlotSet(name, slot.value)
        for name, slot in tracker.slots.items()
        if name != SESSION_START_METADATA_SLOT and slot.value is not None
    ]
    return [
        ActionExecuted(ACTION_SESSION_START_NAME),
        SessionStarted(),
        *slots,
        ActionExecuted(ACTION_LISTEN_NAME),
    ]


class ResilientSQLTrackerStore(SQLTrackerStore):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        url = self.engine.url
        self.engine.dispose()
        self.engine = sa.create_engine(url, pool_pre_ping=True, **create_engine_kwargs(url))
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)
        self.window_turns = window_turns()

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        tracker = await super().retrieve(sender_id)
        if tracker is not None:
            setattr(tracker, STORED_MARK, len(tracker.events))
        return tracker

    def _stored_count(self, session: Any, tracker: DialogueStateTracker) -> int:
        known = getattr(tracker, STORED_MARK, None)
        if isinstance(known, int) and 0 <= known <= len(tracker.events):
            return known
        # A tracker this store did not load (e.g. a new conversation): ask the database.
        query = self._event_query(session, tracker.sender_id, fetch_events_from_all_sessions=False)
        return query.count()

    async def _store_new_events(self, tracker: DialogueStateTracker) -> None:
        with self.session_scope() as session:
            stored = self._stored_count(session, tracker)
            new_events = list(itertools.islice(tracker.events, stored, len(tracker.events)))
            for event in new_events:  # the same rows as Rasa's SQLTrackerStore.save
                data = event.as_dict()
                session.add(
                    self.SQLEvent(
                        sender_id=tracker.sender_id,
                        type_name=event.type_name,
                        timestamp=data.get("timestamp"),
                        intent_name=data.get("parse_data", {}).get("intent", {}).get("name"),
                        action_name=data.get("name"),
                        data=json.dumps(data),
                    )
                )
            session.commit()
        setattr(tracker, STORED_MARK, len(tracker.events))
        if self.event_broker is not None:
            await self._stream_new_events(self.event_broker, new_events, tracker.sender_id)

    async def save(self, tracker: DialogueStateTracker) -> None:
        await self._store_new_events(tracker)
        if needs_checkpoint(tracker, self.window_turns):
            for event in checkpoint_events(tracker):
                tracker.update(event)
            await self._store_new_events(tracker)
