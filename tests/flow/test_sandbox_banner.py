"""Sandbox mode: every text the bot sends, from a handler or a job, says SANDBOX in its language."""

from __future__ import annotations

from aiogram.methods import SendMessage

from bot.banner import SandboxBanner
from bot.i18n import Translator
from tests.flow.conftest import Shop


async def test_every_message_says_sandbox_in_the_readers_language(
    shop: Shop, translator: Translator
) -> None:
    shop.bot.session.middleware(SandboxBanner(shop.db, translator))
    english = await shop.customer(1)
    assert english.last_text().startswith("🧪 SANDBOX")
    await english.click("New order")  # an edit in place keeps one banner
    assert english.last_text().count("SANDBOX") == 1
    russian = await shop.customer(2, language_code="ru")
    banner = translator.get("ru", "sandbox-banner")
    assert banner != translator.get("en", "sandbox-banner")
    assert russian.last_text().startswith(banner)
    await shop.bot.send_message(3, "job text")  # someone the bot never met: the default
    assert (
        shop.session.sent(SendMessage)[-1].text
        == f"{translator.get('en', 'sandbox-banner')}\n\njob text"
    )
