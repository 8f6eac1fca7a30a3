"""Keeps each broadcast's live progress message current and closes finished broadcasts."""

from __future__ import annotations

import logging
import math

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot import callback_prefixes
from bot.callback_types import Id
from bot.i18n import Texts, Translator
from bot.language import locales_of
from storage import broadcasts
from storage.broadcasts import Broadcast, Progress
from storage.db import Database

log = logging.getLogger(__name__)


class StopBroadcast(CallbackData, prefix=callback_prefixes.STOP_BROADCAST):
    broadcast: Id


def progress_text(t: Texts, progress: Progress, rate: float, *, done: bool) -> str:
    left = math.ceil(progress.pending / rate) if rate > 0 else 0
    return t(
        "broadcast-done" if done else "broadcast-progress",
        sent=progress.sent,
        blocked=progress.blocked,
        failed=progress.failed,
        pending=progress.pending,
        seconds=left,
    )


def stop_button(t: Texts, broadcast_id: int) -> InlineKeyboardMarkup:
    stop = StopBroadcast(broadcast=broadcast_id).pack()
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [InlineKeyboardButton(text=t.plain("btn-stop-broadcast"), callback_data=stop)]
        ]
    )


async def report_progress(
    bot: Bot, db: Database, translator: Translator, *, currency: str, rate: float
) -> None:
    """One pass over the broadcasts under way: edit each progress message, finish the done."""
    for broadcast in await broadcasts.sending(db):
        progress = await broadcasts.progress(db, broadcast.id)
        done = progress.pending == 0 and await broadcasts.finish(db, broadcast.id)
        await _show(bot, db, translator, broadcast, progress, currency, rate, done=done)


async def _show(
    bot: Bot,
    db: Database,
    translator: Translator,
    broadcast: Broadcast,
    progress: Progress,
    currency: str,
    rate: float,
    *,
    done: bool,
) -> None:
    if broadcast.progress_message_id is None:
        return
    chosen = await locales_of(db, translator, [broadcast.admin_id])
    t = translator.texts(chosen[broadcast.admin_id], currency)
    try:
        await bot.edit_message_text(
            text=progress_text(t, progress, rate, done=done),
            chat_id=broadcast.admin_id,
            message_id=broadcast.progress_message_id,
            reply_markup=None if done else stop_button(t, broadcast.id),
        )
    except TelegramBadRequest as error:  # "not modified" between two quiet passes, or deleted
        log.debug("broadcast %s progress not edited: %s", broadcast.id, error.message)
