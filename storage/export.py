"""Whole tables read page by page for /export: one page in memory, however long the table."""

from __future__ import annotations

from collections.abc import AsyncIterator

from storage.db import Database, Row

PAGE = 1000  # rows per query: large enough that the trips cost little, small enough to hold

ORDER_COLUMNS = (
    "id", "created_at", "updated_at", "user_id", "service_id", "service_name", "service_type",
    "link", "quantity", "charge", "cost", "state", "status", "upstream_id", "upstream_charge",
    "placed_charge", "remains", "start_count", "round", "settled_refund", "cancel_requested",
    "error", "fields",
)  # fmt: skip
LEDGER_COLUMNS = ("id", "created_at", "user_id", "amount", "kind", "key", "order_id", "note")
USER_COLUMNS = (
    "id", "created_at", "last_seen_at", "username", "first_name", "locale", "balance", "banned",
    "blocked",
)  # fmt: skip


async def orders(db: Database, since: int = 0) -> AsyncIterator[Row]:
    """Orders created at or after `since`, by id."""
    async for row in _pages(db, "orders", ORDER_COLUMNS, since):
        yield row


async def ledger(db: Database, since: int = 0) -> AsyncIterator[Row]:
    """Ledger rows written at or after `since`, by id."""
    async for row in _pages(db, "ledger", LEDGER_COLUMNS, since):
        yield row


async def users(db: Database) -> AsyncIterator[Row]:
    """Every user, by id."""
    async for row in _pages(db, "users", USER_COLUMNS, 0):
        yield row


async def _pages(
    db: Database, table: str, columns: tuple[str, ...], since: int, page: int = PAGE
) -> AsyncIterator[Row]:
    """Keyset pagination on the primary key: each page starts where the last one ended, so
    no page rescans the rows before it (OFFSET would) and no query holds the whole table.

    The export ends at the newest row that existed when it began: a busy shop's new rows do
    not keep it going. Each page is read as it is at that moment (an order may move on
    between two pages; ledger rows never change).
    """
    last_id = int(await db.scalar(f"SELECT COALESCE(MAX(id), 0) FROM {table}"))
    after = 0
    select = ", ".join(columns)
    while after < last_id:
        rows = await db.fetchall(
            f"SELECT {select} FROM {table}"  # names are this module's constants, never typed
            " WHERE id > ? AND id <= ? AND created_at >= ? ORDER BY id LIMIT ?",
            (after, last_id, since, page),
        )
        for row in rows:
            yield row
        if len(rows) < page:
            return
        after = int(rows[-1]["id"])
