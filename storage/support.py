"""Support tickets: one open conversation per customer, its messages and the copies delivered."""

from __future__ import annotations

from dataclasses import dataclass

from storage.clock import now
from storage.db import Connection, Database

OPEN = "open"
CLOSED = "closed"


@dataclass(frozen=True, slots=True)
class Ticket:
    id: int
    user_id: int
    order_id: int | None
    state: str
    created_at: int


@dataclass(frozen=True, slots=True)
class Listed:
    """An open ticket as /tickets shows it."""

    ticket: Ticket
    first_name: str
    messages: int
    last_text: str


_COLUMNS = "id, user_id, order_id, state, created_at"


async def get(db: Database, ticket_id: int) -> Ticket | None:
    row = await db.lookup_one(f"SELECT {_COLUMNS} FROM tickets WHERE id = ?", (ticket_id,))
    return None if row is None else Ticket(*row)


async def get_in(conn: Connection, ticket_id: int) -> Ticket | None:
    async with conn.execute(f"SELECT {_COLUMNS} FROM tickets WHERE id = ?", (ticket_id,)) as cur:
        row = await cur.fetchone()
    return None if row is None else Ticket(*row)


async def open_of(conn: Connection, user_id: int) -> Ticket | None:
    async with conn.execute(
        f"SELECT {_COLUMNS} FROM tickets WHERE user_id = ? AND state = ?", (user_id, OPEN)
    ) as cursor:
        row = await cursor.fetchone()
    return None if row is None else Ticket(*row)


async def open_ticket(conn: Connection, user_id: int, order_id: int | None) -> Ticket:
    """The customer's open ticket, else a new one (the unique index keeps it to one)."""
    found = await open_of(conn, user_id)
    if found is not None:
        return found
    stamp = now()
    async with conn.execute(
        "INSERT INTO tickets (user_id, order_id, state, created_at) VALUES (?, ?, ?, ?)"
        " RETURNING id",
        (user_id, order_id, OPEN, stamp),
    ) as cursor:
        ticket_id = int((await cursor.fetchone())[0])
    return Ticket(ticket_id, user_id, order_id, OPEN, stamp)


async def recent_from(conn: Connection, user_id: int, since: int) -> int:
    """How many messages the customer wrote to support since `since`."""
    async with conn.execute(
        "SELECT COUNT(*) FROM ticket_messages WHERE author_id = ? AND from_admin = 0"
        " AND created_at > ?",
        (user_id, since),
    ) as cursor:
        row = await cursor.fetchone()
    return int(row[0]) if row else 0


async def add_message(
    conn: Connection,
    ticket_id: int,
    author_id: int,
    *,
    from_admin: bool,
    text: str,
    photo: str | None,
    source: str,
) -> bool:
    """Record one message; False when `source` (its chat and message id) was recorded before."""
    cursor = await conn.execute(
        "INSERT INTO ticket_messages"
        " (ticket_id, author_id, from_admin, text, photo, source, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (source) DO NOTHING",
        (ticket_id, author_id, int(from_admin), text, photo, source, now()),
    )
    return cursor.rowcount == 1


async def close(conn: Connection, ticket_id: int, admin_id: int) -> bool:
    """Close an open ticket; False when it was closed already."""
    cursor = await conn.execute(
        "UPDATE tickets SET state = ?, closed_at = ?, closed_by = ? WHERE id = ? AND state = ?",
        (CLOSED, now(), admin_id, ticket_id, OPEN),
    )
    return cursor.rowcount == 1


async def remember_copy(db: Database, chat_id: int, message_id: int, ticket_id: int) -> None:
    async with db.transaction() as conn:
        await conn.execute(
            "INSERT INTO ticket_copies (chat_id, message_id, ticket_id) VALUES (?, ?, ?)"
            " ON CONFLICT (chat_id, message_id) DO NOTHING",
            (chat_id, message_id, ticket_id),
        )


async def by_copy(db: Database, chat_id: int, message_id: int) -> Ticket | None:
    """The ticket of a message the sender delivered to this chat, if it was one."""
    row = await db.lookup_one(
        "SELECT t.id, t.user_id, t.order_id, t.state, t.created_at FROM ticket_copies c"
        " JOIN tickets t ON t.id = c.ticket_id WHERE c.chat_id = ? AND c.message_id = ?",
        (chat_id, message_id),
    )
    return None if row is None else Ticket(*row)


async def open_list(db: Database, limit: int) -> tuple[list[Listed], int]:
    """Open tickets, oldest first, with the customer's name and the latest message."""
    rows = await db.fetchall(
        "SELECT t.id, t.user_id, t.order_id, t.state, t.created_at, u.first_name,"
        " (SELECT COUNT(*) FROM ticket_messages m WHERE m.ticket_id = t.id),"
        " COALESCE((SELECT m.text FROM ticket_messages m WHERE m.ticket_id = t.id"
        "  ORDER BY m.id DESC LIMIT 1), '')"
        " FROM tickets t JOIN users u ON u.id = t.user_id WHERE t.state = ?"
        " ORDER BY t.id LIMIT ?",
        (OPEN, limit),
    )
    total = await db.scalar("SELECT COUNT(*) FROM tickets WHERE state = ?", (OPEN,))
    return [Listed(Ticket(*row[:5]), row[5], row[6], row[7]) for row in rows], int(total)
