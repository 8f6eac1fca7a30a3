"""Long polling: Telegram hears "done" only for updates finished without a gap, payments survive
a shutdown, and what a shutdown cut short comes again and does no harm."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager, suppress
from dataclasses import replace
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qsl

import httpx
import pytest
from aiogram import Bot, Dispatcher, Router
from aiogram.methods import AnswerCallbackQuery, DeleteWebhook, GetUpdates, SendMessage
from aiogram.types import Message, Update
from aiogram.utils.backoff import BackoffConfig
from pydantic import SecretStr

from bot.app import Deps, build_dispatcher
from bot.i18n import Translator
from bot.panel.client import PanelClient
from bot.panel.panels import Panels
from bot.panel.sandbox import SandboxPanel
from bot.polling import Poller, Window
from bot.shop import payments
from bot.shop.config import ShopConfig
from bot.shutdown import InFlight
from storage import ledger, orders, users
from storage.db import Database
from storage.orders import State
from tests.fakes.telegram import FakeSession, TelegramUser, make_bot
from tests.flow.chat import to_summary

PAUSE = 0.01  # the poller's pace while an update is in flight: fast, for the tests
FAST_BACKOFF = BackoffConfig(min_delay=0.01, max_delay=0.02, factor=1.5, jitter=0.0)


class Telegram:
    """Telegram's side of getUpdates: an update comes back in every answer until an offset
    passes it; with nothing to send, a request waits (up to its timeout) for a new update.

    It also stands in for the Dispatcher of a `TelegramUser`, so what that person does
    reaches the bot through getUpdates."""

    def __init__(self, session: FakeSession) -> None:
        self.offsets: list[int | None] = []  # the offset of each getUpdates, in order
        self.answers: list[list[int]] = []  # the update ids each getUpdates returned
        self.sent: list[Update] = []  # every update ever queued
        self._queue: list[Update] = []
        self._arrived = asyncio.Event()
        session.responder(GetUpdates, self._get_updates)

    def send(self, *updates: Update) -> None:
        self._queue.extend(updates)
        self.sent.extend(updates)
        self._arrived.set()

    async def feed_update(self, bot: Bot, update: Update) -> None:
        self.send(update)

    def sent_again(self, update_id: int) -> int:
        """How many answers carried this update after the first one."""
        return max(0, sum(update_id in ids for ids in self.answers) - 1)

    async def _get_updates(self, method: GetUpdates) -> list[Update]:
        self.offsets.append(method.offset)
        if method.offset is not None:
            self._queue = [u for u in self._queue if u.update_id >= method.offset]
        if not self._queue and method.timeout:
            self._arrived.clear()
            with suppress(TimeoutError):
                await asyncio.wait_for(self._arrived.wait(), method.timeout)
        answer = self._queue[: method.limit or 100]
        self.answers.append([update.update_id for update in answer])
        return answer


@pytest.fixture
async def session() -> AsyncIterator[FakeSession]:
    fake = FakeSession()
    yield fake
    await fake.close()


@pytest.fixture
def bot(session: FakeSession) -> Bot:
    return make_bot(session)


@pytest.fixture
def telegram(session: FakeSession) -> Telegram:
    return Telegram(session)


@asynccontextmanager
async def polling(poller: Poller) -> AsyncIterator[asyncio.Event]:
    """The poller running; stopped (and its loop ended) on the way out."""
    stop = asyncio.Event()
    running = asyncio.create_task(poller.run(stop))
    try:
        yield stop
    finally:
        stop.set()
        await asyncio.wait_for(running, 5)


async def eventually(predicate: Callable[[], Any], what: str, within: float = 10.0) -> None:
    deadline = time.monotonic() + within
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {within}s for {what}")
        await asyncio.sleep(0.005)


def text_update(bot: Bot, update_id: int, user_id: int, text: str) -> Update:
    person = {"id": user_id, "is_bot": False, "first_name": f"P{user_id}"}
    message = {
        "message_id": update_id, "date": int(time.time()), "text": text, "from": person,
        "chat": {"id": user_id, "type": "private", "first_name": f"P{user_id}"},
    }  # fmt: skip
    return Update.model_validate({"update_id": update_id, "message": message}, context={"bot": bot})


class Gates:
    """A Dispatcher whose handler for a text waits until the test opens that text's gate."""

    def __init__(self, *texts: str) -> None:
        self.open = {text: asyncio.Event() for text in texts}
        self.entered: list[str] = []
        self.done: list[str] = []
        self.dp = Dispatcher()
        router = Router()
        router.message.register(self._wait)
        self.dp.include_router(router)

    async def _wait(self, message: Message) -> None:
        assert message.text is not None
        self.entered.append(message.text)
        await self.open[message.text].wait()
        self.done.append(message.text)


