"""Promo codes: gifts credited once, discounts on the summary, the uses limit under a rush."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from bot.shop.audit import audit
from storage import orders, promos
from storage.orders import State
from tests.fakes.telegram import TelegramUser
from tests.flow.chat import to_summary
from tests.flow.conftest import Shop

BALANCE = 100_000  # 1000 followers of service 101 cost $1.35 ($0.90 upstream, +50%)


async def redemption(shop: Shop, code: str, user_id: int) -> tuple[int | None, int | None]:
    """(order, discount) of the customer's redemption of `code`."""
    row = await shop.db.fetchone(
        "SELECT r.order_id, r.discount FROM promo_redemptions r JOIN promos p"
        " ON p.id = r.promo_id WHERE p.code = ? AND r.user_id = ?",
        (code, user_id),
    )
    assert row is not None
    return row[0], row[1]


async def test_a_gift_credits_once_whatever_the_case_it_is_typed_in(
    shop: Shop, owner: TelegramUser
) -> None:
    await owner.send("/promo add Welcome5 gift 5")
    assert "Promo code created: WELCOME5: gift of $5.00, used 0" in owner.last_text()
    person = await shop.customer()
    await person.send("/promo welcome5")
    assert "Code WELCOME5 added $5.00 to your balance" in person.last_text()
    await person.send("/promo WELCOME5")
    assert "You have already used promo code WELCOME5" in person.last_text()
    assert await shop.balance(person.user_id) == 500
    credit = await shop.db.fetchall("SELECT amount, kind FROM ledger WHERE key = ?",
                                    ("promo:WELCOME5:1",))  # fmt: skip
    assert [tuple(row) for row in credit] == [(500, "promo")]
    await person.click("Back")
    assert "promo code" in person.last_text()  # the balance screen names the movement
    await owner.send("/promo list")
    assert "WELCOME5: gift of $5.00, used 1" in owner.last_text()
    assert (await audit(shop.db)).ok


async def test_a_hundred_customers_taking_the_last_use_at_once_get_it_once(
    shop: Shop, owner: TelegramUser
) -> None:
    await owner.send("/promo add LAST gift 1 uses 1")
    people = [await shop.customer(user_id) for user_id in range(1, 101)]
    await asyncio.gather(*(person.send("/promo last") for person in people))
    answers = [person.last_text() for person in people]
    assert sum("added $1.00" in text for text in answers) == 1
    assert sum("has been used up" in text for text in answers) == 99
    assert sum([await shop.balance(person.user_id) for person in people]) == 100
    await owner.send("/promo list")
    assert "LAST: gift of $1.00, used 1 of 1" in owner.last_text()
    assert (await audit(shop.db)).ok


async def test_a_discount_is_shown_on_the_summary_and_charged_once(
    shop: Shop, owner: TelegramUser
) -> None:
    await owner.send("/promo add SAVE10 discount 10")
    person = await shop.customer(balance=BALANCE)
    await person.send("/promo save10")
    assert "10% off your next order" in person.last_text()
    await to_summary(person)
    shown = person.last_text()
    assert "Price: $1.35\nPromo code SAVE10: −$0.13\nTo pay: $1.22" in shown
    assert "the most this order allows" not in shown
    await person.click("Confirm")
    assert "is placed" in person.last_text()
    order = await orders.get(shop.db, 1)
    assert order is not None and order.charge == 122
    assert await shop.balance(person.user_id) == BALANCE - 122
    assert await redemption(shop, "SAVE10", person.user_id) == (1, 13)
    await to_summary(person)  # the next order pays the full price: the code is spent
    assert "Price: $1.35\n" in person.last_text() and "SAVE10" not in person.last_text()
    assert (await audit(shop.db)).ok


async def test_a_discount_never_takes_the_price_below_cost(shop: Shop, owner: TelegramUser) -> None:
    await owner.send("/promo add HALF discount 50")
    person = await shop.customer(balance=BALANCE)
    await person.send("/promo HALF")
    await to_summary(person)
    shown = person.last_text()
    assert "Promo code HALF: −$0.45 (the most this order allows)\nTo pay: $0.90" in shown
    await person.click("Confirm")
    order = await orders.get(shop.db, 1)
    assert order is not None and order.charge == 90  # the upstream cost, not $0.68
    assert (await audit(shop.db)).ok


