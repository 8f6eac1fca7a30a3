"""Serving: start-up, the updates (webhook or long polling) and the jobs, then the drain.

A process takes updates, runs the jobs, or both (its `Role`). The jobs that must run once per
shop (the polls, the sender, catalog sync, reconciliation) hold a lease in the database, so
several workers may run: one works, the others take over within a lease period of its death.
"""

from __future__ import annotations

import asyncio
import gc
import logging
from enum import StrEnum
from functools import partial
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.exceptions import TelegramAPIError, TelegramUnauthorizedError

from bot import commands, lazy_types
from bot.app import Deps, build_dispatcher
from bot.config import Settings
from bot.jobs.broadcast import report_progress
from bot.jobs.catalog import sync_all
from bot.jobs.scheduler import build_scheduler, heartbeat, heartbeat_scheduler
from bot.jobs.sender import Sender
from bot.jobs.stars import reconcile
from bot.panel.errors import PanelError
from bot.polling import Poller
from bot.runtime import StartupError, make_bot, runtime
from bot.shop.checkout import recover_interrupted
from bot.shutdown import (
    DRAIN_SECONDS,
    PAYMENT_DRAIN_SECONDS,
    InFlight,
    RunningJobs,
    release_leases,
    stop_on_signals,
    stop_scheduler,
)
from storage import services

log = logging.getLogger("bot")


class Role(StrEnum):
    """What a process serves: `web` takes updates only, `worker` runs only the jobs, `all` both.

    Every role keeps its own heartbeat and recovers dead processes' orders at start."""

    WEB = "web"
    WORKER = "worker"
    ALL = "all"

    @property
    def takes_updates(self) -> bool:
        return self is not Role.WORKER

    @property
    def runs_jobs(self) -> bool:
        return self is not Role.WEB


async def identify(bot: Bot) -> str:
    """The bot's @username; the first call to Telegram, so a bad token stops the start."""
    try:
        me = await bot.me()
    except TelegramUnauthorizedError:
        raise StartupError("Telegram refused BOT_TOKEN (revoked or mistyped?)") from None
    except TelegramAPIError as error:
        raise StartupError(f"cannot reach the Telegram Bot API: {error.message}") from None
    return me.username or str(me.id)


async def serve(settings: Settings, role: Role = Role.ALL) -> None:
    """Run the shop until SIGINT/SIGTERM, then drain and close everything."""
    stop = asyncio.Event()
    remove_handlers = stop_on_signals(stop)
    try:
        # a worker takes no updates: it needs no drafts nor per-customer locks (nor Redis)
        async with runtime(settings, per_user=role.takes_updates) as deps:
            bot = make_bot(settings, deps.db, deps.translator)
            try:
                await run(settings, deps, bot, stop, role)
            finally:
                await bot.session.close()
    finally:
        remove_handlers()


async def run(
    settings: Settings, deps: Deps, bot: Bot, stop: asyncio.Event, role: Role = Role.ALL
) -> None:
    """Start up, serve until `stop`, then drain: updates in flight and running jobs first."""
    username = await start_up(deps, bot, menus=role.takes_updates)
    in_flight = InFlight()
    dp = build_dispatcher(deps, in_flight=in_flight)
    scheduler = scheduler_for(role, settings, deps, bot)
    jobs = RunningJobs(scheduler)
    if role.runs_jobs:  # a web process serves the catalog the worker keeps
        await _sync_catalog(deps)
    if stop.is_set():  # a signal during the start
        return
    lazy_types.build_common()
    # What start-up built lives as long as the process: keep the collector from walking it again
    # and again (a full pass over aiogram's types takes a noticeable pause on a small machine).
    gc.freeze()
    scheduler.start()
    workflow = {"dispatcher": dp, "bots": (bot,), **dp.workflow_data}
    poller: Poller | None = None
    try:
        _announce(settings, role, username)
        await dp.emit_startup(bot=bot, **workflow)
        if not role.takes_updates:
            await stop.wait()
        elif settings.webhook_url:
            await _serve_webhook(settings, deps, dp, bot, scheduler, stop)
        else:
            poller = Poller(dp, bot, workflow)
            await poller.run(stop)
    finally:
        await asyncio.gather(
            in_flight.drain(DRAIN_SECONDS, PAYMENT_DRAIN_SECONDS),
            stop_scheduler(scheduler, jobs, DRAIN_SECONDS),
        )
        if poller is not None:
            await poller.confirm()  # only what finished: the rest comes again after a restart
        await dp.emit_shutdown(bot=bot, **workflow)
        await release_leases(deps.db, deps.shop.instance)
        log.info("bot stopped")


