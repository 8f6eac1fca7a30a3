"""Composition root: `python -m bot` runs the shop; `audit` and `sandbox-panel` are tools."""

from __future__ import annotations

import asyncio
import gc
import logging
import signal
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from aiogram import BaseMiddleware, Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.exceptions import TelegramAPIError, TelegramUnauthorizedError
from aiogram.types import TelegramObject, Update
from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED, EVENT_JOB_SUBMITTED
from pydantic import ValidationError

from bot import commands, lazy_types
from bot.app import Deps, build_dispatcher
from bot.banner import SandboxBanner
from bot.config import Settings, settings_problems
from bot.i18n import Translator
from bot.jobs.broadcast import report_progress
from bot.jobs.catalog import sync_all
from bot.jobs.scheduler import build_scheduler, heartbeat
from bot.jobs.sender import Sender
from bot.jobs.stars import reconcile, star_transactions
from bot.logs import setup_logging
from bot.panel import serve as sandbox_server
from bot.panel.errors import PanelError
from bot.panel.panels import open_panels
from bot.polling import Poller, carries_payment
from bot.shop.audit import audit
from bot.shop.checkout import recover_interrupted
from bot.shop.config import ShopConfig
from bot.shop.money import to_minor
from bot.shop.payments import StarTransaction
from bot.webhook import health_check, run_webhook
from storage import kv, services
from storage.db import Database
from storage.payments import has_stars

log = logging.getLogger("bot")
# On SIGTERM, updates being handled and jobs being run get this long to finish before they are
# cancelled; an update crediting a Stars payment (or waiting for its customer's earlier update)
# gets PAYMENT_DRAIN_SECONDS in all (compose.yaml gives the container 40 s before it is killed).
DRAIN_SECONDS = 25.0
PAYMENT_DRAIN_SECONDS = 35.0
USAGE = "python -m bot [audit | sandbox-panel --port N]"


class StartupError(Exception):
    """The bot cannot start (Telegram refused the token or the webhook...): one log line, exit 1."""


def load_settings() -> Settings:
    """Settings from the environment, or exit 2 with one line per problem (no traceback)."""
    try:
        return Settings()
    except ValidationError as error:
        print("Configuration problems (see .env.example):", file=sys.stderr)
        for line in settings_problems(error):
            print(f"  {line}", file=sys.stderr)
        raise SystemExit(2) from None


def secrets_of(settings: Settings) -> list[str]:
    """Everything the logs must never show."""
    found = [settings.bot_token.get_secret_value(), settings.panel_key.get_secret_value()]
    found += [entry.key.get_secret_value() for entry in settings.panels.values()]
    if settings.webhook_secret is not None:
        found.append(settings.webhook_secret.get_secret_value())
    return [secret for secret in found if secret]


@dataclass(frozen=True, slots=True)
class Runtime:
    deps: Deps


@asynccontextmanager
async def runtime(settings: Settings) -> AsyncIterator[Runtime]:
    """The database, the panel's http client and the shop rules; closed whatever happens."""
    db = await Database.open(settings.database_path)
    try:
        async with open_panels(settings) as panels:
            shop = ShopConfig(
                currency=settings.shop_currency,
                panel_currency=settings.panel_currency,
                fx=settings.fx_rate,
                markup=settings.markup_percent,
                admin_ids=settings.admin_ids,
                sandbox=settings.sandbox,
                topup_presets=tuple(
                    to_minor(amount, up=False) for amount in settings.topup_presets
                ),
                topup_min=to_minor(settings.topup_min, up=False),
                topup_max=to_minor(settings.topup_max, up=False),
                stars_per_unit=settings.stars_per_unit,
                stars_in_sandbox=settings.stars_in_sandbox,
                manual_topup_info=settings.topup_manual_info,
                zone=ZoneInfo(settings.timezone),
                digest_hour=settings.digest_hour,
                referral_percent=settings.referral_percent,
            )
            translator = Translator(settings.default_locale)
            yield Runtime(Deps(db=db, panels=panels, shop=shop, translator=translator))
    finally:
        await db.close()


def make_bot(settings: Settings, db: Database, translator: Translator) -> Bot:
    session = AiohttpSession()
    if settings.telegram_api_url:
        session = AiohttpSession(api=TelegramAPIServer.from_base(settings.telegram_api_url))
    if settings.sandbox:
        session.middleware(SandboxBanner(db, translator))
    return Bot(
        settings.bot_token.get_secret_value(),
        session=session,
        default=DefaultBotProperties(parse_mode=ParseMode.HTML),
    )


# --- graceful shutdown ---------------------------------------------------------------------


class InFlight(BaseMiddleware):
    """Knows which updates are being handled, so a shutdown can wait for them.

    Installed as the outermost update middleware: an update counts from its first step,
    including the time it waits for the per-user lock or for the user's row to be written.
    """

    def __init__(self) -> None:
        self._handling: list[tuple[asyncio.Task[Any], bool]] = []  # (task, carries a payment)
        self._idle = asyncio.Event()
        self._idle.set()

    def install(self, dp: Dispatcher) -> None:
        outer = dp.update.outer_middleware
        others = list(outer)
        for middleware in others:
            outer.unregister(middleware)
        outer.register(self)
        for middleware in others:
            outer.register(middleware)

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


# --- serving ---------------------------------------------------------------------------------


async def identify(bot: Bot) -> str:
    """The bot's @username; the first call to Telegram, so a bad token stops the start."""
    try:
        me = await bot.me()
    except TelegramUnauthorizedError:
        raise StartupError("Telegram refused BOT_TOKEN (revoked or mistyped?)") from None
    except TelegramAPIError as error:
        raise StartupError(f"cannot reach the Telegram Bot API: {error.message}") from None
    return me.username or str(me.id)


