"""Command menus: every language gets its own, admins' chats get the admin commands too."""

from __future__ import annotations

from aiogram.methods import SetMyCommands
from aiogram.types import BotCommandScopeChat

from bot.commands import publish
from bot.i18n import Translator
from tests.conftest import ADMIN_ID
from tests.flow.conftest import Shop


async def test_menus_per_language_and_admin_scope(shop: Shop, translator: Translator) -> None:
    await publish(shop.bot, translator, frozenset({ADMIN_ID}))
    calls = shop.session.sent(SetMyCommands)
    by_language = {call.language_code: call for call in calls if call.language_code}
    assert set(by_language) == set(translator.bundles)
    assert all("stats" not in [c.command for c in call.commands] for call in by_language.values())
    admin = [call for call in calls if isinstance(call.scope, BotCommandScopeChat)]
    assert len(admin) == 1
    assert admin[0].scope.chat_id == ADMIN_ID  # type: ignore[union-attr]
    assert {"start", "stats", "review"} <= {c.command for c in admin[0].commands}
