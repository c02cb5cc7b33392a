"""Race Rasa ticket locks between processes, as replicas do (run with the Rasa venv).

Usage: python tests/production/lock_race.py {atomic|stock} REDIS_PORT KEY_PREFIX [crash]
Several processes each enter one shared conversation's lock many times, all at once, and in
the critical section do a deliberately slow read-modify-write of a counter in Redis. Prints
JSON: {"expected": n, "counted": c, "errors": e, "left": <lock keys left behind>}. When the
lock serialises correctly, counted == expected (no lost update) and nothing is left behind.

With `crash`: a ticket is taken and never released (a replica killed mid-message), then a live
message waits for the same conversation. Prints {"acquired": bool, "waited": seconds}: the
live message must get the lock once the dead ticket has run out, not fail with it.
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import sys
import time
import uuid

PROCESSES = 4
ENTRIES_PER_PROCESS = 25


def make_store(kind: str, port: int, prefix: str):
    from rasa.core.lock_store import RedisLockStore

    from rasa_plugins.lock_store import AtomicRedisLockStore

    store_class = AtomicRedisLockStore if kind == "atomic" else RedisLockStore
    return store_class(host="127.0.0.1", port=port, db=1, key_prefix=prefix)


async def enter_repeatedly(store, conversation: str, counter_key: str) -> int:
    errors = 0
    for _ in range(ENTRIES_PER_PROCESS):
        try:
            async with store.lock(conversation, lock_lifetime=30, wait_time_in_seconds=0.005):
                value = int(store.red.get(counter_key) or 0)
                await asyncio.sleep(0.002)  # the "processing" another replica must not overlap
                store.red.set(counter_key, value + 1, ex=300)
        except Exception:  # noqa: BLE001 - a LockError is what the stock store can raise
            errors += 1
    return errors


def worker(kind: str, port: int, prefix: str, conversation: str, start, out) -> None:
    store = make_store(kind, port, prefix)
    start.wait()
    out.put(asyncio.run(enter_repeatedly(store, conversation, f"{prefix}:counter:{conversation}")))


async def wait_behind_a_dead_ticket(store, conversation: str, lifetime: float) -> dict:
    store.issue_ticket(conversation, lifetime)  # its holder "dies": never released
    started = time.monotonic()
    try:
        async with store.lock(conversation, lock_lifetime=lifetime):
            acquired = True
    except Exception:  # noqa: BLE001 - the stock store raises LockError here
        acquired = False
    return {"acquired": acquired, "waited": round(time.monotonic() - started, 2)}


def main() -> None:
    kind, port, prefix = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    if sys.argv[4:] == ["crash"]:
        store = make_store(kind, port, prefix)
        outcome = asyncio.run(wait_behind_a_dead_ticket(store, f"crash-{uuid.uuid4().hex[:8]}", 2))
        print(json.dumps(outcome))
        return
    conversation = f"race-{uuid.uuid4().hex[:8]}"
    start = multiprocessing.Event()
    out = multiprocessing.Queue()
    workers = [
        multiprocessing.Process(target=worker, args=(kind, port, prefix, conversation, start, out))
        for _ in range(PROCESSES)
    ]
    for process in workers:
        process.start()
    start.set()
    errors = sum(out.get(timeout=300) for _ in workers)
    for process in workers:
        process.join(timeout=60)
    store = make_store(kind, port, prefix)
    counted = int(store.red.get(f"{prefix}:counter:{conversation}") or 0)
    left = 1 if store.get_lock(conversation) else 0
    print(
        json.dumps(
            {
                "expected": PROCESSES * ENTRIES_PER_PROCESS,
                "counted": counted,
                "errors": errors,
                "left": left,
            }
        )
    )


if __name__ == "__main__":
    main()