async def test_a_discount_comes_back_when_the_panel_refuses_its_order(
    shop: Shop, owner: TelegramUser
) -> None:
    await owner.send("/promo add SAVE10 discount 10")
    person = await shop.customer(balance=BALANCE)
    await person.send("/promo SAVE10")
    await to_summary(person)
    shop.sandbox.fail_next("add", httpx.Response(200, json={"error": "Incorrect link"}))
    await person.click("Confirm")
    assert "could not be placed" in person.last_text()
    assert await shop.balance(person.user_id) == BALANCE
    assert await redemption(shop, "SAVE10", person.user_id) == (None, None)
    assert (await audit(shop.db)).ok
    await to_summary(person)
    assert "To pay: $1.22" in person.last_text()
    await person.click("Confirm")
    order = await orders.get(shop.db, 2)
    assert order is not None and order.state is State.ACTIVE and order.charge == 122
    assert await redemption(shop, "SAVE10", person.user_id) == (2, 13)


async def test_a_discount_redeemed_after_the_summary_is_shown_before_it_counts(
    shop: Shop, owner: TelegramUser
) -> None:
    await owner.send("/promo add SAVE10 discount 10")
    person = await shop.customer(balance=BALANCE)
    await to_summary(person)
    summary = person.last_message()
    await person.send("/promo SAVE10")
    await person.click("Confirm", message=summary)
    edited = shop.session.message_payload(person.chat_id, summary.message_id)
    assert edited is not None  # the summary, shown again in place
    assert "Your promo discount changed after you saw the summary" in edited["text"]
    assert "To pay: $1.22" in edited["text"]
    assert await orders.get(shop.db, 1) is None
    assert await shop.balance(person.user_id) == BALANCE


async def test_the_promo_button_on_the_balance_screen_asks_for_the_code(
    shop: Shop, owner: TelegramUser
) -> None:
    await owner.send("/promo add GIFT7 gift 7")
    person = await shop.customer()
    await person.click("Balance")
    await person.click("Promo code")
    assert "Send your promo code" in person.last_text()
    await person.send("nosuchcode")
    assert "There is no such promo code" in person.last_text()
    await person.send("gift7")  # still listening after a wrong code
    assert "added $7.00" in person.last_text()
    assert person.unanswered_callbacks == []


async def test_an_expired_code_redeems_nothing(
    shop: Shop, owner: TelegramUser, monkeypatch: pytest.MonkeyPatch
) -> None:
    today = datetime.now(UTC).date()
    await owner.send(f"/promo add SOON gift 1 until {today:%d.%m.%Y}")
    assert f"until {today:%Y-%m-%d}" in owner.last_text()
    person = await shop.customer()
    tomorrow = datetime.combine(today + timedelta(days=1), datetime.min.time(), UTC)
    monkeypatch.setattr("bot.shop.promos.now", lambda: int(tomorrow.timestamp()))
    await person.send("/promo SOON")
    assert "Promo code SOON has expired" in person.last_text()
    assert await shop.balance(person.user_id) == 0


async def test_a_code_switched_off_redeems_nothing(shop: Shop, owner: TelegramUser) -> None:
    await owner.send("/promo add GONE gift 1")
    await owner.send("/promo off gone")
    assert "Promo code GONE is off" in owner.last_text()
    await owner.send("/promo off GONE")
    assert "There is no active promo code GONE" in owner.last_text()
    person = await shop.customer()
    await person.send("/promo GONE")
    assert "There is no such promo code" in person.last_text()
    assert await shop.balance(person.user_id) == 0


async def test_a_code_for_new_customers_skips_those_who_paid_for_an_order(
    shop: Shop, owner: TelegramUser
) -> None:
    await owner.send("/promo add FIRST gift 2 new")
    buyer = await shop.customer(1, balance=BALANCE)
    await to_summary(buyer)
    await buyer.click("Confirm")
    refused = await shop.customer(2, balance=BALANCE)  # a refused order was never paid
    await to_summary(refused)
    shop.sandbox.fail_next("add", httpx.Response(200, json={"error": "Incorrect link"}))
    await refused.click("Confirm")
    await buyer.send("/promo FIRST")
    assert "Promo code FIRST is for new customers only" in buyer.last_text()
    await refused.send("/promo FIRST")
    assert "added $2.00" in refused.last_text()


