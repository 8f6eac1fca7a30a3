"""The outbox sender against a fake Telegram transport: budgets, flood waits, blocked users."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from itertools import pairwise

import pytest
from aiogram import Bot
from aiogram.methods import SendMessage, TelegramMethod
from aiogram.methods.base import TelegramType
from fluent.runtime import FluentBundle, FluentResource

from bot.i18n import Translator, format_money
from bot.jobs.scheduler import purge_outbox
from bot.jobs.sender import PER_CHAT_PER_PASS, Sender
from storage import outbox, users
from storage.db import Database
from tests.conftest import FakeClock
from tests.fakes.telegram import BOT_TOKEN, FakeSession, make_bot
from tests.unit.tracking_fixtures import USER, add_user, put_message

RU_PARTIAL = "push-partial = Заказ #{ $order } выполнен частично, возврат { $refund }\n"


class TimedSession(FakeSession):
    """The fake transport, also noting when (on the fake clock) each message was sent."""

    def __init__(self, clock: FakeClock) -> None:
        super().__init__()
        self.clock = clock
        self.times: list[tuple[int, float]] = []

    async def make_request(
        self,
        bot: Bot,
        method: TelegramMethod[TelegramType],
        timeout: int | None = None,  # noqa: ASYNC109  (BaseSession's signature)
    ) -> TelegramType:
        if isinstance(method, SendMessage):
            self.times.append((int(method.chat_id), self.clock()))
        return await super().make_request(bot, method, timeout)


class Sleeper:
    """The sender's `sleep`: moves the fake clock instead of waiting, and remembers each wait."""

    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.clock.advance(seconds)


@pytest.fixture
def session(clock: FakeClock) -> TimedSession:
    return TimedSession(clock)


@pytest.fixture
async def bot(session: TimedSession) -> AsyncIterator[Bot]:
    bot = make_bot(session)
    yield bot
    await bot.session.close()


@pytest.fixture
def sleeper(clock: FakeClock) -> Sleeper:
    return Sleeper(clock)


@pytest.fixture
def sender(
    bot: Bot, db: Database, translator: Translator, clock: FakeClock, sleeper: Sleeper
) -> Sender:
    return Sender(
        bot, db, translator, currency="USD", rate=25.0, chat_interval=1.0, clock=clock,
        sleep=sleeper,
    )  # fmt: skip


def texts(session: FakeSession, chat_id: int | None = None) -> list[str]:
    return [str(method.text) for method in session.sent(SendMessage, chat_id=chat_id)]


async def failed_reason(db: Database, key: str) -> str | None:
    value = await db.scalar("SELECT failed FROM outbox WHERE key = ?", (key,))
    return None if value is None else str(value)


async def test_sends_and_marks_each_row_once(
    db: Database, sender: Sender, session: TimedSession
) -> None:
    await add_user(db)
    await put_message(db, USER, "push-completed", "k1", order="1001", service="Likes")
    stats = await sender.send_once()
    assert (stats.sent, stats.retried, stats.failed, stats.blocked) == (1, 0, 0, 0)
    assert texts(session) == ["✅ Order #1001 (Likes) is complete. Thank you!"]
    assert (await sender.send_once()).sent == 0
    assert len(session.sent(SendMessage)) == 1


async def test_flood_wait_is_honoured_and_the_row_is_sent_later(
    db: Database, sender: Sender, session: TimedSession, sleeper: Sleeper
) -> None:
    await add_user(db)
    await put_message(db, USER, "push-completed", "k1", order="1", service="Likes")
    session.fail(SendMessage, 429, retry_after=7)
    first = await sender.send_once()
    assert (first.sent, first.retried) == (0, 1)
    assert 7 in sleeper.waits
    assert await outbox.pending_count(db) == 1  # kept, not dropped
    second = await sender.send_once()
    assert second.sent == 1
    assert await outbox.pending_count(db) == 0
    assert len(texts(session)) == 2  # the refused attempt and the one that went through


async def test_a_user_who_blocked_the_bot_is_marked_and_never_retried(
    db: Database, sender: Sender, session: TimedSession
) -> None:
    await add_user(db)
    await add_user(db, 502)
    await put_message(db, USER, "push-completed", "k1", order="1", service="Likes")
    await put_message(db, 502, "push-completed", "k2", order="2", service="Likes")
    session.fail(SendMessage, 403, chat_id=USER)
    stats = await sender.send_once()
    assert (stats.sent, stats.blocked) == (1, 1)
    blocked = await users.get(db, USER)
    assert blocked is not None
    assert blocked.blocked
    assert await failed_reason(db, "k1") == "blocked"
    session.clear()
    assert (await sender.send_once()).sent == 0
    assert session.sent(SendMessage) == []


async def test_a_bad_request_fails_the_row_with_the_reason(
    db: Database, sender: Sender, session: TimedSession, caplog: pytest.LogCaptureFixture
) -> None:
    await put_message(db, 777, "push-completed", "k1", order="1", service="Secret-ish text")
    session.fail(SendMessage, 400, "Bad Request: chat not found")
    with caplog.at_level(logging.DEBUG):
        stats = await sender.send_once()
    assert stats.failed == 1
    assert await failed_reason(db, "k1") == "Bad Request: chat not found"
    assert (await sender.send_once()).failed == 0  # never retried
    assert "Secret-ish text" not in caplog.text  # message texts stay out of the log
    assert BOT_TOKEN not in caplog.text


