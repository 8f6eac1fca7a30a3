"""Showing a screen: edit the message in place after a button, send a new one after text."""

from __future__ import annotations

import logging

from aiogram.exceptions import TelegramBadRequest
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message

log = logging.getLogger(__name__)


async def show(
    event: Message | CallbackQuery,
    text: str,
    markup: InlineKeyboardMarkup | None = None,
    *,
    answered: bool = False,
) -> None:
    """Navigation edits one message in place; a callback is answered unless it was already."""
    if isinstance(event, Message):
        await event.answer(text, reply_markup=markup)
        return
    message = event.message
    if isinstance(message, Message):
        try:
            await message.edit_text(text, reply_markup=markup)
        except TelegramBadRequest as error:
            if "not modified" not in error.message:
                log.info("cannot edit message %s (%s): sending anew", message.message_id, error)
                await message.answer(text, reply_markup=markup)
    elif event.from_user:  # too old to edit: Telegram gives an InaccessibleMessage
        assert event.bot is not None
        await event.bot.send_message(event.from_user.id, text, reply_markup=markup)
    if not answered:
        await event.answer()
