"""One outer middleware: who is writing (stored user) and which language to answer in."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.enums import ChatType
from aiogram.types import TelegramObject, Update, User

from bot.i18n import Texts, Translator
from bot.language import locale_of
from bot.shop.access import Barred, barred
from bot.shop.config import ShopConfig
from storage import users
from storage.db import Database

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]

_BARRED = {Barred.BANNED: "banned", Barred.MAINTENANCE: "maintenance"}


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
        locale = locale_of(self.translator, user.locale, sender.language_code)
        t = self.translator.texts(locale, self.shop.currency)
        data["user"] = user
        data["t"] = t
        if isinstance(event, Update):
            refusal = await barred(self.db, self.shop, user)
            if refusal is not None and await _refuse(event, t, _BARRED[refusal]):
                return None
        return await handler(event, data)


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
