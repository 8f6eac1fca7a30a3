"""PostgreSQL behind the same `Database` interface, for a shop that outgrows one machine.

The repositories' SQL is written once for both engines; this module translates its `?` and
`:name` placeholders to PostgreSQL's `$n`, hands out a connection that answers like SQLite's
(`await conn.execute(...)`, `async with conn.execute(...) as cursor`, `cursor.rowcount`), and
keeps SQLite's one rule that the money code relies on: write transactions take turns. Every
one takes the same transaction-level advisory lock first, so across any number of processes a
transaction sees every commit before it, as with SQLite's single writer; reads never wait.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager
from functools import lru_cache
from importlib import resources
from typing import Any

import asyncpg
from asyncpg.pool import PoolConnectionProxy

from storage.db import Connection, Database, Done, IntegrityError, Params, Pending, Row, _migrations

WRITE_LOCK = 0x5348_4F50  # "SHOP": the turn every write takes but a conversation's
MIGRATE_LOCK = WRITE_LOCK + 1  # held by the process migrating; the others wait, then skip
# A write transaction begins and takes its turn in one round trip (statements without
# parameters go together as one simple query).
_TURN = f"BEGIN; SELECT pg_advisory_xact_lock({WRITE_LOCK})"
# A conversation's write commits without waiting for the WAL to reach the disk: a crash may
# lose its last fraction of a second, never anyone else's write (PostgreSQL keeps the order).
_CONVERSATION = "BEGIN; SET LOCAL synchronous_commit = off"
# A write in turn that need not wait for the disk either (`durable=False`).
_TURN_NOT_DURABLE = f"{_TURN}; SET LOCAL synchronous_commit = off"
# Writers take turns (the advisory lock), so a few connections keep the next one ready; reads
# run side by side.
WRITERS = 4
READERS = 8
Raw = asyncpg.Connection | PoolConnectionProxy  # a connection of its own or the pool's
SCRIPTS = resources.files("storage") / "migrations" / "postgresql"

_TOKEN = re.compile(r"'(?:[^']|'')*'|\"[^\"]*\"|--[^\n]*|::|\?\d*|:[A-Za-z_]\w*")


@lru_cache(maxsize=1024)
def translate(sql: str) -> tuple[str, tuple[str, ...] | None]:
    """`?` placeholders become `$1, $2...` (`?N` is `$N`, and a `?` after it is the next
    number, as in SQLite); `:name` ones too, with the names in their order (None when the
    statement is positional). Quoted text, comments and `::` casts are kept."""
    names: list[str] = []
    count = 0

    def number(match: re.Match[str]) -> str:
        nonlocal count
        token = match.group()
        if token.startswith("?"):
            at = int(token[1:]) if len(token) > 1 else count + 1
            count = max(count, at)
            return f"${at}"
        if token.startswith(":") and token != "::":
            name = token[1:]
            if name not in names:
                names.append(name)
            return f"${names.index(name) + 1}"
        return token

    translated = _TOKEN.sub(number, sql)
    if names and count:
        raise ValueError(f"a statement mixes ? and :name placeholders: {sql[:80]}")
    return translated, tuple(names) if names else None


def _arguments(names: tuple[str, ...] | None, params: Params | None) -> Sequence[Any]:
    if params is None:
        return ()
    if names is None:
        return tuple(params)
    assert isinstance(params, dict), "a statement with :name placeholders takes a dict"
    return tuple(params[name] for name in names)


@lru_cache(maxsize=1024)
def _returns_rows(sql: str) -> bool:
    head = sql.lstrip().split(None, 1)[0].upper() if sql.strip() else ""
    return head in ("SELECT", "WITH", "VALUES") or " RETURNING " in f" {sql.upper()} "


class PgConnection:
    """One write transaction's connection, answering like SQLite's."""

    def __init__(self, raw: Raw) -> None:
        self._raw = raw

    def execute(self, sql: str, parameters: Params | None = None, /) -> Pending[Done]:
        return Pending(run(self._raw, sql, parameters))

    async def executemany(self, sql: str, parameters: Sequence[Params], /) -> None:
        query, names = translate(sql)
        with _integrity():
            await self._raw.executemany(query, [_arguments(names, each) for each in parameters])

    @property
    def in_transaction(self) -> bool:
        return bool(self._raw.is_in_transaction())


async def run(raw: Raw, sql: str, params: Params | None) -> Done:
    query, names = translate(sql)
    arguments = _arguments(names, params)
    with _integrity():
        if _returns_rows(sql):
            rows = await raw.fetch(query, *arguments)
            return Done(rows, len(rows))
        status = await raw.execute(query, *arguments)
    count = status.rsplit(" ", 1)[-1]  # "UPDATE 3", "INSERT 0 1", "DELETE 0"
    return Done([], int(count) if count.isdigit() else -1)


@contextmanager
def _integrity() -> Iterator[None]:
    """A constraint's refusal raises `storage.db.IntegrityError`, as SQLite's does."""
    try:
        yield
    except asyncpg.IntegrityConstraintViolationError as error:
        raise IntegrityError(str(error)) from error


class PostgresDatabase(Database):
    """Two pools on one PostgreSQL database (or the schema its URL's search_path names): the
    writers', and the readers', whose sessions are read-only, as SQLite's reader is."""

    def __init__(self, writers: asyncpg.Pool, readers: asyncpg.Pool) -> None:
        super().__init__()
        self._writers = writers
        self._readers = readers

    @classmethod
    async def connect(cls, url: str) -> PostgresDatabase:
        writers = await asyncpg.create_pool(url, min_size=1, max_size=WRITERS)
        try:
            async with writers.acquire() as raw:
                await _migrate(raw)
            readers = await asyncpg.create_pool(
                url, min_size=1, max_size=READERS,
                server_settings={"default_transaction_read_only": "on"},
            )  # fmt: skip
        except BaseException:
            await writers.close()
            raise
        return cls(writers, readers)

    async def close(self) -> None:
        await self._readers.close()
        await self._writers.close()

    @asynccontextmanager
    async def transaction(
        self, *, conversation: bool = False, durable: bool = True
    ) -> AsyncIterator[Connection]:
        """BEGIN with the turn (or a conversation's setting) in one round trip, where asyncpg's
        `transaction()` would make two; COMMIT, or ROLLBACK on any error. A transaction left
        open all the same (a cancel mid-ROLLBACK) is rolled back by the pool on release."""
        async with self._writers.acquire() as raw:
            try:
                await raw.execute(
                    _CONVERSATION if conversation else _TURN if durable else _TURN_NOT_DURABLE
                )
                yield PgConnection(raw)
                await raw.execute("COMMIT;")
            except BaseException:
                if raw.is_in_transaction():  # not after a failed COMMIT: that one ended it
                    await raw.execute("ROLLBACK;")
                raise

    async def fetchall(self, sql: str, params: Params = ()) -> list[Row]:
        async with self._readers.acquire() as raw:
            return list((await run(raw, sql, params)).rows)


async def _migrate(raw: Raw) -> None:
    """Apply PostgreSQL's numbered scripts not applied yet. A session lock is held meanwhile, so
    replicas starting at once migrate once: the others wait for it, then find nothing to do."""
    await raw.execute("SELECT pg_advisory_lock($1)", MIGRATE_LOCK)
    try:
        await raw.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY)"
        )
        applied = {row[0] for row in await raw.fetch("SELECT version FROM schema_migrations")}
        for version, script in _migrations(
            resources.files("storage") / "migrations" / "postgresql"
        ):
            if version in applied:
                continue
            async with raw.transaction():
                await raw.execute(script)
                await raw.execute("INSERT INTO schema_migrations (version) VALUES ($1)", version)
    finally:
        await raw.execute("SELECT pg_advisory_unlock($1)", MIGRATE_LOCK)
