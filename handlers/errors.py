"""The last line of defence: log the failure, tell the user something plain, never a traceback."""

from __future__ import annotations

import logging

from aiogram import Router
from aiogram.exceptions import TelegramForbiddenError, TelegramRetryAfter
from aiogram.types import ErrorEvent

from bot.i18n import Texts

log = logging.getLogger(__name__)


def create_router() -> Router:
    router = Router(name="errors")
    router.errors.register(on_error)
    return router


async def on_error(event: ErrorEvent, t: Texts | None = None) -> None:
    update = event.update
    if isinstance(event.exception, TelegramRetryAfter | TelegramForbiddenError):
        # Telegram is throttling us, or the user blocked the bot: nothing to tell anyone.
        log.warning("update %s: %s", update.update_id, event.exception)
        return
    log.error("update %s failed", update.update_id, exc_info=event.exception)
    if t is None:
        return
    try:
        if update.callback_query is not None:
            await update.callback_query.answer(t.plain("error-generic"), show_alert=True)
        elif update.message is not None:
            await update.message.answer(t("error-generic"))
    except Exception:  # Telegram itself failing here must not loop back into this handler
        log.exception("could not tell the user about the failure of update %s", update.update_id)
