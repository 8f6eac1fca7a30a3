"""Which language a person is answered in: one rule for the chat, the outbox and admin cards."""

from __future__ import annotations

from bot.i18n import Translator
from bot.language import locale_of, locales_of
from storage import users
from storage.db import Database


def test_the_stored_language_wins_over_the_telegram_app() -> None:
    translator = Translator("en")
    assert locale_of(translator, "ru", "tr") == "ru"
    assert locale_of(translator, "tr-TR", None) == "tr"


def test_without_a_supported_stored_language_the_app_then_the_default_decides() -> None:
    translator = Translator("tr")
    assert locale_of(translator, None, "ru-RU") == "ru"
    assert locale_of(translator, "xx", "ru") == "ru"
    assert locale_of(translator, None, "pt-br") == "tr"
    assert locale_of(translator, None) == "tr"


async def test_each_person_gets_their_own_language_and_a_stranger_the_default(
    db: Database,
) -> None:
    translator = Translator("en")
    await users.touch(db, 1, "ann", "Ann", "tr")
    await users.touch(db, 2, "bob", "Bob", "en")
    await users.set_locale(db, 2, "ru")
    assert await locales_of(db, translator, [1, 2, 2, 3]) == {1: "tr", 2: "ru", 3: "en"}
