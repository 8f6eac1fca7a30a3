"""The owner's console: every command with good and bad arguments, and for a non-admin."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from aiogram.types import Update

from bot.shop.audit import audit
from storage import ledger, orders, outbox, services, users
from storage.orders import State
from tests.conftest import ADMIN_ID
from tests.fakes.telegram import TelegramUser
from tests.flow.chat import open_service, to_summary
from tests.flow.conftest import Shop


async def buy(shop: Shop, person: TelegramUser, *, lose_answer: bool = False) -> None:
    await to_summary(person)
    if lose_answer:
        shop.sandbox.fail_next("add", httpx.ReadTimeout("lost"), processed=False)
    await person.click("Confirm")


COMMANDS = ["/admin", "/stats", "/panel", "/user 1", "/credit 1 5", "/debit 1 5", "/ban 1",
            "/unban 1", "/order 1", "/review", "/markup 10", "/hide service 101",
            "/show service 101", "/sync", "/maintenance on"]  # fmt: skip


@pytest.mark.parametrize("command", COMMANDS)
async def test_commands_do_not_exist_for_customers(shop: Shop, command: str) -> None:
    person = await shop.customer(1, balance=1000)
    await person.send(command)
    assert "I don't know that command" in person.last_text()
    assert await shop.balance(1) == 1000
    assert not (await users.get(shop.db, 1)).banned  # type: ignore[union-attr]


async def test_admin_lists_every_command(owner: TelegramUser) -> None:
    await owner.send("/admin")
    for command in COMMANDS:
        assert command.split()[0] in owner.last_text()


async def test_stats_counts_users_orders_and_money(shop: Shop, owner: TelegramUser) -> None:
    person = await shop.customer(1, balance=10_000)
    await buy(shop, person)
    await owner.send("/stats")
    text = owner.last_text()
    assert "Users: 2" in text
    assert "active: 1" in text
    assert "Today: orders: 1 · revenue $1.35 · cost $0.90 · margin $0.45" in text
    assert "Balances held: $98.65" in text


async def test_panel_balance(owner: TelegramUser) -> None:
    await owner.send("/panel")
    assert owner.last_text() == "Panel main: $1,000.00"  # formatted, not the raw 1000.00000


async def test_user_card_by_id_and_username(shop: Shop, owner: TelegramUser) -> None:
    await shop.customer(1, balance=500)
    await owner.send("/user @alice")
    assert "User 1" in owner.last_text()
    assert "Balance: $5.00" in owner.last_text()
    await owner.send("/user 424242")
    assert "No such user." in owner.last_text()
    await owner.send("/user")
    assert "Usage: /user" in owner.last_text()


async def test_credit_and_debit_are_ledger_rows_applied_once(
    shop: Shop, owner: TelegramUser
) -> None:
    await shop.customer(1)
    await owner.send("/credit 1 12.50 bank transfer")
    assert "now has $12.50" in owner.last_text()
    await owner.send("/debit 1 2.5 correction")
    assert "now has $10.00" in owner.last_text()
    await owner.send("/debit 1 100")
    assert "does not cover that debit" in owner.last_text()
    await owner.send("/credit 1 abc")
    assert "Usage: /credit" in owner.last_text()
    await owner.send("/credit nobody 5")
    assert "No such user." in owner.last_text()
    rows = await outbox.due(shop.db, 10)
    assert [(row.chat_id, row.message) for row in rows] == [
        (1, "notice-credited"),
        (1, "notice-debited"),
    ]
    assert (await audit(shop.db)).ok


async def test_a_replayed_credit_update_moves_money_once(shop: Shop, owner: TelegramUser) -> None:
    await shop.customer(1)
    update = Update.model_validate(
        {
            "update_id": 777,
            "message": {
                "message_id": 5000,
                "date": 0,
                "chat": {"id": ADMIN_ID, "type": "private"},
                "from": owner.profile,
                "text": "/credit 1 5",
                "entities": [{"type": "bot_command", "offset": 0, "length": 7}],
            },
        },
        context={"bot": shop.bot},
    )
    await owner.send_update(update)
    await owner.send_update(update)
    assert await shop.balance(1) == 500
    assert "already applied" in owner.last_text()


async def test_ban_stops_everything_with_one_polite_message(
    shop: Shop, owner: TelegramUser
) -> None:
    person = await shop.customer(1, balance=10_000)
    await owner.send("/ban 1")
    assert "User 1 is banned." in owner.last_text()
    await person.send("/start")
    assert "access to this shop has been suspended" in person.last_text()
    await person.send("instagram")
    assert "suspended" in person.last_text()
    await owner.send("/unban @alice")
    await person.send("/start")
    assert "Hi, Alice!" in person.last_text()


async def test_order_card_shows_upstream_details(shop: Shop, owner: TelegramUser) -> None:
    person = await shop.customer(1, balance=10_000)
    await buy(shop, person)
    await owner.send("/order 1")
    text = owner.last_text()
    upstream = next(iter(shop.sandbox.orders))
    assert f"Upstream id: {upstream}" in text
    assert "expected cost: 0.9" in text
    await owner.send("/order 99")
    assert "No such order." in owner.last_text()
    await owner.send("/order x")
    assert "Usage: /order" in owner.last_text()


async def test_review_attach_tracks_the_order(shop: Shop, owner: TelegramUser) -> None:
    person = await shop.customer(1, balance=10_000)
    await buy(shop, person, lose_answer=True)
    await owner.send("/review")
    await owner.click("Attach upstream id")
    await owner.send("not a number")
    assert "Send the panel's order id" in owner.last_text()
    await owner.send("5555")
    assert "Order #1 is settled" in owner.last_text()
    order = await orders.get(shop.db, 1)
    assert order is not None
    assert (order.state, order.upstream_id) == (State.ACTIVE, 5555)
    await owner.send("/review")
    assert "No orders are waiting" in owner.last_text()


async def test_review_refund_pays_back_once_even_if_pressed_twice(
    shop: Shop, owner: TelegramUser
) -> None:
    person = await shop.customer(1, balance=10_000)
    await buy(shop, person, lose_answer=True)
    assert await shop.balance(1) == 10_000 - 135
    await owner.send("/review")
    card = owner.last_message()
    await asyncio.gather(
        owner.click("Not placed", message=card), owner.click("Not placed", message=card)
    )
    assert await shop.balance(1) == 10_000
    refunds = [e for e in await ledger.recent(shop.db, 1) if e.kind == "refund"]
    assert len(refunds) == 1
    assert (await audit(shop.db)).ok


async def test_markup_global_category_and_service(shop: Shop, owner: TelegramUser) -> None:
    person = await shop.customer(1)
    await owner.send("/markup 100")
    assert "The shop-wide markup is now 100%" in owner.last_text()
    await owner.send("/markup 0 category Instagram Followers")
    await owner.send("/markup 10 service 101")
    service = await services.get(shop.db, 101)
    assert service is not None
    assert (service.markup, service.category_markup) == (10, 0)
    await open_service(person, 101)
    assert "$0.99 per 1000" in person.last_text()  # 0.90 + 10%
    await owner.send("/markup lots")
    assert "Usage: /markup" in owner.last_text()
    await owner.send("/markup 5 service 999999")
    assert "Usage: /markup" in owner.last_text()


async def test_hide_and_show(shop: Shop, owner: TelegramUser) -> None:
    person = await shop.customer(1)
    await owner.send("/hide category Twitter / X")
    assert "is hidden" in owner.last_text()
    await person.send("twitter")
    assert "Nothing matches" in person.last_text()
    await owner.send("/show category twitter / x")
    await person.send("twitter")
    assert "2 services match" in person.last_text()
    await owner.send("/hide service 101")
    await person.send("/search Real")
    assert "Nothing matches" in person.last_text()
    await owner.send("/hide planet 3")
    assert "Usage: /hide" in owner.last_text()


async def test_sync_reports_what_changed(shop: Shop, owner: TelegramUser) -> None:
    await owner.send("/sync")
    assert "0 new, 0 changed, 0 gone, 23 in all" in owner.last_text()


async def test_maintenance_closes_the_shop_for_customers_only(
    shop: Shop, owner: TelegramUser
) -> None:
    person = await shop.customer(1)
    await owner.send("/maintenance on")
    await person.send("/start")
    assert "under maintenance" in person.last_text()
    await owner.send("/stats")
    assert "Users:" in owner.last_text()
    await owner.send("/maintenance maybe")
    assert "Usage: /maintenance" in owner.last_text()
    await owner.send("/maintenance off")
    await person.send("/start")
    assert "Hi, Alice!" in person.last_text()


async def test_catalog_screens_show_every_change_at_once(shop: Shop, owner: TelegramUser) -> None:
    # The same screens, opened again and again: each change shows on the next one.
    person = await shop.customer(1)
    await person.click("New order")
    assert ["Twitter / X (2)"] in person.buttons()
    await person.click("Instagram Followers (")
    assert "#101 Instagram Followers [Real]" in person.last_text()
    assert "$1.35 per 1000" in person.last_text()  # 0.90 + 50%
    await owner.send("/markup 100")
    await person.click("Back")
    await person.click("Instagram Followers (")
    assert "$1.80 per 1000" in person.last_text()
    await owner.send("/hide category Twitter / X")
    await person.click("Back")
    assert ["Twitter / X (2)"] not in person.buttons()
    async with shop.db.transaction() as conn:  # a hand edit of the file shows too
        await conn.execute("UPDATE services SET available = 0 WHERE id = 101")
    await person.click("Instagram Followers (")
    assert "#101 " not in person.last_text()


async def test_search_results_and_cards_show_every_change_at_once(
    shop: Shop, owner: TelegramUser
) -> None:
    # Kept per words and per service like the category pages: each change shows on the next one.
    person = await shop.customer(1)
    await person.send("followers real")
    assert "$1.35 per 1000" in person.last_text()  # 0.90 + 50%
    await person.click("#101 ")
    assert "$1.35 per 1000" in person.last_text()
    await owner.send("/markup 100")
    await person.click("Back")
    assert "$1.80 per 1000" in person.last_text()
    await person.click("#101 ")
    assert "$1.80 per 1000" in person.last_text()
    await owner.send("/markup 10 service 101")
    await person.click("Back")
    await person.click("#101 ")
    assert "$0.99 per 1000" in person.last_text()
    await owner.send("/hide service 101")
    await person.send("followers real")
    assert "Nothing matches" in person.last_text()
    await owner.send("/show service 101")
    await person.send("followers real")
    assert "#101 Instagram Followers [Real]" in person.last_text()
    async with shop.db.transaction() as conn:  # a hand edit of the file shows too
        await conn.execute("UPDATE services SET available = 0 WHERE id = 101")
    await person.send("followers real")
    assert "Nothing matches" in person.last_text()
