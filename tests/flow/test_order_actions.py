"""Refill and Cancel on the order card: what the customer sees, what money moves, and when."""

from __future__ import annotations

import httpx

from bot.jobs.poller import poll_once
from bot.jobs.refills import poll_refills_once
from bot.shop.audit import audit
from bot.shop.config import ShopConfig
from storage import ledger, orders, outbox
from storage.orders import State
from tests.conftest import FakeClock
from tests.fakes.telegram import TelegramUser
from tests.flow.chat import to_summary
from tests.flow.conftest import Shop


async def placed(shop: Shop, service_id: int = 101) -> TelegramUser:
    person = await shop.customer(1, balance=10_000)
    await to_summary(person, service_id)
    await person.click("Confirm")
    await person.click("View order")
    return person


def buttons(person: TelegramUser) -> str:
    return str(person.buttons())


async def test_cancel_is_a_request_and_refunds_only_when_canceled(
    shop: Shop, shop_config: ShopConfig, clock: FakeClock
) -> None:
    person = await placed(shop)
    assert "Refill" not in buttons(person)  # not before it is completed
    await person.click("Cancel order")
    assert "Cancellation requested" in shop.alerts()[-1]
    assert "Cancellation requested." in person.last_text()
    assert "Cancel order" not in buttons(person)
    assert await shop.balance(1) == 10_000 - 135  # requested is not canceled
    clock.advance(30)
    await poll_once(shop.db, shop.panels, shop_config)
    order = await orders.get(shop.db, 1)
    assert order is not None
    assert order.state is State.CANCELED
    assert await shop.balance(1) == 10_000
    assert [row.message for row in await outbox.due(shop.db, 10)] == ["push-canceled"]
    await poll_once(shop.db, shop.panels, shop_config)  # a second poll moves nothing
    refunds = [entry for entry in await ledger.recent(shop.db, 1) if entry.kind == "refund"]
    assert len(refunds) == 1
    assert (await audit(shop.db)).ok


async def test_cancel_refused_by_the_panel_is_explained(shop: Shop) -> None:
    person = await placed(shop)
    upstream = next(iter(shop.sandbox.orders))
    refusal = [{"order": upstream, "cancel": {"error": "Cancel is not available"}}]
    shop.sandbox.fail_next("cancel", httpx.Response(200, json=refusal))
    await person.click("Cancel order")
    assert "The supplier refused to cancel" in shop.alerts()[-1]
    order = await orders.get(shop.db, 1)
    assert order is not None
    assert not order.cancel_requested
    assert "Cancel order" in buttons(person)  # they may try again


async def test_no_cancel_button_where_the_service_has_none(shop: Shop) -> None:
    person = await placed(shop, 141)
    assert "Cancel order" not in buttons(person)
    await person.click_data("a1:cancel:1")
    assert shop.alerts()[-1] == "This is no longer available."
    assert [f["action"] for f in shop.sandbox.requests].count("cancel") == 0


async def test_refill_after_completion_is_tracked_to_the_end(
    shop: Shop, shop_config: ShopConfig, clock: FakeClock
) -> None:
    person = await placed(shop)
    clock.advance(1000)
    await poll_once(shop.db, shop.panels, shop_config)
    await person.click("Refresh")
    assert "Completed" in person.last_text()
    assert "Cancel order" not in buttons(person)
    await person.click("Refill")
    assert "Refill requested" in shop.alerts()[-1]
    refill = (await orders.refills_of(shop.db, 1))[0]
    assert f"Refill #{refill.upstream_id}: requested" in person.last_text()
    clock.advance(1000)
    assert await poll_refills_once(shop.db, shop.panels) == 1
    messages = [row.message for row in await outbox.due(shop.db, 10)]
    assert messages == ["push-completed", "push-refill-done"]
    assert await shop.balance(1) == 10_000 - 135  # a refill costs nothing


async def test_refill_refused_by_the_panel_is_explained(
    shop: Shop, shop_config: ShopConfig, clock: FakeClock
) -> None:
    person = await placed(shop)
    clock.advance(1000)
    await poll_once(shop.db, shop.panels, shop_config)
    await person.click("Refresh")
    shop.sandbox.fail_next("refill", httpx.Response(200, json={"error": "Refill is not available"}))
    await person.click("Refill")
    assert "The supplier refused the refill" in shop.alerts()[-1]
    assert await orders.refills_of(shop.db, 1) == []
