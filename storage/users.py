"""Customers: profile, language, balance cache, ban and blocked flags."""

from __future__ import annotations

from dataclasses import dataclass

from storage.clock import now
from storage.db import Connection, Database, Row

_COLUMNS = "id, username, first_name, locale, balance, banned, blocked, created_at, last_seen_at"


@dataclass(frozen=True, slots=True)
class User:
    id: int
    username: str | None
    first_name: str
    locale: str | None
    balance: int
    banned: bool
    blocked: bool
    created_at: int
    last_seen_at: int


class AmbiguousUsername(LookupError):
    """More than one user row holds this username: only the numeric id can tell them apart."""

    def __init__(self, username: str, ids: list[int]) -> None:
        super().__init__(f"@{username} is held by users {ids}")
        self.ids = ids


def _user(row: Row) -> User:
    data = dict(row)
    data["banned"] = bool(data["banned"])
    data["blocked"] = bool(data["blocked"])
    return User(**data)


AMBIGUOUS_SHOWN = 5  # ids listed when a username is held by several rows
SEEN_EVERY = 300  # seconds: `last_seen_at` is refreshed at most this often


async def touch(
    db: Database, user_id: int, username: str | None, first_name: str, locale: str | None
) -> User:
    """`visit` for callers that do not care whether the row is new."""
    user, _ = await visit(db, user_id, username, first_name, locale)
    return user


async def visit(
    db: Database, user_id: int, username: str | None, first_name: str, locale: str | None
) -> tuple[User, bool]:
    """Create the user on first contact (with a language guess); refresh a changed profile.
    The flag: this call created the row (the user's very first update).

    A username belongs to one account at a time: whoever writes with it now takes it from any
    row that still holds it from before (its old owner renamed, or deleted the account).
    Most updates come from a known user whose profile did not change: they cost one read.
    """
    known = await get(db, user_id)
    stamp = now()
    if (
        known is not None
        and (known.username, known.first_name) == (username, first_name)
        and not known.blocked
        and stamp - known.last_seen_at < SEEN_EVERY
    ):
        return known, False

    async def upsert(conn: Connection) -> Row:
        if username is not None:
            await conn.execute(
                "UPDATE users SET username = NULL WHERE lower(username) = lower(?) AND id <> ?",
                (username, user_id),
            )
        cursor = await conn.execute(
            "INSERT INTO users (id, username, first_name, locale, created_at, last_seen_at)"
            " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET"
            " username = excluded.username, first_name = excluded.first_name,"
            f" last_seen_at = excluded.last_seen_at, blocked = 0 RETURNING {_COLUMNS}",
            (user_id, username, first_name, locale, stamp, stamp),
        )
        found: Row = await cursor.fetchone()
        return found

    # One write, whose commit does not wait for the disk (on SQLite: made on the event loop,
    # no trip to the writer's thread). A power cut may take it: it is written again at the next
    # contact.
    row = await db.run(upsert, durable=False)
    return _user(row), known is None


async def get(db: Database, user_id: int) -> User | None:
    row = await db.lookup_one(f"SELECT {_COLUMNS} FROM users WHERE id = ?", (user_id,))
    return None if row is None else _user(row)


async def by_username(db: Database, username: str) -> User | None:
    """The one user holding `username` (case-insensitive, without "@"), or None.

    Raises AmbiguousUsername when several rows still hold it (written before usernames were
    taken over on contact): picking one could credit or ban the wrong person.
    """
    rows = await db.fetchall(
        f"SELECT {_COLUMNS} FROM users WHERE lower(username) = lower(?)"
        " ORDER BY last_seen_at DESC LIMIT ?",
        (username, AMBIGUOUS_SHOWN),
    )
    if len(rows) > 1:
        raise AmbiguousUsername(username, [row["id"] for row in rows])
    return _user(rows[0]) if rows else None


async def set_locale(db: Database, user_id: int, locale: str) -> None:
    async with db.transaction() as conn:
        await conn.execute("UPDATE users SET locale = ? WHERE id = ?", (locale, user_id))


async def set_banned(db: Database, user_id: int, banned: bool) -> None:
    async with db.transaction() as conn:
        await conn.execute("UPDATE users SET banned = ? WHERE id = ?", (int(banned), user_id))


async def set_blocked(db: Database, user_id: int) -> None:
    async with db.transaction() as conn:
        await conn.execute("UPDATE users SET blocked = 1 WHERE id = ?", (user_id,))


async def locales(db: Database, user_ids: list[int]) -> dict[int, str | None]:
    if not user_ids:
        return {}
    marks = ",".join("?" * len(user_ids))
    rows = await db.fetchall(f"SELECT id, locale FROM users WHERE id IN ({marks})", user_ids)
    return {row[0]: row[1] for row in rows}
