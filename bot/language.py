"""Which language a person is answered in: the one stored for them (chosen with /language, or
guessed at their first visit), else their Telegram app's, else the shop's default."""

from __future__ import annotations

from collections.abc import Iterable

from bot.i18n import Translator
from storage import users
from storage.db import Database


def locale_of(translator: Translator, stored: str | None, telegram: str | None = None) -> str:
    return translator.pick(stored, telegram)


async def locales_of(
    db: Database, translator: Translator, user_ids: Iterable[int]
) -> dict[int, str]:
    """Each of these people's locale; one the shop has never seen gets the default."""
    wanted = list(set(user_ids))
    stored = await users.locales(db, wanted)
    return {user_id: locale_of(translator, stored.get(user_id)) for user_id in wanted}
