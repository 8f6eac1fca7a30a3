"""The append-only ledger and the cached balance it moves in the same transaction."""

from __future__ import annotations

from dataclasses import dataclass

from storage.clock import now
from storage.db import Connection, Database


class InsufficientFunds(Exception):
    """A debit larger than the balance; the surrounding transaction must roll back."""


@dataclass(frozen=True, slots=True)
class Entry:
    id: int
    amount: int
    kind: str
    order_id: int | None
    note: str
    created_at: int


async def post(
    conn: Connection,
    *,
    user_id: int,
    amount: int,
    key: str,
    kind: str,
    order_id: int | None = None,
    note: str = "",
) -> bool:
    """Write one movement keyed by `key`; False when that key was already written.

    A debit (negative amount) that the balance does not cover raises `InsufficientFunds`.
    Call inside `Database.transaction()` so the row and the balance change commit together.
    """
    cursor = await conn.execute(
        "INSERT INTO ledger (user_id, amount, key, kind, order_id, note, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING",
        (user_id, amount, key, kind, order_id, note, now()),
    )
    if cursor.rowcount == 0:
        return False
    cursor = await conn.execute(
        "UPDATE users SET balance = balance + :amount WHERE id = :user AND balance + :amount >= 0",
        {"amount": amount, "user": user_id},
    )
    if cursor.rowcount != 1:
        raise InsufficientFunds
    return True


async def has_key(conn: Connection, key: str) -> bool:
    async with conn.execute("SELECT 1 FROM ledger WHERE key = ?", (key,)) as cursor:
        return await cursor.fetchone() is not None


async def recent(db: Database, user_id: int, limit: int = 10) -> list[Entry]:
    rows = await db.fetchall(
        "SELECT id, amount, kind, order_id, note, created_at FROM ledger"
        " WHERE user_id = ? ORDER BY id DESC LIMIT ?",
        (user_id, limit),
    )
    return [Entry(**dict(row)) for row in rows]


async def balance_mismatches(db: Database) -> list[tuple[int, int, int]]:
    """(user, cached balance, ledger sum) for every user whose two figures differ."""
    rows = await db.fetchall(
        "SELECT u.id, u.balance, CAST(COALESCE(SUM(l.amount), 0) AS BIGINT) FROM users u"
        " LEFT JOIN ledger l ON l.user_id = u.id GROUP BY u.id"
        " HAVING u.balance <> COALESCE(SUM(l.amount), 0)"
    )
    return [(row[0], row[1], row[2]) for row in rows]


async def negative_balances(db: Database) -> list[int]:
    return [row[0] for row in await db.fetchall("SELECT id FROM users WHERE balance < 0")]


async def paid_per_order(db: Database) -> dict[int, int]:
    """What each order's customer paid net: its charges (every round) less its refunds.

    One grouped pass over the `ledger_order` index, not a query per order.
    """
    rows = await db.fetchall(
        "SELECT order_id, CAST(-SUM(amount) AS BIGINT) FROM ledger WHERE order_id IS NOT NULL"
        " AND kind IN ('order', 'refund') GROUP BY order_id"
    )
    return {row[0]: row[1] for row in rows}
