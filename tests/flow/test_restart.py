"""A deploy in the middle of a customer's order: the new process continues where they were
(drafts in the shop's database, or in Redis: see `processes`)."""

from __future__ import annotations

from storage.db import Database
from tests.fakes.telegram import TelegramUser
from tests.flow.chat import LINK, open_service, to_summary
from tests.flow.conftest import Processes, Shop


async def restart(processes: Processes, shop: Shop, person: TelegramUser, target: str) -> Shop:
    """Stop the bot (its database closed) and start a new one on the same database, as a
    deploy does; Telegram and the panel are the same, and so is the chat the customer sees."""
    await shop.db.close()
    shop = await processes.start(await Database.open(target))
    person.dp = shop.dp
    return shop


async def test_a_restart_mid_wizard_continues_from_the_same_question(
    processes: Processes, db_target: str
) -> None:
    shop = await processes.start()
    person = await shop.customer(balance=100_000)
    await open_service(person, 101)
    await person.click("Order this")
    await person.send(LINK)
    assert "How many?" in person.last_text()

    shop = await restart(processes, shop, person, db_target)
    try:
        await person.send("1000")  # the answer to the question asked before the restart
        summary = person.last_text()
        assert "Please check your order" in summary and LINK in summary
        await person.click("Confirm")
        assert "Order #1 is placed" in person.last_text()
        assert len(shop.adds()) == 1
        assert await shop.db.scalar("SELECT COUNT(*) FROM orders") == 1
    finally:
        await shop.db.close()


async def test_the_summary_shown_before_a_restart_can_be_confirmed_after_it(
    processes: Processes, db_target: str
) -> None:
    shop = await processes.start()
    person = await shop.customer(balance=100_000)
    await to_summary(person)
    markup = person.last_message().reply_markup
    assert markup is not None
    (confirm,) = [
        b.callback_data for row in markup.inline_keyboard for b in row if "Confirm" in b.text
    ]
    assert confirm is not None

    shop = await restart(processes, shop, person, db_target)
    try:
        await person.click("Confirm")
        assert "Order #1 is placed" in person.last_text()
        await person.click_data(confirm)  # a second tap, late, places nothing more
        assert "already used or has expired" in shop.alerts()[-1]
        assert len(shop.adds()) == 1
        assert await shop.db.scalar("SELECT COUNT(*) FROM orders") == 1
    finally:
        await shop.db.close()
