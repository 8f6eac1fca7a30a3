"""Order tracking: the status poll, refunds exactly once, pushes, refill/cancel, jobs around it."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Awaitable, Callable
from decimal import Decimal
from pathlib import Path

import httpx
import pytest

from bot.i18n import Translator
from bot.jobs.catalog import sync_catalog
from bot.jobs.poller import poll_once
from bot.jobs.refills import poll_refills_once
from bot.jobs.scheduler import build_scheduler, leased
from bot.jobs.sender import Sender
from bot.panel.client import PanelClient
from bot.panel.panels import Panels
from bot.panel.sandbox import CATALOG, SandboxPanel
from bot.shop import tracking
from bot.shop.audit import audit
from bot.shop.checkout import Outcome, make_offer, place_order
from bot.shop.config import ShopConfig
from bot.shop.tracking import (
    ODD_POLLS_MAX,
    ActionOutcome,
    ActionResult,
    apply_status,
    charge_differs,
)
from storage import kv, orders, outbox, services
from storage.db import Database
from storage.orders import State
from tests.conftest import ADMIN_ID, FakeClock
from tests.fakes.telegram import FakeSession, make_bot
from tests.unit.tracking_fixtures import (
    USER,
    ScriptedPanel,
    add_order,
    add_orders,
    add_user,
    fresh,
    make_service,
    queued,
    refund_rows,
    status,
)


async def assert_audit_ok(db: Database) -> None:
    report = await audit(db)
    assert report.ok, report.problems


# -- the status poll against what real panels send ----------------------------------------------


async def test_poll_applies_every_quirk_of_a_multi_status_answer(
    db: Database, client: PanelClient, scripted: ScriptedPanel, shop_config: ShopConfig, user: int
) -> None:
    refused = await add_order(db, upstream_id=1)
    bare = await add_order(db, upstream_id=2)
    canceled = await add_order(db, upstream_id=3, charge=1234)
    completed = await add_order(db, upstream_id=4)
    partial = await add_order(db, upstream_id=5, charge=999, quantity=7)
    refunded = await add_order(db, upstream_id=6, charge=555)
    odd = await add_order(db, upstream_id=7)
    missing = await add_order(db, upstream_id=8)
    running = await add_order(db, upstream_id=9)
    scripted.statuses = {
        1: {"error": "Incorrect order ID"},
        2: "Incorrect order ID",
        3: {"charge": "0", "start_count": "10", "status": "Cancelled", "remains": "1000"},
        4: {"charge": "0.90", "start_count": "", "status": "completed", "remains": "-5"},
        5: {"charge": 0.5, "start_count": 12, "status": " Partial ", "remains": "3"},
        6: {"status": "Refunded", "remains": "0", "currency": "USD"},
        7: {"charge": "0.9", "status": "Awaiting moderation", "remains": "1000"},
        9: {"charge": "0.90000", "start_count": "3572", "status": "In progress", "remains": "10"},
    }

    stats = await poll_once(db, Panels.single(client), shop_config)

    assert (stats.requests, stats.errors, stats.checked) == (1, 0, 9)
    assert stats.changed == 5  # four terminal orders and one that started
    assert (await fresh(db, canceled)).state is State.CANCELED
    assert await refund_rows(db, canceled.id) == [1234]
    done = await fresh(db, completed)
    assert (done.state, done.remains, done.start_count) == (State.COMPLETED, -5, None)
    assert await refund_rows(db, completed.id) == []
    assert (await fresh(db, partial)).state is State.PARTIAL
    assert await refund_rows(db, partial.id) == [444]  # the panel kept 0.5 of 0.9: 999 x 4/9
    assert await refund_rows(db, refunded.id) == [555]
    for still in (refused, bare, odd, missing, running):
        order = await fresh(db, still)
        assert order.state is State.ACTIVE
        assert order.checked_at > 0  # stamped, so it goes to the back of the queue
    assert (await fresh(db, odd)).status == "awaiting moderation"
    started = await fresh(db, running)
    assert (started.status, started.remains, started.start_count) == ("in progress", 10, 3572)
    assert [(chat, message, key) for chat, message, key, _ in await queued(db)] == [
        (USER, "push-canceled", f"status:{canceled.id}:canceled"),
        (USER, "push-completed", f"status:{completed.id}:completed"),
        (USER, "push-partial", f"status:{partial.id}:partial"),
        (USER, "push-refunded", f"status:{refunded.id}:refunded"),
        (USER, "push-in-progress", f"status:{running.id}:in-progress"),
    ]  # the charges matched the expected cost: no admin alert
    pushes = {key: args for _, _, key, args in await queued(db)}
    assert pushes[f"status:{partial.id}:partial"] == {
        "order": str(partial.id), "service": "Instagram Followers", "refund": 444,
    }  # fmt: skip
    await assert_audit_ok(db)


async def test_partial_refund_clamps_remains_to_the_quantity(
    db: Database, shop_config: ShopConfig, user: int
) -> None:
    over = await add_order(db, upstream_id=1, charge=1000, quantity=100)
    under = await add_order(db, upstream_id=2, charge=1000, quantity=100)
    rounded = await add_order(db, upstream_id=3, charge=1001, quantity=3)
    await apply_status(db, shop_config, over.id, status("Partial", remains=250))
    await apply_status(db, shop_config, under.id, status("Partial", remains=-20))
    await apply_status(db, shop_config, rounded.id, status("Partial", remains=1))
    assert await refund_rows(db, over.id) == [1000]
    assert await refund_rows(db, under.id) == []  # delivered in full after all: nothing owed
    assert await refund_rows(db, rounded.id) == [333]  # refunds round down
    await assert_audit_ok(db)


async def test_a_second_poll_and_a_replayed_status_refund_and_push_once(
    db: Database, client: PanelClient, scripted: ScriptedPanel, shop_config: ShopConfig, user: int
) -> None:
    order = await add_order(db, upstream_id=3, charge=800)
    scripted.statuses = {3: {"charge": "0", "status": "Canceled", "remains": "1000"}}
    await poll_once(db, Panels.single(client), shop_config)
    second = await poll_once(db, Panels.single(client), shop_config)
    assert second.requests == 0  # a canceled order is no longer due
    await apply_status(db, shop_config, order.id, status("Canceled", remains=1000))
    await asyncio.gather(
        *(apply_status(db, shop_config, order.id, status("Canceled")) for _ in range(5))
    )
    assert await refund_rows(db, order.id) == [800]
    assert [message for _, message, _, _ in await queued(db)] == ["push-canceled"]
    await assert_audit_ok(db)


async def test_concurrent_terminal_statuses_refund_once(
    db: Database, shop_config: ShopConfig, user: int
) -> None:
    """Two polls racing (say a slow one and the next): the transaction re-reads the order."""
    order = await add_order(db, upstream_id=3, charge=800, quantity=10)
    await asyncio.gather(
        apply_status(db, shop_config, order.id, status("Partial", remains=5)),
        apply_status(db, shop_config, order.id, status("Canceled")),
    )
    final = await fresh(db, order)
    refunds = await refund_rows(db, order.id)
    assert refunds == ([400] if final.state is State.PARTIAL else [800])
    assert len(await queued(db)) == 1
    await assert_audit_ok(db)


async def test_the_user_hears_about_a_start_once_and_never_about_pending(
    db: Database, shop_config: ShopConfig, user: int
) -> None:
    order = await add_order(db, upstream_id=3)
    assert not await apply_status(db, shop_config, order.id, status("Pending"))
    assert await apply_status(db, shop_config, order.id, status("In progress"))
    assert not await apply_status(db, shop_config, order.id, status("In progress"))
    await apply_status(db, shop_config, order.id, status("Pending"))  # panels do go back
    await apply_status(db, shop_config, order.id, status("inprogress"))
    assert [message for _, message, _, _ in await queued(db)] == ["push-in-progress"]


async def test_unknown_status_stays_active_without_push_and_is_logged_once(
    db: Database,
    client: PanelClient,
    scripted: ScriptedPanel,
    shop_config: ShopConfig,
    user: int,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(tracking, "_unknown_seen", set())  # as in a new process: no order seen
    order = await add_order(db, upstream_id=42)
    scripted.statuses = {42: {"status": "Stuck in limbo", "remains": "5"}}
    with caplog.at_level(logging.WARNING, logger="bot.shop.tracking"):
        for _ in range(3):
            await poll_once(db, Panels.single(client), shop_config)
    assert (await fresh(db, order)).state is State.ACTIVE
    assert await queued(db) == []
    assert sum("Stuck in limbo" in record.getMessage() for record in caplog.records) == 1


async def test_an_order_the_panel_keeps_refusing_goes_to_review_with_one_alert(
    db: Database, client: PanelClient, scripted: ScriptedPanel, shop_config: ShopConfig, user: int
) -> None:
    """Was: `Incorrect order ID` (a mistyped id attached in /review) was logged at info for ever."""
    mistyped = await add_order(db, upstream_id=404)
    left_out = await add_order(db, upstream_id=405)
    flaky = await add_order(db, upstream_id=406)
    refused = {"error": "Incorrect order ID"}
    scripted.statuses = {404: refused, 406: refused}
    for _ in range(ODD_POLLS_MAX - 2):
        await poll_once(db, Panels.single(client), shop_config)
    scripted.statuses[406] = {"status": "In progress", "remains": "10"}  # back after a hiccup
    await poll_once(db, Panels.single(client), shop_config)
    assert [order.odd_polls for order in await orders.due_for_poll(db, 10)] == [
        ODD_POLLS_MAX - 1, ODD_POLLS_MAX - 1, 0,
    ]  # fmt: skip
    scripted.statuses[406] = refused
    stats = await poll_once(db, Panels.single(client), shop_config)
    assert stats.changed == 2
    for order in (mistyped, left_out):
        found = await fresh(db, order)
        assert (found.state, found.odd_polls) == (State.REVIEW, ODD_POLLS_MAX)
    flaky_now = await fresh(db, flaky)
    assert (flaky_now.state, flaky_now.odd_polls) == (State.ACTIVE, 1)  # counting afresh
    alerts = [
        (message, args) for _, message, _, args in await queued(db) if message != "push-in-progress"
    ]
    common = {"user": str(USER), "polls": ODD_POLLS_MAX}
    assert alerts == [
        ("admin-review-refused", {"order": str(mistyped.id), "upstream": "404",
                                  "answer": "Incorrect order ID"} | common),
        ("admin-review-left-out", {"order": str(left_out.id), "upstream": "405"} | common),
    ]  # fmt: skip
    for _ in range(3):
        await poll_once(db, Panels.single(client), shop_config)
    assert {404, 405} & set(scripted.status_requests[-1]) == set()  # a person has them now
    assert len(await queued(db)) == 3  # and was told once
    await assert_audit_ok(db)


async def test_a_one_order_batch_refused_as_a_whole_counts_against_the_order(
    db: Database, client: PanelClient, scripted: ScriptedPanel, shop_config: ShopConfig, user: int
) -> None:
    order = await add_order(db, upstream_id=404)
    scripted.refusal = "Incorrect order ID"  # {"error": ...} as the whole answer
    for _ in range(ODD_POLLS_MAX):
        stats = await poll_once(db, Panels.single(client), shop_config)
        assert (stats.errors, stats.checked) == (0, 1)
    assert (await fresh(db, order)).state is State.REVIEW
    assert [row[1] for row in await queued(db)] == ["admin-review-refused"]


async def test_an_unknown_status_that_lasts_is_alerted_and_reviewed(
    db: Database, client: PanelClient, scripted: ScriptedPanel, shop_config: ShopConfig, user: int
) -> None:
    order = await add_order(db, upstream_id=42)
    scripted.statuses = {42: {"status": "Stuck in limbo", "remains": "5"}}
    for _ in range(ODD_POLLS_MAX - 1):
        await poll_once(db, Panels.single(client), shop_config)
    assert ((await fresh(db, order)).state, await queued(db)) == (State.ACTIVE, [])
    await poll_once(db, Panels.single(client), shop_config)
    assert (await fresh(db, order)).state is State.REVIEW
    assert [(row[1], row[3]["status"]) for row in await queued(db)] == [
        ("admin-review-status", "Stuck in limbo")
    ]
    assert await refund_rows(db, order.id) == []
    await assert_audit_ok(db)


async def test_polls_in_batches_of_at_most_100_ids(
    db: Database, client: PanelClient, scripted: ScriptedPanel, shop_config: ShopConfig, user: int
) -> None:
    await add_orders(db, range(1, 151))
    scripted.statuses = {i: {"status": "In progress", "remains": "100"} for i in range(1, 151)}
    await add_order(db, upstream_id=None, state=State.UNKNOWN)  # never polled
    stats = await poll_once(db, Panels.single(client), shop_config)
    assert [len(ids) for ids in scripted.status_requests] == [100, 50]
    assert sorted(i for ids in scripted.status_requests for i in ids) == list(range(1, 151))
    assert (stats.requests, stats.checked, stats.changed) == (2, 150, 150)


async def test_at_most_concurrency_requests_in_flight(
    db: Database, client: PanelClient, scripted: ScriptedPanel, shop_config: ShopConfig, user: int
) -> None:
    await add_orders(db, range(1, 1001))
    stats = await poll_once(db, Panels.single(client), shop_config, batch=100, concurrency=3)
    assert stats.requests == 10
    assert scripted.max_in_flight == 3


async def test_a_failed_batch_does_not_stop_the_others(
    db: Database, client: PanelClient, scripted: ScriptedPanel, shop_config: ShopConfig, user: int
) -> None:
    await add_orders(db, range(1, 251))
    scripted.statuses = {i: {"status": "Completed", "remains": "0"} for i in range(1, 251)}
    scripted.broken = {150}  # the second batch (ids 101-200) never reaches the panel
    stats = await poll_once(db, Panels.single(client), shop_config)
    assert (stats.requests, stats.errors, stats.checked) == (3, 1, 150)
    states = await orders.counts_by_state(db)
    assert states == {"completed": 150, "active": 100}
    left = await orders.due_for_poll(db, 1000)
    assert {order.upstream_id for order in left} == set(range(101, 201))
    assert all(order.checked_at == 0 for order in left)  # first in line next cycle
    await assert_audit_ok(db)


async def test_a_refused_key_stops_the_cycle_early(
    db: Database, client: PanelClient, scripted: ScriptedPanel, shop_config: ShopConfig, user: int
) -> None:
    await add_orders(db, range(1, 1001))
    scripted.refusal = "Incorrect request key"
    stats = await poll_once(db, Panels.single(client), shop_config, concurrency=2)
    assert stats.requests == stats.errors <= 2  # not ten requests all refused the same way
    assert await orders.counts_by_state(db) == {"active": 1000}


async def test_an_unchanged_status_only_stamps_the_check(
    db: Database,
    client: PanelClient,
    scripted: ScriptedPanel,
    shop_config: ShopConfig,
    user: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    order = await add_order(db, upstream_id=3)
    scripted.statuses = {3: {"charge": "0.9", "status": "In progress", "remains": "40"}}
    monkeypatch.setattr("storage.orders.now", lambda: 5_000)
    monkeypatch.setattr("bot.shop.tracking.now", lambda: 5_000)
    first = await poll_once(db, Panels.single(client), shop_config)
    monkeypatch.setattr("storage.orders.now", lambda: 6_000)
    monkeypatch.setattr("bot.shop.tracking.now", lambda: 6_000)
    second = await poll_once(db, Panels.single(client), shop_config)
    assert (first.changed, second.changed) == (1, 0)
    polled = await fresh(db, order)
    assert (polled.checked_at, polled.updated_at) == (6_000, 5_000)
    assert (polled.status, polled.remains) == ("in progress", 40)


# -- the charge the panel reports -----------------------------------------------------------------


async def test_charge_mismatch_alerts_admins_once(
    db: Database, client: PanelClient, scripted: ScriptedPanel, shop_config: ShopConfig, user: int
) -> None:
    order = await add_order(db, upstream_id=9, cost=90_000)  # 0.90000 expected
    scripted.statuses = {9: {"charge": "1.35", "status": "Pending", "remains": "1000"}}
    await poll_once(db, Panels.single(client), shop_config)
    scripted.statuses = {9: {"charge": "2.00", "status": "In progress", "remains": "10"}}
    await poll_once(db, Panels.single(client), shop_config)
    alerts = [row for row in await queued(db) if row[1] == "admin-charge-mismatch"]
    assert alerts == [
        (
            ADMIN_ID, "admin-charge-mismatch", f"mismatch:{order.id}:{ADMIN_ID}",
            {"order": str(order.id), "expected": "0.9", "charged": "1.35", "currency": "USD"},
        )
    ]  # fmt: skip
    assert (await fresh(db, order)).upstream_charge == "2.00"


async def test_a_terminal_charge_is_never_compared(
    db: Database, shop_config: ShopConfig, user: int
) -> None:
    order = await add_order(db, upstream_id=9, cost=90_000, quantity=100)
    await apply_status(db, shop_config, order.id, status("Partial", charge="0.45", remains=50))
    assert [row[1] for row in await queued(db)] == ["push-partial"]
    assert await refund_rows(db, order.id) == [500]
    await assert_audit_ok(db)


def test_charge_comparison_allows_for_the_precision_a_panel_sends() -> None:
    assert not charge_differs(Decimal("0.27819"), Decimal("0.27819"))
    assert not charge_differs(Decimal("0.9"), Decimal("0.90000"))
    assert not charge_differs(Decimal("0.27819"), Decimal("0.28"))  # sent with cents only
    assert not charge_differs(Decimal("0.00013"), Decimal("0.00012"))  # our cost rounds up
    assert charge_differs(Decimal("0.27819"), Decimal("0.30"))
    assert charge_differs(Decimal("0.9"), Decimal("1"))
    assert charge_differs(Decimal("0.27819"), Decimal("0.27900"))


# -- refill and cancel ----------------------------------------------------------------------------


def test_can_refill_and_can_cancel() -> None:
    service = make_service()
    base = dataclasses.replace(_blank_order(), upstream_id=5)
    for state in State:
        order = dataclasses.replace(base, state=state)
        assert tracking.can_refill(order, service) is (state in {State.COMPLETED, State.PARTIAL})
        assert tracking.can_cancel(order, service) is (state is State.ACTIVE)
    completed = dataclasses.replace(base, state=State.COMPLETED)
    active = dataclasses.replace(base, state=State.ACTIVE)
    assert not tracking.can_refill(completed, make_service(refill=False))
    assert not tracking.can_refill(completed, None)  # the service left the catalog
    assert not tracking.can_cancel(active, make_service(cancel=False))
    assert not tracking.can_cancel(active, None)
    assert not tracking.can_cancel(dataclasses.replace(active, cancel_requested=True), service)


def _blank_order() -> orders.Order:
    return orders.Order(
        id=1, user_id=USER, service_id=101, service_name="s", service_type="Default", link="",
        quantity=100, fields={}, charge=100, cost=1, state=State.ACTIVE, upstream_id=None,
        status="", upstream_charge=None, remains=None, start_count=None, error="",
        cancel_requested=False, created_at=0, updated_at=0, checked_at=0,
    )  # fmt: skip


async def _buy(
    db: Database, panel: PanelClient, config: ShopConfig, service_id: int
) -> orders.Order:
    service = await services.get(db, service_id)
    assert service is not None
    offer = await make_offer(
        db, config, service, {"link": "https://instagram.com/p/abc", "quantity": "1000"},
        f"confirm-{service_id}-{await db.scalar('SELECT COUNT(*) FROM orders')}",
    )  # fmt: skip
    result = await place_order(db, Panels.single(panel), config, user_id=USER, offer=offer)
    assert result.outcome is Outcome.PLACED
    assert result.order_id is not None
    order = await orders.get(db, result.order_id)
    assert order is not None
    return order


@pytest.mark.usefixtures("catalog", "user")
async def test_cancel_refunds_only_once_the_poll_sees_canceled(
    db: Database, panel: PanelClient, shop_config: ShopConfig, clock: FakeClock
) -> None:
    order = await _buy(db, panel, shop_config, 101)
    service = await services.get(db, 101)
    assert await tracking.request_cancel(db, Panels.single(panel), order, service) == ActionResult(
        ActionOutcome.REQUESTED
    )
    requested = await fresh(db, order)
    assert requested.cancel_requested
    assert await refund_rows(db, order.id) == []
    assert not tracking.can_cancel(requested, service)  # no second request from a double tap
    again = await tracking.request_cancel(db, Panels.single(panel), requested, service)
    assert again.outcome is ActionOutcome.NOT_ALLOWED
    await poll_once(db, Panels.single(panel), shop_config)  # the panel still says Pending
    assert (await fresh(db, order)).state is State.ACTIVE
    assert await refund_rows(db, order.id) == []
    await assert_audit_ok(db)

    clock.advance(11)
    await poll_once(db, Panels.single(panel), shop_config)
    assert (await fresh(db, order)).state is State.CANCELED
    assert await refund_rows(db, order.id) == [order.charge]
    assert [row[1] for row in await queued(db)] == ["push-canceled"]
    await assert_audit_ok(db)


@pytest.mark.usefixtures("catalog", "user")
async def test_cancel_refusals_and_failures(
    db: Database, panel: PanelClient, sandbox: SandboxPanel, shop_config: ShopConfig,
    clock: FakeClock,
) -> None:  # fmt: skip
    order = await _buy(db, panel, shop_config, 101)
    service = await services.get(db, 101)
    sandbox.fail_next("cancel", httpx.ConnectError("refused"))
    assert await tracking.request_cancel(db, Panels.single(panel), order, service) == ActionResult(
        ActionOutcome.ERROR, "unreachable"
    )
    sandbox.fail_next("cancel", httpx.Response(502, text="Bad gateway"))
    assert await tracking.request_cancel(db, Panels.single(panel), order, service) == ActionResult(
        ActionOutcome.ERROR, "unknown"
    )
    clock.advance(500)  # delivered upstream; our poll has not seen it yet
    refused = await tracking.request_cancel(db, Panels.single(panel), order, service)
    assert refused == ActionResult(ActionOutcome.REFUSED, "other")
    assert not (await fresh(db, order)).cancel_requested
    no_cancel = await _buy(db, panel, shop_config, 141)  # a service without cancel
    result = await tracking.request_cancel(
        db, Panels.single(panel), no_cancel, await services.get(db, 141)
    )
    assert result.outcome is ActionOutcome.NOT_ALLOWED
    assert [r["action"] for r in sandbox.requests].count("cancel") == 3
    assert await refund_rows(db, order.id) == []
    await assert_audit_ok(db)


async def test_cancel_answered_zero_or_left_out(
    db: Database, client: PanelClient, scripted: ScriptedPanel, user: int
) -> None:
    order = await add_order(db, upstream_id=12)
    service = make_service()
    scripted.cancel_answer = 0
    assert (await tracking.request_cancel(db, Panels.single(client), order, service)).outcome is (
        ActionOutcome.REFUSED
    )
    scripted.cancel_answer = {"error": "Incorrect order ID"}
    assert await tracking.request_cancel(db, Panels.single(client), order, service) == ActionResult(
        ActionOutcome.REFUSED, "order_id"
    )
    assert not (await fresh(db, order)).cancel_requested


@pytest.mark.usefixtures("catalog", "user")
async def test_refill_after_completion(
    db: Database, panel: PanelClient, sandbox: SandboxPanel, shop_config: ShopConfig,
    clock: FakeClock,
) -> None:  # fmt: skip
    order = await _buy(db, panel, shop_config, 101)
    service = await services.get(db, 101)
    early = await tracking.request_refill(db, Panels.single(panel), order, service)
    assert early.outcome is ActionOutcome.NOT_ALLOWED  # still active
    clock.advance(200)
    await poll_once(db, Panels.single(panel), shop_config)
    completed = await fresh(db, order)
    assert completed.state is State.COMPLETED
    sandbox.fail_next("refill", httpx.Response(200, json={"error": "Refill is disabled"}))
    refused = await tracking.request_refill(db, Panels.single(panel), completed, service)
    assert refused == ActionResult(ActionOutcome.REFUSED, "other")
    sandbox.fail_next("refill", httpx.ReadTimeout("slow"))
    assert await tracking.request_refill(
        db, Panels.single(panel), completed, service
    ) == ActionResult(ActionOutcome.ERROR, "unknown")
    assert await orders.refills_of(db, order.id) == []
    ok = await tracking.request_refill(db, Panels.single(panel), completed, service)
    assert ok == ActionResult(ActionOutcome.REQUESTED)
    [refill] = await orders.refills_of(db, order.id)
    assert (refill.upstream_id, refill.final) == ("7001", False)

    clock.advance(200)
    assert await poll_refills_once(db, Panels.single(panel)) == 1
    assert (await orders.refills_of(db, order.id))[0].final
    assert [row[1:3] for row in await queued(db)] == [
        ("push-completed", f"status:{order.id}:completed"),
        ("push-refill-done", f"refill:{refill.id}:completed"),
    ]
    await assert_audit_ok(db)


async def test_refill_poller_finishes_refills_and_pushes_once(
    db: Database, client: PanelClient, scripted: ScriptedPanel, user: int
) -> None:
    order = await add_order(db, upstream_id=3, state=State.COMPLETED)
    async with db.transaction() as conn:
        ids = {name: await orders.add_refill(conn, order.id, name) for name in "12345"}
    scripted.refill_statuses = {
        "1": "Completed",
        "2": "Rejected",
        "3": {"error": "Refill not found"},
        "4": "In progress",
    }  # "5" is left out of the answer
    assert await poll_refills_once(db, Panels.single(client)) == 2
    assert await poll_refills_once(db, Panels.single(client)) == 0
    assert [sorted(ids) for ids in scripted.refill_status_requests] == [
        ["1", "2", "3", "4", "5"],
        ["3", "4", "5"],
    ]
    by_id = {refill.upstream_id: refill for refill in await orders.refills_of(db, order.id)}
    assert (by_id["1"].status, by_id["1"].final) == ("completed", True)
    assert (by_id["2"].status, by_id["2"].final) == ("rejected", True)
    assert (by_id["4"].status, by_id["4"].final) == ("in progress", False)
    assert (by_id["3"].status, by_id["5"].status) == ("pending", "pending")
    assert await queued(db) == [
        (USER, "push-refill-done", f"refill:{ids['1']}:completed",
         {"order": str(order.id), "service": "Instagram Followers", "refill": "1"}),
        (USER, "push-refill-rejected", f"refill:{ids['2']}:rejected",
         {"order": str(order.id), "service": "Instagram Followers", "refill": "2"}),
    ]  # fmt: skip


async def test_refill_poller_asks_in_batches_of_100(
    db: Database, client: PanelClient, scripted: ScriptedPanel, user: int
) -> None:
    order = await add_order(db, upstream_id=3, state=State.COMPLETED)
    async with db.transaction() as conn:
        for number in range(150):
            await orders.add_refill(conn, order.id, str(1000 + number))
    await poll_refills_once(db, Panels.single(client))
    assert [len(ids) for ids in scripted.refill_status_requests] == [100, 50]


# -- a crash between the status change and the send ----------------------------------------------


async def test_a_crash_before_sending_loses_no_push_and_sends_none_twice(
    tmp_path: Path, client: PanelClient, scripted: ScriptedPanel, shop_config: ShopConfig,
    translator: Translator,
) -> None:  # fmt: skip
    path = tmp_path / "crash.sqlite3"
    db = await Database.open(path)
    try:
        await add_user(db)
        order = await add_order(db, upstream_id=3, charge=700)
        scripted.statuses = {3: {"status": "Canceled", "remains": "1000"}}
        await poll_once(db, Panels.single(client), shop_config)
    finally:
        await db.close()  # the process dies here: the sender never ran

    db = await Database.open(path)
    session = FakeSession()
    bot = make_bot(session)
    clock = FakeClock()

    async def sleep(seconds: float) -> None:
        clock.advance(seconds)

    try:
        sender = Sender(bot, db, translator, currency="USD", clock=clock, sleep=sleep)
        first = await sender.send_once()
        again = await Sender(
            bot, db, translator, currency="USD", clock=clock, sleep=sleep
        ).send_once()
        assert (first.sent, again.sent) == (1, 0)
        [sent] = session.sent()
        assert getattr(sent, "chat_id", None) == USER
        assert f"#{order.id}" in str(getattr(sent, "text", ""))
        assert "$7.00" in str(getattr(sent, "text", ""))
        assert await outbox.pending_count(db) == 0
        await assert_audit_ok(db)
    finally:
        await bot.session.close()
        await db.close()


# -- the jobs around it ---------------------------------------------------------------------------


async def test_catalog_sync_keeps_unknown_types_unsold(db: Database, panel: PanelClient) -> None:
    summary = await sync_catalog(db, panel)
    assert (summary.added, summary.total) == (len(CATALOG), len(CATALOG))
    custom = await services.get(db, 154)
    assert custom is not None
    assert (custom.type, custom.raw_type, custom.sellable) == (None, "Custom Data", False)
    followers = await services.get(db, 101)
    assert followers is not None
    assert (followers.type, followers.refill, followers.cancel) == ("Default", True, True)
    assert (await sync_catalog(db, panel)).added == 0


async def test_scheduler_registers_single_instance_jobs(
    db: Database, panel: PanelClient, shop_config: ShopConfig, translator: Translator
) -> None:
    bot = make_bot(FakeSession())
    sender = Sender(bot, db, translator, currency="USD")
    scheduler = build_scheduler(
        db, Panels.single(panel), shop_config, sender, poll_interval=60, catalog_minutes=30
    )
    jobs = {job.id: job for job in scheduler.get_jobs()}
    intervals = {name: job.trigger.interval.total_seconds() for name, job in jobs.items()}
    assert intervals == {
        "status-poll": 60, "refill-poll": 120, "catalog-sync": 1800, "outbox-sender": 1,
        "outbox-purge": 86_400, "drafts-purge": 86_400, "heartbeat": 5, "recover-submitting": 60,
    }  # fmt: skip
    for job in jobs.values():
        assert (job.max_instances, job.coalesce) == (1, True)
        assert job.misfire_grace_time > 0
    assert not scheduler.running
    await bot.session.close()


async def test_only_the_lease_holder_polls(db: Database) -> None:
    runs: list[str] = []

    def job(name: str) -> Callable[[], Awaitable[None]]:
        async def run() -> None:
            runs.append(name)

        return run

    await leased(db, kv.POLLER_LEASE, "first", 60, job("first"))
    await leased(db, kv.POLLER_LEASE, "second", 60, job("second"))
    await leased(db, kv.POLLER_LEASE, "first", 60, job("first"))
    assert runs == ["first", "first"]
    await kv.release_lease(db, kv.POLLER_LEASE, "first")
    await leased(db, kv.POLLER_LEASE, "second", 60, job("second"))
    assert runs == ["first", "first", "second"]