# --- the offset ------------------------------------------------------------------------------


def test_the_window_confirms_the_finished_prefix_and_forgets_it() -> None:
    window = Window()
    assert window.offset() is None  # nothing received: no offset yet
    assert window.admit(5) and window.admit(6) and window.admit(9)
    assert not window.admit(6)  # sent again while in flight
    assert window.finish(6) is False  # 5 is still running: the offset cannot move
    assert window.offset() == 5
    assert window.finish(5) is True
    assert window.offset() == 9  # 5 and 6 confirmed (and forgotten), 9 still running
    assert window.finish(9) is True
    assert (window.offset(), window.unfinished) == (10, 0)


async def test_the_offset_passes_only_updates_finished_without_a_gap(
    bot: Bot, telegram: Telegram
) -> None:
    gates = Gates("slow", "fast")
    telegram.send(text_update(bot, 1, 11, "slow"), text_update(bot, 2, 12, "fast"))
    async with polling(Poller(gates.dp, bot, {}, busy_pause=PAUSE)):
        await eventually(lambda: sorted(gates.entered) == ["fast", "slow"], "both to be handled")
        gates.open["fast"].set()
        await eventually(lambda: gates.done == ["fast"], "update 2 to finish")
        asked = len(telegram.offsets)
        await eventually(lambda: len(telegram.offsets) > asked + 2, "more getUpdates")
        # 2 is done, but confirming it would confirm 1 as well
        assert set(telegram.offsets[asked:]) == {1}
        gates.open["slow"].set()
        await eventually(lambda: telegram.offsets[-1] == 3, "the offset to pass both")
    assert 2 not in telegram.offsets
    assert gates.done == ["fast", "slow"]


async def test_an_update_sent_again_while_in_flight_is_handled_once(
    bot: Bot, telegram: Telegram
) -> None:
    gates = Gates("slow")
    telegram.send(text_update(bot, 1, 11, "slow"))
    pause = 0.05
    async with polling(Poller(gates.dp, bot, {}, busy_pause=pause)):
        await eventually(lambda: gates.entered == ["slow"], "the update to be handled")
        asked, since = len(telegram.offsets), time.monotonic()
        await eventually(lambda: telegram.sent_again(1) >= 3, "Telegram to send it again")
        await asyncio.sleep(0.2)  # it is still in flight: the poller asks at its pace, no faster
        waited = time.monotonic() - since
        assert len(telegram.offsets) - asked <= waited / pause + 2
        gates.open["slow"].set()
        await eventually(lambda: telegram.offsets[-1] == 2, "the offset to pass it")
    assert gates.entered == ["slow"]  # handled once, however often it came


async def test_polling_stops_at_once_and_confirms_nothing_unfinished(
    bot: Bot, session: FakeSession, telegram: Telegram
) -> None:
    poller = Poller(Gates().dp, bot, {}, busy_pause=PAUSE)
    async with polling(poller):  # leaving it waits 5 s at most; the long poll would take 10
        await eventually(lambda: telegram.offsets, "the first long poll")  # nothing to send
    await poller.confirm()
    assert telegram.offsets == [None]  # nothing received, nothing to confirm
    assert isinstance(session.requests[0], DeleteWebhook)  # a webhook would block getUpdates


async def test_getupdates_failures_are_retried_with_backoff(
    bot: Bot, session: FakeSession, telegram: Telegram, caplog: pytest.LogCaptureFixture
) -> None:
    gates = Gates("hello")
    gates.open["hello"].set()
    session.fail(GetUpdates, 502, "Bad Gateway", times=2)
    telegram.send(text_update(bot, 7, 11, "hello"))
    with caplog.at_level(logging.INFO, logger="bot.polling"):
        async with polling(Poller(gates.dp, bot, {}, busy_pause=PAUSE, backoff=FAST_BACKOFF)):
            await eventually(lambda: telegram.offsets[-1:] == [8], "the update to be confirmed")
    assert gates.done == ["hello"]
    assert caplog.text.count("getUpdates failed") == 2
    assert "getUpdates works again after 2 failure(s)" in caplog.text


# --- shutdown with a Stars payment behind a slow checkout -----------------------------------


class HeldAdds:
    """The sandbox panel, over a transport whose `add` requests wait until released."""

    def __init__(self, sandbox: SandboxPanel) -> None:
        self.sandbox = sandbox
        self.release = asyncio.Event()
        self.adds = 0

    async def handle(self, request: httpx.Request) -> httpx.Response:
        if dict(parse_qsl(request.content.decode())).get("action") == "add":
            self.adds += 1
            await self.release.wait()
        return self.sandbox.handle(request)


