"""The payments table: every top-up (Stars or manual) and the state it reached."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from enum import StrEnum

import aiosqlite

from storage.clock import now
from storage.db import Database


class Method(StrEnum):
    STARS = "stars"
    MANUAL = "manual"


class State(StrEnum):
    PENDING = "pending"  # an invoice is out, or a manual request waits for an admin
    PAID = "paid"  # credited to the balance
    REJECTED = "rejected"  # an admin refused the manual request
    REFUNDED = "refunded"  # Stars given back and the credit taken back


@dataclass(frozen=True, slots=True)
class Payment:
    id: int
    user_id: int
    method: Method
    amount: int
    state: State
    external_id: str | None
    note: str
    created_at: int
    decided_by: int | None
    decided_at: int | None


_COLUMNS = (
    "id, user_id, method, amount, state, external_id, note, created_at, decided_by, decided_at"
)


def _payment(row: sqlite3.Row) -> Payment:
    data = dict(row)
    data["method"] = Method(data["method"])
    data["state"] = State(data["state"])
    return Payment(**data)


async def _one(
    conn: aiosqlite.Connection, where: str, params: tuple[object, ...]
) -> Payment | None:
    async with conn.execute(f"SELECT {_COLUMNS} FROM payments WHERE {where}", params) as cursor:
        row = await cursor.fetchone()
    return None if row is None else _payment(row)


async def create(
    conn: aiosqlite.Connection, *, user_id: int, method: Method, amount: int, note: str = ""
) -> Payment:
    """Insert a `pending` payment inside the caller's transaction."""
    cursor = await conn.execute(
        "INSERT INTO payments (user_id, method, amount, state, note, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (user_id, method, amount, State.PENDING, note, now()),
    )
    payment = await get_in(conn, int(cursor.lastrowid or 0))
    assert payment is not None
    return payment


async def get(db: Database, payment_id: int) -> Payment | None:
    row = await db.fetchone(f"SELECT {_COLUMNS} FROM payments WHERE id = ?", (payment_id,))
    return None if row is None else _payment(row)


async def get_in(conn: aiosqlite.Connection, payment_id: int) -> Payment | None:
    """The row as the caller's transaction sees it."""
    return await _one(conn, "id = ?", (payment_id,))


async def by_external_id_in(conn: aiosqlite.Connection, external_id: str) -> Payment | None:
    return await _one(conn, "external_id = ?", (external_id,))


async def mark_paid(conn: aiosqlite.Connection, payment_id: int, external_id: str | None) -> bool:
    """pending -> paid; False when the row was not pending any more."""
    cursor = await conn.execute(
        "UPDATE payments SET state = ?, external_id = COALESCE(?, external_id), decided_at = ?"
        " WHERE id = ? AND state = ?",
        (State.PAID, external_id, now(), payment_id, State.PENDING),
    )
    return cursor.rowcount == 1


async def decide(
    conn: aiosqlite.Connection, payment_id: int, state: State, decided_by: int
) -> bool:
    """pending -> `state` by this admin; False for everybody but the first to decide."""
    cursor = await conn.execute(
        "UPDATE payments SET state = ?, decided_by = ?, decided_at = ? WHERE id = ? AND state = ?",
        (state, decided_by, now(), payment_id, State.PENDING),
    )
    return cursor.rowcount == 1


async def mark_refunded(conn: aiosqlite.Connection, payment_id: int, decided_by: int) -> bool:
    """paid -> refunded; False when it was not paid any more."""
    cursor = await conn.execute(
        "UPDATE payments SET state = ?, decided_by = ?, decided_at = ? WHERE id = ? AND state = ?",
        (State.REFUNDED, decided_by, now(), payment_id, State.PAID),
    )
    return cursor.rowcount == 1


async def pending(db: Database, method: Method, limit: int) -> list[Payment]:
    """The oldest payments still waiting, of one method."""
    rows = await db.fetchall(
        f"SELECT {_COLUMNS} FROM payments WHERE method = ? AND state = ? ORDER BY id LIMIT ?",
        (method, State.PENDING, limit),
    )
    return [_payment(row) for row in rows]


async def balance_in(conn: aiosqlite.Connection, user_id: int) -> int:
    """The user's balance as the caller's transaction sees it (for a message queued with it)."""
    async with conn.execute("SELECT balance FROM users WHERE id = ?", (user_id,)) as cursor:
        row = await cursor.fetchone()
    return 0 if row is None else int(row[0])


async def credit_mismatches(db: Database) -> list[tuple[int, str]]:
    """(payment, state) where the ledger disagrees: paid without its credit, or credited unpaid."""
    rows = await db.fetchall(
        "SELECT p.id, p.state, EXISTS (SELECT 1 FROM ledger l WHERE l.user_id = p.user_id"
        " AND l.amount = p.amount AND l.key = CASE p.method WHEN 'stars'"
        " THEN 'stars:' || p.external_id ELSE 'manual:' || p.id END) AS credited"
        " FROM payments p"
    )
    return [(row[0], row[1]) for row in rows if bool(row[2]) != (row[1] in ("paid", "refunded"))]
