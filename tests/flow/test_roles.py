"""`python -m bot --role web|worker|all`: the command line, the jobs each role runs, and what each
asks Telegram (the real `run`, a fake Telegram session, the sandbox panel)."""

from __future__ import annotations

import asyncio
import gc
import time
from collections.abc import Callable, Iterator
from typing import Any

import aiohttp
import pytest
from aiogram.methods import DeleteWebhook, GetUpdates, SendMessage, SetMyCommands, SetWebhook

from bot.__main__ import USAGE, main, role_of
from bot.app import Deps
from bot.config import Settings
from bot.i18n import Translator
from bot.panel.client import PanelClient
from bot.panel.panels import Panels
from bot.serving import Role, _announce, run, scheduler_for
from bot.shop.config import ShopConfig
from bot.webhook import SECRET_HEADER
from storage import outbox
from storage.db import Database
from tests.e2e.conftest import free_port
from tests.e2e.telegram_emulator import read_webhook_answer
from tests.fakes.telegram import FakeSession, make_bot

SECRET = "roles-webhook-secret"
CHAT = 4242
# What only a process taking updates calls: a worker leaves the webhook and the menus alone.
ASKING = (GetUpdates, SetWebhook, DeleteWebhook, SetMyCommands)


def webhook_settings() -> Settings:
    """Every process of a shop gets one environment: a worker sees WEBHOOK_URL too."""
    port = free_port()
    return Settings(  # type: ignore[call-arg]
        _env_file=None, bot_token="123456:token", webhook_url=f"http://127.0.0.1:{port}/hook",
        webhook_secret=SECRET, webhook_port=port, poll_interval_seconds=1,
    )  # fmt: skip


@pytest.fixture
def deps(db: Database, panel: PanelClient, shop_config: ShopConfig, translator: Translator) -> Deps:
    return Deps(db=db, panels=Panels.single(panel), shop=shop_config, translator=translator)


@pytest.fixture(autouse=True)
def unfreeze() -> Iterator[None]:
    yield
    gc.unfreeze()  # `run` froze what start-up built, for the life of a process, not of a test


async def eventually(predicate: Callable[[], Any], what: str, within: float = 15.0) -> None:
    deadline = time.monotonic() + within
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {within}s for {what}")
        await asyncio.sleep(0.02)


async def catalog_size(db: Database) -> int:
    return int(await db.scalar("SELECT COUNT(*) FROM services") or 0)


# --- the command line --------------------------------------------------------------------------


def test_the_role_comes_from_the_command_line_and_defaults_to_all() -> None:
    assert role_of([]) is Role.ALL
    assert role_of(["--role", "web"]) is Role.WEB
    assert role_of(["--role=worker"]) is Role.WORKER
    assert role_of(["--role", "all"]) is Role.ALL


@pytest.mark.parametrize(
    "argv", [["--role", "api"], ["--role"], ["--role", "web", "worker"], ["--rol=web"], ["serve"]]
)
def test_a_bad_role_exits_2_with_the_usage_before_reading_the_settings(
    argv: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("BOT_TOKEN", raising=False)
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert USAGE in err and "--role web|worker|all" in err
    assert "Configuration problems" not in err


# --- the jobs of each role ---------------------------------------------------------------------


async def test_a_web_process_runs_only_its_heartbeat_and_a_worker_every_job(deps: Deps) -> None:
    bot = make_bot(FakeSession())
    jobs = {
        role: {job.id for job in scheduler_for(role, webhook_settings(), deps, bot).get_jobs()}
        for role in Role
    }
    await bot.session.close()
    assert jobs[Role.WEB] == {"heartbeat"}
    assert jobs[Role.WORKER] == jobs[Role.ALL]
    assert {
        "heartbeat", "status-poll", "refill-poll", "catalog-sync", "outbox-sender",
        "recover-submitting", "stars-reconcile", "broadcast-progress",
    } <= jobs[Role.WORKER]  # fmt: skip


# --- what each role asks Telegram ----------------------------------------------------------------


async def test_a_worker_syncs_and_sends_but_never_asks_telegram_for_updates(
    deps: Deps, db: Database
) -> None:
    async with db.transaction() as conn:
        await outbox.put(conn, CHAT, "menu", key="roles:worker")
    session = FakeSession()
    bot = make_bot(session)
    stop = asyncio.Event()
    running = asyncio.create_task(run(webhook_settings(), deps, bot, stop, Role.WORKER))
    await eventually(lambda: session.sent(SendMessage, CHAT), "the worker to send the outbox")
    stop.set()
    await asyncio.wait_for(running, 30)
    await bot.session.close()
    assert await catalog_size(db) > 0  # synced at start
    assert [type(request) for request in session.sent() if isinstance(request, ASKING)] == []


async def test_a_web_process_takes_updates_syncs_nothing_and_leaves_the_webhook_set(
    deps: Deps, db: Database
) -> None:
    settings = webhook_settings()
    assert settings.webhook_url is not None
    session = FakeSession()
    bot = make_bot(session)
    stop = asyncio.Event()
    running = asyncio.create_task(run(settings, deps, bot, stop, Role.WEB))
    await eventually(lambda: session.sent(SetWebhook), "setWebhook")
    update = {
        "update_id": 1,
        "message": {
            "message_id": 1, "date": int(time.time()), "text": "/start",
            "chat": {"id": CHAT, "type": "private", "first_name": "Di"},
            "from": {"id": CHAT, "is_bot": False, "first_name": "Di", "language_code": "en"},
            "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
        },
    }  # fmt: skip
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as http:
        headers = {SECRET_HEADER: SECRET}
        async with http.post(settings.webhook_url, json=update, headers=headers) as answer:
            assert answer.status == 200
            welcome = await read_webhook_answer(answer)
    # The reply to /start rides back in the answer to Telegram's POST.
    assert (welcome["method"], welcome["chat_id"]) == ("sendMessage", str(CHAT))
    stop.set()
    await asyncio.wait_for(running, 30)
    await bot.session.close()
    assert await catalog_size(db) == 0  # the worker keeps the catalog
    assert session.sent(DeleteWebhook) == []  # the other web processes keep their updates
    assert session.sent(GetUpdates) == []
    assert session.sent(SetMyCommands)


@pytest.mark.parametrize(
    ("env", "warned"),
    [
        ({}, ["WEBHOOK_URL", "REDIS_URL"]),
        ({"webhook_url": "https://shop.example/hook", "webhook_secret": "s"}, ["REDIS_URL"]),
        (
            {"webhook_url": "https://shop.example/hook", "webhook_secret": "s",
             "redis_url": "redis://127.0.0.1:6379/0"},
            [],
        ),
    ],
)  # fmt: skip
def test_a_web_process_says_what_several_replicas_would_need(
    caplog: pytest.LogCaptureFixture, env: dict[str, str], warned: list[str]
) -> None:
    settings = Settings(_env_file=None, bot_token="123:TOKEN", **env)  # type: ignore[call-arg, arg-type]
    with caplog.at_level("WARNING", logger="bot"):
        _announce(settings, Role.WEB, "shop")
    warnings = [record.getMessage() for record in caplog.records if record.levelname == "WARNING"]
    assert [next(name for name in ("WEBHOOK_URL", "REDIS_URL") if name in line) for line in
            warnings] == warned  # fmt: skip
