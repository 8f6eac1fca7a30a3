"""The shop's database: one interface, two engines.

SQLite (the default) is one file: one writer behind a lock, a reader, numbered migrations.
PostgreSQL (`storage.postgres`) keeps the same interface for a shop that outgrows one machine.
"""

from __future__ import annotations

import asyncio
import sqlite3
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Generator, Iterator, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import unquote, urlsplit

import aiosqlite

Params = Sequence[Any] | dict[str, Any]

IntegrityError = sqlite3.IntegrityError  # a constraint refused a write, on either engine


class Row(Protocol):
    """A result row, read by position or by column name (sqlite3.Row, asyncpg.Record)."""

    def __getitem__(self, key: Any, /) -> Any: ...

    def __iter__(self) -> Iterator[Any]: ...

    def __len__(self) -> int: ...

    def keys(self) -> Any: ...


class Cursor(Protocol):
    """What a statement run in a transaction gives back: its rows and how many it changed."""

    @property
    def rowcount(self) -> int: ...

    async def fetchone(self) -> Any: ...

    async def fetchall(self) -> Any: ...


class Running(Protocol):
    """A statement under way: `await conn.execute(...)` or `async with conn.execute(...)`."""

    def __await__(self) -> Generator[Any, None, Cursor]: ...

    async def __aenter__(self) -> Cursor: ...

    async def __aexit__(self, *exc: Any) -> Any: ...


class Connection(Protocol):
    """The connection a write transaction hands out: aiosqlite's, or storage.postgres's.

    SQL is written once for both engines: `?` or `:name` placeholders, `RETURNING` for a new
    row's id, `ON CONFLICT` for upserts, sums cast to BIGINT.
    """

    def execute(self, sql: str, parameters: Any = None, /) -> Running: ...

    async def executemany(self, sql: str, parameters: Any, /) -> Any: ...

    @property
    def in_transaction(self) -> bool: ...


def is_postgres(target: Path | str) -> bool:
    return str(target).startswith(("postgresql://", "postgres://"))


def url_password(url: str) -> str:
    """The password a URL carries, "" without one: what no log line or message may show."""
    return unquote(urlsplit(url).password or "")


def without_password(text: str, url: str) -> str:
    """`text` (an error's, say) with the password of `url` masked."""
    password = url_password(url)
    return text.replace(password, "***") if password else text


def sqlite_path(target: Path | str) -> str:
    """A file path, or the path of a `sqlite:///path` URL read as SQLAlchemy reads it:
    `sqlite:///data/shop.sqlite3` is relative, `sqlite:////srv/shop.sqlite3` absolute."""
    return str(target).removeprefix("sqlite:///")


class Database(ABC):
    """Writes go through `transaction()`; reads through `fetch*`, or `lookup*` for those an
    index answers at once."""

    def __init__(self) -> None:
        # storage.kv's read cache: (read at, value) per key, cleared by this process's writes
        self.kv_cache: dict[str, tuple[float, str | None]] = {}

    @staticmethod
    async def open(target: Path | str) -> Database:
        """A file path or `sqlite:///path` (SQLite), or a `postgresql://` URL."""
        if is_postgres(target):
            from storage.postgres import PostgresDatabase  # asyncpg only where it is used

            return await PostgresDatabase.connect(str(target))
        return await SqliteDatabase.connect(sqlite_path(target))

    @abstractmethod
    async def close(self) -> None: ...

    @abstractmethod
    def transaction(self, *, conversation: bool = False) -> AbstractAsyncContextManager[Connection]:
        """One write transaction: commit on success, roll back on any error. Writers take
        turns, across processes too, so each one sees every commit before it.

        `conversation=True` marks a write of one customer's conversation (a draft), which no
        other writer reads to decide anything: where the engine allows (PostgreSQL), it does not
        wait for the shop-wide turn nor for the disk. The customer's own lock already orders
        their updates, and a draft lost to a crash costs a step, never money.
        """

    @abstractmethod
    async def fetchall(self, sql: str, params: Params = ()) -> list[Row]: ...

    async def fetchone(self, sql: str, params: Params = ()) -> Row | None:
        rows = await self.fetchall(sql, params)
        return rows[0] if rows else None

    async def scalar(self, sql: str, params: Params = ()) -> Any:
        row = await self.fetchone(sql, params)
        return None if row is None else row[0]

    async def lookup(self, sql: str, params: Params = ()) -> list[Row]:
        """Rows an index finds at once; an engine may read them without leaving the loop."""
        return await self.fetchall(sql, params)

    async def lookup_one(self, sql: str, params: Params = ()) -> Row | None:
        rows = await self.lookup(sql, params)
        return rows[0] if rows else None


