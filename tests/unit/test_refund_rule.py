"""The refund rule at work: Partial packages, subscriptions' ends, and the audit holding to it."""

from __future__ import annotations

from typing import Any

import pytest

from bot.i18n import Translator
from bot.jobs.sender import Sender
from bot.shop.audit import audit
from bot.shop.config import ShopConfig
from bot.shop.tracking import apply_status
from storage import ledger, orders
from storage.clock import now
from storage.db import Database
from storage.orders import Order, State
from tests.conftest import ADMIN_ID
from tests.fakes.telegram import FakeSession, make_bot
from tests.unit.tracking_fixtures import (
    USER,
    add_order,
    add_user,
    fresh,
    queued,
    refund_rows,
    status,
)

DAY = 86_400
PACKAGE: dict[str, Any] = {
    "service_type": "Package",
    "quantity": 1,
    "charge": 1000,
    "cost": 125_000,
}
# 2 000 likes at most (200 a post x 10 posts) for 1.10 upstream, 11.00 to the customer
SUBSCRIPTION: dict[str, Any] = {
    "service_type": "Subscriptions", "quantity": 2000, "charge": 1100, "cost": 110_000,
    "fields": {"username": "ann", "min": "100", "max": "200", "posts": "10", "delay": "0"},
}  # fmt: skip


async def pushes(db: Database) -> list[tuple[int, str, dict[str, object]]]:
    return [(chat, message, args) for chat, message, _, args in await queued(db)]


# -- defect 6: a Partial on a Package ------------------------------------------------------------


@pytest.mark.usefixtures("user")
async def test_a_package_partial_refunds_the_share_the_panel_refunded(
    db: Database, shop_config: ShopConfig
) -> None:
    """Was: quantity 1 and remains 10 (of the package's 1000 followers) refunded all of it."""
    package = await add_order(db, upstream_id=1, **PACKAGE)
    await apply_status(db, shop_config, package.id, status("Partial", charge="1.20", remains=10))
    assert (await fresh(db, package)).state is State.PARTIAL
    assert await refund_rows(db, package.id) == [40]  # the panel gave back 0.05 of 1.25: 4%
    assert (await pushes(db))[-1] == (
        USER, "push-partial", {"order": str(package.id), "service": package.service_name,
                               "refund": 40},
    )  # fmt: skip
    assert (await audit(db)).ok


@pytest.mark.usefixtures("user")
async def test_the_charge_first_reported_while_running_is_the_measure(
    db: Database, shop_config: ShopConfig
) -> None:
    package = await add_order(db, upstream_id=1, **PACKAGE)
    await apply_status(db, shop_config, package.id, status("Pending", charge="0"))
    await apply_status(db, shop_config, package.id, status("In progress", charge="2.50"))
    await apply_status(db, shop_config, package.id, status("In progress", charge="2.40"))
    assert (await fresh(db, package)).placed_charge == "2.50"  # the first price, not 0 or later
    await apply_status(db, shop_config, package.id, status("Partial", charge="1.25"))
    assert await refund_rows(db, package.id) == [500]  # half of 2.50, not 0% of our 1.25
    assert (await audit(db)).ok


@pytest.mark.usefixtures("user")
async def test_a_package_partial_without_a_charge_waits_for_an_admin(
    db: Database, shop_config: ShopConfig
) -> None:
    package = await add_order(db, upstream_id=1, **PACKAGE)
    await apply_status(db, shop_config, package.id, status("In progress", charge="1.25"))
    assert await apply_status(db, shop_config, package.id, status("Partial", remains=10))
    review = await fresh(db, package)
    assert (review.state, review.status, review.upstream_charge) == (State.REVIEW, "partial", None)
    assert await refund_rows(db, package.id) == []  # no guess
    alerts = [row for row in await pushes(db) if row[1] == "admin-review-refund"]
    assert alerts == [
        (ADMIN_ID, "admin-review-refund", {"order": str(package.id), "user": str(USER),
                                           "upstream": "1", "polls": 0, "status": "Partial"}),
    ]  # fmt: skip
    assert [row[1] for row in await pushes(db)].count("push-partial") == 0
    assert not await apply_status(db, shop_config, package.id, status("Partial", remains=10))
    assert await orders.due_for_poll(db, 10) == []  # a person has it now
    assert (await audit(db)).ok  # open, charged in full


# -- defect 12: subscriptions --------------------------------------------------------------------


