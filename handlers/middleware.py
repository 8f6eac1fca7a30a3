"""One outer middleware: who is writing (stored user) and which language to answer in."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.enums import ChatType
from aiogram.types import TelegramObject, Update, User

from bot.i18n import Texts, Translator
from bot.shop.admin import MAINTENANCE_KEY
from bot.shop.config import ShopConfig
from storage import kv, users
from storage.db import Database

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


class UserMiddleware(BaseMiddleware):
    """Puts `user` (storage row), `t` (texts in the user's locale) and `newcomer` (this update
    created the user's row) into handler data."""

    def __init__(self, db: Database, translator: Translator, shop: ShopConfig) -> None:
        self.db = db
        self.translator = translator
        self.shop = shop

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        sender: User | None = data.get("event_from_user")
        if sender is None or sender.is_bot:
            return None
        guess = self.translator.pick(sender.language_code)
        # Made by this very update: only a newcomer's first /start may carry a referral code.
        user, newcomer = await users.visit(
            self.db, sender.id, sender.username, sender.first_name, guess
        )
        data["newcomer"] = newcomer
        t = self.translator.texts(self.translator.pick(user.locale, guess), self.shop.currency)
        data["user"] = user
        data["t"] = t
        if user.id not in self.shop.admin_ids and isinstance(event, Update):
            refusal = "banned" if user.banned else await self._maintenance()
            if refusal and await _refuse(event, t, refusal):
                return None
        return await handler(event, data)

    async def _maintenance(self) -> str | None:
        return "maintenance" if await kv.get(self.db, MAINTENANCE_KEY) == "on" else None


async def _refuse(update: Update, t: Texts, message: str) -> bool:
    """One short answer to a banned user or during maintenance; True when the update stops here.

    Payments pass through: their handlers refuse with the answer Telegram requires. A message
    in a group stops without a word: the shop talks in private chats only, and a banned
    member must not make it post in the group.
    """
    if update.message is not None:
        if update.message.successful_payment is not None:
            return False
        if update.message.chat.type == ChatType.PRIVATE:
            await update.message.answer(t(message))
        return True
    if update.callback_query is not None:  # an alert only the person who pressed sees
        await update.callback_query.answer(t.plain(message), show_alert=True)
        return True
    return False
