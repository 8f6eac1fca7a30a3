"""Two processes taking updates for one shop: a customer's wizard goes on in whichever gets the
next update, and one customer's updates are handled one at a time across both."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.methods import SendMessage
from aiogram.types import TelegramObject, Update

from tests.fakes.telegram import TelegramUser
from tests.flow.chat import LINK, open_service
from tests.flow.conftest import Processes

# How long the first update holds its turn, giving the second one time to barge in (it may not).
HOLD_SECONDS = 0.5


async def test_a_wizard_begun_on_one_replica_goes_on_on_the_other(processes: Processes) -> None:
    a = await processes.start()
    b = await processes.start()
    person = await a.customer(balance=100_000)
    await open_service(person, 101)
    await person.click("Order this")
    await person.send(LINK)
    assert "How many?" in person.last_text()

    person.dp = b.dp  # the load balancer sends the next update to the other replica
    await person.send("1000")
    summary = person.last_text()
    assert "Please check your order" in summary and LINK in summary

    person.dp = a.dp
    await person.click("Confirm")
    assert "Order #1 is placed" in person.last_text()
    assert len(a.adds()) == 1
    assert await a.db.scalar("SELECT COUNT(*) FROM orders") == 1


class Turns(BaseMiddleware):
    """Writes down when each text update starts and ends being handled (inside the customer's
    lock); the first one waits there until the second one comes in, or HOLD_SECONDS."""

    def __init__(self) -> None:
        self.log: list[tuple[str, str]] = []
        self.first_in = asyncio.Event()
        self.second_in = asyncio.Event()

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        assert isinstance(event, Update) and event.message is not None
        text = event.message.text or ""
        self.log.append(("in", text))
        if self.first_in.is_set():
            self.second_in.set()
        else:
            self.first_in.set()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.second_in.wait(), HOLD_SECONDS)
        try:
            return await handler(event, data)
        finally:
            self.log.append(("out", text))


async def test_two_updates_of_one_customer_at_once_are_handled_one_after_the_other(
    processes: Processes,
) -> None:
    a = await processes.start()
    # Without Redis a shop runs one process: both updates come to it.
    b = await processes.start() if processes.side_by_side else a
    person = await a.customer(balance=100_000)
    await open_service(person, 101)
    await person.click("Order this")
    await person.send(LINK)
    turns = Turns()
    for dp in {id(a.dp): a.dp, id(b.dp): b.dp}.values():
        dp.update.middleware(turns)
    on_b = TelegramUser(b.dp, b.bot, b.session, user_id=person.user_id)

    first = asyncio.create_task(person.send("1000"))
    await turns.first_in.wait()
    await asyncio.gather(first, on_b.send("2000"))  # while the first one is being handled

    assert turns.log == [("in", "1000"), ("out", "1000"), ("in", "2000"), ("out", "2000")]
    sent = a.session.sent(SendMessage, person.chat_id)
    summaries = [message.text for message in sent if "Please check" in message.text]
    assert len(summaries) == 1 and "1,000" in summaries[0], summaries  # one "How many?" answered
