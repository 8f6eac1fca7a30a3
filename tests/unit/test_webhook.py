"""Webhook app, /healthz, graceful-shutdown helpers and log redaction, in-process over real HTTP."""

from __future__ import annotations

import asyncio
import logging
import socket
import time
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiogram import Bot, Dispatcher, Router
from aiogram.methods import SetWebhook
from aiogram.types import Message, Update
from aiohttp import web
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.__main__ import main
from bot.app import Deps, build_dispatcher
from bot.i18n import Translator
from bot.panel.client import PanelClient
from bot.panel.panels import Panels
from bot.shop import payments
from bot.shop.config import ShopConfig
from bot.shutdown import InFlight, RunningJobs, stop_scheduler
from bot.webhook import SECRET_HEADER, build_app, health_check, run_webhook, webhook_path
from storage import users
from storage.db import Database
from tests.e2e.telegram_emulator import read_webhook_answer
from tests.fakes.telegram import FakeSession, make_bot

SECRET = "webhook-secret-for-tests"
PATH = "/tg/hook"
USER_ID = 77
USER = {"id": USER_ID, "is_bot": False, "first_name": "Cy", "language_code": "en"}


def start_update(update_id: int = 1) -> dict[str, Any]:
    return {
        "update_id": update_id,
        "message": {
            "message_id": 1,
            "date": int(time.time()),
            "chat": {"id": USER_ID, "type": "private", "first_name": "Cy"},
            "from": USER,
            "text": "/start",
            "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
        },
    }


async def eventually(predicate: Callable[[], Any], what: str, within: float = 10.0) -> None:
    deadline = time.monotonic() + within
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {within}s for {what}")
        await asyncio.sleep(0.01)


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as session:
        yield session


@pytest.fixture
async def scheduler() -> AsyncIterator[AsyncIOScheduler]:
    jobs = AsyncIOScheduler()
    jobs.start()
    yield jobs
    if jobs.running:
        jobs.shutdown(wait=False)


async def healthy() -> bool:
    return True


# --- the webhook app ---------------------------------------------------------------------------


@pytest.mark.parametrize("header", [None, "wrong-secret-value"])
async def test_a_forged_update_is_refused_and_logged_without_the_secret(
    serve_app: Callable[[web.Application], Any],
    http: aiohttp.ClientSession,
    caplog: pytest.LogCaptureFixture,
    header: str | None,
) -> None:
    session = FakeSession()
    bot = make_bot(session)
    app = build_app(Dispatcher(), bot, secret=SECRET, path=PATH, health=healthy)
    base = await serve_app(app)
    headers = {} if header is None else {SECRET_HEADER: header}
    with caplog.at_level(logging.WARNING, logger="bot.webhook"):
        async with http.post(base + PATH, json=start_update(), headers=headers) as response:
            assert response.status == 401
    assert session.requests == []
    [record] = [r for r in caplog.records if r.name == "bot.webhook"]
    assert "refused a request from 127.0.0.1" in record.getMessage()
    assert SECRET not in caplog.text and "wrong-secret-value" not in caplog.text
    await bot.session.close()


async def test_a_valid_update_is_answered_only_once_it_is_handled(
    serve_app: Callable[[web.Application], Any],
    http: aiohttp.ClientSession,
    db: Database,
    panel: PanelClient,
    shop_config: ShopConfig,
    translator: Translator,
    catalog: None,
) -> None:
    """Telegram's 200 confirms the update: a replica killed before it is handled leaves it to
    be delivered again (to any replica), never lost."""
    deps = Deps(db=db, panels=Panels.single(panel), shop=shop_config, translator=translator)
    in_flight = InFlight()
    dp = build_dispatcher(deps, catch_errors=False, in_flight=in_flight)
    outer = list(dp.update.outer_middleware)
    assert outer.index(in_flight) < outer.index(dp.fsm)  # counts while waiting for the lock
    session = FakeSession()
    bot = make_bot(session)
    base = await serve_app(build_app(dp, bot, secret=SECRET, path=PATH, health=healthy))

    async def post() -> tuple[int, dict[str, str]]:
        headers = {SECRET_HEADER: SECRET}
        async with http.post(base + PATH, json=start_update(41), headers=headers) as response:
            return response.status, await read_webhook_answer(response)

    key = dp.fsm.get_context(bot, chat_id=USER_ID, user_id=USER_ID).key
    async with dp.fsm.events_isolation.lock(key):  # Cy's earlier update is still running
        posting = asyncio.create_task(post())
        await eventually(lambda: in_flight.count == 1, "/start to wait for Cy's lock")
        done, _ = await asyncio.wait({posting}, timeout=0.2)
        assert not done  # Telegram hears nothing while /start waits
    status, welcome = await posting
    assert status == 200  # with the welcome in it: handled before the answer
    assert (welcome["method"], welcome["chat_id"]) == ("sendMessage", str(USER_ID))
    assert "Hi, Cy!" in welcome["text"]
    await bot.session.close()


