"""The summary is an offer: Confirm charges exactly what was shown, or nothing and shows why."""

from __future__ import annotations

from storage import orders
from storage.orders import State
from tests.conftest import ADMIN_ID
from tests.fakes.telegram import TelegramUser
from tests.flow.chat import LINK, open_service, to_summary
from tests.flow.conftest import Shop

BALANCE = 100_000


def confirm_data(person: TelegramUser) -> str:
    """The callback data of the Confirm button on screen (to press it again later)."""
    markup = person.last_message().reply_markup
    assert markup is not None
    found = [b.callback_data for row in markup.inline_keyboard for b in row if "Confirm" in b.text]
    assert len(found) == 1 and found[0] is not None, person.buttons()
    return found[0]


async def nothing_placed(shop: Shop, person: TelegramUser) -> None:
    assert shop.adds() == []
    assert await orders.counts_by_state(shop.db) == {}
    assert await shop.balance(person.user_id) == BALANCE


async def test_a_markup_raised_after_the_summary_charges_nothing_and_shows_the_new_price(
    shop: Shop,
) -> None:
    person = await shop.customer(balance=BALANCE)
    owner = await shop.customer(ADMIN_ID)
    await to_summary(person)  # 1000 followers at $0.90 per 1000, +50%: $1.35
    assert "$1.35" in person.last_text()
    await owner.send("/markup 5000")
    await person.click("Confirm")

    shown = person.last_text()
    assert "The price changed" in shown and "$1.35" in shown and "$45.90" in shown
    assert "Please check your order" in shown
    await nothing_placed(shop, person)
    await person.click("Confirm")  # the customer agrees to the new price
    order = await orders.get(shop.db, 1)
    assert order is not None and order.charge == 4590
    assert await shop.balance(person.user_id) == BALANCE - 4590
    assert person.unanswered_callbacks == []


async def test_a_rate_raised_by_a_sync_after_the_summary_is_never_charged_unseen(
    shop: Shop,
) -> None:
    person = await shop.customer(balance=BALANCE)
    await to_summary(person)
    async with shop.db.transaction() as conn:  # what the hourly sync writes: 0.90 -> 9.00
        await conn.execute("UPDATE services SET rate = '9.00' WHERE id = 101")
    await person.click("Confirm")
    assert "$13.50" in person.last_text()
    await nothing_placed(shop, person)


async def test_a_price_lowered_after_the_summary_is_shown_before_it_is_charged(shop: Shop) -> None:
    person = await shop.customer(balance=BALANCE)
    await to_summary(person)
    async with shop.db.transaction() as conn:
        await conn.execute("UPDATE services SET rate = '0.50' WHERE id = 101")
    await person.click("Confirm")
    assert "$0.75" in person.last_text()
    await nothing_placed(shop, person)


async def test_a_type_changed_after_the_summary_asks_again_instead_of_crashing(shop: Shop) -> None:
    person = await shop.customer(balance=BALANCE)
    await to_summary(person, 121, (LINK, "a\nb\nc\nd\ne\nf\ng\nh\ni\nj"))
    async with shop.db.transaction() as conn:  # the panel now sells it as a plain Default
        await conn.execute(
            "UPDATE services SET type = 'Default', raw_type = 'Default' WHERE id = 121"
        )
    await person.click("Confirm")

    shown = person.last_text()
    assert "This service changed" in shown
    assert "How many?" in shown  # the new type asks for a quantity; the link is kept
    await nothing_placed(shop, person)
    await person.send("100")
    await person.click("Confirm")
    assert shop.adds() == [{"action": "add", "service": "121", "link": LINK, "quantity": "100"}]


async def test_back_voids_the_summary_a_drip_feed_is_never_placed_without_its_interval(
    shop: Shop,
) -> None:
    person = await shop.customer(balance=BALANCE)
    await to_summary(person, 102, (LINK, "100", "3", "10"))
    stale = confirm_data(person)
    await person.click("Back")  # the interval is asked again
    await person.click_data(stale)

    assert "already used or has expired" in shop.alerts()[-1]
    await nothing_placed(shop, person)
    await person.send("20")
    await person.click("Confirm")
    assert shop.adds() == [
        {
            "action": "add",
            "service": "102",
            "link": LINK,
            "quantity": "100",
            "runs": "3",
            "interval": "20",
        }
    ]


async def test_back_to_the_first_question_voids_a_package_summary(shop: Shop) -> None:
    person = await shop.customer(balance=BALANCE)
    await to_summary(person, 103, (LINK,))
    stale = confirm_data(person)
    await person.click("Back")
    await person.click_data(stale)
    assert "already used or has expired" in shop.alerts()[-1]
    await nothing_placed(shop, person)


async def test_a_new_answer_voids_the_summary_and_only_the_last_one_places(shop: Shop) -> None:
    person = await shop.customer(balance=BALANCE)
    await to_summary(person)
    first = confirm_data(person)
    await person.click("Back")
    await person.send("2000")  # a new quantity: a new summary
    await person.click_data(first)
    assert "already used or has expired" in shop.alerts()[-1]
    await person.click("Confirm")
    await person.click_data(first)  # and the new one is one-shot too
    assert [form["quantity"] for form in shop.adds()] == ["2000"]
    order = await orders.get(shop.db, 1)
    assert order is not None and order.state is State.ACTIVE and order.quantity == 2000


async def test_a_service_hidden_after_the_summary_charges_nothing(shop: Shop) -> None:
    person = await shop.customer(balance=BALANCE)
    await open_service(person, 101)
    await person.click("Order this")
    await person.send(LINK)
    await person.send("1000")
    async with shop.db.transaction() as conn:
        await conn.execute("UPDATE services SET hidden = 1 WHERE id = 101")
    await person.click("Confirm")
    assert "can't be ordered right now" in person.last_text()
    await nothing_placed(shop, person)


async def test_a_long_emoji_link_is_shortened_on_screen_and_placed_whole(shop: Shop) -> None:
    """Telegram counts UTF-16 units: 1,976 emoji (the longest link taken) are 3,952 of them."""
    link = "https://instagram.com/p/" + "😀" * 1976
    person = await shop.customer(balance=BALANCE)
    await to_summary(person, 101, (link, "1000"))
    assert "Please check your order" in person.last_text()
    await person.click("Confirm")
    assert "Order #1 is placed" in person.last_text()
    assert shop.adds()[0]["link"] == link
    await person.click("View order")
    assert "#1" in person.last_text()
    assert person.unanswered_callbacks == []


async def test_drip_feed_switched_off_after_the_summary_asks_again(shop: Shop) -> None:
    """Its runs would multiply the charge while the panel delivers one run: nothing is placed."""
    person = await shop.customer(balance=BALANCE)
    await to_summary(person, 102, (LINK, "100", "3", "10"))
    async with shop.db.transaction() as conn:
        await conn.execute("UPDATE services SET dripfeed = 0 WHERE id = 102")
    await person.click("Confirm")
    assert "This service changed" in person.last_text()
    await nothing_placed(shop, person)
    await person.click("Confirm")  # the new summary: 100 followers, one run
    assert shop.adds() == [{"action": "add", "service": "102", "link": LINK, "quantity": "100"}]
    order = await orders.get(shop.db, 1)
    assert order is not None and order.quantity == 100
