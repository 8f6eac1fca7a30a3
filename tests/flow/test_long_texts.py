"""Texts built from what people typed fit Telegram's limits, counted as Telegram counts them.

Telegram measures a text in UTF-16 units (an emoji is two), after parsing the markup; the
order's caps count code points, so a link within them can still overflow a card.
"""

from __future__ import annotations

import json

import httpx
import pytest

from bot.limits import ELLIPSIS
from storage import orders
from tests.conftest import ADMIN_ID
from tests.fakes.telegram import TelegramUser
from tests.flow.chat import to_summary
from tests.flow.conftest import Shop

# 2000 code points, the longest link the wizard takes; 3987 UTF-16 units.
LONG_LINK = "https://t.me/" + "😀" * 1987
LONG_NAME = "Followers " + "😀" * 2100  # a panel's service name: 4210 units


async def placed(shop: Shop, *, lose_answer: bool = False) -> TelegramUser:
    person = await shop.customer(1, balance=10_000)
    await to_summary(person)
    if lose_answer:
        shop.sandbox.fail_next("add", httpx.ReadTimeout("lost"), processed=False)
    await person.click("Confirm")
    return person


async def rewrite(shop: Shop, order_id: int, **columns: str) -> None:
    """Give the stored order long values (the wizard's own screens are not under test here)."""
    order = await orders.get(shop.db, order_id)
    assert order is not None
    fields = {**order.fields, "link": columns.get("link", order.link)}
    assignments = ", ".join(f"{name} = ?" for name in columns)
    async with shop.db.transaction() as conn:
        await conn.execute(
            f"UPDATE orders SET {assignments}, fields = ? WHERE id = ?",
            (*columns.values(), json.dumps(fields), order_id),
        )


@pytest.fixture
async def owner(shop: Shop) -> TelegramUser:
    person = TelegramUser(shop.dp, shop.bot, shop.session, user_id=ADMIN_ID, username="owner")
    await person.send("/start")
    return person


async def test_an_order_with_a_long_emoji_link_keeps_its_card_and_buttons(shop: Shop) -> None:
    person = await placed(shop)
    await rewrite(shop, 1, link=LONG_LINK)
    await person.click("View order")
    assert "Order #1" in person.last_text()
    assert ELLIPSIS in person.last_text()  # shortened on screen
    await person.click("Cancel order")  # the buttons under the card still work
    assert "Cancellation requested" in shop.alerts()[-1]
    assert "Cancellation requested." in person.last_text()
    order = await orders.get(shop.db, 1)
    assert order is not None
    assert order.link == LONG_LINK  # and kept whole in the order


async def test_the_order_list_shows_an_order_with_a_long_service_name(shop: Shop) -> None:
    person = await placed(shop)
    await rewrite(shop, 1, service_name=LONG_NAME)
    await person.send("/start")
    await person.click("My orders")
    assert [f"#1 Followers {'😀' * 14}{ELLIPSIS} · 🔵 In progress"] in person.buttons()
    await person.click("#1 ")
    assert "Order #1" in person.last_text()


async def test_admin_cards_fit_with_long_links_names_and_panel_texts(
    shop: Shop, owner: TelegramUser
) -> None:
    await placed(shop, lose_answer=True)  # waits in /review
    await rewrite(shop, 1, link=LONG_LINK, service_name=LONG_NAME, error="x" * 5000)
    for command in ("/order 1", "/review", "/user 1"):
        await owner.send(command)
        assert "#1" in owner.last_text(), command
        assert ELLIPSIS in owner.last_text(), command
