"""/broadcast: an admin replies to a message with it; preview, confirm, live progress, stop."""

from __future__ import annotations

from enum import StrEnum

from aiogram import Bot, Router
from aiogram.filters import Command
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot import callback_prefixes
from bot.callback_types import Id
from bot.i18n import Texts
from bot.jobs.broadcast import StopBroadcast, progress_text, stop_button
from handlers.filters import IsAdmin
from handlers.screens import show
from storage import broadcasts
from storage.db import Database


class Choice(StrEnum):
    SEND = "send"
    DROP = "drop"


class BroadcastDecision(CallbackData, prefix=callback_prefixes.BROADCAST_DECISION):
    choice: Choice
    broadcast: Id


def create_router() -> Router:
    router = Router(name="broadcast")
    router.message.filter(IsAdmin())
    router.callback_query.filter(IsAdmin())
    router.message.register(prepare, Command("broadcast"))
    router.callback_query.register(decide, BroadcastDecision.filter())
    router.callback_query.register(stop, StopBroadcast.filter())
    return router


async def prepare(message: Message, bot: Bot, db: Database, t: Texts) -> None:
    source = message.reply_to_message
    if source is None or not (source.text or source.photo):
        await message.answer(t("broadcast-usage"))
        return
    broadcast_id = await broadcasts.create(db, message.chat.id, source.chat.id, source.message_id)
    await bot.copy_message(message.chat.id, source.chat.id, source.message_id)
    builder = InlineKeyboardBuilder()
    builder.button(
        text=t.plain("btn-broadcast-send"),
        callback_data=BroadcastDecision(choice=Choice.SEND, broadcast=broadcast_id),
    )
    builder.button(
        text=t.plain("btn-cancel"),
        callback_data=BroadcastDecision(choice=Choice.DROP, broadcast=broadcast_id),
    )
    count = await broadcasts.recipients(db)
    await message.answer(t("broadcast-confirm", count=count), reply_markup=builder.as_markup())


async def decide(
    query: CallbackQuery,
    callback_data: BroadcastDecision,
    db: Database,
    t: Texts,
    rate: float = 25.0,
) -> None:
    if callback_data.choice is Choice.DROP:
        await stop(query, StopBroadcast(broadcast=callback_data.broadcast), db, t)
        return
    total = await broadcasts.start(db, callback_data.broadcast)
    if total is None:
        await query.answer(t.plain("broadcast-not-draft"), show_alert=True)
        return
    if isinstance(query.message, Message):
        await broadcasts.set_progress_message(db, callback_data.broadcast, query.message.message_id)
    progress = await broadcasts.progress(db, callback_data.broadcast)
    text = progress_text(t, progress, rate, done=False)
    await show(query, text, stop_button(t, callback_data.broadcast))


async def stop(query: CallbackQuery, callback_data: StopBroadcast, db: Database, t: Texts) -> None:
    if not await broadcasts.cancel(db, callback_data.broadcast):
        await query.answer(t.plain("broadcast-not-running"), show_alert=True)
        return
    progress = await broadcasts.progress(db, callback_data.broadcast)
    await show(query, t("broadcast-cancelled", sent=progress.sent))
