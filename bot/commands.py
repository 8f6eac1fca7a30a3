"""The command menus: customers' per language, and the admins' only in admins' chats."""

from __future__ import annotations

from aiogram import Bot
from aiogram.types import BotCommand, BotCommandScopeChat, BotCommandScopeDefault

from bot.i18n import Translator

CUSTOMER = ("start", "search", "language", "promo", "support", "cancel", "help")
ADMIN = (
    "admin", "stats", "export", "review", "topups", "user", "order", "panel", "broadcast",
    "maintenance", "referral", "tickets", "close",
)  # fmt: skip


def _menu(translator: Translator, locale: str, names: tuple[str, ...]) -> list[BotCommand]:
    return [
        BotCommand(command=name, description=translator.plain(locale, f"cmd-{name}"))
        for name in names
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
    admin_menu = _menu(translator, default, CUSTOMER + ADMIN)
    for admin in admin_ids:
        await bot.set_my_commands(admin_menu, scope=BotCommandScopeChat(chat_id=admin))