async def start_up(deps: Deps, bot: Bot, *, menus: bool = True) -> str:
    """The bot's @username once Telegram knows it, its menus (published by the processes that
    take updates), and this process alive with the orders of a dead one recovered."""
    username = await identify(bot)
    if menus:  # the "/" menus; a shop without them still works
        try:
            await commands.publish(bot, deps.translator, deps.shop.admin_ids)
        except TelegramAPIError as error:
            log.warning("command menus not published (%s)", error.message)
    await heartbeat(deps.db, deps.shop.instance)  # alive before recovering anybody else's orders
    abandoned = await recover_interrupted(deps.db, deps.shop)
    if abandoned:
        log.warning("orders left in submitting are now unknown: %s", abandoned)
    return username


def _announce(settings: Settings, role: Role, username: str) -> None:
    mode = "webhook" if settings.webhook_url else "long polling"
    serves = {Role.ALL: mode, Role.WEB: f"web: {mode}, no jobs", Role.WORKER: "worker: jobs only"}
    panel = "sandbox panel" if settings.sandbox else "live panel"
    log.info("bot @%s started (%s, %s)", username, serves[role], panel)
    if role is Role.WEB and not settings.webhook_url:
        log.warning("--role web with long polling: Telegram hands the updates to one poller "
                    "only; several web processes need WEBHOOK_URL")  # fmt: skip
    if role is Role.WEB and settings.redis_url is None:
        log.warning("--role web without REDIS_URL: each process locks only its own customers; "
                    "several web processes need REDIS_URL")  # fmt: skip


def scheduler_for(role: Role, settings: Settings, deps: Deps, bot: Bot) -> Any:
    """Every job for a worker (each leased where it must run once); the heartbeat alone
    for a web process."""
    if not role.runs_jobs:
        return heartbeat_scheduler(deps.db, deps.shop.instance)
    sender = Sender(
        bot, deps.db, deps.translator, currency=deps.shop.currency,
        rate=settings.send_rate_per_second, chat_interval=settings.send_chat_interval_seconds,
    )  # fmt: skip
    return build_scheduler(
        deps.db, deps.panels, deps.shop, sender,
        poll_interval=settings.poll_interval_seconds,
        catalog_minutes=settings.catalog_sync_minutes, holder=deps.shop.instance,
        panel_alert=settings.panel_balance_alert,
        progress=partial(
            report_progress, bot, deps.db, deps.translator, currency=deps.shop.currency,
            rate=settings.send_rate_per_second,
        ),
        stars=partial(reconcile, bot, deps.db, deps.shop),
        stars_seconds=settings.stars_reconcile_seconds,
    )  # fmt: skip


async def _sync_catalog(deps: Deps) -> None:
    try:
        await services.retire_panels(deps.db, list(deps.panels))
        await sync_all(deps.db, deps.panels)
    except PanelError as error:
        log.warning("catalog sync at start failed (%s); serving the cached catalog", error)
    except Exception:  # the shop still serves its cached catalog
        log.exception("catalog sync at start failed")


async def _serve_webhook(
    settings: Settings, deps: Deps, dp: Dispatcher, bot: Bot, scheduler: Any, stop: asyncio.Event
) -> None:
    from bot.webhook import health_check, run_webhook  # a webhook's server only (aiohttp.web)

    url, secret = settings.webhook_url, settings.webhook_secret
    assert url is not None
    assert secret is not None  # Settings require it with the URL
    try:
        await run_webhook(
            dp, bot, url=url, secret=secret.get_secret_value(),
            host=settings.webhook_host, port=settings.webhook_port,
            health=health_check(deps.db, scheduler), stop=stop,
        )  # fmt: skip
    except TelegramAPIError as error:
        raise StartupError(f"setWebhook failed: {error.message}") from None
    except OSError as error:  # the port is taken, or the address is not this machine's
        where = f"{settings.webhook_host}:{settings.webhook_port}"
        raise StartupError(f"cannot listen on {where} ({error.strerror})") from None