async def _open(path: str) -> aiosqlite.Connection:
    conn = await aiosqlite.connect(path, isolation_level=None)
    try:
        conn.row_factory = sqlite3.Row
        await conn.execute("PRAGMA busy_timeout = 10000")
        await conn.execute("PRAGMA foreign_keys = ON")
        await _use_wal(conn)
        await conn.execute("PRAGMA synchronous = FULL")
    except BaseException:
        await conn.close()  # its thread would keep the process from ever exiting
        raise
    return conn


WAL_ATTEMPTS = 100  # 10 s, as long as the busy timeout


async def _use_wal(conn: aiosqlite.Connection) -> None:
    """Switching a new file to WAL needs a lock the busy timeout does not wait for: a second
    process opening the file while the first one migrates it gets "locked" at once."""
    for attempt in range(WAL_ATTEMPTS):
        try:
            await conn.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or attempt == WAL_ATTEMPTS - 1:
                raise
        await asyncio.sleep(0.1)


def _open_lookups(path: str) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA busy_timeout = 0")  # the event loop's thread never waits for a lock
    conn.execute("PRAGMA query_only = ON")
    return conn


def _migrations(folder: Traversable | None = None) -> list[tuple[int, str]]:
    """An engine's numbered scripts, by number: SQLite's unless another folder is given."""
    found = []
    for entry in (folder or resources.files("storage") / "migrations").iterdir():
        if entry.name.endswith(".sql"):
            found.append((int(entry.name.split("_", 1)[0]), entry.read_text("utf-8")))
    return sorted(found)


class SqliteDatabase(Database):
    """The bot's SQLite file."""

    def __init__(
        self,
        writer: aiosqlite.Connection,
        reader: aiosqlite.Connection,
        lookups: sqlite3.Connection,
    ) -> None:
        super().__init__()
        self._writer = writer
        self._reader = reader
        self._lookups = lookups
        self._lock = asyncio.Lock()

    @classmethod
    async def connect(cls, path: str) -> SqliteDatabase:
        if path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        writer = await _open(path)
        try:
            await _migrate(writer)
            reader = await _open(path)
        except BaseException:
            await writer.close()
            raise
        try:
            return cls(writer, reader, _open_lookups(path))
        except BaseException:
            await reader.close()
            await writer.close()
            raise

    async def close(self) -> None:
        async with self._lock:
            self._lookups.close()
            await self._reader.close()
            await self._writer.close()

    @asynccontextmanager
    async def transaction(self, *, conversation: bool = False) -> AsyncIterator[Connection]:
        """`BEGIN IMMEDIATE` on the writer: SQLite's one writer at a time, in every process
        (a conversation's write too: the file has one writer)."""
        async with self._lock:
            await self._writer.execute("BEGIN IMMEDIATE")
            try:
                yield self._writer
                await self._writer.execute("COMMIT")
            except BaseException:
                if self._writer.in_transaction:  # a failed COMMIT leaves it open too
                    await self._writer.execute("ROLLBACK")
                raise

    async def fetchall(self, sql: str, params: Params = ()) -> list[Row]:
        # One trip to aiosqlite's thread (execute, fetch and close would be three).
        return list(await self._reader.execute_fetchall(sql, params))

    async def lookup(self, sql: str, params: Params = ()) -> list[Row]:
        """Rows an index finds at once, read on the calling (the event loop's) thread.

        A trip to aiosqlite's thread costs about 0.1 ms, ten times a read by key; every update
        makes a few of these. A read that walks many rows (search, statistics, the audit) goes
        through `fetchall` instead, which leaves the loop free while SQLite works.

        This read never waits for a lock: when SQLite answers busy (another connection is
        recovering the WAL, say) it is made again by the reader's thread, which waits there
        while every other chat goes on.
        """
        try:
            return self._lookups.execute(sql, params).fetchall()
        except sqlite3.OperationalError as error:
            if error.sqlite_errorcode & 0xFF not in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
                raise
        return await self.fetchall(sql, params)