async def serve(settings: Settings) -> None:
    """Run the shop until SIGINT/SIGTERM, then drain and close everything."""
    stop = asyncio.Event()
    remove_handlers = stop_on_signals(stop)
    try:
        async with runtime(settings) as rt:
            bot = make_bot(settings, rt.deps.db, rt.deps.translator)
            try:
                await run(settings, rt.deps, bot, stop)
            finally:
                await bot.session.close()
    finally:
        remove_handlers()


async def run(settings: Settings, deps: Deps, bot: Bot, stop: asyncio.Event) -> None:
    username = await identify(bot)
    try:  # the "/" menus; a shop without them still works
        await commands.publish(bot, deps.translator, deps.shop.admin_ids)
    except TelegramAPIError as error:
        log.warning("command menus not published (%s)", error.message)
    holder = deps.shop.instance
    await heartbeat(deps.db, holder)  # alive before recovering anybody else's orders
    abandoned = await recover_interrupted(deps.db, deps.shop)
    if abandoned:
        log.warning("orders left in submitting are now unknown: %s", abandoned)
    dp = build_dispatcher(deps)
    in_flight = InFlight()
    in_flight.install(dp)
    sender = Sender(
        bot, deps.db, deps.translator, currency=deps.shop.currency,
        rate=settings.send_rate_per_second, chat_interval=settings.send_chat_interval_seconds,
    )  # fmt: skip
    scheduler = build_scheduler(
        deps.db, deps.panels, deps.shop, sender,
        poll_interval=settings.poll_interval_seconds,
        catalog_minutes=settings.catalog_sync_minutes, holder=holder,
        panel_alert=settings.panel_balance_alert,
        progress=partial(
            report_progress, bot, deps.db, deps.translator, currency=deps.shop.currency,
            rate=settings.send_rate_per_second,
        ),
        stars=partial(reconcile, bot, deps.db, deps.shop),
        stars_seconds=settings.stars_reconcile_seconds,
    )  # fmt: skip
    jobs = RunningJobs(scheduler)
    try:
        await services.retire_panels(deps.db, list(deps.panels))
        await sync_all(deps.db, deps.panels)
    except PanelError as error:
        log.warning("catalog sync at start failed (%s); serving the cached catalog", error)
    except Exception:  # the shop still serves its cached catalog
        log.exception("catalog sync at start failed")
    if stop.is_set():  # a signal during the start
        return
    lazy_types.build_common()
    # What start-up built lives as long as the process: keep the collector from walking it again
    # and again (a full pass over aiogram's types takes a noticeable pause on a small machine).
    gc.freeze()
    scheduler.start()
    webhook = settings.webhook_url
    workflow = {"dispatcher": dp, "bots": (bot,), **dp.workflow_data}
    poller: Poller | None = None
    try:
        mode = "webhook" if webhook else "long polling"
        panel = "sandbox panel" if settings.sandbox else "live panel"
        log.info("bot @%s started (%s, %s)", username, mode, panel)
        await dp.emit_startup(bot=bot, **workflow)
        if webhook:
            assert settings.webhook_secret is not None  # Settings require it with the URL
            try:
                await run_webhook(
                    dp, bot, url=webhook, secret=settings.webhook_secret.get_secret_value(),
                    host=settings.webhook_host, port=settings.webhook_port,
                    health=health_check(deps.db, scheduler), stop=stop,
                )  # fmt: skip
            except TelegramAPIError as error:
                raise StartupError(f"setWebhook failed: {error.message}") from None
            except OSError as error:  # the port is taken, or the address is not this machine's
                where = f"{settings.webhook_host}:{settings.webhook_port}"
                raise StartupError(f"cannot listen on {where} ({error.strerror})") from None
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
        await release_leases(deps.db, holder)
        log.info("bot stopped")


# --- the tools ---------------------------------------------------------------------------------


async def run_audit(settings: Settings) -> int:
    """The books; with Telegram's record of the bot's Stars once the shop ever sold for Stars."""
    db = await Database.open(settings.database_path)
    try:
        stars: list[StarTransaction] | None = []
        if await has_stars(db):
            bot = make_bot(settings, db, Translator(settings.default_locale))
            bot.session.timeout = 20  # seconds per page: an audit must end, reachable or not
            try:
                stars = await star_transactions(bot)
            except TelegramAPIError as error:
                stars = None
                print(f"NOTE Telegram not reached ({error.message}): paid Stars not checked")
            finally:
                await bot.session.close()
        report = await audit(db, stars)
    finally:
        await db.close()
    print(f"users checked: {report.users_checked}, orders checked: {report.orders_checked}")
    if stars:
        print(f"Stars transactions checked with Telegram: {len(stars)}")
    for problem in report.problems:
        print(f"PROBLEM {problem}")
    print("audit: OK" if report.ok else f"audit: {len(report.problems)} problem(s)")
    return 0 if report.ok else 1


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    command = args[0] if args else None
    if command == "sandbox-panel":  # a tool for tests and demos: needs no bot token
        raise SystemExit(sandbox_server.main(args[1:]))
    if command not in (None, "audit"):
        print(f"unknown command: {command} (use: {USAGE})", file=sys.stderr)
        raise SystemExit(2)
    settings = load_settings()
    setup_logging(settings.log_level, secrets_of(settings))
    if command == "audit":
        raise SystemExit(asyncio.run(run_audit(settings)))
    try:
        asyncio.run(serve(settings))
    except StartupError as error:
        log.error("cannot start: %s", error)
        raise SystemExit(1) from None


if __name__ == "__main__":
    main()
