"""Showing a screen: edit the message in place after a button, send a new one after text."""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable

from aiogram.exceptions import TelegramBadRequest
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message

from bot.transport import edit, reply, unread

log = logging.getLogger(__name__)

Shown = tuple[str, InlineKeyboardMarkup]  # a screen: its text and its buttons


class ScreenCache:
    """Screens built from the catalog alone, kept while the catalog's version stays the same.

    Every customer who opens the same page in the same language sees the same text and buttons
    (aiogram's markup objects are frozen, so one can be sent to many chats). A new version drops
    them all; the least recently shown go first beyond `size`.
    """

    def __init__(self, size: int = 256) -> None:
        self._size = size
        self._version: int | None = None
        self._screens: OrderedDict[Hashable, Shown] = OrderedDict()

    async def through(
        self, version: int, key: Hashable, build: Callable[[], Awaitable[Shown | None]]
    ) -> Shown | None:
        """The screen kept for `key`, else `build()`'s, kept for next time (None: nothing to
        show, and nothing kept)."""
        screen = self.get(version, key)
        if screen is None:
            screen = await build()
            if screen is not None:
                self.put(version, key, screen)
        return screen

    def get(self, version: int, key: Hashable) -> Shown | None:
        if version != self._version:
            self._screens.clear()
            self._version = version
            return None
        screen = self._screens.get(key)
        if screen is not None:
            self._screens.move_to_end(key)
        return screen

    def put(self, version: int, key: Hashable, screen: Shown) -> None:
        """Keep a screen built from data read after `version` was (unless a newer one was seen
        meanwhile: the screen may then be older than it)."""
        if version != self._version:
            return
        self._screens[key] = screen
        if len(self._screens) > self._size:
            self._screens.popitem(last=False)


async def show(
    event: Message | CallbackQuery,
    text: str,
    markup: InlineKeyboardMarkup | None = None,
    *,
    answered: bool = False,
) -> None:
    """Navigation edits one message in place; a callback is answered unless it was already.

    Nothing here reads what Telegram gives back for the message (`unread`), and the update's
    last call, a new screen or the button's answer, goes back in the answer to Telegram's POST
    when the update came by webhook (`reply`).
    """
    if isinstance(event, Message):
        await reply(event.answer(text, reply_markup=markup))
        return
    message = event.message
    if isinstance(message, Message):
        try:
            await edit(message, text, markup)
        except TelegramBadRequest as error:
            if "not modified" not in error.message:
                log.info("cannot edit message %s (%s): sending anew", message.message_id, error)
                await unread(message.answer(text, reply_markup=markup))
    elif event.from_user:  # too old to edit: Telegram gives an InaccessibleMessage
        assert event.bot is not None
        await event.bot.send_message(event.from_user.id, text, reply_markup=markup)
    if not answered:
        await reply(event.answer())
