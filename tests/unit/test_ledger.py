"""The ledger: conditional debits, idempotency keys, and the audit as judge."""

from __future__ import annotations

import asyncio

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.shop.audit import audit
from storage import ledger, users
from storage.db import Database, IntegrityError
from storage.ledger import InsufficientFunds


async def _user(db: Database, user_id: int = 1, balance: int = 0) -> None:
    await users.touch(db, user_id, "u", "U", "en")
    if balance:
        async with db.transaction() as conn:
            await ledger.post(
                conn, user_id=user_id, amount=balance, key=f"seed:{user_id}", kind="topup"
            )


async def _debit(db: Database, key: str, amount: int, user_id: int = 1) -> bool:
    try:
        async with db.transaction() as conn:
            return await ledger.post(conn, user_id=user_id, amount=-amount, key=key, kind="order")
    except InsufficientFunds:
        return False


async def _balance(db: Database, user_id: int = 1) -> int:
    user = await users.get(db, user_id)
    assert user is not None
    return user.balance


async def test_hundred_concurrent_debits_against_ten_succeed_ten_times(db: Database) -> None:
    await _user(db, balance=1000)
    results = await asyncio.gather(*(_debit(db, f"order:{n}", 100) for n in range(100)))
    assert results.count(True) == 10
    assert await _balance(db) == 0
    assert (await audit(db)).ok


async def test_concurrent_debits_from_two_processes_never_overdraw(
    db: Database, db_target: str
) -> None:
    """Two processes on one database, each with its own connections: the engine's write lock
    (SQLite's, PostgreSQL's advisory lock) and the conditional UPDATE hold, no in-process lock."""
    second = await Database.open(db_target)
    try:
        await _user(db, balance=500)
        results = await asyncio.gather(
            *(_debit(db if n % 2 else second, f"order:{n}", 100) for n in range(20))
        )
        assert results.count(True) == 5
        assert await _balance(db) == 0
    finally:
        await second.close()


async def test_replayed_key_moves_money_once(db: Database) -> None:
    await _user(db, balance=1000)
    assert await _debit(db, "order:1", 300)
    assert not await _debit(db, "order:1", 300)
    assert await _balance(db) == 700
    assert len(await ledger.recent(db, 1)) == 2


async def test_debit_over_balance_leaves_nothing_behind(db: Database) -> None:
    await _user(db, balance=100)
    assert not await _debit(db, "order:1", 101)
    assert await _balance(db) == 100
    assert [entry.kind for entry in await ledger.recent(db, 1)] == ["topup"]


async def test_balance_cannot_go_negative_even_by_hand(db: Database) -> None:
    await _user(db)
    with pytest.raises(IntegrityError, match=r"(?i)check constraint"):
        async with db.transaction() as conn:
            await conn.execute("UPDATE users SET balance = -1 WHERE id = 1")


async def test_audit_reports_a_balance_that_disagrees_with_the_ledger(db: Database) -> None:
    await _user(db, balance=100)
    async with db.transaction() as conn:
        await conn.execute("UPDATE users SET balance = 150 WHERE id = 1")
    report = await audit(db)
    assert not report.ok
    assert "user 1: balance 150 but ledger sums to 100" in report.problems


movements = st.lists(
    st.tuples(st.sampled_from(["credit", "debit"]), st.integers(1, 5000), st.integers(0, 30)),
    max_size=40,
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(steps=movements)
async def test_random_credits_and_debits_keep_the_audit_green(
    tmp_path_factory: pytest.TempPathFactory, steps: list[tuple[str, int, int]]
) -> None:
    db = await Database.open(tmp_path_factory.mktemp("h") / "h.sqlite3")
    try:
        await _user(db)
        expected = 0
        applied: set[int] = set()
        for kind, amount, key in steps:
            if kind == "credit":
                async with db.transaction() as conn:
                    moved = await ledger.post(
                        conn, user_id=1, amount=amount, key=f"c:{key}", kind="topup"
                    )
                expected += amount if moved else 0
            else:
                moved = await _debit(db, f"d:{key}", amount)
                if moved:
                    assert key not in applied
                    applied.add(key)
                    expected -= amount
            assert await _balance(db) == expected >= 0
        assert (await audit(db)).ok
    finally:
        await db.close()
