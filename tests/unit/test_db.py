"""The loop-thread reader: it sees every commit at once and can never write."""

from __future__ import annotations

import asyncio
import sqlite3
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from bot.shop.audit import audit
from storage import orders, users
from storage.db import (
    QUICK_WRITES_IN_A_ROW,
    Connection,
    Database,
    _migrations,
    _Thread,
    is_postgres,
)
from storage.postgres import WRITE_LOCK

ROOT = Path(__file__).resolve().parents[2]


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
    with pytest.raises(Exception, match=r"(?i)read-?only"):
        await db.lookup("INSERT INTO kv (key, value) VALUES ('x', 'y')")


# Another process recovering the WAL (as after a crash): it holds the WAL-index's write and
# recover locks (bytes 120 and 122 of the -shm file) while the index's header is not valid
# (its two copies, 48 bytes each from offset 0, differ). A reader then gets SQLITE_BUSY.
_RECOVERING = """
import fcntl, os, sys
fd = os.open(sys.argv[1] + "-shm", os.O_RDWR)
fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, 120, 0)
fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, 122, 0)
os.pwrite(fd, bytes(48), 48)
print("held", flush=True)
sys.stdin.readline()
"""


@pytest.mark.sqlite_only("SQLite's WAL recovery lock; PostgreSQL's readers never wait for a lock")
async def test_a_locked_database_never_stalls_the_event_loop(db: Database, tmp_path: Path) -> None:
    """A key read while another connection holds SQLite's lock does not freeze every chat for
    the busy timeout: it waits on the reader's thread and answers once the lock goes."""
    await users.touch(db, 42, "ayse", "Ayşe", "tr")
    assert await users.get(db, 42) is not None
    async with db.transaction() as conn:
        await conn.execute("UPDATE users SET balance = 150 WHERE id = 42")
    holder = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        _RECOVERING,
        str(tmp_path / "shop.sqlite3"),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
    )
    assert holder.stdin is not None and holder.stdout is not None
    try:
        assert await holder.stdout.readline() == b"held\n"
        started = time.monotonic()
        read = asyncio.create_task(users.get(db, 42))
        for _ in range(3):  # the loop goes on serving others while the read waits
            await asyncio.sleep(0)
        assert time.monotonic() - started < 1
        assert not read.done()
    finally:
        holder.stdin.write(b"\n")
        await holder.wait()
    user = await asyncio.wait_for(read, 30)
    assert user is not None and user.balance == 150
    again = await users.get(db, 42)  # and the loop's own connection reads again afterwards
    assert again is not None and again.balance == 150


async def test_processes_opening_a_fresh_file_at_once_migrate_it_once(tmp_path: Path) -> None:
    """Bots started together on a new file: none fails with `table ... already exists` or
    `database is locked`, and none hangs."""
    for attempt in range(8):
        path = tmp_path / f"fresh-{attempt}.sqlite3"
        script = (
            "import asyncio, sys\n"
            "from storage.db import Database\n"
            "async def main():\n"
            "    db = await Database.open(sys.argv[1])\n"
            "    await db.close()\n"
            "asyncio.run(main())\n"
        )
        runs = [
            await asyncio.create_subprocess_exec(
                sys.executable, "-c", script, str(path), cwd=ROOT, stderr=asyncio.subprocess.PIPE
            )
            for _ in range(4)
        ]
        for run in runs:
            try:  # a connection left open on a failure would keep its process from exiting
                _, errors = await asyncio.wait_for(run.communicate(), 60)
            except TimeoutError:
                run.kill()
                raise AssertionError("a process opening the file never exited") from None
            assert run.returncode == 0, errors.decode()
        db = await Database.open(path)
        try:
            assert await db.scalar("PRAGMA user_version") == len(_migrations())
        finally:
            await db.close()


async def test_the_migrations_apply_on_top_of_each_other_once(tmp_path: Path) -> None:
    path = tmp_path / "shop.sqlite3"
    for _ in range(2):  # a restart finds nothing to do
        db = await Database.open(path)
        await db.close()
    db = await Database.open(path)
    try:
        assert await db.scalar("PRAGMA user_version") == len(_migrations())
        triggers = await db.scalar("SELECT COUNT(*) FROM sqlite_master WHERE type = 'trigger'")
        assert triggers == 11  # a trigger's body, semicolons and all, is one statement
    finally:
        await db.close()


