"""Composition root: `python -m bot` runs the shop, `python -m bot audit` checks the books."""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import httpx
from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from pydantic import ValidationError

from bot.app import Deps, build_dispatcher
from bot.banner import SandboxBanner
from bot.config import Settings, settings_problems
from bot.i18n import Translator
from bot.jobs.catalog import sync_catalog
from bot.jobs.scheduler import build_scheduler
from bot.jobs.sender import Sender
from bot.panel.client import PanelClient
from bot.panel.sandbox import SandboxPanel
from bot.shop.audit import audit
from bot.shop.config import ShopConfig
from storage import orders
from storage.db import Database

log = logging.getLogger("bot")
SANDBOX_URL = "https://sandbox.invalid/api/v2"


def load_settings() -> Settings:
    """Settings from the environment, or exit 2 with one line per problem (no traceback)."""
    try:
        return Settings()
    except ValidationError as error:
        print("Configuration problems (see .env.example):", file=sys.stderr)
        for line in settings_problems(error):
            print(f"  {line}", file=sys.stderr)
        raise SystemExit(2) from None


@dataclass(frozen=True, slots=True)
class Runtime:
    deps: Deps
    http: httpx.AsyncClient


@asynccontextmanager
async def runtime(settings: Settings) -> AsyncIterator[Runtime]:
    """The database, the panel's http client and the shop rules; closed whatever happens."""
    db = await Database.open(settings.database_path)
    try:
        timeout = httpx.Timeout(settings.panel_timeout_seconds, connect=10.0)
        if settings.sandbox:
            http = httpx.AsyncClient(transport=SandboxPanel().transport(), timeout=timeout)
            panel = PanelClient(http, SANDBOX_URL, settings.panel_key)
        else:
            http = httpx.AsyncClient(timeout=timeout)
            panel = PanelClient(http, settings.panel_url, settings.panel_key)
        try:
            shop = ShopConfig(
                currency=settings.shop_currency,
                panel_currency=settings.panel_currency,
                fx=settings.fx_rate,
                markup=settings.markup_percent,
                admin_ids=settings.admin_ids,
                sandbox=settings.sandbox,
            )
            translator = Translator(settings.default_locale)
            yield Runtime(Deps(db=db, panel=panel, shop=shop, translator=translator), http)
        finally:
            await http.aclose()
    finally:
        await db.close()


def make_bot(settings: Settings, translator: Translator) -> Bot:
    session = AiohttpSession()
    if settings.telegram_api_url:
        session = AiohttpSession(api=TelegramAPIServer.from_base(settings.telegram_api_url))
    if settings.sandbox:
        session.middleware(SandboxBanner(translator.get(translator.default, "sandbox-banner")))
    return Bot(
        settings.bot_token.get_secret_value(),
        session=session,
        default=DefaultBotProperties(parse_mode=ParseMode.HTML),
    )


async def serve(settings: Settings) -> None:
    async with runtime(settings) as rt:
        deps = rt.deps
        abandoned = await orders.abandon_submitting(deps.db)
        if abandoned:
            log.warning("orders left in submitting are now unknown: %s", abandoned)
        bot = make_bot(settings, deps.translator)
        dp = build_dispatcher(deps)
        sender = Sender(
            bot, deps.db, deps.translator, currency=deps.shop.currency,
            rate=settings.send_rate_per_second, chat_interval=settings.send_chat_interval_seconds,
        )  # fmt: skip
        scheduler = build_scheduler(
            deps.db, deps.panel, deps.shop, sender,
            poll_interval=settings.poll_interval_seconds,
            catalog_minutes=settings.catalog_sync_minutes,
        )  # fmt: skip
        try:
            await sync_catalog(deps.db, deps.panel)
        except Exception:  # the shop still serves its cached catalog
            log.exception("catalog sync at start failed")
        scheduler.start()
        try:
            log.info("bot started (%s)", "sandbox panel" if settings.sandbox else "live panel")
            await dp.start_polling(bot, handle_signals=True, close_bot_session=True)
        finally:
            scheduler.shutdown(wait=True)
            log.info("bot stopped")


async def run_audit(settings: Settings) -> int:
    db = await Database.open(settings.database_path)
    try:
        report = await audit(db)
    finally:
        await db.close()
    print(f"users checked: {report.users_checked}, orders checked: {report.orders_checked}")
    for problem in report.problems:
        print(f"PROBLEM {problem}")
    print("audit: OK" if report.ok else f"audit: {len(report.problems)} problem(s)")
    return 0 if report.ok else 1


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    settings = load_settings()
    logging.basicConfig(
        level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("httpx").setLevel(logging.WARNING)  # its INFO lines carry request URLs
    if args[:1] == ["audit"]:
        raise SystemExit(asyncio.run(run_audit(settings)))
    if args:
        print(f"unknown command: {args[0]} (use: python -m bot [audit])", file=sys.stderr)
        raise SystemExit(2)
    asyncio.run(serve(settings))


if __name__ == "__main__":
    main()
