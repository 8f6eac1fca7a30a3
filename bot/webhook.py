"""Webhook mode: the aiohttp app that takes Telegram's updates (secret-checked) and `/healthz`."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit

from aiogram import Bot, Dispatcher
from aiogram.webhook.aiohttp_server import SimpleRequestHandler
from aiohttp import web
from apscheduler.schedulers.base import STATE_RUNNING

from storage.db import Database

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
HEALTH_PATH = "/healthz"
HEALTH_TIMEOUT = 5.0  # seconds for the database to answer `SELECT 1`

HealthCheck = Callable[[], Awaitable[bool]]


class SecretCheckedHandler(SimpleRequestHandler):
    """aiogram's handler, plus a log line for every refused request (never the token sent)."""

    async def handle(self, request: web.Request) -> web.Response:
        sent = request.headers.get(SECRET_HEADER)
        if not self.verify_secret(sent or "", self.bot):
            log.warning(
                "webhook: refused a request from %s: %s secret token",
                request.remote or "?", "no" if sent is None else "a wrong",
            )  # fmt: skip
            return web.Response(text="Unauthorized", status=401)
        return await super().handle(request)


def webhook_path(url: str) -> str:
    """The path Telegram posts to is the path of WEBHOOK_URL (a reverse proxy keeps it)."""
    return urlsplit(url).path or "/"


def health_check(db: Database, scheduler: Any) -> HealthCheck:
    """Healthy when the database answers `SELECT 1` in time and the scheduler is running."""

    async def check() -> bool:
        if getattr(scheduler, "state", None) != STATE_RUNNING:
            return False
        try:
            return bool(await asyncio.wait_for(db.scalar("SELECT 1"), HEALTH_TIMEOUT) == 1)
        except Exception as error:  # closed, locked, disk gone: unhealthy, and say why
            log.warning("health: the database did not answer (%s)", type(error).__name__)
            return False

    return check


def build_app(
    dp: Dispatcher, bot: Bot, *, secret: str, path: str, health: HealthCheck
) -> web.Application:
    """Routes: POST `path` (updates, handled in background tasks) and GET `/healthz`.

    The app registers no startup/shutdown hooks: the caller decides when the bot session
    closes (after in-flight updates are drained), not aiohttp.
    """

    async def healthz(request: web.Request) -> web.Response:
        if await health():
            return web.Response(text="ok")
        return web.Response(text="unhealthy", status=503)

    app = web.Application()
    handler = SecretCheckedHandler(dp, bot, handle_in_background=True, secret_token=secret)
    app.router.add_post(path, handler.handle)
    app.router.add_get(HEALTH_PATH, healthz)
    return app


async def run_webhook(
    dp: Dispatcher,
    bot: Bot,
    *,
    url: str,
    secret: str,
    host: str,
    port: int,
    health: HealthCheck,
    stop: asyncio.Event,
) -> None:
    """Listen, point Telegram at `url`, serve until `stop` is set, then stop listening.

    Returns once no request is being received; updates already accepted may still be
    running in their tasks (the caller drains them).
    """
    app = build_app(dp, bot, secret=secret, path=webhook_path(url), health=health)
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    try:
        await web.TCPSite(runner, host, port).start()
        log.info("webhook: listening on %s:%s", host, port)
        await bot.set_webhook(
            url,
            secret_token=secret,
            allowed_updates=dp.resolve_used_update_types(),
            drop_pending_updates=False,
        )
        log.info("webhook: Telegram posts to %s", url)
        await stop.wait()
    finally:
        await runner.cleanup()
        log.info("webhook: stopped listening")