@pytest.mark.usefixtures("user")
async def test_a_subscription_runs_pauses_and_expires_with_the_undelivered_refunded(
    db: Database, shop_config: ShopConfig
) -> None:
    """Was: Active, Paused and Expired were unknown text, so an expired subscription ran for ever."""
    sub = await add_order(db, upstream_id=7, **SUBSCRIPTION)
    assert await apply_status(db, shop_config, sub.id, status("Active", charge="1.10"))
    assert not await apply_status(db, shop_config, sub.id, status("Paused", remains=1500))
    await apply_status(db, shop_config, sub.id, status("Active", remains=900))
    assert (await fresh(db, sub)).state is State.ACTIVE
    assert await apply_status(db, shop_config, sub.id, status("Expired", remains=500))
    ended = await fresh(db, sub)
    assert (ended.state, ended.status) == (State.PARTIAL, "expired")
    assert await refund_rows(db, sub.id) == [275]  # 500 of 2000 likes never came: 11.00 / 4
    assert [(row[1], row[2].get("refund")) for row in await pushes(db)] == [
        ("push-in-progress", None), ("push-partial", 275),
    ]  # fmt: skip
    assert (await audit(db)).ok


@pytest.mark.parametrize(
    ("text", "charge", "remains", "state", "refund"),
    [
        ("Expired", "0.55", 1800, State.PARTIAL, 550),  # the charge it kept wins over remains
        ("Expired", None, 0, State.COMPLETED, 0),  # all delivered before the expiry
        ("Completed", None, 400, State.PARTIAL, 220),  # its last post made, 400 likes short
        ("Completed", "1.10", None, State.COMPLETED, 0),
        ("Canceled", None, 2000, State.CANCELED, 1100),  # nothing delivered
        ("Canceled", None, 1000, State.PARTIAL, 550),  # not all of it back: half was delivered
        ("Expired", None, 99_999, State.CANCELED, 1100),  # never more than charged
        ("Refunded", None, None, State.REFUNDED, 1100),
        ("Expired", None, None, State.REVIEW, None),  # nothing to go by
    ],
)
@pytest.mark.usefixtures("user")
async def test_a_subscription_ends_with_what_the_panel_did_not_deliver(
    db: Database, shop_config: ShopConfig, text: str, charge: str | None, remains: int | None,
    state: State, refund: int | None,
) -> None:  # fmt: skip
    sub = await add_order(db, upstream_id=7, **SUBSCRIPTION)
    await apply_status(db, shop_config, sub.id, status("Active", charge="1.10"))
    await apply_status(db, shop_config, sub.id, status(text, charge=charge, remains=remains))
    assert (await fresh(db, sub)).state is state
    assert await refund_rows(db, sub.id) == ([refund] if refund else [])
    assert (await audit(db)).ok


async def test_the_customer_hears_of_the_end_in_their_language(
    db: Database, shop_config: ShopConfig, translator: Translator
) -> None:
    await add_user(db, locale="tr")
    sub = await add_order(db, upstream_id=7, **SUBSCRIPTION)
    await apply_status(db, shop_config, sub.id, status("Expired", remains=500))
    session = FakeSession()
    bot = make_bot(session)
    try:
        assert (await Sender(bot, db, translator, currency="USD").send_once()).sent == 1
    finally:
        await bot.session.close()
    [sent] = session.sent()
    text = str(getattr(sent, "text", ""))
    assert "kısmen teslim edildi" in text
    assert "2,75" in text


# -- the audit holds every order to the rule -----------------------------------------------------


async def _settle(db: Database, order: Order, refund: int, **values: object) -> None:
    """What a wrong rule used to do: write the order final and post the refund it chose."""
    async with db.transaction() as conn:
        assert await orders.transition(conn, order.id, State.ACTIVE, **values)
        if refund:
            await ledger.post(
                conn, user_id=order.user_id, amount=refund, key=order.refund_key, kind="refund",
                order_id=order.id,
            )  # fmt: skip


async def _placed_days_ago(db: Database, order: Order, days: float) -> None:
    async with db.transaction() as conn:
        stamp = now() - int(days * DAY)
        await conn.execute("UPDATE orders SET created_at = ? WHERE id = ?", (stamp, order.id))


@pytest.mark.usefixtures("user")
async def test_audit_reports_a_refund_that_differs_from_the_rule(db: Database) -> None:
    """Was: the audit used the same remains formula, so a whole package refunded looked right."""
    whole = await add_order(db, upstream_id=1, **PACKAGE)
    await _settle(db, whole, 1000, state=State.PARTIAL, upstream_charge="1.20", remains=10)
    unclear = await add_order(db, upstream_id=2, **PACKAGE)
    await _settle(db, unclear, 1000, state=State.PARTIAL, remains=10)
    right = await add_order(db, upstream_id=3, **PACKAGE)
    await _settle(db, right, 40, state=State.PARTIAL, upstream_charge="1.20", remains=10)
    decided = await add_order(db, upstream_id=4, **PACKAGE)
    await _settle(db, decided, 300, state=State.PARTIAL, settled_refund=300)
    assert (await audit(db)).problems == [
        f"order {whole.id} (partial): refunded 1000, owed 40",
        f"order {unclear.id} (partial): the refund rule cannot tell what it owes",
    ]