async def test_a_server_error_postpones_the_row_and_ends_the_pass(
    db: Database, sender: Sender, session: TimedSession
) -> None:
    for chat in (USER, 502):
        await put_message(db, chat, "push-completed", f"k{chat}", order="1", service="Likes")
    session.fail(SendMessage, 500)
    stats = await sender.send_once()
    assert (stats.sent, stats.retried) == (0, 1)
    assert len(session.sent(SendMessage)) == 1  # the second row waits for the next pass
    row = await db.fetchone("SELECT attempts, not_before FROM outbox WHERE key = ?", (f"k{USER}",))
    assert row is not None
    assert row[0] == 1
    assert row[1] > 0  # backed off, still queued
    assert await outbox.pending_count(db) == 2


async def test_the_global_budget_spaces_messages(
    db: Database, sender: Sender, session: TimedSession, clock: FakeClock
) -> None:
    for chat in range(1, 101):
        await put_message(db, chat, "push-completed", f"k{chat}", order=str(chat), service="S")
    start = clock()
    stats = await sender.send_once()
    assert stats.sent == 100
    assert clock() - start >= 99 / 25 - 1e-9  # 25 a second: about 4 s for 100 messages
    moments = [moment for _, moment in session.times]
    assert min(b - a for a, b in pairwise(moments)) >= 1 / 25 - 1e-9


async def test_one_chat_waits_its_interval_without_holding_the_others(
    db: Database, sender: Sender, session: TimedSession
) -> None:
    await put_message(db, USER, "push-in-progress", "a1", order="1", service="S")
    await put_message(db, USER, "push-completed", "a2", order="1", service="S")
    await put_message(db, 502, "push-completed", "b1", order="2", service="S")
    stats = await sender.send_once()
    assert stats.sent == 3
    order = [chat for chat, _ in session.times]
    assert order == [USER, 502, USER]  # 502 went while USER's interval ran
    to_user = [moment for chat, moment in session.times if chat == USER]
    assert to_user[1] - to_user[0] >= 1.0
    assert session.times[1][1] - session.times[0][1] < 1.0


async def test_a_busy_chat_is_capped_per_pass(
    db: Database, sender: Sender, session: TimedSession
) -> None:
    for number in range(PER_CHAT_PER_PASS + 3):
        await put_message(db, USER, "push-completed", f"k{number}", order=str(number), service="S")
    assert (await sender.send_once()).sent == PER_CHAT_PER_PASS
    assert (await sender.send_once()).sent == 3


async def test_rendered_in_the_recipients_language_with_money_formatted(
    db: Database, bot: Bot, session: TimedSession, clock: FakeClock, sleeper: Sleeper
) -> None:
    translator = Translator("en")
    own_russian = "ru" not in translator.bundles
    if own_russian:  # until the Russian texts land: a bundle of our own
        ru = FluentBundle(["ru"], use_isolating=False)
        ru.add_resource(FluentResource(RU_PARTIAL))
        translator.bundles["ru"] = ru
    sender = Sender(bot, db, translator, currency="USD", clock=clock, sleep=sleeper)
    await add_user(db, USER, locale="en")
    await add_user(db, 502, locale="en")
    await users.set_locale(db, 502, "ru")
    for chat in (USER, 502, 503):  # 503 never talked to the bot: the default language
        await put_message(
            db, chat, "push-partial", f"k{chat}", order="1001", service="Likes", refund=123456
        )
    assert (await sender.send_once()).sent == 3
    english = texts(session, USER)[0]
    assert format_money(123456, "USD", "en") in english  # $1,234.56
    assert "#1001" in english
    russian = texts(session, 502)[0]
    assert format_money(123456, "USD", "ru") in russian  # 1 234,56 $
    if own_russian:
        assert russian.startswith("Заказ #1001")
    assert texts(session, 503) == [english]


def test_money_arguments_only_are_formatted(translator: Translator, bot: Bot, db: Database) -> None:
    sender = Sender(bot, db, translator, currency="EUR")
    row = outbox.Message(1, USER, "push-partial", {"order": "5", "service": "S", "refund": 250}, 0)
    text = sender.render(row, "en")
    assert format_money(250, "EUR", "en") in text
    assert "#5" in text


async def test_old_delivered_rows_are_purged_and_pending_ones_kept(db: Database) -> None:
    async with db.transaction() as conn:
        for key in ("sent", "failed", "pending", "fresh"):
            await outbox.put(conn, 1, "menu", key=key)
        await conn.execute("UPDATE outbox SET created_at = 0 WHERE key <> 'fresh'")
        await conn.execute("UPDATE outbox SET sent_at = 1 WHERE key IN ('sent', 'fresh')")
        await conn.execute("UPDATE outbox SET failed = 'blocked' WHERE key = 'failed'")
    assert await purge_outbox(db) == 2
    assert await outbox.pending_count(db) == 1
    left = await db.fetchall("SELECT key FROM outbox ORDER BY key")
    assert [row[0] for row in left] == ["fresh", "pending"]
