"""Odd numbers in admin commands: the usage line, nothing stored, nothing raised.

`isdigit()` and `Decimal()` take `²` and Arabic-Indic digits, `Decimal` takes NaN, and SQLite
holds no integer past 2**63 - 1: each of these once crashed a command or hit the wrong row.
"""

from __future__ import annotations

import httpx
import pytest

from bot.shop.audit import audit
from bot.shop.pricing import MARKUP_KEY
from storage import kv, orders, services, users
from storage.orders import State
from tests.conftest import ADMIN_ID
from tests.fakes.telegram import TelegramUser
from tests.flow.chat import to_summary
from tests.flow.conftest import Shop
from tests.reliability.conftest import Tally

HUGE = "9" * 20  # past SQLite's 64-bit INTEGER
# Not a username either (Telegram's start with a letter): an id or nothing.
ODD_IDS = ["²", "١٢٣", "٣", "𝟙", "1²", HUGE, "-1", "0", "1.5", "1e3", "0x10", "+7"]
ODD_AMOUNTS = ["²", "١٠", HUGE, "1e3", "NaN", "Infinity", "-5", "0", "5.001", "1" + "0" * 40]
ODD_PERCENTS = ["NaN", "sNaN", "-NaN", "Infinity", "-Infinity", "١٠", "²", "1e3", HUGE]

CASES = [
    *(("credit", f"/credit {ref} 5") for ref in ODD_IDS),
    *(("credit", f"/credit 1 {amount}") for amount in ODD_AMOUNTS),
    *(("debit", f"/debit 1 {amount}") for amount in ODD_AMOUNTS),
    *(("user", f"/user {ref}") for ref in ODD_IDS),
    *(("ban", f"/ban {ref}") for ref in ODD_IDS),
    *(("unban", f"/unban {ref}") for ref in ODD_IDS),
    *(("order", f"/order {ref}") for ref in ODD_IDS),
    *(("order", f"/order #{ref}") for ref in [*ODD_IDS, "NaN"]),
    *(("markup", f"/markup {percent}") for percent in ODD_PERCENTS),
    *(("markup", f"/markup 5 service {ref}") for ref in ODD_IDS),
    *(("hide", f"/hide service {ref}") for ref in ODD_IDS),
]


@pytest.fixture
async def owner(shop: Shop) -> TelegramUser:
    person = TelegramUser(shop.dp, shop.bot, shop.session, user_id=ADMIN_ID, username="owner")
    await person.send("/start")
    return person


async def test_odd_numbers_get_the_usage_line_and_change_nothing(
    shop: Shop, owner: TelegramUser, tally: Tally
) -> None:
    # Users 1 and 123 exist, so a digit that is not ASCII cannot quietly reach one of them.
    await shop.customer(1, balance=1000)
    await shop.customer(123, balance=1000)
    before = await services.get(shop.db, 101)
    for usage, command in CASES:
        tally.add()
        await owner.send(command)
        assert f"Usage: /{usage}" in owner.last_text(), command
    for user_id in (1, 123):
        stored = await users.get(shop.db, user_id)
        assert stored is not None
        assert (stored.balance, stored.banned) == (1000, False)
    assert await kv.get(shop.db, MARKUP_KEY) is None
    assert await services.get(shop.db, 101) == before
    assert (await audit(shop.db)).ok


async def test_the_biggest_amount_is_bounded_and_the_biggest_id_fits(
    shop: Shop, owner: TelegramUser, tally: Tally
) -> None:
    tally.add(3)
    await shop.customer(1)
    await owner.send("/credit 1 10000000000.01")  # one cent over the bound
    assert "Usage: /credit" in owner.last_text()
    await owner.send(f"/order {2**63 - 1}")  # the largest id SQLite holds: looked up
    assert "No such order." in owner.last_text()
    await owner.send(f"/user {2**63}")
    assert "Usage: /user" in owner.last_text()


async def test_attach_takes_only_an_ascii_upstream_id_that_sqlite_holds(
    shop: Shop, owner: TelegramUser, tally: Tally
) -> None:
    person = await shop.customer(1, balance=10_000)
    await to_summary(person)
    shop.sandbox.fail_next("add", httpx.ReadTimeout("lost"), processed=False)
    await person.click("Confirm")
    await owner.send("/review")
    await owner.click("Attach upstream id")
    for odd in ("١٢٣٤", "²", HUGE, "0", "12 34", "-5"):
        tally.add()
        await owner.send(odd)
        assert "Send the panel's order id" in owner.last_text(), odd
        order = await orders.get(shop.db, 1)
        assert order is not None
        assert (order.state, order.upstream_id) == (State.UNKNOWN, None), odd
    await owner.send("1234")
    assert "Order #1 is settled" in owner.last_text()
