"""The loop-thread reader: it sees every commit at once and can never write."""

from __future__ import annotations

import sqlite3

import pytest

from storage import users
from storage.db import Database


async def test_a_lookup_sees_each_commit_at_once(db: Database) -> None:
    await users.touch(db, 42, "ayse", "Ayşe", "tr")
    before = await users.get(db, 42)
    assert before is not None and before.balance == 0
    for balance in (150, 0, 99):  # a lookup between commits never answers from a stale snapshot
        async with db.transaction() as conn:
            await conn.execute("UPDATE users SET balance = ? WHERE id = 42", (balance,))
        after = await users.get(db, 42)
        assert after is not None and after.balance == balance


async def test_a_lookup_cannot_write(db: Database) -> None:
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        db.lookup("INSERT INTO kv (key, value) VALUES ('x', 'y')")
