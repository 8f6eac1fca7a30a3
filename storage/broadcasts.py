"""Broadcasts: the copy of one admin message to every reachable customer, via the outbox."""

from __future__ import annotations

from dataclasses import dataclass

from storage.clock import now
from storage.db import Database

SENDING = "sending"
CANCELLED = "cancelled"


@dataclass(frozen=True, slots=True)
class Broadcast:
    id: int
    admin_id: int
    from_chat_id: int
    message_id: int
    state: str
    total: int
    progress_message_id: int | None
    created_at: int


@dataclass(frozen=True, slots=True)
class Progress:
    sent: int
    blocked: int
    failed: int  # refused for another reason, or cancelled
    pending: int


_COLUMNS = "id, admin_id, from_chat_id, message_id, state, total, progress_message_id, created_at"


async def create(db: Database, admin_id: int, from_chat_id: int, message_id: int) -> int:
    async with (
        db.transaction() as conn,
        conn.execute(
            "INSERT INTO broadcasts (admin_id, from_chat_id, message_id, state, created_at)"
            " VALUES (?, ?, ?, 'draft', ?) RETURNING id",
            (admin_id, from_chat_id, message_id, now()),
        ) as cursor,
    ):
        return int((await cursor.fetchone())[0])


async def get(db: Database, broadcast_id: int) -> Broadcast | None:
    row = await db.fetchone(f"SELECT {_COLUMNS} FROM broadcasts WHERE id = ?", (broadcast_id,))
    return None if row is None else Broadcast(*row)


async def recipients(db: Database) -> int:
    return int(await db.scalar("SELECT COUNT(*) FROM users WHERE blocked = 0 AND banned = 0"))


async def start(db: Database, broadcast_id: int) -> int | None:
    """Queue one copy per reachable customer, once: None when it is no longer a draft."""
    async with db.transaction() as conn:
        cursor = await conn.execute(
            "UPDATE broadcasts SET state = 'sending' WHERE id = ? AND state = 'draft'",
            (broadcast_id,),
        )
        if cursor.rowcount != 1:
            return None
        cursor = await conn.execute(
            "INSERT INTO outbox (chat_id, message, args, broadcast_id, created_at)"
            " SELECT id, '', '{}', ?, ? FROM users WHERE blocked = 0 AND banned = 0",
            (broadcast_id, now()),
        )
        total = cursor.rowcount
        await conn.execute("UPDATE broadcasts SET total = ? WHERE id = ?", (total, broadcast_id))
    return total


async def set_progress_message(db: Database, broadcast_id: int, message_id: int) -> None:
    async with db.transaction() as conn:
        await conn.execute(
            "UPDATE broadcasts SET progress_message_id = ? WHERE id = ?", (message_id, broadcast_id)
        )


async def cancel(db: Database, broadcast_id: int) -> bool:
    """Stop a draft or a broadcast under way: its unsent copies are dropped."""
    async with db.transaction() as conn:
        cursor = await conn.execute(
            "UPDATE broadcasts SET state = ?, finished_at = ? WHERE id = ?"
            " AND state IN ('draft', 'sending')",
            (CANCELLED, now(), broadcast_id),
        )
        if cursor.rowcount != 1:
            return False
        await conn.execute(
            "UPDATE outbox SET failed = ? WHERE broadcast_id = ? AND sent_at IS NULL"
            " AND failed IS NULL",
            (CANCELLED, broadcast_id),
        )
    return True


async def progress(db: Database, broadcast_id: int) -> Progress:
    row = await db.fetchone(
        "SELECT COUNT(*) FILTER (WHERE sent_at IS NOT NULL),"
        " COUNT(*) FILTER (WHERE failed = 'blocked'),"
        " COUNT(*) FILTER (WHERE failed IS NOT NULL AND failed <> 'blocked'),"
        " COUNT(*) FILTER (WHERE sent_at IS NULL AND failed IS NULL)"
        " FROM outbox WHERE broadcast_id = ?",
        (broadcast_id,),
    )
    assert row is not None
    return Progress(*row)


async def sending(db: Database) -> list[Broadcast]:
    rows = await db.fetchall(f"SELECT {_COLUMNS} FROM broadcasts WHERE state = 'sending'")
    return [Broadcast(*row) for row in rows]


async def finish(db: Database, broadcast_id: int) -> bool:
    async with db.transaction() as conn:
        cursor = await conn.execute(
            "UPDATE broadcasts SET state = 'done', finished_at = ? WHERE id = ?"
            " AND state = 'sending'",
            (now(), broadcast_id),
        )
    return cursor.rowcount == 1