# --- a Stars payment is answered only once it is credited --------------------------------------


@dataclass
class Paying:
    """A shop with Stars on, and Cy's successful_payment for a $10.00 top-up, as Telegram posts it."""

    dp: Dispatcher
    in_flight: InFlight
    bot: Bot
    update: dict[str, Any]

    def lock(self) -> AbstractAsyncContextManager[None]:
        """Cy's per-user lock, as her slow checkout holds it: her payment waits behind it."""
        context = self.dp.fsm.get_context(self.bot, chat_id=USER_ID, user_id=USER_ID)
        return self.dp.fsm.events_isolation.lock(context.key)

    async def post(self, http: aiohttp.ClientSession, url: str) -> int | None:
        """The HTTP status Telegram gets, or None when the connection closed unanswered."""
        headers = {SECRET_HEADER: SECRET}
        try:
            async with http.post(url, json=self.update, headers=headers) as response:
                return response.status
        except aiohttp.ClientError:
            return None


@pytest.fixture
async def paying(
    db: Database, panel: PanelClient, shop_config: ShopConfig, translator: Translator,
    catalog: None,
) -> AsyncIterator[Paying]:  # fmt: skip
    shop = replace(shop_config, stars_per_unit=Decimal(77), stars_in_sandbox=True)
    deps = Deps(db=db, panels=Panels.single(panel), shop=shop, translator=translator)
    in_flight = InFlight()
    dp = build_dispatcher(deps, catch_errors=False, in_flight=in_flight)
    bot = make_bot(FakeSession())
    payment = await payments.open_stars(
        db, shop, await users.touch(db, USER_ID, "cy", "Cy", "en"), 1000
    )
    success = {
        "currency": "XTR", "total_amount": payments.stars_for(shop, 1000),
        "invoice_payload": payments.payload(payment.id), "telegram_payment_charge_id": "stx-web",
        "provider_payment_charge_id": "",
    }  # fmt: skip
    message = {
        "message_id": 2, "date": int(time.time()), "from": USER, "successful_payment": success,
        "chat": {"id": USER_ID, "type": "private", "first_name": "Cy"},
    }  # fmt: skip
    yield Paying(dp, in_flight, bot, {"update_id": 51, "message": message})
    await bot.session.close()


async def balance(db: Database) -> int:
    user = await users.get(db, USER_ID)
    assert user is not None
    return user.balance


async def test_a_stars_payment_is_answered_only_once_it_is_credited(
    serve_app: Callable[[web.Application], Any],
    http: aiohttp.ClientSession,
    db: Database,
    paying: Paying,
) -> None:
    app = build_app(paying.dp, paying.bot, secret=SECRET, path=PATH, health=healthy)
    url = await serve_app(app) + PATH
    async with paying.lock():
        posting = asyncio.create_task(paying.post(http, url))
        await eventually(lambda: paying.in_flight.count == 1, "the payment to wait for Cy's lock")
        done, _ = await asyncio.wait({posting}, timeout=0.2)
        assert not done  # Telegram hears nothing while the Stars are not credited
        assert await balance(db) == 0
    assert await posting == 200
    assert await balance(db) == 1000  # credited before the 200


