"""Webhook mode: the aiohttp app that takes Telegram's updates (secret-checked) and `/healthz`."""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit

from aiogram import Bot, Dispatcher
from aiogram.methods import TelegramMethod
from aiogram.types import InputFile
from aiogram.webhook.aiohttp_server import SimpleRequestHandler
from aiohttp import MultipartWriter, web
from aiohttp.payload import BytesPayload, Payload
from apscheduler.schedulers.base import STATE_RUNNING

from bot.transport import form_fields, handle_for_webhook, send_held_first
from storage.db import Database

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
JSON = "application/json"
HEALTH_PATH = "/healthz"
HEALTH_TIMEOUT = 5.0  # seconds for the database to answer `SELECT 1`
# At shutdown aiohttp waits this long for the requests still being answered, then cancels them.
# An update still running goes on (the drain waits for it) but unanswered: Telegram delivers it
# again, and what it did is not done twice (ledger keys, an offer's one use, compare-and-set
# order changes).
ANSWER_GRACE_SECONDS = 1.0

HealthCheck = Callable[[], Awaitable[bool]]


class ShopRequestHandler(SimpleRequestHandler):
    """aiogram's handler, except that an update is answered only once it has been handled:
    Telegram's 200 confirms the update, so one lost with its process (a deploy, a SIGKILL, a
    replica gone) before that is delivered again, to this replica or another. The answer
    carries the update's last call when it held one (`bot.transport.reply`). Every refused
    request is logged (never the token sent)."""

    def __init__(self, dp: Dispatcher, bot: Bot, *, secret_token: str) -> None:
        super().__init__(dp, bot, handle_in_background=False, secret_token=secret_token)
        self._running: set[asyncio.Future[Any]] = set()

    async def handle(self, request: web.Request) -> web.Response:
        sent = request.headers.get(SECRET_HEADER)
        if not self.verify_secret(sent or "", self.bot):
            log.warning(
                "webhook: refused a request from %s: %s secret token",
                request.remote or "?", "no" if sent is None else "a wrong",
            )  # fmt: skip
            return web.Response(text="Unauthorized", status=401)
        update = await request.json(loads=self.bot.session.json_loads)
        running = asyncio.ensure_future(
            handle_for_webhook(self.dispatcher, self.bot, update, **self.data)
        )
        self._running.add(running)
        running.add_done_callback(self._settled)
        # Shielded: a shutdown that cancels this request must not cancel the update's work.
        # (Its answer, if it held one, is dropped with the request: Telegram, answered
        # nothing, delivers the update again.)
        answer = await asyncio.shield(running)
        if answer is None:
            return web.json_response({}, dumps=self.bot.session.json_dumps)
        return web.Response(body=answer_body(self.bot, answer))

    def _settled(self, running: asyncio.Future[Any]) -> None:
        self._running.discard(running)
        if not running.cancelled():
            running.exception()  # aiogram logged it; a cancelled request never read it


def answer_body(bot: Bot, method: TelegramMethod[Any]) -> Payload:
    """The answer to a webhook POST that makes Telegram run `method`: its name and its fields
    as the session would post them, as one JSON object of strings (the Bot API takes a webhook
    answer as JSON, urlencoded or multipart; JSON is the cheapest to write: a keyboard
    urlencoded costs ten times its JSON). A form with files goes multipart, as aiogram's own
    handler writes it."""
    files: dict[str, InputFile] = {}
    fields = {"method": method.__api_method__, **form_fields(bot.session, bot, method, files)}
    if not files:
        return BytesPayload(bot.session.json_dumps(fields).encode(), content_type=JSON)
    writer = MultipartWriter("form-data", boundary=f"webhookBoundary{secrets.token_urlsafe(16)}")
    for key, value in fields.items():
        writer.append(value).set_content_disposition("form-data", name=key)
    for key, upload in files.items():
        part = writer.append(upload.read(bot))
        part.set_content_disposition("form-data", name=key, filename=upload.filename or key)
    return writer


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
    """Routes: POST `path` (updates, each answered once handled) and GET `/healthz`.

    The app registers no startup/shutdown hooks: the caller decides when the bot session
    closes (after in-flight updates are drained), not aiohttp.
    """

    async def healthz(request: web.Request) -> web.Response:
        if await health():
            return web.Response(text="ok")
        return web.Response(text="unhealthy", status=503)

    app = web.Application()
    send_held_first(bot)  # an update's held answer goes before any later call of it
    handler = ShopRequestHandler(dp, bot, secret_token=secret)
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
    running in their tasks, payments among them (the caller drains them).
    """
    app = build_app(dp, bot, secret=secret, path=webhook_path(url), health=health)
    runner = web.AppRunner(
        app, access_log=None, handle_signals=False, shutdown_timeout=ANSWER_GRACE_SECONDS
    )
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