async def _migrate(conn: aiosqlite.Connection) -> None:
    """Apply the numbered migrations not applied yet, all in one write transaction.

    The write lock is taken before the schema version is read, so processes opening a fresh
    file at once migrate it once: the others wait for the lock, then find nothing to do.
    Foreign keys are off meanwhile, so a migration can rebuild a table others refer to (SQLite's
    way to change a constraint); every reference is checked before the commit instead.
    """
    await conn.execute("PRAGMA foreign_keys = OFF")  # a no-op inside a transaction: before BEGIN
    await conn.execute("BEGIN IMMEDIATE")
    try:
        applied = await _applied(conn)
        for version, script in _migrations():
            if version not in applied:
                for statement in _statements(script):
                    await conn.execute(statement)
                await conn.execute("INSERT INTO schema_migrations (version) VALUES (?)", (version,))
                await conn.execute(f"PRAGMA user_version = {max(applied | {version})}")
                applied.add(version)
        async with conn.execute("PRAGMA foreign_key_check") as cursor:
            broken = list(await cursor.fetchall())
        if broken:
            raise sqlite3.IntegrityError(f"a migration broke references: {list(broken[0])}")
        await conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            await conn.execute("ROLLBACK")
        raise
    finally:
        await conn.execute("PRAGMA foreign_keys = ON")


PANELS_MIGRATION = 10


async def _applied(conn: aiosqlite.Connection) -> set[int]:
    """The numbers of the migrations this file has had.

    They are rows of `schema_migrations`, so a migration merged under a lower number than one
    already applied still runs. A file from before that table counted by `user_version` alone;
    for it, every number up to that version counts as applied except the panels migration when
    its table is missing: a few commits numbered the drafts migration 11 before 10 existed.
    """
    async with conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'"
    ) as cursor:
        tracked = await cursor.fetchone() is not None
    if tracked:
        async with conn.execute("SELECT version FROM schema_migrations") as cursor:
            return {int(row[0]) for row in await cursor.fetchall()}
    async with conn.execute("PRAGMA user_version") as cursor:
        row = await cursor.fetchone()
    version = int(row[0]) if row else 0
    async with conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'panels'"
    ) as cursor:
        has_panels = await cursor.fetchone() is not None
    applied = {
        number for number in range(1, version + 1) if number != PANELS_MIGRATION or has_panels
    }
    await conn.execute("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY)")
    await conn.executemany(
        "INSERT INTO schema_migrations (version) VALUES (?)", [(n,) for n in sorted(applied)]
    )
    return applied


def _statements(script: str) -> list[str]:
    """A migration's statements one by one (a trigger's body keeps its inner semicolons)."""
    found: list[str] = []
    pending = ""
    for line in script.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            found.append(pending.strip())
            pending = ""
    if pending.strip() and not all(
        part.strip().startswith("--") or not part.strip() for part in pending.splitlines()
    ):
        raise ValueError(f"incomplete statement in a migration: {pending.strip()[:80]}")
    return found
