"""Panel faults at every action end in the state DESIGN gives them; the audit stays green."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import httpx
import pytest

from bot.jobs.catalog import sync_catalog
from bot.jobs.panel_balance import check_panel_balance
from bot.jobs.poller import poll_once
from bot.jobs.refills import poll_refills_once
from bot.panel.errors import PanelError
from bot.shop.audit import audit
from bot.shop.config import ShopConfig
from bot.shop.tracking import request_refill
from storage import orders, services
from storage.orders import State
from tests.conftest import ADMIN_ID, FakeClock
from tests.fakes.telegram import TelegramUser
from tests.flow.chat import open_service, to_summary
from tests.flow.conftest import Shop
from tests.reliability.conftest import Tally

Fault = Callable[[], httpx.Response | Exception]
FAULTS: dict[str, Fault] = {
    "connection refused": lambda: httpx.ConnectError("refused"),
    "read timeout": lambda: httpx.ReadTimeout("slow"),
    "500 with HTML": lambda: httpx.Response(500, text="<html>Internal Server Error</html>"),
    "200 with HTML": lambda: httpx.Response(200, text="<html>Cloudflare</html>"),
    "error JSON": lambda: httpx.Response(200, json={"error": "Something is wrong"}),
}
# What an order becomes when `add` meets each fault (DESIGN section 3).
ADD_OUTCOME = {
    "connection refused": (State.FAILED, "our supplier did not answer"),
    "read timeout": (State.UNKNOWN, "being checked"),
    "500 with HTML": (State.UNKNOWN, "being checked"),
    "200 with HTML": (State.UNKNOWN, "being checked"),
    "error JSON": (State.FAILED, "the supplier gave no reason"),
}


async def _checkout(shop: Shop, balance: int = 10_000) -> None:
    person = await shop.customer(1, balance=balance)
    await to_summary(person)


@pytest.mark.parametrize("fault", FAULTS)
async def test_add(shop: Shop, fault: str, tally: Tally) -> None:
    tally.add()
    await _checkout(shop)
    shop.sandbox.fail_next("add", FAULTS[fault]())
    person_text = await _confirm(shop)
    state, said = ADD_OUTCOME[fault]
    order = await orders.get(shop.db, 1)
    assert order is not None
    assert order.state is state
    assert said in person_text
    assert "Traceback" not in person_text
    assert len(shop.adds()) == 1  # never retried
    refunded = state is State.FAILED
    assert await shop.balance(1) == (10_000 if refunded else 10_000 - 135)
    assert (await audit(shop.db)).ok


async def _confirm(shop: Shop) -> str:
    person = TelegramUser(shop.dp, shop.bot, shop.session, user_id=1)
    await person.click("Confirm")
    return person.last_text()


async def test_add_answer_lost_after_the_panel_made_the_order(shop: Shop, tally: Tally) -> None:
    tally.add()
    await _checkout(shop)
    shop.sandbox.fail_next("add", httpx.ReadTimeout("lost"), processed=True)
    text = await _confirm(shop)
    assert "being checked" in text
    assert len(shop.sandbox.orders) == 1  # it exists upstream: a refund would be a loss
    order = await orders.get(shop.db, 1)
    assert order is not None
    assert order.state is State.UNKNOWN
    assert (await audit(shop.db)).ok


async def _placed(shop: Shop) -> None:
    await _checkout(shop)
    await _confirm(shop)
    order = await orders.get(shop.db, 1)
    assert order is not None
    assert order.state is State.ACTIVE


@pytest.mark.parametrize("fault", FAULTS)
async def test_status(shop: Shop, shop_config: ShopConfig, fault: str, tally: Tally) -> None:
    tally.add()
    await _placed(shop)
    shop.sandbox.fail_next("status", FAULTS[fault]())
    stats = await poll_once(shop.db, shop.panels, shop_config)
    assert stats.changed == 0
    order = await orders.get(shop.db, 1)
    assert order is not None
    assert order.state is State.ACTIVE  # nothing guessed, nothing refunded
    assert (await audit(shop.db)).ok


@pytest.mark.parametrize("fault", FAULTS)
@pytest.mark.parametrize("action", ["refill", "cancel"])
async def test_buttons(
    shop: Shop, shop_config: ShopConfig, clock: FakeClock, fault: str, action: str, tally: Tally
) -> None:
    tally.add()
    await _placed(shop)
    if action == "refill":
        clock.advance(1000)  # the sandbox completes it
        await poll_once(shop.db, shop.panels, shop_config)
    person = TelegramUser(shop.dp, shop.bot, shop.session, user_id=1)
    await person.send("/start")
    await person.click("My orders")
    await person.click("#1 ")
    shop.sandbox.fail_next(action, FAULTS[fault]())
    await person.click("Refill" if action == "refill" else "Cancel order")
    expected = "refused" if fault == "error JSON" else "could not request"
    assert expected in shop.alerts()[-1]
    order = await orders.get(shop.db, 1)
    assert order is not None
    assert not order.cancel_requested
    assert await orders.refills_of(shop.db, 1) == []
    assert person.unanswered_callbacks == []
    assert (await audit(shop.db)).ok


@pytest.mark.parametrize("fault", FAULTS)
async def test_refill_status(
    shop: Shop, shop_config: ShopConfig, clock: FakeClock, fault: str, tally: Tally
) -> None:
    tally.add()
    await _placed(shop)
    clock.advance(1000)
    await poll_once(shop.db, shop.panels, shop_config)
    order = await orders.get(shop.db, 1)
    assert order is not None
    await request_refill(shop.db, shop.panels, order, await services.get(shop.db, 101))
    shop.sandbox.fail_next("refill_status", FAULTS[fault]())
    assert await poll_refills_once(shop.db, shop.panels) == 0
    refills = await orders.refills_of(shop.db, 1)
    assert [refill.final for refill in refills] == [False]


@pytest.mark.parametrize("fault", FAULTS)
async def test_services(shop: Shop, fault: str, tally: Tally) -> None:
    tally.add()
    shop.sandbox.fail_next("services", FAULTS[fault]())
    with pytest.raises(PanelError):
        await sync_catalog(shop.db, shop.panel)
    assert await services.get(shop.db, 101) is not None  # the cached catalog stays on sale
    person = await shop.customer(1)
    await open_service(person, 101)
    assert "Order this" in str(person.buttons())


@pytest.mark.parametrize("fault", FAULTS)
async def test_balance(shop: Shop, shop_config: ShopConfig, fault: str, tally: Tally) -> None:
    tally.add()
    owner = await shop.customer(ADMIN_ID)
    shop.sandbox.fail_next("balance", FAULTS[fault]())
    await owner.send("/panel")
    assert "did not answer properly" in owner.last_text()
    shop.sandbox.fail_next("balance", FAULTS[fault]())
    with pytest.raises(PanelError):
        await check_panel_balance(shop.db, shop.panel, shop_config, Decimal(10_000))
