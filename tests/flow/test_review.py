"""/review settles whatever the panel's answers left open, and undoes a refund that was wrong."""

from __future__ import annotations

import httpx
import pytest

from bot.i18n import Translator
from bot.jobs.sender import Sender
from bot.shop.audit import audit
from storage import ledger, orders, outbox
from storage.orders import State
from tests.fakes.telegram import TelegramUser
from tests.flow.chat import to_summary
from tests.flow.conftest import Shop

CHARGE = 135  # 1000 of service 101 at $0.90 per 1000, +50%


async def lost_order(shop: Shop, balance: int = 10_000) -> TelegramUser:
    """A customer whose order's `add` answer was lost: the order is `unknown`."""
    person = await shop.customer(1, balance=balance)
    await to_summary(person)
    shop.sandbox.fail_next("add", httpx.ReadTimeout("lost"), processed=True)
    await person.click("Confirm")
    return person


async def notices(shop: Shop) -> list[str]:
    return [row.message for row in await outbox.due(shop.db, 50) if row.chat_id == 1]


async def test_a_refunded_order_found_at_the_panel_is_attached_and_charged_again(
    shop: Shop, owner: TelegramUser
) -> None:
    await lost_order(shop)
    await owner.send("/review")
    await owner.click("Not placed")
    assert await shop.balance(1) == 10_000
    await owner.send("/review")
    assert "No orders are waiting" in owner.last_text()

    upstream = next(iter(shop.sandbox.orders))  # the order did reach the panel after all
    await owner.send("/review 1")
    await owner.click("Attach")
    await owner.send(str(upstream))
    assert "charged to its customer again" in owner.last_text()
    order = await orders.get(shop.db, 1)
    assert order is not None and (order.state, order.upstream_id) == (State.ACTIVE, upstream)
    assert await shop.balance(1) == 10_000 - CHARGE
    assert await notices(shop) == ["notice-order-refunded", "notice-order-recharged"]
    assert (await audit(shop.db)).ok


async def test_attaching_what_the_customer_can_no_longer_pay_tells_the_shortfall(
    shop: Shop, owner: TelegramUser
) -> None:
    await lost_order(shop, balance=CHARGE)
    await owner.send("/review")
    await owner.click("Not placed")
    await owner.send("/debit 1 1.00 spent elsewhere")
    await owner.send("/review 1")
    await owner.click("Attach")
    await owner.send("4242")
    assert "their balance is $0.35" in owner.last_text()
    order = await orders.get(shop.db, 1)
    assert order is not None and order.state is State.FAILED
    assert (await audit(shop.db)).ok


async def test_an_order_waiting_in_review_is_refunded_in_part_by_a_typed_amount(
    shop: Shop, owner: TelegramUser
) -> None:
    await lost_order(shop)
    async with shop.db.transaction() as conn:  # e.g. a package the panel reported Partial
        await orders.transition(conn, 1, State.UNKNOWN, state=State.REVIEW, upstream_id=777)
    await owner.send("/review")
    assert "Partly" in str(owner.buttons())
    await owner.click("Partly")
    await owner.send("١")  # not an ASCII number: asked again
    assert "Send the amount to give back for order #1" in owner.last_text()
    await owner.send("5")
    assert "more than order #1 cost" in owner.last_text()
    await owner.send("/review 1")
    await owner.click("Partly")
    await owner.send("0.50")
    assert "Order #1 is settled" in owner.last_text()

    order = await orders.get(shop.db, 1)
    assert order is not None and (order.state, order.settled_refund) == (State.PARTIAL, 50)
    refunds = [e.amount for e in await ledger.recent(shop.db, 1) if e.kind == "refund"]
    assert refunds == [50]
    assert (await notices(shop))[-1] == "push-partial"
    assert (await audit(shop.db)).ok


async def test_an_active_order_stuck_at_the_panel_can_be_closed_by_hand(
    shop: Shop, owner: TelegramUser
) -> None:
    person = await shop.customer(1, balance=10_000)
    await to_summary(person)
    await person.click("Confirm")
    await owner.send("/review 1")
    assert [label for row in owner.buttons() for label in row] == [
        "✅ Delivered: no refund", "↩ Not delivered: refund all", "½ Partly: refund an amount",
    ]  # fmt: skip
    card = owner.last_message()
    await owner.click("Not delivered", message=card)
    await owner.click("Not delivered", message=card)  # the same press twice
    assert "has nothing to settle" in shop.alerts()[-1]
    assert await shop.balance(1) == 10_000
    order = await orders.get(shop.db, 1)
    assert order is not None and order.state is State.CANCELED
    assert (await audit(shop.db)).ok


@pytest.mark.parametrize(
    ("command", "answer"),
    [
        ("/review 99", "No such order"),
        ("/review ١٢", "Usage: /review"),
        ("/review 99999999999999999999", "Usage: /review"),
    ],
)
async def test_review_of_a_missing_or_mistyped_order(
    owner: TelegramUser, command: str, answer: str
) -> None:
    await owner.send(command)
    assert answer in owner.last_text()


async def test_a_credit_with_a_very_long_reason_still_reaches_the_customer(
    shop: Shop, owner: TelegramUser, translator: Translator
) -> None:
    person = await shop.customer(1)
    reason = "🎁" * 2040  # 4,080 UTF-16 units: the command fits, the notice would not
    await owner.send(f"/credit 1 5 {reason}")
    assert "now has $5.00" in owner.last_text()
    sender = Sender(shop.bot, shop.db, translator, currency="USD", rate=1000, chat_interval=0)
    await sender.send_once()
    assert "$5.00" in person.last_text() and "🎁🎁" in person.last_text()
    assert await outbox.due(shop.db, 10) == []  # sent, not failed
    notes = [entry.note for entry in await ledger.recent(shop.db, 1)]
    assert reason in notes  # the books keep it whole


async def _refused_with_discount(shop: Shop, owner: TelegramUser) -> TelegramUser:
    """Order #1 took a 10% discount ($1.35 -> $1.22), then the panel refused it."""
    await owner.send("/promo add SAVE10 discount 10")
    person = await shop.customer(1, balance=10_000)
    await person.send("/promo SAVE10")
    await to_summary(person)
    shop.sandbox.fail_next("add", httpx.Response(200, json={"error": "Incorrect link"}))
    await person.click("Confirm")
    assert await shop.balance(1) == 10_000
    return person


async def test_attaching_a_refused_order_takes_its_discount_back_with_it(
    shop: Shop, owner: TelegramUser
) -> None:
    person = await _refused_with_discount(shop, owner)
    await owner.send("/review 1")
    await owner.click("Attach")
    await owner.send("4242")
    assert "$1.22 was charged to its customer again" in owner.last_text()
    await to_summary(person)  # the discount is this order's again: none for the next one
    assert "$1.35" in person.last_text() and "$1.22" not in person.last_text()
    assert (await audit(shop.db)).ok


async def test_a_discount_spent_since_keeps_a_refused_order_from_being_attached(
    shop: Shop, owner: TelegramUser
) -> None:
    person = await _refused_with_discount(shop, owner)
    await to_summary(person)
    await person.click("Confirm")  # order #2 takes the discount #1 gave back
    await owner.send("/review 1")
    await owner.click("Attach")
    await owner.send("4242")
    assert "discount" in owner.last_text()
    order = await orders.get(shop.db, 1)
    assert order is not None and order.state is State.FAILED
    assert await shop.balance(1) == 10_000 - 122
    assert (await audit(shop.db)).ok
