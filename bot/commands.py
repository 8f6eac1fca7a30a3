"""The command menus: customers' per language, and the admins' only in admins' chats."""

from __future__ import annotations

from collections.abc import Mapping

from aiogram import Bot
from aiogram.types import BotCommand, BotCommandScopeChat, BotCommandScopeDefault

from bot.i18n import Translator

# Each menu's commands, in order, with the message that describes each one.
CUSTOMER = {
    "start": "cmd-start", "search": "cmd-search", "language": "cmd-language", "promo": "cmd-promo",
    "support": "cmd-support", "cancel": "cmd-cancel", "help": "cmd-help",
}  # fmt: skip
ADMIN = {
    "admin": "cmd-admin", "stats": "cmd-stats", "export": "cmd-export", "review": "cmd-review",
    "topups": "cmd-topups", "user": "cmd-user", "order": "cmd-order", "panel": "cmd-panel",
    "broadcast": "cmd-broadcast", "maintenance": "cmd-maintenance", "referral": "cmd-referral",
    "tickets": "cmd-tickets", "close": "cmd-close",
}  # fmt: skip


def _menu(translator: Translator, locale: str, menu: Mapping[str, str]) -> list[BotCommand]:
    return [
        BotCommand(command=name, description=translator.plain(locale, text))
        for name, text in menu.items()
    ]


async def publish(bot: Bot, translator: Translator, admin_ids: frozenset[int]) -> None:
    default = translator.default
    await bot.set_my_commands(_menu(translator, default, CUSTOMER), scope=BotCommandScopeDefault())
    for locale in translator.bundles:
        await bot.set_my_commands(
            _menu(translator, locale, CUSTOMER),
            scope=BotCommandScopeDefault(),
            language_code=locale,
        )
    admin_menu = _menu(translator, default, CUSTOMER | ADMIN)
    for admin in admin_ids:
        await bot.set_my_commands(admin_menu, scope=BotCommandScopeChat(chat_id=admin))
