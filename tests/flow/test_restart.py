"""A deploy in the middle of a customer's order: the new process continues where they were
(drafts in the shop's database, or in Redis: see `processes`)."""

from __future__ import annotations

from typing import Any

import pytest
from aiogram.methods import TelegramMethod
from aiogram.types import Update

from handlers.order import OrderForm
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


# --- an update delivered again: its process died before Telegram had the answer -------------


class Killed(BaseException):
    """The process dies here (SIGKILL): nothing after this line runs, nothing is cleaned up."""


def recording(person: TelegramUser) -> list[Update]:
    """Every update the person's client sends from now on, to deliver one again later."""
    fed: list[Update] = []
    send = person.send_update

    async def record(update: Update) -> list[TelegramMethod[Any]]:
        fed.append(update)
        return await send(update)

    person.send_update = record  # type: ignore[method-assign]
    return fed


async def test_a_confirm_delivered_again_after_a_kill_places_once_and_names_the_order(
    processes: Processes, db_target: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    shop = await processes.start()
    person = await shop.customer(balance=100_000)
    await to_summary(person)
    fed = recording(person)

    def die(form: dict[str, str]) -> dict[str, Any]:
        raise Killed

    monkeypatch.setitem(shop.sandbox._actions, "add", die)  # dies as its `add` goes out
    with pytest.raises(Killed):
        await person.click("Confirm")
    monkeypatch.undo()

    shop = await restart(processes, shop, person, db_target)
    try:
        await person.send_update(fed[-1])  # Telegram had no answer: the same Confirm again
        assert person.last_text() == "✅ Order #1 was already placed with this summary."
        assert any("View order" in label for row in person.buttons() for label in row)
        debits = await shop.db.fetchall("SELECT amount FROM ledger WHERE kind = 'order'")
        assert [row[0] for row in debits] == [-135]
        assert await shop.db.scalar("SELECT COUNT(*) FROM orders") == 1
        assert len(shop.adds()) == 1  # the one that went out as the process died
    finally:
        await shop.db.close()


async def test_an_answer_delivered_again_shows_its_step_instead_of_being_taken_twice(
    processes: Processes,
) -> None:
    shop = await processes.start()
    person = await shop.customer(balance=100_000)
    await open_service(person, 101)
    await person.click("Order this")
    fed = recording(person)
    await person.send(LINK)
    await person.send("1000")
    assert "Please check your order" in person.last_text()

    await person.send_update(fed[-1])  # "1000" again: its answer was lost with a process
    summary = person.last_message()
    assert (
        "Please check your order" in (summary.text or "")
        and "Quantity: 1,000" in person.last_text()
    )
    await person.send_update(fed[0])  # the link, delivered again much later, is not an answer
    assert person.last_text().startswith("Please use the buttons under the summary")
    await person.click("Confirm", message=summary)
    assert "Order #1 is placed" in person.last_text()
    assert len(shop.adds()) == 1


async def test_a_draft_whose_step_was_not_written_goes_on_to_its_summary(
    processes: Processes,
) -> None:
    """The answers and the step are two writes: a process killed between them leaves every
    answer in and the step still at the question. The next message shows the summary."""
    shop = await processes.start()
    person = await shop.customer(balance=100_000)
    await to_summary(person)
    state = shop.dp.fsm.get_context(shop.bot, chat_id=person.chat_id, user_id=person.user_id)
    await state.set_state(OrderForm.answer)  # the step of before the last answer

    await person.send("1000")
    assert "Please check your order" in person.last_text()
    await person.click("Confirm")
    assert "Order #1 is placed" in person.last_text()
