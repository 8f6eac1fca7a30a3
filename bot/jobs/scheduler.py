"""The background jobs on one AsyncIOScheduler; the polls run only where the lease is held."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from decimal import Decimal
from functools import partial

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.jobs.catalog import sync_all
from bot.jobs.digest import queue_digest
from bot.jobs.panel_balance import check_balances
from bot.jobs.poller import Backoff, PollStats, poll_once
from bot.jobs.refills import poll_refills_once
from bot.jobs.sender import Sender
from bot.panel.panels import Panels
from bot.shop.checkout import recover_interrupted
from bot.shop.config import ShopConfig
from storage import drafts, health, kv, outbox
from storage.clock import now
from storage.db import Database

log = logging.getLogger(__name__)

SENDER_LEASE_SECONDS = 10  # renewed every second; a crashed holder blocks a restart this long
# Every process renews its own `process:` lease this often; once it lapses (a kill -9), the
# orders that process left in `submitting` are recovered by whoever sweeps next.
HEARTBEAT_SECONDS = 5
PROCESS_LEASE_SECONDS = 15


async def heartbeat(db: Database, holder: str) -> None:
    """This process is alive: its orders in flight are its own to finish."""
    await kv.take_lease(db, kv.PROCESS_LEASE + holder, holder, PROCESS_LEASE_SECONDS)


KEEP_SENT_DAYS = 30


async def purge_outbox(db: Database) -> int:
    """Delivered messages are kept a month (for support questions), then forgotten."""
    return await outbox.purge(db, now() - KEEP_SENT_DAYS * 86_400)


KEEP_DRAFT_DAYS = 7


async def purge_drafts(db: Database) -> int:
    """An order or a top-up left half-filled for a week starts again from the menu."""
    return await drafts.purge(db, now() - KEEP_DRAFT_DAYS * 86_400)


async def leased(
    db: Database,
    name: str,
    holder: str,
    seconds: int,
    job: Callable[[], Awaitable[object]],
    *,
    stamp: str | None = None,
) -> None:
    """Run `job` only while this process holds lease `name` (taking or renewing it first);
    when it succeeds, keep the time as `stamp`'s last success for /admin."""
    if not await kv.take_lease(db, name, holder, seconds):
        log.debug("lease %s is held by another process; skipped", name)
        return
    result = await job()
    if stamp is not None and _succeeded(result):
        await health.succeeded(db, stamp)


def _succeeded(result: object) -> bool:
    """A poll returns normally when every request to the panels failed, or when every panel
    with orders rests after failing: not a success."""
    if isinstance(result, PollStats):
        return result.errors < result.requests if result.requests else not result.resting
    return True


def add_heartbeat(scheduler: AsyncIOScheduler, db: Database, holder: str) -> None:
    """Renew this process's `process:` lease: every process runs it, whatever its role."""
    scheduler.add_job(
        partial(heartbeat, db, holder), "interval", seconds=HEARTBEAT_SECONDS, id="heartbeat",
        misfire_grace_time=HEARTBEAT_SECONDS, max_instances=1, coalesce=True,
    )  # fmt: skip


def heartbeat_scheduler(db: Database, holder: str) -> AsyncIOScheduler:
    """The one job of a process that takes updates and runs no others (`--role web`)."""
    scheduler = AsyncIOScheduler()
    add_heartbeat(scheduler, db, holder)
    return scheduler


def build_scheduler(
    db: Database,
    panels: Panels,
    config: ShopConfig,
    sender: Sender,
    *,
    poll_interval: int,
    catalog_minutes: int,
    holder: str | None = None,
    panel_alert: Decimal = Decimal(0),
    progress: Callable[[], Awaitable[object]] | None = None,
    stars: Callable[[], Awaitable[object]] | None = None,
    stars_seconds: int = 600,
) -> AsyncIOScheduler:
    """Status poll, refill poll, catalog sync and outbox sender; not started.

    Every job runs one instance at a time and coalesces missed runs. Two processes on one
    database would poll twice and send every message twice, so the panel jobs share the
    `poller` lease and the sender takes the `sender` lease. The lease outlives a few poll
    intervals: a live holder renews it each run, a dead one loses it after that.
    """
    holder = holder or uuid.uuid4().hex
    lease_seconds = max(3 * poll_interval, 10)
    poller = partial(leased, db, kv.POLLER_LEASE, holder, lease_seconds)
    scheduler = AsyncIOScheduler()
    common = {"max_instances": 1, "coalesce": True}
    poll = partial(poll_once, db, panels, config, backoff=Backoff())
    scheduler.add_job(
        partial(poller, poll, stamp=health.POLL), "interval",
        seconds=poll_interval, id="status-poll", misfire_grace_time=poll_interval, **common,
    )  # fmt: skip
    scheduler.add_job(
        partial(poller, partial(poll_refills_once, db, panels)), "interval",
        seconds=2 * poll_interval, id="refill-poll", misfire_grace_time=2 * poll_interval,
        **common,
    )  # fmt: skip
    scheduler.add_job(
        partial(poller, partial(sync_all, db, panels), stamp=health.SYNC), "interval",
        minutes=catalog_minutes, id="catalog-sync", misfire_grace_time=60 * catalog_minutes,
        **common,
    )  # fmt: skip
    scheduler.add_job(
        partial(leased, db, kv.SENDER_LEASE, holder, SENDER_LEASE_SECONDS, sender.send_once),
        "interval", seconds=1, id="outbox-sender", misfire_grace_time=5, **common,
    )  # fmt: skip
    add_heartbeat(scheduler, db, holder)
    scheduler.add_job(
        partial(poller, partial(recover_interrupted, db, config)), "interval",
        seconds=poll_interval, id="recover-submitting", misfire_grace_time=poll_interval,
        **common,
    )  # fmt: skip
    scheduler.add_job(
        partial(purge_outbox, db), "interval", hours=24, id="outbox-purge",
        misfire_grace_time=3600, **common,
    )  # fmt: skip
    scheduler.add_job(
        partial(purge_drafts, db), "interval", hours=24, id="drafts-purge",
        misfire_grace_time=3600, **common,
    )  # fmt: skip
    if panel_alert > 0:
        scheduler.add_job(
            partial(poller, partial(check_balances, db, panels, config, panel_alert)),
            "interval", minutes=10, id="panel-balance", misfire_grace_time=600, **common,
        )  # fmt: skip
    if config.digest_hour is not None:  # queued once a day: the outbox key carries the date
        scheduler.add_job(
            partial(poller, partial(queue_digest, db, panels, config)), "interval", minutes=10,
            id="daily-digest", next_run_time=datetime.now(UTC), misfire_grace_time=600, **common,
        )  # fmt: skip
    if stars is not None:  # reconciliation with Telegram's Stars record: at start, then regularly
        scheduler.add_job(
            partial(poller, stars, stamp=health.STARS), "interval", seconds=stars_seconds,
            id="stars-reconcile",
            next_run_time=datetime.now(UTC), misfire_grace_time=stars_seconds, **common,
        )  # fmt: skip
    if progress is not None:
        scheduler.add_job(
            progress, "interval", seconds=3, id="broadcast-progress", misfire_grace_time=10,
            **common,
        )  # fmt: skip
    return scheduler
