"""In sandbox mode every text the bot sends starts with a SANDBOX line, in the reader's language."""

from __future__ import annotations

from aiogram import Bot
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.methods import EditMessageText, SendMessage, TelegramMethod
from aiogram.methods.base import Response, TelegramType

from bot.i18n import Translator
from bot.language import locales_of
from storage.db import Database


class SandboxBanner(BaseRequestMiddleware):
    """A session middleware: it sees every outgoing text, whoever sends it (handlers or jobs)."""

    def __init__(self, db: Database, translator: Translator) -> None:
        self.db = db
        self.translator = translator
        self.banners = {
            locale: translator.get(locale, "sandbox-banner") for locale in translator.bundles
        }

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        if isinstance(method, SendMessage | EditMessageText) and isinstance(method.chat_id, int):
            chosen = await locales_of(self.db, self.translator, [method.chat_id])
            banner = self.banners[chosen[method.chat_id]]
            if not (method.text or "").startswith(banner):
                method.text = f"{banner}\n\n{method.text}"
        return await make_request(bot, method)
