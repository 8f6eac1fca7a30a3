"""The shop's database: one interface, two engines.

SQLite (the default) is one file: one writer behind a lock, a reader, numbered migrations.
Each of the two connections lives on a thread of its own, aiosqlite's (sqlite3 objects stay in
the thread that made them); every call on one is a trip there from the event loop.
PostgreSQL (`storage.postgres`) keeps the same interface for a shop that outgrows one machine.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from abc import ABC, abstractmethod
from collections.abc import (
    AsyncIterator,
    Awaitable,
    Callable,
    Coroutine,
    Generator,
    Iterator,
    Sequence,
)
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any, Generic, Protocol, TypeVar, cast
from urllib.parse import unquote, urlsplit

import aiosqlite

Params = Sequence[Any] | dict[str, Any]
T = TypeVar("T")

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
    """The connection a write transaction hands out (SQLite's writer, or storage.postgres's).

    SQL is written once for both engines: `?` or `:name` placeholders, `RETURNING` for a new
    row's id, `ON CONFLICT` for upserts, sums cast to BIGINT.
    """

    def execute(self, sql: str, parameters: Any = None, /) -> Running: ...

    async def executemany(self, sql: str, parameters: Any, /) -> Any: ...

    @property
    def in_transaction(self) -> bool: ...


class Done:
    """A statement run to its end: its rows and how many rows it changed.

    Awaiting it or entering it gives it back at once, so it is also what `execute` returns
    where the statement has already run (in a `Database.run` body on SQLite's thread).
    """

    __slots__ = ("rowcount", "rows")

    def __init__(self, rows: list[Any], rowcount: int) -> None:
        self.rows = rows
        self.rowcount = rowcount

    def __await__(self) -> Generator[Any, None, Done]:
        yield from ()  # never suspends
        return self

    async def __aenter__(self) -> Done:
        return self

    async def __aexit__(self, *exc: object) -> None:
        return None

    async def fetchone(self) -> Any:
        return self.rows[0] if self.rows else None

    async def fetchall(self) -> list[Any]:
        return self.rows


class Pending(Generic[T]):
    """A statement on its way: `await conn.execute(...)` or `async with conn.execute(...)`."""

    __slots__ = ("_run",)

    def __init__(self, run: Awaitable[T]) -> None:
        self._run = run

    def __await__(self) -> Generator[Any, None, T]:
        return self._run.__await__()

    async def __aenter__(self) -> T:
        return await self._run

    async def __aexit__(self, *exc: object) -> None:
        return None


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
    def transaction(
        self, *, conversation: bool = False, durable: bool = True
    ) -> AbstractAsyncContextManager[Connection]:
        """One write transaction: commit on success, roll back on any error. Writers take
        turns, across processes too, so each one sees every commit before it.

        `conversation=True` marks a write of one customer's conversation (a draft), which no
        other writer reads to decide anything: its commit does not wait for the disk (a killed
        process keeps it; a power cut may lose the last steps), and where the engine allows
        (PostgreSQL) it does not wait for the shop-wide turn either. The customer's own lock
        already orders their updates, and a draft lost to a crash costs a step, never money.

        `durable=False` commits without waiting for the disk too, but in turn: a write others
        may read whose loss in a power cut costs nothing (a profile refreshed on contact is
        written again at the next one). Either engine keeps commits in order, so the next
        durable commit, whoever makes it, puts this one on disk as well.
        """

    async def run(
        self,
        body: Callable[[Connection], Coroutine[Any, Any, T]],
        *,
        conversation: bool = False,
        durable: bool = True,
    ) -> T:
        """One write transaction made of `body(conn)`: what it returns, once committed; any
        error it raises rolls everything back (as `transaction()`, whose turn it takes).

        The body awaits nothing but its own statements on `conn`: no network, no read through
        the `Database`, no sleep. On SQLite it then runs whole, `BEGIN` to `COMMIT`, on the
        writer's thread: one trip from the event loop, where `transaction()` makes one per
        statement (a write that does not wait for the disk runs on the loop's own connection
        instead: no trip). A body that awaits anything else fails there and writes nothing.
        Being possibly on another thread, and possibly run again (a write begun on the loop
        that finds the file busy is rolled back and made on the thread), it changes no object
        the event loop's tasks use: it returns what they need instead. A caller cancelled
        meanwhile does not stop it: it commits or not as if the caller had waited (as a crash
        after the commit would leave it).
        """
        async with self.transaction(conversation=conversation, durable=durable) as conn:
            return await body(conn)

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


CACHE_KB = 512


def _open(path: str) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA busy_timeout = 10000")
        conn.execute("PRAGMA foreign_keys = ON")
        _use_wal(conn)
        conn.execute("PRAGMA synchronous = FULL")
        # The writer's and the reader's pages: the reads by key (the hot ones) have their own
        # connection and keep SQLite's default 2 MB; these two write, or scan, and stay small.
        conn.execute(f"PRAGMA cache_size = -{CACHE_KB}")
    except BaseException:
        conn.close()
        raise
    return conn


WAL_ATTEMPTS = 100  # 10 s, as long as the busy timeout


def _use_wal(conn: sqlite3.Connection) -> None:
    """Switching a new file to WAL needs a lock the busy timeout does not wait for: a second
    process opening the file while the first one migrates it gets "locked" at once."""
    for attempt in range(WAL_ATTEMPTS):
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or attempt == WAL_ATTEMPTS - 1:
                raise
        time.sleep(0.1)  # on the connection's own thread: the event loop goes on


# How much a read on the event loop's thread may do before it is left to the reader's thread:
# SQLite's virtual machine steps, counted by a progress handler every _STEPS_COUNTED of them.
# A read by key takes tens to a few thousand (a page of a category about 2,000, a search for
# two words about 4,000); a search for a word that starts a thousand names, 80,000 (2 ms).
LOOKUP_STEPS = 20_000
_STEPS_COUNTED = 1_000


class _Budget:
    """The progress handler of the event loop's connections: a statement there is interrupted
    once it has spent `LOOKUP_STEPS` (a lookup is then made on the reader's thread, a quick
    write on the writer's)."""

    def __init__(self) -> None:
        self.left = 0

    def renew(self) -> None:
        self.left = LOOKUP_STEPS // _STEPS_COUNTED

    def __call__(self) -> int:
        self.left -= 1
        return int(self.left < 0)  # non-zero: SQLite interrupts the statement


def _open_on_the_loop(path: str, budget: _Budget, *pragmas: str) -> sqlite3.Connection:
    """A connection used on the event loop's thread: it never waits for a lock (another
    process's: a thread waits instead) and works within `budget`; `pragmas` say what for."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA busy_timeout = 0")
    for pragma in pragmas:
        conn.execute(f"PRAGMA {pragma}")
    conn.set_progress_handler(budget, _STEPS_COUNTED)
    return conn


# Quick writes in a row before one is left to the writer's thread, whose commit checkpoints the
# WAL when it has grown (those on the loop never do): a few hundred pages at most between two.
QUICK_WRITES_IN_A_ROW = 64


class _Thread:
    """One sqlite3 connection on the thread aiosqlite keeps for it. `call` is a trip there from
    the event loop (about 20 us, and the wake-ups); calls run in the order they were made.

    aiosqlite runs each of its own methods as one function on that thread; `call` hands it one
    of ours (a statement and its rows, or a whole transaction: `Database.run`) through the same
    queue (`aiosqlite.Connection._execute`, the one private name used: pinned by pyproject and
    checked by tests/unit/test_db.py)."""

    def __init__(self, connection: aiosqlite.Connection, conn: sqlite3.Connection) -> None:
        self._connection = connection
        self._conn: sqlite3.Connection | None = conn

    @classmethod
    async def open(cls, path: str) -> _Thread:
        opened: list[sqlite3.Connection] = []

        def connect() -> sqlite3.Connection:  # on aiosqlite's thread
            opened.append(_open(path))
            return opened[0]

        connection = aiosqlite.Connection(connect, iter_chunk_size=64)
        await connection  # starts the thread; a failure to open stops it again
        return cls(connection, opened[0])

    @property
    def conn(self) -> sqlite3.Connection:
        """Used on the thread only, but for `in_transaction`."""
        if self._conn is None:
            raise ValueError("the connection is closed")
        return self._conn

    async def call(self, function: Callable[..., T], *args: Any) -> T:
        """`function(connection, *args)` on the connection's thread."""
        execute = cast("Callable[..., Awaitable[T]]", self._connection._execute)
        return await execute(function, self.conn, *args)

    async def close(self) -> None:
        """Close the connection and end its thread; once closed, a no-op."""
        if self._conn is None:
            return
        self._conn = None
        await self._connection.close()


def _statement(conn: sqlite3.Connection, sql: str, parameters: Params | None) -> Done:
    """Run one statement and read its rows (rowcount is final once they are read)."""
    cursor = conn.execute(sql, () if parameters is None else parameters)
    try:
        rows = cursor.fetchall()
        return Done(rows, cursor.rowcount)
    finally:
        cursor.close()


def _statements_of(conn: sqlite3.Connection, sql: str, parameters: Any) -> Done:
    cursor = conn.executemany(sql, parameters)
    try:
        return Done([], cursor.rowcount)
    finally:
        cursor.close()


def _rows(conn: sqlite3.Connection, sql: str, parameters: Params) -> list[Row]:
    return _statement(conn, sql, parameters).rows


def _begin(conn: sqlite3.Connection, durable: bool = True) -> None:
    """Each write says how durable its commit is: money waits until the WAL is on disk (FULL);
    a conversation's step (NORMAL) is in the WAL once committed, so a killed process keeps it,
    and only a power cut before the next durable commit can lose it."""
    conn.execute(f"PRAGMA synchronous = {'FULL' if durable else 'NORMAL'}")
    conn.execute("BEGIN IMMEDIATE")


def _commit(conn: sqlite3.Connection) -> None:
    conn.execute("COMMIT")


def _roll_back(conn: sqlite3.Connection) -> None:
    if conn.in_transaction:  # a failed COMMIT leaves it open too; a failed BEGIN did not open it
        conn.execute("ROLLBACK")


class _Writer:
    """The writer as `transaction()` hands it out: a statement is one trip to its thread, the
    rows it returns read in that same trip."""

    def __init__(self, thread: _Thread) -> None:
        self._thread = thread

    def execute(self, sql: str, parameters: Params | None = None, /) -> Pending[Done]:
        return Pending(self._thread.call(_statement, sql, parameters))

    async def executemany(self, sql: str, parameters: Any, /) -> Done:
        return await self._thread.call(_statements_of, sql, parameters)

    @property
    def in_transaction(self) -> bool:
        return self._thread.conn.in_transaction


class _InPlace:
    """The writer as a `Database.run` body sees it (on the writer's thread, or on the loop's
    own connection for a quick write): each statement runs when it is called, and awaiting it
    then never suspends."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def execute(self, sql: str, parameters: Params | None = None, /) -> Done:
        return _statement(self._conn, sql, parameters)

    async def executemany(self, sql: str, parameters: Any, /) -> Done:
        return _statements_of(self._conn, sql, parameters)

    @property
    def in_transaction(self) -> bool:
        return self._conn.in_transaction


def _transact(
    conn: sqlite3.Connection,
    body: Callable[[Connection], Coroutine[Any, Any, T]],
    durable: bool,
) -> T:
    """A whole `Database.run` transaction on `conn`, here and now."""
    _begin(conn, durable)
    try:
        result = _to_the_end(body(_InPlace(conn)))
        _commit(conn)
    except BaseException:
        _roll_back(conn)
        raise
    return result


def _to_the_end(steps: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine that awaits only statements already run, here and now: there is no
    event loop on this thread, so anything that would suspend it is refused."""
    try:
        awaited = steps.send(None)
    except StopIteration as done:
        result: T = done.value
        return result
    steps.close()
    raise RuntimeError(f"a Database.run body awaited {awaited!r}: only its statements may be")


def _migrations(folder: Traversable | None = None) -> list[tuple[int, str]]:
    """An engine's numbered scripts, by number: SQLite's unless another folder is given."""
    found = []
    for entry in (folder or resources.files("storage") / "migrations").iterdir():
        if entry.name.endswith(".sql"):
            found.append((int(entry.name.split("_", 1)[0]), entry.read_text("utf-8")))
    return sorted(found)


class SqliteDatabase(Database):
    """The bot's SQLite file."""

    def __init__(self, writer: _Thread, reader: _Thread, path: str) -> None:
        super().__init__()
        self._writer = writer
        self._statements = _Writer(writer)
        self._reader = reader
        self._budget = _Budget()
        self._lookups = _open_on_the_loop(path, self._budget, "query_only = ON")
        # The loop's own writer, for the short writes that do not wait for the disk; its
        # commits never checkpoint (that waits for the disk): the writer's thread's do.
        self._quick = _open_on_the_loop(
            path, self._budget, "foreign_keys = ON", "wal_autocheckpoint = 0"
        )
        self._quick_in_a_row = 0
        self._lock = asyncio.Lock()

    @classmethod
    async def connect(cls, path: str) -> SqliteDatabase:
        if path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        writer = await _Thread.open(path)
        try:
            await writer.call(_migrate)
            reader = await _Thread.open(path)
        except BaseException:
            await writer.close()
            raise
        try:
            return cls(writer, reader, path)
        except BaseException:
            await reader.close()
            await writer.close()
            raise

    async def close(self) -> None:
        async with self._lock:
            self._lookups.close()
            self._quick.close()
            await self._reader.close()
            await self._writer.close()

    @asynccontextmanager
    async def transaction(
        self, *, conversation: bool = False, durable: bool = True
    ) -> AsyncIterator[Connection]:
        """`BEGIN IMMEDIATE` on the writer: SQLite's one writer at a time, in every process
        (a conversation's write too: the file has one writer; its commit does not wait for
        the disk, see `_begin`)."""
        async with self._lock:
            try:  # a BEGIN whose caller was cancelled still runs on the thread: roll it back too
                await self._writer.call(_begin, durable and not conversation)
                yield self._statements
                await self._writer.call(_commit)
            except BaseException:
                await self._writer.call(_roll_back)
                raise

    async def run(
        self,
        body: Callable[[Connection], Coroutine[Any, Any, T]],
        *,
        conversation: bool = False,
        durable: bool = True,
    ) -> T:
        """The whole transaction in one trip to the writer's thread (see `Database.run`); one
        that does not wait for the disk (a conversation's step, a profile) is made on the event
        loop's thread instead, in its turn all the same (`_quick_write`)."""
        durable = durable and not conversation
        async with self._lock:
            if not durable and self._quick_in_a_row < QUICK_WRITES_IN_A_ROW:
                done, result = self._quick_write(body)
                if done:
                    return result
            self._quick_in_a_row = 0
            return await self._writer.call(_transact, body, durable)

    def _quick_write(self, body: Callable[[Connection], Coroutine[Any, Any, T]]) -> tuple[bool, T]:
        """`body` run here, on the event loop's own connection: a trip to the writer's thread
        costs more than such a write (an upsert by key, committed to the WAL without an fsync).

        Like a lookup, it never holds the loop long nor waits for a lock: one that turns out
        longer than `LOOKUP_STEPS`, or finds another process writing, is rolled back and made
        on the writer's thread (`(False, None)`; a body only returns what it did, so running it
        again is safe). Its turn is the writer's, held by the caller: the writer's thread is
        idle meanwhile.
        """
        self._budget.renew()
        try:
            result = _transact(self._quick, body, False)
        except sqlite3.OperationalError as error:
            if error.sqlite_errorcode & 0xFF not in _LEFT_TO_A_THREAD:
                raise
            return False, cast(T, None)
        self._quick_in_a_row += 1
        return True, result

    async def fetchall(self, sql: str, params: Params = ()) -> list[Row]:
        return await self._reader.call(_rows, sql, params)  # one trip: run, read, close

    async def lookup(self, sql: str, params: Params = ()) -> list[Row]:
        """Rows an index finds at once, read on the calling (the event loop's) thread.

        A trip to the reader's thread costs about 0.1 ms, ten times a read by key; every update
        makes a few of these. A read known to walk many rows (statistics, the audit) goes
        through `fetchall` instead, which leaves the loop free while SQLite works.

        This read never holds the loop long, nor waits for a lock: one that turns out to take
        more than `LOOKUP_STEPS` (a search for a word that starts many names), or that SQLite
        answers busy (another connection is recovering the WAL, say), is made again by the
        reader's thread, while every other chat goes on.
        """
        self._budget.renew()
        try:
            return self._lookups.execute(sql, params).fetchall()
        except sqlite3.OperationalError as error:
            if error.sqlite_errorcode & 0xFF not in _LEFT_TO_A_THREAD:
                raise
        return await self.fetchall(sql, params)


_LEFT_TO_A_THREAD = (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED, sqlite3.SQLITE_INTERRUPT)


def _migrate(conn: sqlite3.Connection) -> None:
    """Apply the numbered migrations not applied yet, all in one write transaction (on the
    writer's thread, in one call).

    The write lock is taken before the schema version is read, so processes opening a fresh
    file at once migrate it once: the others wait for the lock, then find nothing to do.
    Foreign keys are off meanwhile, so a migration can rebuild a table others refer to (SQLite's
    way to change a constraint); every reference is checked before the commit instead.
    """
    conn.execute("PRAGMA foreign_keys = OFF")  # a no-op inside a transaction: before BEGIN
    conn.execute("BEGIN IMMEDIATE")
    try:
        applied = _applied(conn)
        for version, script in _migrations():
            if version not in applied:
                for statement in _statements(script):
                    conn.execute(statement)
                conn.execute("INSERT INTO schema_migrations (version) VALUES (?)", (version,))
                conn.execute(f"PRAGMA user_version = {max(applied | {version})}")
                applied.add(version)
        broken = conn.execute("PRAGMA foreign_key_check").fetchall()
        if broken:
            raise sqlite3.IntegrityError(f"a migration broke references: {list(broken[0])}")
        conn.execute("COMMIT")
    except BaseException:
        _roll_back(conn)
        raise
    finally:
        conn.execute("PRAGMA foreign_keys = ON")


PANELS_MIGRATION = 10


def _applied(conn: sqlite3.Connection) -> set[int]:
    """The numbers of the migrations this file has had.

    They are rows of `schema_migrations`, so a migration merged under a lower number than one
    already applied still runs. A file from before that table counted by `user_version` alone;
    for it, every number up to that version counts as applied except the panels migration when
    its table is missing: a few commits numbered the drafts migration 11 before 10 existed.
    """
    tracked = conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'"
    ).fetchone()
    if tracked is not None:
        return {int(row[0]) for row in conn.execute("SELECT version FROM schema_migrations")}
    row = conn.execute("PRAGMA user_version").fetchone()
    version = int(row[0]) if row else 0
    has_panels = (
        conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'panels'"
        ).fetchone()
        is not None
    )
    applied = {
        number for number in range(1, version + 1) if number != PANELS_MIGRATION or has_panels
    }
    conn.execute("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY)")
    conn.executemany(
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
