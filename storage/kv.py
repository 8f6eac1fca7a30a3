"""Small key-value settings the owner changes at run time, and the poller lease."""

from __future__ import annotations

import time

from storage.clock import now
from storage.db import Connection, Database

POLLER_LEASE = "poller"
SENDER_LEASE = "sender"  # renewed every second while the bot runs: storage.liveness reads it
PROCESS_LEASE = "process:"  # + a process's id: renewed while it runs, so others know it is alive
CACHE_SECONDS = 2.0  # another process's change (a second bot on the file) shows within this


async def get(db: Database, key: str) -> str | None:
    """Read through a short cache: the maintenance flag and the markup are read on every update."""
    hit = db.kv_cache.get(key)
    if hit is not None and time.monotonic() - hit[0] < CACHE_SECONDS:
        return hit[1]
    value = await db.scalar("SELECT value FROM kv WHERE key = ?", (key,))
    found = None if value is None else str(value)
    db.kv_cache[key] = (time.monotonic(), found)
    return found


async def put(db: Database, key: str, value: str) -> None:
    """Set `key`, on disk once this returns (one trip to SQLite's writer)."""
    db.kv_cache.pop(key, None)

    async def upsert(conn: Connection) -> None:
        await conn.execute(
            "INSERT INTO kv (key, value) VALUES (?, ?)"
            " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    await db.run(upsert)


async def take_lease(db: Database, name: str, holder: str, seconds: int) -> bool:
    """Hold `name` for `seconds` unless another live holder has it; renewing is allowed."""
    stamp = now()
    async with db.transaction() as conn:
        cursor = await conn.execute(
            "INSERT INTO leases (name, holder, expires_at) VALUES (?, ?, ?)"
            " ON CONFLICT (name) DO UPDATE SET holder = excluded.holder,"
            " expires_at = excluded.expires_at"
            " WHERE leases.holder = excluded.holder OR leases.expires_at < ?",
            (name, holder, stamp + seconds, stamp),
        )
        return cursor.rowcount == 1


async def release_lease(db: Database, name: str, holder: str) -> None:
    async with db.transaction() as conn:
        await conn.execute("DELETE FROM leases WHERE name = ? AND holder = ?", (name, holder))


async def delete(db: Database, key: str) -> None:
    db.kv_cache.pop(key, None)
    async with db.transaction() as conn:
        await conn.execute("DELETE FROM kv WHERE key = ?", (key,))


async def put_new(conn: Connection, key: str, value: str) -> bool:
    """Set `key` inside the caller's transaction only if it is absent; True when it was."""
    cursor = await conn.execute(
        "INSERT INTO kv (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING", (key, value)
    )
    return cursor.rowcount == 1
