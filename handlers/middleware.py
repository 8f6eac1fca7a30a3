"""One outer middleware: who is writing (stored user) and which language to answer in."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject, User

from bot.i18n import Translator
from bot.shop.config import ShopConfig
from storage import users
from storage.db import Database

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


class UserMiddleware(BaseMiddleware):
    """Puts `user` (storage row) and `t` (texts in the user's locale) into handler data."""

    def __init__(self, db: Database, translator: Translator, shop: ShopConfig) -> None:
        self.db = db
        self.translator = translator
        self.shop = shop

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        sender: User | None = data.get("event_from_user")
        if sender is None or sender.is_bot:
            return None
        guess = self.translator.pick(sender.language_code)
        user = await users.touch(self.db, sender.id, sender.username, sender.first_name, guess)
        data["user"] = user
        data["t"] = self.translator.texts(
            self.translator.pick(user.locale, guess), self.shop.currency
        )
        return await handler(event, data)
