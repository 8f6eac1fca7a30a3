"""Graceful shutdown: updates in flight and running jobs drain, leases are released, signals."""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject, Update
from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED, EVENT_JOB_SUBMITTED

from bot.polling import carries_payment
from storage import kv
from storage.db import Database

log = logging.getLogger("bot")
# On SIGTERM, updates being handled and jobs being run get this long to finish before they are
# cancelled; an update crediting a Stars payment (or waiting for its customer's earlier update)
# gets PAYMENT_DRAIN_SECONDS in all (compose.yaml gives the container 40 s before it is killed).
DRAIN_SECONDS = 25.0
PAYMENT_DRAIN_SECONDS = 35.0


class InFlight(BaseMiddleware):
    """Knows which updates are being handled, so a shutdown can wait for them.

    `build_dispatcher(in_flight=...)` registers it before the per-user lock (aiogram's FSM
    middleware): an update counts from its first step of ours, including the time it waits for
    that lock or for the user's row to be written.
    """

    def __init__(self) -> None:
        self._handling: list[tuple[asyncio.Task[Any], bool]] = []  # (task, carries a payment)
        self._idle = asyncio.Event()
        self._idle.set()

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        task = asyncio.current_task()
        if task is None:  # not in a task: nothing a shutdown could wait for
            return await handler(event, data)
        entry = (task, isinstance(event, Update) and carries_payment(event))
        self._handling.append(entry)
        self._idle.clear()
        try:
            return await handler(event, data)
        finally:
            self._handling.remove(entry)
            if not self._handling:
                self._idle.set()

    @property
    def count(self) -> int:
        return len(self._handling)

    async def drain(self, grace: float, payment_grace: float) -> None:
        """Wait for the updates in flight; cancel those still running after `grace` seconds,
        except Stars payments: they may finish (and wait for their customer's earlier update,
        cancelled by then) until `payment_grace` seconds. A cancelled update is not confirmed
        to Telegram, which delivers it again after the restart."""
        await asyncio.sleep(0)  # updates handed to new tasks take their first step: counted
        if not self._handling:
            return
        log.info("shutdown: waiting for %d update(s) in flight", len(self._handling))
        deadline = asyncio.get_running_loop().time() + payment_grace
        if await self._idle_within(grace):
            return
        ordinary = self._running(payments=False)
        if ordinary:
            log.warning("shutdown: %d update(s) still running after %ss: cancelled",
                        len(ordinary), grace)  # fmt: skip
            await _cancel(ordinary)
        if await self._idle_within(deadline - asyncio.get_running_loop().time()):
            return
        payments = self._running(payments=True)
        log.error("shutdown: %d Stars payment update(s) still running after %ss: cancelled "
                  "before their credit; Telegram delivers them again after the restart",
                  len(payments), payment_grace)  # fmt: skip
        await _cancel(payments)

    def _running(self, *, payments: bool) -> list[asyncio.Task[Any]]:
        return list(dict.fromkeys(task for task, paying in self._handling if paying is payments))

    async def _idle_within(self, seconds: float) -> bool:
        if self._idle.is_set():  # wait_for(..., 0) would time out even then
            return True
        try:
            await asyncio.wait_for(self._idle.wait(), max(seconds, 0.0))
        except TimeoutError:
            return False
        return True


async def _cancel(tasks: list[asyncio.Task[Any]]) -> None:
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


class RunningJobs:
    """Counts the scheduler's jobs being run (its own shutdown would cancel them at once)."""

    def __init__(self, scheduler: Any) -> None:
        self._running = 0
        self._idle = asyncio.Event()
        self._idle.set()
        scheduler.add_listener(
            self._on_event, EVENT_JOB_SUBMITTED | EVENT_JOB_EXECUTED | EVENT_JOB_ERROR
        )

    def _on_event(self, event: Any) -> None:
        if event.code == EVENT_JOB_SUBMITTED:
            self._running += 1
            self._idle.clear()
            return
        # Every job coalesces, so one run ends with one event.
        self._running = max(0, self._running - 1)
        if not self._running:
            self._idle.set()

    async def wait(self, grace: float) -> bool:
        """True when no job is running (any more) within `grace` seconds."""
        try:
            await asyncio.wait_for(self._idle.wait(), grace)
        except TimeoutError:
            return False
        return True


async def stop_scheduler(scheduler: Any, jobs: RunningJobs, grace: float) -> None:
    """No new runs; the running ones finish (or are cancelled after `grace` seconds)."""
    scheduler.pause()
    if not await jobs.wait(grace):
        log.warning("shutdown: background jobs still running after %ss: cancelled", grace)
    scheduler.shutdown(wait=False)
    await jobs.wait(1.0)  # let cancelled jobs roll their transaction back


async def release_leases(db: Database, holder: str) -> None:
    """So that a restarted bot polls and sends at once instead of waiting for them to expire."""
    for name in (kv.POLLER_LEASE, kv.SENDER_LEASE, kv.PROCESS_LEASE + holder):
        try:
            await kv.release_lease(db, name, holder)
        except Exception as error:
            log.warning("shutdown: could not release lease %s (%s)", name, type(error).__name__)


def stop_on_signals(stop: asyncio.Event) -> Callable[[], None]:
    """SIGINT/SIGTERM set `stop`; returns the function that removes the handlers again."""
    loop = asyncio.get_running_loop()

    def received(sig: signal.Signals) -> None:
        if stop.is_set():
            log.warning("%s again: already shutting down", sig.name)
            return
        log.info("%s received: shutting down", sig.name)
        stop.set()

    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, received, sig)

    def remove() -> None:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)

    return remove