@pytest.fixture
async def held(sandbox: SandboxPanel) -> AsyncIterator[tuple[HeldAdds, PanelClient]]:
    panel = HeldAdds(sandbox)
    async with httpx.AsyncClient(transport=httpx.MockTransport(panel.handle)) as http:
        yield panel, PanelClient(http, "https://panel.test/api/v2", SecretStr("test-key"))


def stars(shop_config: ShopConfig) -> ShopConfig:
    return replace(shop_config, stars_per_unit=Decimal(77), stars_in_sandbox=True)


async def paid_update(
    db: Database, shop: ShopConfig, session: FakeSession, bot: Bot, person: TelegramUser,
    charge_id: str,
) -> Update:  # fmt: skip
    """Telegram's successful_payment for a $10.00 Stars top-up the person just paid."""
    user = await users.get(db, person.user_id)
    assert user is not None
    payment = await payments.open_stars(db, shop, user, 1000)
    success = {
        "currency": "XTR", "total_amount": payments.stars_for(shop, 1000),
        "invoice_payload": payments.payload(payment.id), "telegram_payment_charge_id": charge_id,
        "provider_payment_charge_id": "",
    }  # fmt: skip
    message = session.store_incoming(
        person.chat_id, {"from": person.profile, "successful_payment": success}
    )
    return Update.model_validate(
        {"update_id": session.next_update_id(), "message": message}, context={"bot": bot}
    )


async def ledger_of(db: Database, user_id: int) -> dict[str, int]:
    rows = await db.fetchall("SELECT key, amount FROM ledger WHERE user_id = ?", (user_id,))
    return {row[0]: row[1] for row in rows}


async def test_shutdown_credits_a_payment_stuck_behind_a_slow_checkout_and_replays_the_rest(
    db: Database,
    shop_config: ShopConfig,
    translator: Translator,
    catalog: None,
    held: tuple[HeldAdds, PanelClient],
    session: FakeSession,
    bot: Bot,
    telegram: Telegram,
    caplog: pytest.LogCaptureFixture,
) -> None:
    panel, client = held
    shop = stars(shop_config)
    deps = Deps(db=db, panels=Panels.single(client), shop=shop, translator=translator)
    in_flight = InFlight()
    dp = build_dispatcher(deps, in_flight=in_flight)
    ann = TelegramUser(dp, bot, session, user_id=1)  # straight to the Dispatcher, up to Confirm
    await ann.send("/start")
    async with db.transaction() as conn:
        await ledger.post(conn, user_id=1, amount=10_000, key="test-topup", kind="topup")
    await to_summary(ann)
    over_telegram = TelegramUser(telegram, bot, session, user_id=1)

    poller = Poller(dp, bot, {}, busy_pause=PAUSE)
    async with polling(poller):
        await over_telegram.click("Confirm")  # the panel's add hangs: a slow checkout
        confirm = telegram.sent[-1].update_id
        await eventually(lambda: panel.adds == 1, "the add request")
        paid = await paid_update(db, shop, session, bot, ann, "stx-shutdown")
        telegram.send(paid)  # Ann's payment waits for her checkout (one user, one at a time)
        await eventually(lambda: in_flight.count == 2, "the payment to wait for the checkout")
    with caplog.at_level(logging.INFO):
        await asyncio.wait_for(in_flight.drain(0.05, 5.0), 10)
        await poller.confirm()

    assert in_flight.count == 0
    assert "1 update(s) still running after 0.05s: cancelled" in caplog.text
    assert (await ledger_of(db, 1))["stars:stx-shutdown"] == 1000  # credited, not cancelled
    assert any("Payment received" in sent.text for sent in session.sent(SendMessage, 1))
    order = await orders.get(db, 1)
    assert order is not None and order.state is State.SUBMITTING  # the checkout was cut short
    # The cancelled checkout is not confirmed; the payment after it is done but comes again too.
    assert telegram.offsets[-1] == confirm

    # The restart: Telegram delivers both again. The drafts survived, in the database.
    panel.release.set()  # a second add would go through now
    again = build_dispatcher(deps)
    answered = len(session.sent(AnswerCallbackQuery))
    async with polling(Poller(again, bot, {}, busy_pause=PAUSE)):
        await eventually(lambda: telegram.offsets[-1] == paid.update_id + 1, "both confirmed")
    replies = session.sent(AnswerCallbackQuery)[answered:]
    assert [reply.text for reply in replies][:1] == [translator.plain("en", "placing")]
    assert ann.last_text() == "✅ Order #1 was already placed with this summary."
    assert panel.adds == 1  # the replayed Confirm placed nothing
    keys = await ledger_of(db, 1)
    assert keys["stars:stx-shutdown"] == 1000 and len(keys) == 3  # top-up, order, one credit