async def test_a_payment_being_credited_as_the_webhook_stops_is_credited(
    http: aiohttp.ClientSession, db: Database, paying: Paying
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    url = f"http://127.0.0.1:{port}{PATH}"
    stop = asyncio.Event()
    webhook = run_webhook(
        paying.dp, paying.bot, url=url, secret=SECRET, host="127.0.0.1", port=port,
        health=healthy, stop=stop,
    )  # fmt: skip
    serving = asyncio.create_task(webhook)
    session = paying.bot.session
    assert isinstance(session, FakeSession)
    await eventually(lambda: session.sent(SetWebhook), "the webhook to be set")
    async with paying.lock():
        posting = asyncio.create_task(paying.post(http, url))
        await eventually(lambda: paying.in_flight.count == 1, "the payment to wait for Cy's lock")
        stop.set()
        await asyncio.wait_for(serving, 10)  # aiohttp gave up on the request being answered...
        assert paying.in_flight.count == 1  # ...but not on the payment
        draining = asyncio.create_task(paying.in_flight.drain(0.05, 5.0))
    await asyncio.wait_for(draining, 10)
    assert await balance(db) == 1000
    assert await posting != 200  # unanswered: Telegram delivers it again, and it credits nothing


def test_the_webhook_path_comes_from_the_url() -> None:
    assert webhook_path("https://shop.example/tg/hook") == "/tg/hook"
    assert webhook_path("https://shop.example") == "/"


# --- /healthz ----------------------------------------------------------------------------------


async def test_healthz_answers_200_while_the_database_and_the_scheduler_run(
    serve_app: Callable[[web.Application], Any],
    http: aiohttp.ClientSession,
    db: Database,
    scheduler: AsyncIOScheduler,
) -> None:
    bot = make_bot(FakeSession())
    app = build_app(Dispatcher(), bot, secret=SECRET, path=PATH, health=health_check(db, scheduler))
    base = await serve_app(app)
    async with http.get(base + "/healthz") as response:
        assert (response.status, await response.text()) == (200, "ok")
    scheduler.pause()  # as during a shutdown
    async with http.get(base + "/healthz") as response:
        assert response.status == 503
    await bot.session.close()


async def test_health_fails_when_the_database_is_closed(
    tmp_path: Path, scheduler: AsyncIOScheduler
) -> None:
    closed = await Database.open(tmp_path / "closed.sqlite3")
    await closed.close()
    assert await health_check(closed, scheduler)() is False


def test_the_sandbox_panel_command_needs_no_bot_token(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("BOT_TOKEN", raising=False)
    with pytest.raises(SystemExit) as exit_:
        main(["sandbox-panel", "--port", "70000"])
    assert exit_.value.code == 2  # argparse refused the port: no settings were read
    assert "--port must be between" in capsys.readouterr().err


# --- graceful shutdown -------------------------------------------------------------------------


def blocking_dispatcher(release: asyncio.Event, entered: asyncio.Event) -> Dispatcher:
    dp = Dispatcher()
    router = Router()

    async def slow(message: Message) -> None:
        entered.set()
        await release.wait()

    router.message.register(slow)
    dp.include_router(router)
    return dp


async def test_drain_waits_for_the_updates_in_flight() -> None:
    release, entered = asyncio.Event(), asyncio.Event()
    dp = blocking_dispatcher(release, entered)
    in_flight = InFlight()
    dp.update.outer_middleware(in_flight)
    bot = make_bot(FakeSession())
    update = Update.model_validate(start_update(7), context={"bot": bot})
    handling = asyncio.create_task(dp.feed_update(bot, update))
    await asyncio.wait_for(entered.wait(), 5)
    assert in_flight.count == 1
    draining = asyncio.create_task(in_flight.drain(5.0, 5.0))
    await asyncio.sleep(0.05)
    assert not draining.done()
    release.set()
    await asyncio.wait_for(draining, 5)
    assert handling.done() and not handling.cancelled()
    assert in_flight.count == 0
    await bot.session.close()


async def test_drain_cancels_what_outlives_the_grace_period() -> None:
    release, entered = asyncio.Event(), asyncio.Event()
    dp = blocking_dispatcher(release, entered)
    in_flight = InFlight()
    dp.update.outer_middleware(in_flight)
    bot = make_bot(FakeSession())
    update = Update.model_validate(start_update(8), context={"bot": bot})
    handling = asyncio.create_task(dp.feed_update(bot, update))
    await asyncio.wait_for(entered.wait(), 5)
    await in_flight.drain(0.05, 5.0)
    assert handling.cancelled()
    assert in_flight.count == 0
    await bot.session.close()


async def test_stop_scheduler_lets_a_running_job_finish(scheduler: AsyncIOScheduler) -> None:
    jobs = RunningJobs(scheduler)
    started, release = asyncio.Event(), asyncio.Event()
    finished: list[bool] = []

    async def job() -> None:
        started.set()
        await release.wait()
        finished.append(True)

    scheduler.add_job(job, next_run_time=datetime.now(UTC))
    await asyncio.wait_for(started.wait(), 5)
    stopping = asyncio.create_task(stop_scheduler(scheduler, jobs, 5.0))
    await asyncio.sleep(0.05)
    assert not stopping.done()
    release.set()
    await asyncio.wait_for(stopping, 5)
    assert finished == [True]
    assert not scheduler.running


async def test_stop_scheduler_cancels_a_job_after_the_grace_period(
    scheduler: AsyncIOScheduler,
) -> None:
    jobs = RunningJobs(scheduler)
    started = asyncio.Event()
    cancelled: list[bool] = []

    async def job() -> None:
        started.set()
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            cancelled.append(True)
            raise

    scheduler.add_job(job, next_run_time=datetime.now(UTC))
    await asyncio.wait_for(started.wait(), 5)
    await asyncio.wait_for(stop_scheduler(scheduler, jobs, 0.05), 5)
    assert cancelled == [True]
