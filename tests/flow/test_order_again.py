"""Order again on a finished order's card: the same answers, today's price, one order per Confirm."""

from __future__ import annotations

from bot.jobs.poller import poll_once
from bot.shop.config import ShopConfig
from storage import orders
from storage.orders import State
from tests.conftest import ADMIN_ID, FakeClock
from tests.fakes.telegram import TelegramUser
from tests.flow.chat import LINK, to_summary
from tests.flow.conftest import Shop
from tests.flow.test_offer import confirm_data

BALANCE = 100_000


async def finished(
    shop: Shop, shop_config: ShopConfig, clock: FakeClock, person: TelegramUser
) -> None:
    """`person` buys 1000 followers of service 101 ($1.35); the panel completes it; the card
    of the order is on screen."""
    await to_summary(person)
    await person.click("Confirm")
    clock.advance(1000)
    await poll_once(shop.db, shop.panels, shop_config)
    await person.click("View order")
    assert "Completed" in person.last_text()


async def test_order_again_shows_the_summary_at_todays_price_and_places_one_order(
    shop: Shop, shop_config: ShopConfig, clock: FakeClock
) -> None:
    person = await shop.customer(balance=BALANCE)
    owner = await shop.customer(ADMIN_ID)
    await finished(shop, shop_config, clock, person)
    await owner.send("/markup 100")  # +50% -> +100%: $0.90 per 1000 now sells at $1.80

    await person.click("Order again")
    shown = person.last_text()
    assert "$1.80" in shown and "$1.35" not in shown and LINK in shown
    tapped = confirm_data(person)
    await person.click("Confirm")
    await person.click_data(tapped)  # a second tap on the same summary places nothing
    assert shop.alerts()[-1] == "This summary was already used or has expired."
    assert [form["link"] for form in shop.adds()] == [LINK, LINK]
    second = await orders.get(shop.db, 2)
    assert second is not None and second.charge == 180 and second.fields["quantity"] == "1000"
    assert await orders.get(shop.db, 3) is None
    assert await shop.balance(person.user_id) == BALANCE - 135 - 180
    assert person.unanswered_callbacks == []


async def test_another_customers_order_cannot_be_ordered_again(
    shop: Shop, shop_config: ShopConfig, clock: FakeClock
) -> None:
    person = await shop.customer(balance=BALANCE)
    await finished(shop, shop_config, clock, person)
    stranger = await shop.customer(2, balance=BALANCE)

    await stranger.click_data("o1:1")
    assert shop.alerts()[-1] == "This is no longer available."
    assert LINK not in stranger.last_text()
    assert len(shop.adds()) == 1
    assert await shop.balance(stranger.user_id) == BALANCE


async def test_a_hidden_service_is_explained_instead_of_ordered(
    shop: Shop, shop_config: ShopConfig, clock: FakeClock
) -> None:
    person = await shop.customer(balance=BALANCE)
    await finished(shop, shop_config, clock, person)
    async with shop.db.transaction() as conn:
        await conn.execute("UPDATE services SET hidden = 1 WHERE id = 101")

    await person.click("Order again")
    assert "not available any more, so this order can't be repeated" in person.last_text()
    assert "Confirm" not in str(person.buttons())
    assert len(shop.adds()) == 1


async def test_an_answer_that_no_longer_fits_starts_from_the_first_question(
    shop: Shop, shop_config: ShopConfig, clock: FakeClock
) -> None:
    person = await shop.customer(balance=BALANCE)
    await finished(shop, shop_config, clock, person)
    async with shop.db.transaction() as conn:  # 1000 is now above the service's maximum
        await conn.execute("UPDATE services SET max = 500 WHERE id = 101")

    await person.click("Order again")
    shown = person.last_text()
    assert "This service has changed since that order" in shown
    assert "link" in shown.lower() and "Confirm" not in str(person.buttons())
    await person.send(LINK)
    await person.send("500")
    await person.click("Confirm")
    second = await orders.get(shop.db, 2)
    assert second is not None and second.state is State.ACTIVE and second.quantity == 500
