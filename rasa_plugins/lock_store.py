"""A Redis lock store whose ticket operations are atomic across Rasa replicas.

Rasa's RedisLockStore reads a conversation's ticket lock, changes it in Python and writes it
back. Two replicas doing that at the same moment can both be given the same ticket number (so
two messages of one conversation are processed at once and one reply's events can be lost),
or one replica's clean-up can delete a lock another replica has just joined. Here every
read-modify-write runs inside a Redis WATCH/MULTI transaction, retried when another replica
changed the key in between, and lock keys expire so a killed replica cannot leave one behind.

Tickets are leases: Rasa's ticket lifetime runs from the moment a message arrives, so a message
queued behind a crashed replica's ticket expired together with it and failed with a LockError.
Here a live process renews its own ticket (waiting or processing) every third of the lifetime;
only a dead process's ticket runs out, after TICKET_LOCK_LIFETIME seconds. Waiting messages
poll every POLL_SECONDS instead of Rasa's 1 s, so queued messages are not delayed needlessly.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncGenerator, Callable
from contextlib import asynccontextmanager
from typing import Any

from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

# A lock key outlives its newest ticket by this margin, then Redis drops it.
KEY_TTL_MARGIN_SECONDS = 60
# How often a message waiting for its conversation's lock looks again.
POLL_SECONDS = 0.02


class AtomicRedisLockStore(RedisLockStore):
    """RedisLockStore with transactional ticket issue, release and expiry."""

    def __init__(self, endpoint_config: EndpointConfig | None = None, **kwargs: Any) -> None:
        # Rasa builds a custom lock store from its endpoints.yml entry alone.
        if endpoint_config is not None:
            kwargs = {"host": endpoint_config.url or "localhost", **endpoint_config.kwargs}
        super().__init__(**kwargs)

    def _key(self, conversation_id: str) -> str:
        return self.key_prefix + conversation_id

    def _transact(
        self, conversation_id: str, change: Callable[[TicketLock | None], TicketLock | None]
    ) -> TicketLock | None:
        """Apply ``change`` to the stored lock atomically; None from ``change`` deletes it."""
        key = self._key(conversation_id)
        outcome: dict = {}

        def attempt(pipe) -> None:  # redis.client.Pipeline, in WATCH mode on `key`
            raw = pipe.get(key)
            current = TicketLock.from_dict(json.loads(raw)) if raw else None
            updated = change(current)
            pipe.multi()
            if updated is None or not updated.tickets:
                pipe.delete(key)
            else:
                pipe.set(key, updated.dumps(), ex=self._ttl(updated))
            outcome["lock"] = updated

        self.red.transaction(attempt, key)
        return outcome.get("lock")

    @staticmethod
    def _ttl(lock: TicketLock) -> int:
        newest_expiry = max(ticket.expires for ticket in lock.tickets)
        return max(1, int(newest_expiry - time.time()) + KEY_TTL_MARGIN_SECONDS)

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        issued: dict = {}

        def add_ticket(lock: TicketLock | None) -> TicketLock:
            lock = lock or self.create_lock(conversation_id)
            issued["number"] = lock.issue_ticket(lock_lifetime)
            return lock

        try:
            self._transact(conversation_id, add_ticket)
        except Exception as error:  # same contract as Rasa's lock stores
            raise LockError(f"Error while acquiring lock. Error:\n{error}") from error
        return issued["number"]

    def update_lock(self, conversation_id: str) -> None:
        def drop_expired(lock: TicketLock | None) -> TicketLock | None:
            if lock is not None:
                lock.remove_expired_tickets()
            return lock

        self._transact(conversation_id, drop_expired)

    def finish_serving(self, conversation_id: str, ticket_number: int) -> None:
        def release(lock: TicketLock | None) -> TicketLock | None:
            if lock is not None:
                lock.remove_ticket_for(ticket_number)
            return lock

        self._transact(conversation_id, release)

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        # Releasing the ticket deletes the key in the same transaction when no ticket is left,
        # so a ticket another replica issued in between is never deleted with it.
        self.finish_serving(conversation_id, ticket_number)

    def renew(self, conversation_id: str, ticket_number: int, lock_lifetime: float) -> None:
        """Push our own ticket's expiry to now + lifetime (never revives a lost ticket)."""

        def extend(lock: TicketLock | None) -> TicketLock | None:
            if lock is not None:
                lock.remove_expired_tickets()
                for ticket in lock.tickets:
                    if ticket.number == ticket_number:
                        ticket.expires = time.time() + lock_lifetime
            return lock

        self._transact(conversation_id, extend)

    async def _keep_alive(self, conversation_id: str, ticket: int, lock_lifetime: float) -> None:
        while True:
            await asyncio.sleep(lock_lifetime / 3)
            self.renew(conversation_id, ticket, lock_lifetime)

    @asynccontextmanager
    async def lock(
        self,
        conversation_id: str,
        lock_lifetime: float = LOCK_LIFETIME,
        wait_time_in_seconds: float = POLL_SECONDS,
    ) -> AsyncGenerator[TicketLock, None]:
        ticket = self.issue_ticket(conversation_id, lock_lifetime)
        keeper = asyncio.ensure_future(self._keep_alive(conversation_id, ticket, lock_lifetime))
        try:
            yield await self._acquire_lock(
                conversation_id, ticket, min(wait_time_in_seconds, POLL_SECONDS)
            )
        finally:
            keeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await keeper
            self.cleanup(conversation_id, ticket)
