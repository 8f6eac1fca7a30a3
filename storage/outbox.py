"""Messages waiting to be sent: written with the change they announce, drained by the sender."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from storage.clock import now
from storage.db import Connection, Database


@dataclass(frozen=True, slots=True)
class Message:
    id: int
    chat_id: int
    message: str  # a locale message id
    args: dict[str, Any]
    attempts: int
    broadcast_id: int | None = None  # a copy of the broadcast's message instead of a text
    ticket_id: int | None = None  # a support message (bot.jobs.support draws it)


async def put(
    conn: Connection,
    chat_id: int,
    message: str,
    args: dict[str, Any] | None = None,
    *,
    key: str | None = None,
    ticket_id: int | None = None,
) -> bool:
    """Queue a message inside the caller's transaction; False when `key` was queued before."""
    cursor = await conn.execute(
        "INSERT INTO outbox (chat_id, message, args, key, ticket_id, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING",
        (chat_id, message, json.dumps(args or {}, ensure_ascii=False), key, ticket_id, now()),
    )
    return cursor.rowcount == 1


# Read through outbox_due, whose partial rows are in this order: no sort of a broadcast's copies.
DUE = (
    "SELECT id, chat_id, message, args, attempts, broadcast_id, ticket_id FROM outbox"
    " WHERE sent_at IS NULL AND failed IS NULL AND not_before <= ?"
    " ORDER BY broadcast_id IS NOT NULL, id LIMIT ?"
)


async def due(db: Database, limit: int) -> list[Message]:
    """Due rows, oldest first; a broadcast's copies wait behind every order push and alert."""
    rows = await db.fetchall(DUE, (now(), limit))
    return [
        Message(row[0], row[1], row[2], json.loads(row[3]), row[4], row[5], row[6]) for row in rows
    ]


async def mark_sent(db: Database, message_id: int) -> None:
    async with db.transaction() as conn:
        await conn.execute("UPDATE outbox SET sent_at = ? WHERE id = ?", (now(), message_id))


async def mark_failed(db: Database, message_id: int, reason: str) -> None:
    async with db.transaction() as conn:
        await conn.execute("UPDATE outbox SET failed = ? WHERE id = ?", (reason, message_id))


async def postpone(db: Database, message_id: int, seconds: int) -> None:
    async with db.transaction() as conn:
        await conn.execute(
            "UPDATE outbox SET not_before = ?, attempts = attempts + 1 WHERE id = ?",
            (now() + seconds, message_id),
        )


async def pending_count(db: Database) -> int:
    return int(
        await db.scalar("SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL AND failed IS NULL")
    )


async def purge(db: Database, older_than: int) -> int:
    """Forget rows delivered (or given up on) before `older_than`; the queue stays small."""
    async with db.transaction() as conn:
        cursor = await conn.execute(
            "DELETE FROM outbox WHERE (sent_at IS NOT NULL OR failed IS NOT NULL)"
            " AND created_at < ?",
            (older_than,),
        )
    return cursor.rowcount
