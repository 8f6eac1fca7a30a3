"""An admin settles what the panel's answers left open: attach, refund, complete, resume."""

from __future__ import annotations

from bot.shop import admin
from bot.shop.admin import Settled, Verdict
from bot.shop.audit import audit
from bot.shop.config import ShopConfig
from storage import ledger, orders, outbox
from storage.db import Database
from storage.orders import State
from tests.unit.tracking_fixtures import USER, add_order, add_user


async def _kinds(db: Database) -> list[tuple[str, int]]:
    return [(entry.kind, entry.amount) for entry in reversed(await ledger.recent(db, USER, 20))]


async def _messages(db: Database) -> list[str]:
    return [row.message for row in await outbox.due(db, 50) if row.chat_id == USER]


async def test_a_refunded_unknown_order_found_upstream_is_charged_again(db: Database) -> None:
    await add_user(db, balance=5000)
    order = await add_order(db, upstream_id=None, state=State.UNKNOWN, charge=1000)
    assert await admin.refund_unknown(db, order.id) is Settled.DONE
    attached = await admin.attach_upstream(db, order.id, 4242)

    assert (attached.outcome, attached.charged) == (Settled.DONE, 1000)
    after = await orders.get(db, order.id)
    assert after is not None
    assert (after.state, after.upstream_id, after.round) == (State.ACTIVE, 4242, 2)
    assert await _kinds(db) == [
        ("topup", 5000),
        ("order", -1000),
        ("refund", 1000),
        ("order", -1000),
    ]
    assert await _messages(db) == ["notice-order-refunded", "notice-order-recharged"]
    assert (await audit(db)).ok


async def test_attaching_a_refunded_order_the_balance_no_longer_covers_moves_nothing(
    db: Database,
) -> None:
    await add_user(db, balance=1000)
    order = await add_order(db, upstream_id=None, state=State.UNKNOWN, charge=1000)
    await admin.refund_unknown(db, order.id)
    async with db.transaction() as conn:  # the customer spent the refund on something else
        await ledger.post(conn, user_id=USER, amount=-700, key="spent", kind="order")
    attached = await admin.attach_upstream(db, order.id, 4242)

    assert (attached.outcome, attached.charged, attached.balance) == (Settled.SHORTFALL, 1000, 300)
    after = await orders.get(db, order.id)
    assert after is not None and after.state is State.FAILED and after.upstream_id is None
    assert (await audit(db)).ok


async def test_a_refunded_order_then_canceled_upstream_is_refunded_again_in_its_new_round(
    db: Database, shop_config: ShopConfig
) -> None:
    """Round 2 has its own keys: the second refund is not swallowed by the first one's key."""
    await add_user(db, balance=5000)
    order = await add_order(db, upstream_id=None, state=State.UNKNOWN, charge=1000)
    await admin.refund_unknown(db, order.id)
    await admin.attach_upstream(db, order.id, 4242)
    assert await admin.settle(db, shop_config, order.id, Verdict.REFUNDED) is Settled.DONE
    assert await _kinds(db) == [
        ("topup", 5000), ("order", -1000), ("refund", 1000), ("order", -1000), ("refund", 1000),
    ]  # fmt: skip
    assert (await audit(db)).ok


async def test_an_order_in_review_is_settled_partly_once_whoever_presses_twice(
    db: Database, shop_config: ShopConfig
) -> None:
    await add_user(db, balance=5000)
    order = await add_order(db, upstream_id=77, state=State.REVIEW, charge=1000)
    assert await admin.settle(db, shop_config, order.id, Verdict.PARTIAL, 1001) is Settled.TOO_MUCH
    assert await admin.settle(db, shop_config, order.id, Verdict.PARTIAL, 250) is Settled.DONE
    assert await admin.settle(db, shop_config, order.id, Verdict.PARTIAL, 250) is Settled.NOT_OPEN
    assert await admin.settle(db, shop_config, order.id, Verdict.REFUNDED) is Settled.NOT_OPEN

    after = await orders.get(db, order.id)
    assert after is not None and (after.state, after.settled_refund) == (State.PARTIAL, 250)
    assert await _kinds(db) == [("topup", 5000), ("order", -1000), ("refund", 250)]
    assert await _messages(db) == ["push-partial"]
    assert (await audit(db)).ok


async def test_an_active_order_stuck_upstream_can_be_completed_or_resumed(
    db: Database, shop_config: ShopConfig
) -> None:
    await add_user(db, balance=5000)
    stuck = await add_order(db, upstream_id=77, state=State.ACTIVE)
    in_review = await add_order(db, upstream_id=78, state=State.REVIEW)
    async with db.transaction() as conn:
        await conn.execute("UPDATE orders SET odd_polls = 5 WHERE id = ?", (in_review.id,))
    assert await admin.settle(db, shop_config, stuck.id, Verdict.COMPLETED) is Settled.DONE
    assert await admin.settle(db, shop_config, in_review.id, Verdict.RESUME) is Settled.DONE

    done = await orders.get(db, stuck.id)
    resumed = await orders.get(db, in_review.id)
    assert done is not None and done.state is State.COMPLETED
    assert resumed is not None and (resumed.state, resumed.odd_polls) == (State.ACTIVE, 0)
    assert await _messages(db) == ["push-completed"]
    assert (await audit(db)).ok


async def test_final_and_unknown_orders_take_no_verdict(
    db: Database, shop_config: ShopConfig
) -> None:
    await add_user(db, balance=5000)
    final = await add_order(db, upstream_id=77, state=State.COMPLETED)
    unknown = await add_order(db, upstream_id=None, state=State.UNKNOWN)
    for order in (final, unknown):
        assert await admin.settle(db, shop_config, order.id, Verdict.REFUNDED) is Settled.NOT_OPEN
    assert await _kinds(db) == [("topup", 5000), ("order", -1000), ("order", -1000)]
