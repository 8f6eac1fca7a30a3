"""Long polling that confirms an update to Telegram only when it and every earlier one finished."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from contextlib import suppress
from typing import Any, TypeVar

from aiogram import Bot, Dispatcher
from aiogram.dispatcher.dispatcher import DEFAULT_BACKOFF_CONFIG
from aiogram.exceptions import TelegramAPIError
from aiogram.methods import GetUpdates
from aiogram.types import Update
from aiogram.utils.backoff import Backoff, BackoffConfig

log = logging.getLogger(__name__)

# Seconds Telegram holds a getUpdates open when nothing is new (aiogram's default for polling).
POLL_TIMEOUT = 10
# While the earliest update received is being handled it stays unconfirmed, so Telegram answers
# every getUpdates at once (with it again): until it finishes, ask at this pace for new ones (a
# new update waits at most this long, and Telegram gets 4 requests a second, not a busy loop).
BUSY_PAUSE = 0.25

T = TypeVar("T")


def carries_payment(update: Update) -> bool:
    """Stars Telegram has already taken: the update must be credited, shutdown or not."""
    return update.message is not None and update.message.successful_payment is not None


class Window:
    """The updates received and not confirmed yet, in the order Telegram sent them.

    getUpdates' `offset` confirms every update below it, so it may pass only the updates that
    finished without a gap: a slow update holds back the confirmation of the fast ones after it
    (they are done; if they come again after a restart, handling them again changes nothing).
    """

    def __init__(self) -> None:
        self._done: dict[int, bool] = {}  # update id -> finished, in the order received
        self._offset: int | None = None

    def admit(self, update_id: int) -> bool:
        """True for a new update; False for one Telegram sends again as it is unconfirmed."""
        if update_id in self._done:
            return False
        self._done[update_id] = False
        return True

    def finish(self, update_id: int) -> bool:
        """Mark an update finished; True when that lets the offset move on."""
        first = next((known for known, done in self._done.items() if not done), None)
        self._done[update_id] = True
        return first == update_id

    @property
    def unfinished(self) -> int:
        return sum(not done for done in self._done.values())

    def offset(self) -> int | None:
        """The offset to send now (None before the first update), forgetting what it confirms.

        Telegram answers it only with updates at or above it, so an update forgotten here
        cannot come again.
        """
        for update_id, done in list(self._done.items()):
            if not done:
                return update_id
            del self._done[update_id]
            self._offset = update_id + 1
        return self._offset


class Poller:
    """getUpdates in a loop; every update handled in its own task, as aiogram's polling does
    (the Dispatcher's events isolation keeps one user's updates in order)."""

    def __init__(
        self,
        dp: Dispatcher,
        bot: Bot,
        workflow: dict[str, Any],
        *,
        timeout: int = POLL_TIMEOUT,
        busy_pause: float = BUSY_PAUSE,
        backoff: BackoffConfig = DEFAULT_BACKOFF_CONFIG,
    ) -> None:
        self._dp = dp
        self._bot = bot
        self._workflow = workflow
        self._timeout = timeout
        self._busy_pause = busy_pause
        self._backoff = backoff
        self._window = Window()
        self._moved = asyncio.Event()  # the earliest unfinished update finished
        self._tasks: set[asyncio.Task[None]] = set()

    async def run(self, stop: asyncio.Event) -> None:
        """Poll until `stop` is set (a long poll in flight is cancelled).

        Returns with the updates received still being handled: the caller drains them, then
        calls `confirm`.
        """
        try:  # a webhook left from an earlier run would make every getUpdates fail
            await self._bot.delete_webhook(drop_pending_updates=False)
        except TelegramAPIError as error:
            log.warning("deleteWebhook failed (%s); polling anyway", error.message)
        allowed = self._dp.resolve_used_update_types()
        backoff = Backoff(self._backoff)
        while not stop.is_set():
            self._moved.clear()
            try:
                updates = await _unless_stopped(stop, self._fetch(allowed))
            except Exception as error:  # Telegram unreachable or refusing: keep trying, slower
                delay = next(backoff)
                log.error("getUpdates failed (%s: %s); trying again in %.1f s",
                          type(error).__name__, error, delay)  # fmt: skip
                await _unless_stopped(stop, asyncio.sleep(delay))
                continue
            if updates is None:
                break
            if backoff.counter:
                log.info("getUpdates works again after %d failure(s)", backoff.counter)
                backoff.reset()
            for update in updates:
                if self._window.admit(update.update_id):
                    self._start(update)
            if self._window.unfinished:
                await _unless_stopped(stop, self._until_moved())

    async def confirm(self) -> None:
        """After the drain: confirm the updates finished without a gap, and no more.

        What is left (cancelled by the drain, or after one that was) comes again after the
        restart; the handlers are idempotent, so a replay of a finished one changes nothing.
        """
        if self._window.unfinished:
            log.warning("shutdown: %d update(s) not finished stay unconfirmed; Telegram sends "
                        "them again after the restart", self._window.unfinished)  # fmt: skip
        offset = self._window.offset()
        if offset is None:
            return
        try:  # with limit=1 the one update it may return stays unconfirmed
            await self._bot(GetUpdates(offset=offset, limit=1, timeout=0))
        except TelegramAPIError as error:
            log.warning("shutdown: could not confirm the updates handled (%s)", error.message)

    async def _fetch(self, allowed: list[str]) -> list[Update]:
        method = GetUpdates(
            offset=self._window.offset(), timeout=self._timeout, allowed_updates=allowed
        )
        # The request must outlive the long poll, or every quiet poll would time out.
        return await self._bot(
            method, request_timeout=int(self._bot.session.timeout) + self._timeout
        )

    def _start(self, update: Update) -> None:
        task = asyncio.create_task(self._handle(update), name=f"update-{update.update_id}")
        self._tasks.add(task)  # the loop keeps only a weak reference to a task
        task.add_done_callback(self._tasks.discard)

    async def _handle(self, update: Update) -> None:
        try:
            await self._dp.feed_update(self._bot, update, **self._workflow)
        except Exception:  # a bug the errors router let through: still finished, or it would
            log.exception("update %d failed", update.update_id)  # hold back every later one
        # Not reached when the drain cancels it: then it stays unconfirmed.
        if self._window.finish(update.update_id):
            self._moved.set()

    async def _until_moved(self) -> None:
        with suppress(TimeoutError):
            await asyncio.wait_for(self._moved.wait(), self._busy_pause)


async def _unless_stopped(stop: asyncio.Event, work: Awaitable[T]) -> T | None:
    """What `work` returns (or raises); None, with `work` cancelled, once `stop` is set."""
    working = asyncio.ensure_future(work)
    stopping = asyncio.ensure_future(stop.wait())
    try:
        await asyncio.wait({working, stopping}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        stopping.cancel()
        if not working.done():
            working.cancel()
            with suppress(asyncio.CancelledError):
                await working
    return None if working.cancelled() else working.result()
