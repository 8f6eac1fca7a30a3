"""Webhook app, /healthz, graceful-shutdown helpers and log redaction, in-process over real HTTP."""

from __future__ import annotations

import asyncio
import io
import logging
import sys
import time
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiogram import Dispatcher, Router
from aiogram.methods import SendMessage
from aiogram.types import Message, Update
from aiohttp import web
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.__main__ import InFlight, RunningJobs, main, stop_scheduler
from bot.app import Deps, build_dispatcher
from bot.i18n import Translator
from bot.logs import NOISY, REDACTED, RedactSecrets, setup_logging
from bot.panel.client import PanelClient
from bot.shop.config import ShopConfig
from bot.webhook import SECRET_HEADER, build_app, health_check, webhook_path
from storage.db import Database
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
async def serve_app() -> AsyncIterator[Callable[[web.Application], Any]]:
    """Serve an app on 127.0.0.1 (a free port); yields a starter returning its base URL."""
    runners: list[web.AppRunner] = []

    async def start(app: web.Application) -> str:
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        runners.append(runner)
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = next(iter(runner.addresses))[1]
        return f"http://127.0.0.1:{port}"

    yield start
    for runner in runners:
        await runner.cleanup()


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


async def test_a_valid_update_is_handled_in_the_background(
    serve_app: Callable[[web.Application], Any],
    http: aiohttp.ClientSession,
    db: Database,
    panel: PanelClient,
    shop_config: ShopConfig,
    translator: Translator,
    catalog: None,
) -> None:
    deps = Deps(db=db, panel=panel, shop=shop_config, translator=translator)
    dp = build_dispatcher(deps, catch_errors=False)
    in_flight = InFlight()
    in_flight.install(dp)
    session = FakeSession()
    bot = make_bot(session)
    base = await serve_app(build_app(dp, bot, secret=SECRET, path=PATH, health=healthy))
    async with http.post(
        base + PATH, json=start_update(41), headers={SECRET_HEADER: SECRET}
    ) as response:
        assert response.status == 200
    await eventually(lambda: session.sent(SendMessage, USER_ID), "the answer to /start")
    await in_flight.drain(5.0)
    [welcome] = session.sent(SendMessage, USER_ID)
    assert "Hi, Cy!" in welcome.text
    assert in_flight.last_update_id == 41
    await bot.session.close()


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
    in_flight.install(dp)
    assert dp.update.outer_middleware[0] is in_flight  # counts from the very first step
    bot = make_bot(FakeSession())
    update = Update.model_validate(start_update(7), context={"bot": bot})
    handling = asyncio.create_task(dp.feed_update(bot, update))
    await asyncio.wait_for(entered.wait(), 5)
    assert in_flight.count == 1
    draining = asyncio.create_task(in_flight.drain(5.0))
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
    in_flight.install(dp)
    bot = make_bot(FakeSession())
    update = Update.model_validate(start_update(8), context={"bot": bot})
    handling = asyncio.create_task(dp.feed_update(bot, update))
    await asyncio.wait_for(entered.wait(), 5)
    await in_flight.drain(0.05)
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


# --- logs --------------------------------------------------------------------------------------

TOKEN = "123456:AAH-secret-token_value"
PANEL_KEY = "panel-key-9f8e7d"


@pytest.fixture
def root_logging() -> Iterator[None]:
    """setup_logging replaces the root handlers and quietens some loggers: undo it afterwards."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    quiet = {name: logging.getLogger(name).level for name in NOISY}
    yield
    for handler in list(root.handlers):
        root.removeHandler(handler)
    for handler in handlers:
        root.addHandler(handler)
    root.setLevel(level)
    for name, was in quiet.items():
        logging.getLogger(name).setLevel(was)


def redacted(record: logging.LogRecord) -> str:
    RedactSecrets([TOKEN, PANEL_KEY]).filter(record)
    return logging.Formatter("%(message)s").format(record)


def make_record(msg: str, *args: object, exc_info: Any = None) -> logging.LogRecord:
    return logging.LogRecord("aiogram.dispatcher", logging.ERROR, __file__, 1, msg, args, exc_info)


def test_the_token_is_redacted_from_the_message_and_its_args() -> None:
    url = f"https://api.telegram.org/bot{TOKEN}/getUpdates"
    assert redacted(make_record(f"Failed: {url}")) == (
        f"Failed: https://api.telegram.org/bot{REDACTED}/getUpdates"
    )
    text = redacted(make_record("Failed to fetch %s with key=%s", url, PANEL_KEY))
    assert TOKEN not in text and PANEL_KEY not in text
    assert text.count(REDACTED) == 2


def test_url_encoded_secrets_are_redacted_too() -> None:
    text = redacted(
        make_record("POST key=%s", "panel-key-9f8e7d&token=123456%3AAAH-secret-token_value")
    )
    assert "9f8e7d" not in text and "secret-token" not in text


def test_a_traceback_is_redacted() -> None:
    try:
        raise ConnectionError(f"Cannot connect to https://api.telegram.org/bot{TOKEN}/getMe")
    except ConnectionError:
        record = make_record("network error", exc_info=sys.exc_info())
    text = redacted(record)
    assert "ConnectionError" in text and TOKEN not in text


def test_short_or_empty_secrets_are_ignored() -> None:
    record = make_record("a b c %s", "x")
    RedactSecrets(["", "a"]).filter(record)
    assert record.getMessage() == "a b c x"


@pytest.mark.usefixtures("root_logging")
def test_setup_logging_writes_one_redacted_line_per_event() -> None:
    stream = io.StringIO()
    setup_logging("INFO", [TOKEN], stream=stream)
    logging.getLogger("aiohttp.client").warning("GET /bot%s/getMe\nfailed", TOKEN)
    logging.getLogger("bot").debug("not at INFO")
    try:
        raise RuntimeError(TOKEN)
    except RuntimeError:
        logging.getLogger("bot").exception("boom")
    lines = stream.getvalue().splitlines()
    assert len(lines) == 2
    assert lines[0].endswith(f"WARNING aiohttp.client: GET /bot{REDACTED}/getMe\\nfailed")
    assert "Traceback" in lines[1] and TOKEN not in stream.getvalue()
    assert logging.getLogger("httpx").getEffectiveLevel() == logging.WARNING