@pytest.mark.parametrize(
    "args",
    [
        "add",
        "add SAVE gift",
        "add AB gift 5",  # too short
        "add " + "A" * 33 + " gift 5",  # too long
        "add CODÉ gift 5",  # ASCII letters only
        "add CODE bonus 5",
        "add CODE gift -5",
        "add CODE gift 0",
        "add CODE gift 1e3",
        "add CODE discount 0",
        "add CODE discount 101",
        "add CODE discount 12.5",
        "add CODE gift 5 uses 0",
        "add CODE gift 5 uses",
        "add CODE gift 5 uses 3 uses 4",
        "add CODE gift 5 until 31/02/2027",
        "add CODE gift 5 until 2020-01-01",  # passed already
        "add CODE gift 5 new new",
        "add CODE gift 5 forever",
        "add LIST gift 5",  # the admin's own words cannot be codes
        "off",
        "off CODE OTHER",
    ],
)
async def test_bad_admin_arguments_get_the_usage_line(
    shop: Shop, owner: TelegramUser, args: str
) -> None:
    await owner.send(f"/promo {args}")
    assert owner.last_text().startswith("Usage:")
    assert await promos.listed(shop.db) == []


@pytest.mark.parametrize("layout", ["%d/%m/%Y", "%d.%m.%Y", "%d-%m-%Y", "%Y-%m-%d"])
async def test_every_date_layout_ends_the_code_with_that_day(
    shop: Shop, owner: TelegramUser, layout: str
) -> None:
    day = datetime.now(UTC).date() + timedelta(days=30)
    await owner.send(f"/promo add DATED discount 5 uses 10 until {day.strftime(layout)} new")
    shown = owner.last_text()
    assert f"5% off the next order, used 0 of 10, until {day:%Y-%m-%d}, new customers" in shown
    [promo] = await promos.listed(shop.db)
    end = datetime.combine(day + timedelta(days=1), datetime.min.time(), UTC)
    assert promo.until == int(end.timestamp())


async def test_a_customer_typing_admin_words_redeems_nothing(shop: Shop) -> None:
    person = await shop.customer()
    await person.send("/promo add FREE gift 1000")
    assert "There is no such promo code" in person.last_text()
    assert await promos.listed(shop.db) == []


async def test_a_code_created_twice_keeps_the_first(shop: Shop, owner: TelegramUser) -> None:
    await owner.send("/promo add TWICE gift 1")
    await owner.send("/promo add twice discount 50")
    assert "Promo code TWICE exists already" in owner.last_text()
    [promo] = await promos.listed(shop.db)
    assert promo.amount == 100


async def test_the_audit_finds_a_discount_or_a_count_that_does_not_add_up(
    shop: Shop, owner: TelegramUser
) -> None:
    await owner.send("/promo add SAVE10 discount 10 uses 5")
    person = await shop.customer(balance=BALANCE)
    await person.send("/promo SAVE10")
    await to_summary(person)
    await person.click("Confirm")
    assert (await audit(shop.db)).ok
    async with shop.db.transaction() as conn:
        await conn.execute("UPDATE promo_redemptions SET discount = 50")
        await conn.execute("UPDATE promos SET uses = 3")
    problems = (await audit(shop.db)).problems
    assert "promo SAVE10 of user 1 on order 1: discount 50 is more than 10%" in problems
    assert "promo SAVE10: 3 uses counted, 1 redemptions, limit 5" in problems


async def test_the_audit_finds_a_gift_credit_on_the_wrong_customer_or_without_a_redemption(
    shop: Shop, owner: TelegramUser
) -> None:
    await owner.send("/promo add Welcome5 gift 5")
    person = await shop.customer()
    await shop.customer(2)
    await person.send("/promo welcome5")
    assert (await audit(shop.db)).ok
    async with shop.db.transaction() as conn:  # moved to another customer, and one made up
        await conn.execute("UPDATE ledger SET user_id = 2 WHERE key = 'promo:WELCOME5:1'")
        await conn.execute(
            "INSERT INTO ledger (user_id, amount, key, kind, created_at)"
            " VALUES (2, 300, 'promo:WELCOME5:2', 'promo', 0)"
        )
    problems = (await audit(shop.db)).problems
    assert "ledger promo:WELCOME5:1 (user 1): credited 0, the gift is 500" in problems
    assert "ledger promo:WELCOME5:1 (user 2): credited 500, the gift is 0" in problems
    assert "ledger promo:WELCOME5:2 (user 2): credited 300, the gift is 0" in problems
