"""Orders cut off mid-`add`: recovered only when their process is gone, never overwritten late."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator

import httpx
import pytest
from pydantic import SecretStr

from bot.jobs.catalog import sync_catalog
from bot.jobs.scheduler import heartbeat
from bot.panel.client import PanelClient
from bot.panel.panels import Panels
from bot.panel.sandbox import SandboxPanel
from bot.shop import admin
from bot.shop.audit import audit
from bot.shop.checkout import (
    SUBMIT_DEADLINE,
    Outcome,
    Result,
    make_offer,
    place_order,
    recover_interrupted,
)
from bot.shop.config import ShopConfig
from storage import kv, ledger, orders, outbox, services
from storage.clock import now
from storage.db import Database
from storage.orders import State
from tests.conftest import ADMIN_ID
from tests.unit.tracking_fixtures import USER, add_order, add_user


async def test_submitting_orders_become_unknown_once(db: Database, shop_config: ShopConfig) -> None:
    await add_user(db)
    await add_order(db, upstream_id=None, state=State.SUBMITTING)
    await add_order(db, upstream_id=77, state=State.ACTIVE)
    assert await recover_interrupted(db, shop_config) == [1]
    assert await recover_interrupted(db, shop_config) == []  # a second restart: nothing new
    first = await orders.get(db, 1)
    second = await orders.get(db, 2)
    assert first is not None and first.state is State.UNKNOWN
    assert second is not None and second.state is State.ACTIVE
    rows = await outbox.due(db, 10)
    assert sorted((row.chat_id, row.message) for row in rows) == [
        (USER, "order-unknown"),
        (ADMIN_ID, "admin-order-unknown"),
    ]
    assert (await audit(db)).ok  # charged, not refunded: an admin decides


async def test_a_second_process_leaves_a_live_process_order_alone(
    db: Database, shop_config: ShopConfig
) -> None:
    await add_user(db)
    order = await add_order(db, upstream_id=None, state=State.SUBMITTING)  # held by "test"
    await kv.take_lease(db, kv.PROCESS_LEASE + "test", "test", 30)
    assert await recover_interrupted(db, shop_config) == []
    async with db.transaction() as conn:  # the holder was killed: its lease runs out
        await conn.execute("UPDATE leases SET expires_at = ?", (now() - 1,))
    assert await recover_interrupted(db, shop_config) == [order.id]


async def test_an_order_stuck_in_a_live_process_reaches_review_after_the_deadline(
    db: Database, shop_config: ShopConfig
) -> None:
    """A write that failed after a successful `add` must not wait for a restart."""
    await add_user(db)
    order = await add_order(db, upstream_id=None, state=State.SUBMITTING)
    await kv.take_lease(db, kv.PROCESS_LEASE + "test", "test", 30)
    async with db.transaction() as conn:
        await conn.execute("UPDATE orders SET created_at = ?", (now() - SUBMIT_DEADLINE - 1,))
    assert await recover_interrupted(db, shop_config) == [order.id]


class HeldAdd(httpx.AsyncBaseTransport):
    """The sandbox panel, but an `add` waits until the test lets its answer through."""

    def __init__(self, sandbox: SandboxPanel) -> None:
        self.inner = sandbox.transport()
        self.reached = asyncio.Event()
        self.release = asyncio.Event()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if b"action=add" in request.content:
            self.reached.set()
            await self.release.wait()
        return await self.inner.handle_async_request(request)


@pytest.fixture
async def held() -> AsyncIterator[tuple[HeldAdd, PanelClient]]:
    transport = HeldAdd(SandboxPanel(key="test-key"))
    async with httpx.AsyncClient(transport=transport) as http:
        yield transport, PanelClient(http, "https://panel.test/api/v2", SecretStr("test-key"))


async def _place_in_background(
    db: Database, panel: PanelClient, config: ShopConfig
) -> asyncio.Task[Result]:
    service = await services.get(db, 101)
    assert service is not None
    answers = {"link": "https://instagram.com/p/abc", "quantity": "1000"}
    offer = await make_offer(db, config, service, answers, "token-late")
    return asyncio.create_task(
        place_order(db, Panels.single(panel), config, user_id=USER, offer=offer)
    )


@pytest.mark.usefixtures("catalog")
async def test_a_late_add_answer_never_overwrites_an_order_an_admin_refunded(
    db: Database, shop_config: ShopConfig, held: tuple[HeldAdd, PanelClient]
) -> None:
    transport, panel = held
    await add_user(db, balance=10_000)
    placing = await _place_in_background(db, panel, shop_config)
    await transport.reached.wait()
    # This process's lease is gone (it hangs, or another process thinks it died): recovery and
    # an admin settle the order while its `add` is still on the wire.
    assert await recover_interrupted(db, shop_config) == [1]
    assert await admin.refund_unknown(db, 1) is admin.Settled.DONE
    transport.release.set()
    result = await placing

    assert result.outcome is Outcome.UNKNOWN
    order = await orders.get(db, 1)
    assert order is not None and order.state is State.FAILED and order.upstream_id is None
    assert [(e.kind, e.amount) for e in await ledger.recent(db, USER)] == [
        ("refund", 135),
        ("order", -135),
        ("topup", 10_000),
    ]
    alerts = [row.message for row in await outbox.due(db, 20) if row.chat_id == ADMIN_ID]
    assert "admin-order-late-answer" in alerts
    assert (await audit(db)).ok


@pytest.mark.usefixtures("catalog")
async def test_an_order_in_flight_of_a_live_process_is_placed_not_recovered(
    db: Database, shop_config: ShopConfig, held: tuple[HeldAdd, PanelClient]
) -> None:
    transport, panel = held
    await add_user(db, balance=10_000)
    await heartbeat(db, shop_config.instance)
    placing = await _place_in_background(db, panel, shop_config)
    await transport.reached.wait()
    assert await recover_interrupted(db, shop_config) == []  # a second process starting up
    transport.release.set()
    assert (await placing).outcome is Outcome.PLACED
    order = await orders.get(db, 1)
    assert order is not None and order.state is State.ACTIVE and order.upstream_id is not None


@pytest.mark.usefixtures("catalog")
async def test_a_write_that_fails_after_the_panel_took_the_order_reaches_review_at_once(
    db: Database, shop_config: ShopConfig, panel: PanelClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The upstream id is never lost: the order goes to /review with it, no restart needed."""
    await add_user(db, balance=10_000)
    real = orders.transition

    async def failing(*args: object, **values: object) -> bool:
        if values.get("state") is State.ACTIVE:
            raise sqlite3.OperationalError("disk I/O error")
        return await real(*args, **values)

    monkeypatch.setattr(orders, "transition", failing)
    service = await services.get(db, 101)
    assert service is not None
    answers = {"link": "https://instagram.com/p/abc", "quantity": "1000"}
    offer = await make_offer(db, shop_config, service, answers, "token-io")
    result = await place_order(db, Panels.single(panel), shop_config, user_id=USER, offer=offer)

    assert result.outcome is Outcome.UNKNOWN
    order = await orders.get(db, 1)
    assert order is not None and order.state is State.UNKNOWN
    assert "placed upstream as" in order.error
    alerts = [row.message for row in await outbox.due(db, 20) if row.chat_id == ADMIN_ID]
    assert alerts == ["admin-order-unknown"]


