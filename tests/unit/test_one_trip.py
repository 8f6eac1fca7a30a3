"""`Database.run`: a write transaction as one body, committed whole or not at all; on SQLite
the whole body runs on the writer's thread, one trip from the event loop."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from bot.panel.client import PanelClient
from bot.panel.panels import Panels
from bot.shop.checkout import Outcome, make_offer, place_order
from bot.shop.config import ShopConfig
from storage import ledger, orders, services, users
from storage.db import Connection, Database
from storage.ledger import InsufficientFunds
from storage.orders import State
from tests.unit.tracking_fixtures import USER, add_user


async def _balance(db: Database) -> int:
    user = await users.get(db, USER)
    assert user is not None
    return user.balance


async def test_a_run_commits_what_its_body_wrote_and_gives_back_its_answer(db: Database) -> None:
    await add_user(db, balance=0)

    async def credit(conn: Connection) -> int:
        await ledger.post(conn, user_id=USER, amount=500, key="gift:1", kind="topup")
        async with conn.execute("SELECT balance FROM users WHERE id = ?", (USER,)) as cursor:
            row = await cursor.fetchone()
        return int(row[0])

    assert await db.run(credit) == 500  # the body reads its own write
    assert await _balance(db) == 500


async def test_an_error_in_a_run_writes_nothing_of_it(db: Database) -> None:
    await add_user(db, balance=100)

    async def overdraw(conn: Connection) -> None:
        await ledger.post(conn, user_id=USER, amount=50, key="gift:1", kind="topup")
        await ledger.post(conn, user_id=USER, amount=-1_000, key="order:1", kind="order")

    with pytest.raises(InsufficientFunds):
        await db.run(overdraw)
    assert await _balance(db) == 100
    assert [entry.kind for entry in await ledger.recent(db, USER)] == ["topup"]


async def test_debits_run_at_once_never_take_more_than_the_balance(db: Database) -> None:
    await add_user(db, balance=1_000)

    async def debit(number: int) -> bool:
        async def body(conn: Connection) -> bool:
            return await ledger.post(
                conn, user_id=USER, amount=-300, key=f"order:{number}", kind="order"
            )

        try:
            return await db.run(body)
        except InsufficientFunds:
            return False

    taken = await asyncio.gather(*(debit(number) for number in range(5)))
    assert taken.count(True) == 3
    assert await _balance(db) == 100


@pytest.mark.sqlite_only("the body runs on SQLite's writer thread; PostgreSQL's on the loop")
async def test_a_body_that_waits_for_anything_but_its_statements_is_refused_whole(
    db: Database,
) -> None:
    """A body that would wait (for the network, a read through the Database, a sleep) would
    hold the file's one writer meanwhile: it fails at once, and what it wrote is rolled back."""
    await add_user(db, balance=100)

    async def waits(conn: Connection) -> None:
        await ledger.post(conn, user_id=USER, amount=50, key="gift:1", kind="topup")
        await asyncio.sleep(0)

    with pytest.raises(RuntimeError, match="only its statements"):
        await db.run(waits)
    assert await _balance(db) == 100

    async def credit(conn: Connection) -> bool:
        return await ledger.post(conn, user_id=USER, amount=50, key="gift:1", kind="topup")

    assert await db.run(credit)  # the writer goes on
    assert await _balance(db) == 150


@pytest.mark.sqlite_only("counts trips to SQLite's writer thread")
@pytest.mark.usefixtures("catalog")
async def test_a_purchase_writes_in_one_trip_per_transaction(
    db: Database, shop_config: ShopConfig, panel: PanelClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The debit (order, ledger row, balance) commits in one trip, before the `add`; the
    panel's answer in one more."""
    await add_user(db, balance=100_000)
    service = await services.get(db, 101)
    assert service is not None
    answers = {"link": "https://instagram.com/p/abc", "quantity": "1000"}
    offer = await make_offer(db, shop_config, service, answers, "token-1")
    writer = db._writer  # type: ignore[attr-defined]
    trips: list[str] = []
    real = writer.call

    async def counted(function: Any, *args: Any) -> Any:
        trips.append(function.__name__)
        return await real(function, *args)

    monkeypatch.setattr(writer, "call", counted)
    result = await place_order(db, Panels.single(panel), shop_config, user_id=USER, offer=offer)

    assert result.outcome is Outcome.PLACED
    assert trips == ["_transact", "_transact"]
    order = await orders.get(db, 1)
    assert order is not None and order.state is State.ACTIVE
    assert await _balance(db) == 100_000 - offer.charge


@pytest.mark.sqlite_only("SQLite's writer thread runs a statement whose caller was cancelled")
async def test_a_write_cancelled_while_it_begins_leaves_the_next_write_working(
    db: Database,
) -> None:
    """An update cancelled (a shutdown, say) just as its transaction begins: the BEGIN still
    runs on the writer's thread, and is rolled back there, so the next write goes through."""
    await add_user(db, balance=100)

    async def write() -> None:
        async with db.transaction() as conn:
            await conn.execute("UPDATE users SET balance = 0 WHERE id = ?", (USER,))

    task = asyncio.create_task(write())
    await asyncio.sleep(0)  # it holds the lock and waits for its BEGIN
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task

    async def credit(conn: Connection) -> bool:
        return await ledger.post(conn, user_id=USER, amount=50, key="gift:1", kind="topup")

    assert await db.run(credit)
    assert await _balance(db) == 150
