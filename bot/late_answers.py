"""A button's answer that Telegram no longer takes is not an error of the update.

Telegram takes one answer per button press, within about 15 seconds. A press delivered again
(the process that answered it first died before Telegram had its 200) or handled late (a slow
panel) cannot be answered any more; the update goes on without it: its message is still edited
or sent, and what it does is done once.
"""

from __future__ import annotations

import logging
from typing import cast

from aiogram import Bot
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.exceptions import TelegramBadRequest
from aiogram.methods import AnswerCallbackQuery, TelegramMethod
from aiogram.methods.base import Response, TelegramType

log = logging.getLogger(__name__)

_GONE = ("query is too old", "query id is invalid")


class LateAnswers(BaseRequestMiddleware):
    """A session middleware: an AnswerCallbackQuery Telegram refuses as too old counts as done."""

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        try:
            return await make_request(bot, method)
        except TelegramBadRequest as error:
            if not isinstance(method, AnswerCallbackQuery) or not any(
                gone in error.message.lower() for gone in _GONE
            ):
                raise
            log.info("button %s: too late to answer, going on", method.callback_query_id)
            # What make_request gives is the method's result (True here), whatever the
            # middleware's annotation says: aiogram's session returns it as the call's value.
            return cast("Response[TelegramType]", True)