@pytest.mark.usefixtures("user")
async def test_audit_compares_what_each_customer_paid_net_over_every_round(db: Database) -> None:
    twice = await add_order(db, upstream_id=1)
    async with db.transaction() as conn:  # a second charge, as a replayed confirmation might
        await ledger.post(
            conn, user_id=USER, amount=-twice.charge, key=f"order:{twice.id}:x", kind="order",
            order_id=twice.id,
        )  # fmt: skip
    again = await add_order(db, upstream_id=2, state=State.FAILED)
    async with db.transaction() as conn:  # refunded, then found running and charged again
        await ledger.post(
            conn, user_id=USER, amount=again.charge, key=again.refund_key, kind="refund",
            order_id=again.id,
        )  # fmt: skip
        await ledger.post(
            conn, user_id=USER, amount=-again.charge, key=orders.round_key("order", again.id, 2),
            kind="order", order_id=again.id,
        )  # fmt: skip
        await orders.transition(conn, again.id, State.FAILED, state=State.ACTIVE, round=2)
    assert (await audit(db)).problems == [
        f"order {twice.id} (active): paid 2000 net while open, charge 1000",
    ]
    await _settle(db, await fresh(db, again), 0, state=State.COMPLETED)
    assert len((await audit(db)).problems) == 1  # round 2 delivered: paid once net, owed nothing


@pytest.mark.usefixtures("user")
async def test_audit_reports_orders_whose_figures_the_database_compares(db: Database) -> None:
    """Delivered, given back in full, an admin's refund, open: each order that disagrees is
    reported, though only the partials' refunds are computed by the rule in Python."""
    delivered = await add_order(db, upstream_id=1)
    await _settle(db, delivered, 100, state=State.COMPLETED)
    canceled = await add_order(db, upstream_id=2)
    await _settle(db, canceled, 0, state=State.CANCELED)
    halved = await add_order(db, upstream_id=3)
    await _settle(db, halved, 500, state=State.REFUNDED)
    decided = await add_order(db, upstream_id=4)
    await _settle(db, decided, 1000, state=State.PARTIAL, settled_refund=300)
    capped = await add_order(db, upstream_id=5)  # owed at most its charge: all of it
    await _settle(db, capped, 1000, state=State.PARTIAL, settled_refund=5000)
    failed = await add_order(db, upstream_id=6)
    await _settle(db, failed, 1000, state=State.FAILED)
    given_back = await add_order(db, upstream_id=7)
    async with db.transaction() as conn:  # refunded while it still runs
        await ledger.post(
            conn, user_id=USER, amount=1000, key=given_back.refund_key, kind="refund",
            order_id=given_back.id,
        )  # fmt: skip
    report = await audit(db)
    assert report.problems == [
        f"order {delivered.id} (completed): refunded 100, owed 0",
        f"order {canceled.id} (canceled): refunded 0, owed 1000",
        f"order {halved.id} (refunded): refunded 500, owed 1000",
        f"order {decided.id} (partial): refunded 1000, owed 300",
        f"order {given_back.id} (active): paid 0 net while open, charge 1000",
    ]
    assert report.orders_checked == 7


@pytest.mark.usefixtures("user")
async def test_audit_reports_an_order_open_too_long_after_it_should_have_ended(
    db: Database,
) -> None:
    stuck = await add_order(db, upstream_id=1)
    await _placed_days_ago(db, stuck, 8)
    review = await add_order(db, upstream_id=2, state=State.REVIEW)
    await _placed_days_ago(db, review, 8)
    fresh_one = await add_order(db, upstream_id=3)
    await _placed_days_ago(db, fresh_one, 6)
    drip = await add_order(db, upstream_id=4, fields={"quantity": "100", "runs": "10",
                                                      "interval": "1440"})  # fmt: skip
    await _placed_days_ago(db, drip, 8)  # ten daily runs: it ends in two days
    sub = await add_order(db, upstream_id=5, **SUBSCRIPTION)
    await _placed_days_ago(db, sub, 30)  # no expiry: it runs until its posts are made
    with_expiry = SUBSCRIPTION | {"fields": {"expiry": "01/01/2020"}}
    expired = await add_order(db, upstream_id=6, **with_expiry)
    await _placed_days_ago(db, expired, 60)
    problems = (await audit(db)).problems
    assert [problem.split(":")[0] for problem in problems] == [
        f"order {stuck.id} (active)", f"order {review.id} (review)", f"order {expired.id} (active)",
    ]  # fmt: skip
    assert problems[0].endswith("still open, placed 8.0 days ago")
    later = (await audit(db, max_open_days=30)).problems
    assert [problem.split(":")[0] for problem in later] == [f"order {expired.id} (active)"]