async def test_a_partial_settled_before_the_upgrade_keeps_its_refund(tmp_path: Path) -> None:
    """A package refunded in full for a Partial by the old rule is history, not an audit problem."""
    path = tmp_path / "old.sqlite3"
    old = sqlite3.connect(path, isolation_level=None)
    for version, script in _migrations():
        if version < 6:
            old.executescript(script)
    old.executescript(
        "PRAGMA user_version = 5;"
        "INSERT INTO users (id, balance, created_at, last_seen_at) VALUES (1, 1000, 0, 0);"
        "INSERT INTO orders (id, user_id, service_id, service_name, service_type, quantity,"
        " charge, cost, token, state, remains, upstream_charge, created_at, updated_at)"
        " VALUES (1, 1, 103, 'Package', 'Package', 1, 1000, 125000, 't', 'partial', 10,"
        " '1.25', 0, 0);"
        "INSERT INTO ledger (user_id, amount, key, kind, order_id, created_at) VALUES"
        " (1, 1000, 'topup', 'topup', NULL, 0), (1, -1000, 'order:1', 'order', 1, 0),"
        " (1, 1000, 'refund:1', 'refund', 1, 0);"
    )
    old.close()
    db = await Database.open(path)
    try:
        order = await orders.get(db, 1)
        assert order is not None and order.settled_refund == 1000
        assert (await audit(db)).ok
    finally:
        await db.close()


def _where(conn: sqlite3.Connection, sql: str) -> tuple[int, sqlite3.Row]:
    return threading.get_ident(), conn.execute(sql).fetchone()


async def test_each_sqlite_connection_runs_our_calls_on_aiosqlites_thread_of_its_own(
    tmp_path: Path,
) -> None:
    """The one private name of aiosqlite the shop uses (`Connection._execute`, see storage.db):
    an aiosqlite release that changes it fails here, not in a customer's checkout."""
    first, second = await _Thread.open(str(tmp_path / "a.db")), await _Thread.open(":memory:")
    try:
        here = threading.get_ident()
        seen = [await thread.call(_where, "SELECT 7") for thread in (first, second, first)]
        assert [row[0] for _, row in seen] == [7, 7, 7]
        threads = [ident for ident, _ in seen]
        assert here not in threads and threads[0] == threads[2] != threads[1]
    finally:
        await first.close()
        await second.close()


async def _how_it_commits(conn: Connection, postgres: bool) -> tuple[bool, bool]:
    """(waits for the disk, holds the shop-wide write turn) of the transaction on `conn`."""
    if not postgres:  # one writer at a time is SQLite's own rule: every write is in turn
        cursor = await conn.execute("PRAGMA synchronous")
        return int((await cursor.fetchone())[0]) == 2, True
    cursor = await conn.execute(
        "SELECT current_setting('synchronous_commit') = 'on',"
        " EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND objid = ?"
        " AND pid = pg_backend_pid())",
        (WRITE_LOCK,),
    )
    durable, in_turn = await cursor.fetchone()
    return bool(durable), bool(in_turn)


async def test_each_kind_of_write_commits_as_its_loss_would_cost(
    db: Database, db_target: str
) -> None:
    """Money waits for the disk (SQLite: FULL), in turn; a profile refresh (durable=False)
    takes its turn without waiting for the disk; a conversation's step (NORMAL: a killed
    process keeps it in the WAL) waits for neither where the engine allows. Whatever ran
    before, the next write of money is durable again."""
    postgres = is_postgres(db_target)

    async def how(conn: Connection) -> tuple[bool, bool]:
        return await _how_it_commits(conn, postgres)

    seen = [
        await db.run(how),
        await db.run(how, durable=False),
        await db.run(how),
        await db.run(how, conversation=True),
        await db.run(how),
    ]
    for kinds in ({"durable": False}, {"conversation": True}, {}):
        async with db.transaction(**kinds) as conn:
            seen.append(await how(conn))
    money, profile, step = (True, True), (False, True), (False, not postgres)
    assert seen == [money, profile, money, step, money, profile, step, money]


