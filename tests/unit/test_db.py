"""The loop-thread reader: it sees every commit at once and can never write."""

from __future__ import annotations

import asyncio
import sqlite3
import sys
from pathlib import Path

import pytest

from bot.shop.audit import audit
from storage import orders, users
from storage.db import Database, _migrations

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
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        db.lookup("INSERT INTO kv (key, value) VALUES ('x', 'y')")


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
        assert triggers == 6  # a trigger's body, semicolons and all, is one statement
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
