"""What a running shop holds: the database, the panel clients, the shop rules and the Bot."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager

from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode

from bot.app import Deps
from bot.banner import SandboxBanner
from bot.config import Settings, redacted
from bot.i18n import Translator
from bot.late_answers import LateAnswers
from bot.panel.panels import open_panels
from bot.sessions import Sessions
from bot.shop.config import ShopConfig
from bot.transport import ShopSession
from storage.db import Database, without_password


class StartupError(Exception):
    """The bot cannot start (Telegram refused the token, Redis is not there...): one log line,
    exit 1."""


@asynccontextmanager
async def runtime(settings: Settings, *, per_user: bool = True) -> AsyncIterator[Deps]:
    """The database, the panel clients, Redis (with REDIS_URL, for a process that takes
    updates: `per_user`) and the shop rules; closed whatever happens."""
    db = await open_database(settings)
    try:
        async with AsyncExitStack() as stack:
            sessions: Sessions | None = None
            if settings.redis_url is not None and per_user:
                from bot.redis_sessions import RedisUnreachable, on_redis  # a Redis shop's only

                url = settings.redis_url.get_secret_value()
                try:
                    sessions = await stack.enter_async_context(on_redis(url))
                except RedisUnreachable as error:
                    raise StartupError(str(error)) from None
            panels = await stack.enter_async_context(open_panels(settings))
            shop = ShopConfig.from_settings(settings)
            translator = Translator(settings.default_locale)
            yield Deps(db, panels, shop, translator, sessions)
    finally:
        await db.close()


async def open_database(settings: Settings) -> Database:
    """The shop's database (DATABASE_URL, else DATABASE_PATH), migrated."""
    if not settings.postgres:
        return await Database.open(settings.database)
    return await open_postgres(settings.database, "DATABASE_URL")


async def open_postgres(url: str, setting: str) -> Database:
    """PostgreSQL at `url`, migrated. A server that does not let us in (down, unknown host,
    wrong password or database) is a StartupError: one line, naming `setting`, no password."""
    import asyncpg  # a SQLite shop never loads it (as storage.db)

    cannot_connect = (  # the server is there but does not let us in (class 08, 28, 3D...)
        asyncpg.PostgresConnectionError,
        asyncpg.InvalidAuthorizationSpecificationError,
        asyncpg.InvalidCatalogNameError,
        asyncpg.CannotConnectNowError,
        asyncpg.TooManyConnectionsError,
    )
    try:
        return await Database.open(url)
    except (OSError, TimeoutError, *cannot_connect) as error:
        reason = without_password(str(error), url)
        raise StartupError(
            f"cannot reach PostgreSQL at {setting} {redacted(url)} ({reason})"
        ) from None


def make_bot(settings: Settings, db: Database, translator: Translator) -> Bot:
    session = ShopSession()
    if settings.telegram_api_url:
        session = ShopSession(api=TelegramAPIServer.from_base(settings.telegram_api_url))
    session.middleware(LateAnswers())
    if settings.sandbox:
        session.middleware(SandboxBanner(db, translator))
    return Bot(
        settings.bot_token.get_secret_value(),
        session=session,
        default=DefaultBotProperties(parse_mode=ParseMode.HTML),
    )