@pytest.mark.usefixtures("catalog")
async def test_a_crash_after_the_move_to_a_backup_leaves_an_order_an_admin_finds_there(
    db: Database, shop_config: ShopConfig, panel: PanelClient, sandbox: SandboxPanel
) -> None:
    """main refused for want of funds; the process dies while the backup's `add` is on its way:
    the order waits for an admin as `unknown`, pointed at the backup's panel, never refunded."""
    second = SandboxPanel(key="test-key", catalog="second")
    transport = HeldAdd(second)
    async with httpx.AsyncClient(transport=transport) as http:
        other = PanelClient(http, "https://second.test/api/v2", SecretStr("test-key"))
        await sync_catalog(db, other, "second")
        backup = await services.by_upstream(db, "second", 2001)
        assert backup is not None
        await services.set_backup(db, 101, backup.id)
        await add_user(db, balance=10_000)
        sandbox.fail_next("add", httpx.Response(200, json={"error": "Not enough funds"}))
        service = await services.get(db, 101)
        assert service is not None
        answers = {"link": "https://instagram.com/p/abc", "quantity": "1000"}
        offer = await make_offer(db, shop_config, service, answers, "token-crash")
        placing = asyncio.create_task(
            place_order(
                db,
                Panels({"main": panel, "second": other}),
                shop_config,
                user_id=USER,
                offer=offer,
            )
        )
        await transport.reached.wait()
        placing.cancel()  # the process is killed mid-`add`
        with pytest.raises(asyncio.CancelledError):
            await placing
    assert await recover_interrupted(db, shop_config) == [1]  # no live process holds it
    order = await orders.get(db, 1)
    assert order is not None
    assert (order.state, order.panel, order.backup_of) == (State.UNKNOWN, "second", 101)
    assert order.fields["service"] == "2001" and "main:101 refused (funds)" in order.error
    charged = [entry.amount for entry in await ledger.recent(db, USER) if entry.amount < 0]
    assert charged == [-order.charge] and (await audit(db)).ok  # charged, not refunded
    assert [form for form in second.requests if form.get("action") == "add"] == []
