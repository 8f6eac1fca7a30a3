"""The outbox sender: renders queued messages in each reader's language, within Telegram's limits.

Delivery is at least once: a row is marked sent only after Telegram accepted it, so a crash
between the two may send that one message again, but no row is ever lost.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiogram import Bot
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramMigrateToChat,
    TelegramRetryAfter,
)
from aiogram.types import BufferedInputFile

from bot.i18n import Translator, format_money
from bot.jobs import digest, support
from bot.language import locales_of
from storage import broadcasts, outbox, users
from storage.db import Database
from storage.outbox import Message

log = logging.getLogger(__name__)

MONEY_ARGS = frozenset({"refund", "charge", "amount", "balance"})
# A pass sends at most this many rows to one chat; the rest wait for the next pass, so one busy
# chat (an admin's alerts) cannot hold everybody else's messages for minutes.
PER_CHAT_PER_PASS = 5
MAX_BACKOFF = 300  # seconds before a row that hit a network error is tried again


@dataclass
class SendStats:
    sent: int = 0
    blocked: int = 0  # the user blocked the bot: marked, never retried
    retried: int = 0  # left for a later pass (flood wait, network, server error)
    failed: int = 0  # refused for good (bad request): kept with the reason, never retried


class Sender:
    """Drains the outbox; keeps one budget for the bot and one per chat."""

    def __init__(
        self,
        bot: Bot,
        db: Database,
        translator: Translator,
        *,
        currency: str,
        rate: float = 25.0,
        chat_interval: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
    ) -> None:
        if rate <= 0 or chat_interval < 0:
            raise ValueError("rate must be positive and chat_interval not negative")
        self._bot = bot
        self._db = db
        self._translator = translator
        self._currency = currency
        self._spacing = 1.0 / rate
        self._chat_interval = chat_interval
        self._clock = clock
        self._sleep = sleep
        self._next_send = -math.inf  # the earliest moment of the bot's next message
        self._chat_free: dict[int, float] = {}  # chat -> the earliest moment of its next message

    def render(self, row: Message, locale: str) -> str:
        args = {
            name: format_money(value, self._currency, locale)
            if name in MONEY_ARGS and isinstance(value, int) and not isinstance(value, bool)
            else value
            for name, value in row.args.items()
        }
        return self._translator.get(locale, row.message, **args)

    async def send_once(self, limit: int = 200) -> SendStats:
        """One pass over the due rows, in queue order but never faster than the budgets allow."""
        stats = SendStats()
        rows = await outbox.due(self._db, limit)
        if not rows:
            return stats
        chosen = await locales_of(self._db, self._translator, (row.chat_id for row in rows))
        now = self._clock()
        self._chat_free = {chat: free for chat, free in self._chat_free.items() if free > now}
        pending: list[Message] = []
        per_chat: dict[int, int] = {}
        for row in rows:
            per_chat[row.chat_id] = per_chat.get(row.chat_id, 0) + 1
            if per_chat[row.chat_id] <= PER_CHAT_PER_PASS:
                pending.append(row)
        while pending:
            row = pending.pop(self._next_index(pending))
            await self._wait_turn(row.chat_id)
            if not await self._deliver(row, chosen[row.chat_id], stats):
                break
        return stats

    async def _copy(self, chat_id: int, broadcast_id: int) -> bool:
        """Copy the broadcast's message to one chat; False when it is no longer sending.

        The state is read before every copy so that Cancel stops a broadcast within a message.
        """
        found = await broadcasts.get(self._db, broadcast_id)
        if found is None or found.state != broadcasts.SENDING:
            return False
        await self._bot.copy_message(chat_id, found.from_chat_id, found.message_id)
        return True

    async def _send_digest(self, row: Message, locale: str) -> None:
        """The chart is drawn now, in the reader's language, from the figures the row keeps."""
        caption, chart = await digest.compose(
            self._translator.texts(locale, self._currency), row.args
        )
        await self._bot.send_photo(
            row.chat_id, BufferedInputFile(chart, "digest.png"), caption=caption
        )

    def _next_index(self, pending: list[Message]) -> int:
        """The oldest row whose chat may be written to now, else the one whose chat frees first."""
        now = self._clock()
        best, best_free = 0, math.inf
        for index, row in enumerate(pending):
            free = self._chat_free.get(row.chat_id, -math.inf)
            if free <= now:
                return index
            if free < best_free:
                best, best_free = index, free
        return best

    async def _wait_turn(self, chat_id: int) -> None:
        ready = max(self._next_send, self._chat_free.get(chat_id, -math.inf))
        delay = ready - self._clock()
        if delay > 0:
            await self._sleep(delay)
        stamp = self._clock()
        self._next_send = stamp + self._spacing
        self._chat_free[chat_id] = stamp + self._chat_interval

    async def _deliver(self, row: Message, locale: str, stats: SendStats) -> bool:
        """Send one row and record the outcome; False when this pass should stop."""
        try:
            if row.message == digest.DIGEST:
                await self._send_digest(row, locale)
            elif row.ticket_id is not None:
                texts = self._translator.texts(locale, self._currency)
                await support.deliver(self._bot, self._db, row, texts)
            elif row.broadcast_id is None:
                await self._bot.send_message(row.chat_id, self.render(row, locale))
            elif not await self._copy(row.chat_id, row.broadcast_id):
                return True  # cancelled meanwhile: the row is already marked
        except TelegramRetryAfter as error:
            log.warning("outbox %s: flood wait %ss", row.id, error.retry_after)
            await self._sleep(error.retry_after)
            self._next_send = self._clock() + self._spacing
            await outbox.postpone(self._db, row.id, 0)
            stats.retried += 1
            return True
        except TelegramForbiddenError:
            log.info("outbox %s: chat %s blocked the bot", row.id, row.chat_id)
            await users.set_blocked(self._db, row.chat_id)
            await outbox.mark_failed(self._db, row.id, "blocked")
            stats.blocked += 1
            return True
        except (TelegramBadRequest, TelegramMigrateToChat) as error:
            log.warning("outbox %s (%s): refused: %s", row.id, row.message, error.message)
            await outbox.mark_failed(self._db, row.id, error.message)
            stats.failed += 1
            return True
        except Exception as error:  # network, server error, bad token: try again later
            backoff = min(MAX_BACKOFF, 2 ** min(row.attempts + 1, 16))
            log.warning(
                "outbox %s: not sent (%s), again in %ss", row.id, type(error).__name__, backoff
            )
            await outbox.postpone(self._db, row.id, backoff)
            stats.retried += 1
            return False  # the next row would most likely fail the same way
        await outbox.mark_sent(self._db, row.id)
        stats.sent += 1
        return True
