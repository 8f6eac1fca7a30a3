"""The status poll: each panel's active orders in batches of up to 100 ids, a few requests in
flight per panel; a panel whose every request fails is asked again later, on its own."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

from bot.panel.client import MAX_IDS, PanelClient, chunked
from bot.panel.errors import PanelError, PanelErrorKind, PanelRefused
from bot.panel.models import OrderStatus
from bot.panel.panels import Panels
from bot.shop.config import ShopConfig
from bot.shop.tracking import apply_status, apply_statuses_in, note_unreported_in
from storage import orders
from storage.db import Database
from storage.orders import Order

log = logging.getLogger(__name__)


@dataclass
class PollStats:
    checked: int = 0  # orders the panel answered for (a status, a refusal, or silence)
    changed: int = 0  # orders whose state or user-visible phase changed
    errors: int = 0  # requests that failed as a whole (their orders wait for the next cycle)
    requests: int = 0
    resting: list[str] = field(default_factory=list)  # panels skipped: they failed lately

    def add(self, other: PollStats) -> None:
        self.checked += other.checked
        self.changed += other.changed
        self.errors += other.errors
        self.requests += other.requests


class Backoff:
    """Per panel: after a cycle where every request failed, the next cycle asks again; after
    two in a row it skips one cycle, then three, seven... at most `ceiling`; its first answer
    ends the pause. Counted in cycles, so a paused panel costs nothing and tests need no clock."""

    def __init__(self, ceiling: int = 15) -> None:
        self._ceiling = ceiling
        self._failures: dict[str, int] = {}
        self._skip: dict[str, int] = {}

    def ready(self, panel: str) -> bool:
        """False while the panel rests (each call is one skipped cycle)."""
        left = self._skip.get(panel, 0)
        if left:
            self._skip[panel] = left - 1
        return not left

    def record(self, panel: str, stats: PollStats) -> None:
        if not stats.requests:
            return
        if stats.errors < stats.requests:
            self._failures.pop(panel, None)
            self._skip.pop(panel, None)
            return
        failures = self._failures.get(panel, 0) + 1
        self._failures[panel] = failures
        self._skip[panel] = min(2 ** (failures - 1) - 1, self._ceiling)
        log.warning("status poll: panel %s failed %d time(s) in a row; %d cycle(s) skipped",
                    panel, failures, self._skip[panel])  # fmt: skip


async def poll_once(
    db: Database,
    panels: Panels,
    config: ShopConfig,
    *,
    batch: int = MAX_IDS,
    concurrency: int = 4,
    limit: int = 10_000,
    backoff: Backoff | None = None,
) -> PollStats:
    """One cycle over each panel's least recently checked active orders, the panels at once:
    a panel that is down costs only its own orders' turn."""
    stats = PollStats()
    every: dict[str, PollStats] = {}
    async with asyncio.TaskGroup() as group:
        for name, panel in panels.items():
            if backoff is not None and not backoff.ready(name):
                stats.resting.append(name)
                continue
            every[name] = PollStats()
            group.create_task(
                _poll_panel(db, panel, config, name, every[name], batch, concurrency, limit)
            )
    for name, found in every.items():
        stats.add(found)
        if backoff is not None:
            backoff.record(name, found)
    if stats.requests or stats.resting:
        log.info(
            "status poll: %d checked, %d changed, %d failed requests of %d%s",
            stats.checked, stats.changed, stats.errors, stats.requests,
            f"; resting: {', '.join(stats.resting)}" if stats.resting else "",
        )  # fmt: skip
    return stats


async def _poll_panel(
    db: Database,
    panel: PanelClient,
    config: ShopConfig,
    name: str,
    stats: PollStats,
    batch: int,
    concurrency: int,
    limit: int,
) -> None:
    due = [order for order in await orders.due_for_poll(db, limit, name) if order.upstream_id]
    if not due:
        return
    gate = asyncio.Semaphore(max(1, concurrency))
    locked_out = asyncio.Event()  # the panel refused our key: the other batches would be too
    async with asyncio.TaskGroup() as group:
        for chunk in chunked(due, min(max(1, batch), MAX_IDS)):
            group.create_task(_poll_batch(db, panel, config, chunk, gate, locked_out, stats))


async def _poll_batch(
    db: Database,
    panel: PanelClient,
    config: ShopConfig,
    chunk: Sequence[Order],
    gate: asyncio.Semaphore,
    locked_out: asyncio.Event,
    stats: PollStats,
) -> None:
    by_upstream = {order.upstream_id: order for order in chunk if order.upstream_id is not None}
    async with gate:  # released before the writes, so the next request need not wait for them
        if locked_out.is_set():
            return
        stats.requests += 1
        try:
            answers = await panel.statuses(list(by_upstream))
        except PanelError as error:
            refused = _one_refused(error, by_upstream)
            if refused is None:
                stats.errors += 1
                if isinstance(error, PanelRefused) and error.kind is PanelErrorKind.AUTH:
                    locked_out.set()
                log.warning("status poll: a batch of %d failed: %s", len(by_upstream), error)
                return
            answers = refused
        except Exception:  # a bug in one batch must not cancel the others
            stats.errors += 1
            log.exception("status poll: a batch of %d failed", len(by_upstream))
            return
    found: dict[int, OrderStatus] = {}
    unreported: dict[int, str | None] = {}  # order -> the panel's refusal, None if left out
    for upstream_id, order in by_upstream.items():
        answer = answers.get(upstream_id)
        if isinstance(answer, OrderStatus):
            found[order.id] = answer
        else:
            if answer is not None:
                log.info("order %s: panel refused its status (%s)", order.id, answer.kind)
            unreported[order.id] = None if answer is None else answer.text
    changed = await _apply(db, config, found, unreported)
    # Not `stats.changed += await ...`: that reads the total before the await, and another
    # batch may add to it in the meantime.
    stats.checked += len(by_upstream)
    stats.changed += changed


def _one_refused(
    error: PanelError, asked: Collection[int]
) -> dict[int, OrderStatus | PanelRefused] | None:
    """A batch of one id refused as a whole for its order id: that order's refusal, else None.

    Some panels answer `orders=<one id>` in the single-order shape, `{"error": "Incorrect order
    ID"}`; it must count against the order like the same refusal inside a bigger batch.
    """
    if (
        isinstance(error, PanelRefused)
        and error.kind is PanelErrorKind.ORDER_ID
        and len(asked) == 1
    ):
        return {next(iter(asked)): error}
    return None


async def _apply(
    db: Database,
    config: ShopConfig,
    found: dict[int, OrderStatus],
    unreported: dict[int, str | None],
) -> int:
    """Apply a batch in one transaction (one commit per 100 orders, not one per order).

    Should any order fail, the batch is rolled back and replayed order by order, so one bad
    row costs only itself; every write is keyed, so the replay moves nothing twice.
    """
    try:
        async with db.transaction() as conn:
            reviewed = await note_unreported_in(conn, config, unreported)
            return reviewed + await apply_statuses_in(conn, config, found)
    except Exception:
        log.exception("status poll: applying a batch failed; retrying order by order")
    changed = 0
    for order_id, status in found.items():
        try:
            changed += await apply_status(db, config, order_id, status)
        except Exception:
            log.exception("order %s: applying status %r failed", order_id, status.status)
    async with db.transaction() as conn:
        changed += await note_unreported_in(conn, config, unreported)
    return changed
