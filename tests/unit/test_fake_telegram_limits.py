"""The fake Telegram counts its length limits as Telegram does: UTF-16 units of the parsed text."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest

from tests.fakes import FakeSession, make_bot

CHAT = 1001
EMOJI = "😀"  # two UTF-16 units


@pytest.fixture
async def bot() -> AsyncIterator[Bot]:
    bot = make_bot(FakeSession())
    yield bot
    await bot.session.close()


async def test_a_text_is_measured_in_utf16_units_after_parsing(bot: Bot) -> None:
    # 2048 emoji are 4096 units: the limit exactly, however many bytes the markup takes.
    await bot.send_message(CHAT, f"<b>{EMOJI * 2048}</b>")
    await bot.send_message(CHAT, "&amp;" * 4096)
    with pytest.raises(TelegramBadRequest, match="message is too long"):
        await bot.send_message(CHAT, EMOJI * 2048 + "x")


async def test_a_callback_answer_over_200_units_is_refused(bot: Bot) -> None:
    await bot.answer_callback_query("q1", text=EMOJI * 100, show_alert=True)
    with pytest.raises(TelegramBadRequest, match="MESSAGE_TOO_LONG"):
        await bot.answer_callback_query("q2", text=EMOJI * 100 + "x", show_alert=True)