async def test_a_lookup_that_turns_out_long_is_left_to_the_readers_thread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A read by key runs on the event loop; one that walks far more (a search for a word that
    starts half the catalog) is interrupted there and made on the reader's thread, with the
    same answer: the loop is never held long by a read."""
    db = await Database.open(tmp_path / "shop.sqlite3")
    on_the_thread: list[str] = []
    fetchall = db.fetchall

    async def fetched(sql: str, params: Any = ()) -> Any:
        on_the_thread.append(sql)
        return await fetchall(sql, params)

    monkeypatch.setattr(db, "fetchall", fetched)
    long = (
        "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < ?)"
        " SELECT COUNT(*), SUM(x) FROM n"
    )
    try:
        assert [tuple(row) for row in await db.lookup(long, (100,))] == [(100, 5050)]
        assert on_the_thread == []
        [row] = await db.lookup(long, (200_000,))
        assert tuple(row) == (200_000, 200_000 * 200_001 // 2)
        assert on_the_thread == [long]
        assert [tuple(row) for row in await db.lookup(long, (100,))] == [(100, 5050)]
        assert on_the_thread == [long]  # the next short read is on the loop again
    finally:
        await db.close()


async def _kv_write(conn: Connection, key: str = "k", value: str = "v") -> int:
    """A short write; which thread made it."""
    await conn.execute(
        "INSERT INTO kv (key, value) VALUES (?, ?)"
        " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (key, value),
    )
    return threading.get_ident()


async def test_a_write_that_does_not_wait_for_the_disk_is_made_on_the_loop(
    tmp_path: Path,
) -> None:
    """A conversation's step or a profile costs no trip to the writer's thread (which costs
    more than the write); money still goes there, to wait for the disk off the loop."""
    db = await Database.open(tmp_path / "shop.sqlite3")
    loop = threading.get_ident()
    try:
        assert await db.run(_kv_write, conversation=True) == loop
        assert await db.run(_kv_write, durable=False) == loop
        assert await db.run(_kv_write) != loop
        assert await db.scalar("SELECT value FROM kv WHERE key = 'k'") == "v"
    finally:
        await db.close()


async def test_a_quick_write_waits_for_another_process_off_the_loop(tmp_path: Path) -> None:
    """Another process holding SQLite's write lock: the step is made on the writer's thread,
    which waits its turn; the loop goes on meanwhile."""
    path = tmp_path / "shop.sqlite3"
    db = await Database.open(path)
    other = sqlite3.connect(path, isolation_level=None)
    loop = threading.get_ident()
    try:
        other.execute("BEGIN IMMEDIATE")
        step = asyncio.create_task(
            db.run(lambda conn: _kv_write(conn, "k", "mine"), conversation=True)
        )
        started = time.monotonic()
        for _ in range(20):  # the loop is free: nothing on it waits for SQLite's lock
            await asyncio.sleep(0.005)
        assert time.monotonic() - started < 1.5  # the busy timeout of a thread is 10 s
        assert not step.done()
        other.execute("INSERT INTO kv (key, value) VALUES ('k', 'theirs')")
        other.execute("COMMIT")
        assert await step != loop
        assert await db.scalar("SELECT value FROM kv WHERE key = 'k'") == "mine"
    finally:
        other.close()
        await db.close()


async def test_a_long_quick_write_is_left_to_the_writers_thread(tmp_path: Path) -> None:
    """A write that turns out long (here: thousands of rows) is rolled back on the loop and
    made whole on the writer's thread: the loop is never held long by a write either."""
    db = await Database.open(tmp_path / "shop.sqlite3")
    loop = threading.get_ident()

    async def many(conn: Connection) -> int:
        await conn.execute(
            "INSERT INTO kv (key, value) WITH RECURSIVE n(x) AS"
            " (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 50000) SELECT 'n' || x, x FROM n"
        )
        return threading.get_ident()

    try:
        assert await db.run(many, conversation=True) != loop
        assert await db.scalar("SELECT COUNT(*) FROM kv WHERE key LIKE 'n%'") == 50_000
        assert await db.run(_kv_write, conversation=True) == loop  # the next short one: here
    finally:
        await db.close()


async def test_a_failed_quick_write_leaves_nothing_and_the_next_one_works(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "shop.sqlite3")

    async def half(conn: Connection) -> None:
        await _kv_write(conn, "half", "written")
        await conn.execute("INSERT INTO kv (key, value) VALUES ('half', 'again')")  # not unique

    try:
        with pytest.raises(sqlite3.IntegrityError):
            await db.run(half, conversation=True)
        assert await db.scalar("SELECT COUNT(*) FROM kv WHERE key = 'half'") == 0
        await db.run(_kv_write, conversation=True)
        assert await db.scalar("SELECT value FROM kv WHERE key = 'k'") == "v"
    finally:
        await db.close()


def _size(path: Path) -> int:
    return path.stat().st_size


async def test_quick_writes_leave_the_wal_to_the_writers_thread_now_and_then(
    tmp_path: Path,
) -> None:
    """The loop's commits never checkpoint (that waits for the disk): after a run of them one
    goes to the writer's thread, whose commit checkpoints a grown WAL, so it stays bounded."""
    db = await Database.open(tmp_path / "shop.sqlite3")
    loop = threading.get_ident()
    try:
        where = [await db.run(_kv_write, conversation=True) for _ in range(QUICK_WRITES_IN_A_ROW)]
        assert set(where) == {loop}
        assert await db.run(_kv_write, conversation=True) != loop
        assert await db.run(_kv_write, conversation=True) == loop  # a new run begins
        wal = Path(f"{tmp_path / 'shop.sqlite3'}-wal")
        for number in range(2_000):  # ~2 pages each: past the 1,000 of an autocheckpoint
            await db.run(
                lambda conn, n=number: _kv_write(conn, f"w{n}", "x" * 3000), conversation=True
            )
        assert _size(wal) < 1_600 * 4096
    finally:
        await db.close()
