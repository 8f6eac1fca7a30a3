"""Telegram faults: flood waits, blocked users and refused edits never reach the user as errors."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiogram.methods import AnswerCallbackQuery, EditMessageText, SendMessage

from bot.app import Deps, build_dispatcher
from bot.i18n import Translator
from bot.jobs.sender import Sender
from bot.panel.client import PanelClient
from bot.panel.panels import Panels
from bot.panel.sandbox import SandboxPanel
from bot.shop.config import ShopConfig
from storage import outbox
from storage.db import Database
from tests.fakes.telegram import FakeSession, TelegramUser, make_bot
from tests.flow.conftest import Shop
from tests.reliability.conftest import Tally


@pytest.fixture
async def guarded(
    db: Database, panel: PanelClient, sandbox: SandboxPanel, shop_config: ShopConfig,
    translator: Translator, catalog: None,
) -> AsyncIterator[Shop]:  # fmt: skip
    """The production Dispatcher: with the errors router on, as it runs for real."""
    dp = build_dispatcher(
        Deps(db=db, panels=Panels.single(panel), shop=shop_config, translator=translator)
    )
    session = FakeSession()
    bot = make_bot(session)
    yield Shop(dp, bot, session, db, sandbox, panel)
    await bot.session.close()


async def test_flood_wait_on_a_reply_shows_nothing_and_keeps_working(
    guarded: Shop, tally: Tally
) -> None:
    tally.add(10)
    person = TelegramUser(guarded.dp, guarded.bot, guarded.session, user_id=1)
    guarded.session.fail(
        SendMessage, 429, "Too Many Requests: retry after 5", retry_after=5, times=10
    )
    for _ in range(10):
        await person.send("/start")  # the storm: every reply refused
    assert guarded.session.sent(SendMessage)[-1].text is not None
    assert all(m.text and "went wrong" not in m.text for m in guarded.session.sent(SendMessage))
    await person.send("/start")
    assert "Hi, Alice!" in person.last_text()


async def test_a_user_who_blocked_the_bot_is_not_answered_with_an_error(
    guarded: Shop, tally: Tally
) -> None:
    tally.add()
    person = TelegramUser(guarded.dp, guarded.bot, guarded.session, user_id=1)
    guarded.session.fail(SendMessage, 403, "Forbidden: bot was blocked by the user", times=None)
    await person.send("/start")
    assert len(guarded.session.sent(SendMessage)) == 1  # the refused reply, and no error message


async def test_editing_an_old_or_unchanged_message(guarded: Shop, tally: Tally) -> None:
    tally.add(2)
    person = TelegramUser(guarded.dp, guarded.bot, guarded.session, user_id=1)
    await person.send("/start")
    menu = person.last_message()
    await person.click("Help")
    await person.click("Menu", message=menu)
    await person.click("Help", message=menu)  # the same screen again: "not modified"
    guarded.session.fail(EditMessageText, 400, "Bad Request: message can't be edited")
    await person.click("Menu", message=menu)  # too old to edit: sent anew
    assert "What would you like to do?" in person.last_text()
    assert person.last_message().message_id != menu.message_id
    assert person.unanswered_callbacks == []
    alerts = [c.text for c in guarded.session.sent(AnswerCallbackQuery) if c.text]
    assert alerts == []


async def test_429_storms_and_403s_lose_no_outbox_row(
    db: Database, translator: Translator, tally: Tally
) -> None:
    tally.add(60)
    session = FakeSession()
    bot = make_bot(session)
    try:
        async with db.transaction() as conn:
            for chat in range(1, 51):
                await outbox.put(conn, chat, "menu", key=f"m:{chat}")
        session.fail(SendMessage, 429, "Too Many Requests", retry_after=1, times=30)
        for chat in (7, 8, 9):
            session.fail(SendMessage, 403, "Forbidden: bot was blocked by the user", chat_id=chat)
        slept: list[float] = []

        async def sleep(seconds: float) -> None:
            slept.append(seconds)

        sender = Sender(
            bot, db, translator, currency="USD", rate=1000, chat_interval=0, sleep=sleep
        )
        for _ in range(100):
            await sender.send_once()
            if await outbox.pending_count(db) == 0:
                break
        delivered = {m.chat_id for m in session.sent(SendMessage) if not _refused(session, m)}
        assert delivered == set(range(1, 51)) - {7, 8, 9}
        assert await outbox.pending_count(db) == 0
        assert sum(slept) >= 30  # every flood wait was honoured
    finally:
        await bot.session.close()


def _refused(session: FakeSession, method: SendMessage) -> bool:
    return any(x.method is method and x.error is not None for x in session.exchanges)
