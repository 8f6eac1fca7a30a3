"""/admin's health lines: when the jobs last succeeded, the unsent messages, the lease holder."""

from __future__ import annotations

import re

import httpx
import pytest
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.jobs.scheduler import build_scheduler
from bot.jobs.sender import Sender
from bot.shop.config import ShopConfig
from storage import kv, outbox
from tests.fakes.telegram import TelegramUser
from tests.flow.chat import to_summary
from tests.flow.conftest import Shop


@pytest.fixture
def scheduler(shop: Shop, shop_config: ShopConfig) -> AsyncIOScheduler:
    """This process's jobs, built as production builds them; never started: a test runs one."""

    async def reconcile() -> None:
        return None

    sender = Sender(shop.bot, shop.db, shop.dp["translator"], currency="USD")
    return build_scheduler(
        shop.db, shop.panels, shop_config, sender, poll_interval=60, catalog_minutes=30,
        holder=shop_config.instance, stars=reconcile,
    )  # fmt: skip


async def run(scheduler: AsyncIOScheduler, job_id: str) -> None:
    job = scheduler.get_job(job_id)
    assert job is not None
    await job.func()


def health(owner: TelegramUser) -> list[str]:
    """The health lines of /admin, with "N seconds ago" as "recently" (the clock moves on)."""
    head = owner.last_text().split("\n")[:6]
    return [re.sub(r"\b\d+ seconds? ago$", "recently", line) for line in head]


async def test_before_any_job_everything_says_never(owner: TelegramUser) -> None:
    await owner.send("/admin")
    assert health(owner) == [
        "Health",
        "Last successful status poll: never",
        "Last catalog sync: never",
        "Last Stars reconciliation: never",
        "Messages waiting to be sent: 0",
        "Background jobs run in: no process (nothing is polled: is the bot running?)",
    ]
    assert "/export" in owner.last_text()  # the commands follow


async def test_a_poll_sync_and_reconciliation_show_with_this_process(
    shop: Shop, owner: TelegramUser, scheduler: AsyncIOScheduler, shop_config: ShopConfig
) -> None:
    await run(scheduler, "status-poll")
    await owner.send("/admin")
    lines = health(owner)
    assert lines[1] == "Last successful status poll: recently"
    assert lines[2:4] == ["Last catalog sync: never", "Last Stars reconciliation: never"]
    assert lines[5] == f"Background jobs run in: this process ({shop_config.instance[:8]})"
    await run(scheduler, "catalog-sync")
    await run(scheduler, "stars-reconcile")
    await owner.send("/admin")
    assert health(owner)[2:4] == [
        "Last catalog sync: recently",
        "Last Stars reconciliation: recently",
    ]


async def test_a_poll_the_panel_never_answered_is_not_a_success(
    shop: Shop, owner: TelegramUser, scheduler: AsyncIOScheduler
) -> None:
    person = await shop.customer(1, balance=10_000)
    await to_summary(person)
    await person.click("Confirm")  # an active order: the poll has something to ask
    shop.sandbox.fail_next("status", httpx.ConnectError("panel down"))
    await run(scheduler, "status-poll")
    await owner.send("/admin")
    assert health(owner)[1] == "Last successful status poll: never"
    await run(scheduler, "status-poll")
    await owner.send("/admin")
    assert health(owner)[1] == "Last successful status poll: recently"


async def test_another_holder_and_the_backlog(shop: Shop, owner: TelegramUser) -> None:
    assert await kv.take_lease(shop.db, kv.POLLER_LEASE, "0123456789abcdef", 60)
    async with shop.db.transaction() as conn:
        for n in range(3):
            await outbox.put(conn, 1, "push-completed", {"order": n}, key=f"health:{n}")
    await owner.send("/admin")
    assert health(owner)[4:] == [
        "Messages waiting to be sent: 3",
        "Background jobs run in: another process (01234567)",
    ]


async def test_a_manual_sync_counts_as_the_last_catalog_sync(owner: TelegramUser) -> None:
    await owner.send("/sync")
    await owner.send("/admin")
    assert "Last catalog sync: never" not in owner.last_text()
    assert "Last catalog sync:" in owner.last_text()
