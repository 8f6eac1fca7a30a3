"""Drafts: the step a conversation is at and what it has gathered, kept across restarts."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, NamedTuple

from storage.clock import now
from storage.db import Connection, Database

_EMPTY = "{}"
_WHERE = (
    "bot_id = ? AND chat_id = ? AND user_id = ? AND thread_id = ? AND business = ? AND destiny = ?"
)


class Key(NamedTuple):
    """One conversation: aiogram's storage key, without its NULLs (a key column has none)."""

    bot_id: int
    chat_id: int
    user_id: int
    thread_id: int  # 0 outside a topic
    business: str  # the business connection id, "" for none
    destiny: str


async def state(db: Database, key: Key) -> str | None:
    row = await db.lookup_one(f"SELECT state FROM drafts WHERE {_WHERE}", key)
    return None if row is None else row[0]


async def data(db: Database, key: Key) -> dict[str, Any]:
    row = await db.lookup_one(f"SELECT data FROM drafts WHERE {_WHERE}", key)
    return {} if row is None else dict(json.loads(row[0]))


async def set_state(db: Database, key: Key, value: str | None) -> None:
    await _put(db, key, state=value)


async def set_data(db: Database, key: Key, value: Mapping[str, Any]) -> None:
    await _put(db, key, data=_encoded(value))


async def clear(db: Database, key: Key) -> None:
    """No step and no data: the conversation's row goes (nothing is written without one)."""
    await _put(db, key, state=None, data=_EMPTY)


async def save(db: Database, key: Key, state: str | None, data: Mapping[str, Any]) -> None:
    """The step and the data in one write, where `set_data` then `set_state` make two (and a
    process dying between them leaves the step behind its data)."""
    await _put(db, key, state=state, data=_encoded(data))


async def purge(db: Database, older_than: int) -> int:
    """Forget drafts nobody has touched since `older_than`."""

    async def forget(conn: Connection) -> int:
        cursor = await conn.execute("DELETE FROM drafts WHERE updated_at < ?", (older_than,))
        return cursor.rowcount

    return await db.run(forget)


def _encoded(value: Mapping[str, Any]) -> str:
    """JSON that reads back as exactly `value`: what it cannot hold as it is (a Decimal, a
    tuple, a number as a key) fails here, at the handler that wrote it, not after a restart."""
    plain = dict(value)
    text = json.dumps(plain, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    if json.loads(text) != plain:
        raise TypeError(f"draft data that JSON would change: {sorted(plain)}")
    return text


async def _put(db: Database, key: Key, **columns: str | None) -> None:
    """Set these columns (`state`, `data`); a conversation left with no state and no data has
    no row."""
    empty = all(value is None or value == _EMPTY for value in columns.values())
    if empty and await db.lookup_one(f"SELECT 1 FROM drafts WHERE {_WHERE}", key) is None:
        return  # clearing a conversation without a draft (every /start) writes nothing
    row = {"state": None, "data": _EMPTY, **columns}
    changed = ", ".join(f"{column} = excluded.{column}" for column in columns)

    async def put(conn: Connection) -> None:
        await conn.execute(
            "INSERT INTO drafts (bot_id, chat_id, user_id, thread_id, business, destiny, state,"
            " data, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (bot_id, chat_id, user_id, thread_id, business, destiny)"
            f" DO UPDATE SET {changed}, updated_at = excluded.updated_at",
            (*key, row["state"], row["data"], now()),
        )
        if empty:
            await conn.execute(
                f"DELETE FROM drafts WHERE {_WHERE} AND state IS NULL AND data = ?",
                (*key, _EMPTY),
            )

    await db.run(put, conversation=True)  # one write (SQLite: on the loop, see Database.run)
