"""The status poll: active orders in batches of up to 100 ids, a few requests in flight."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from bot.panel.client import MAX_IDS, PanelClient, chunked
from bot.panel.errors import PanelError, PanelErrorKind, PanelRefused
from bot.panel.models import OrderStatus
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


async def poll_once(
    db: Database,
    panel: PanelClient,
    config: ShopConfig,
    *,
    batch: int = MAX_IDS,
    concurrency: int = 4,
    limit: int = 10_000,
) -> PollStats:
    """One cycle over the least recently checked active orders."""
    due = [order for order in await orders.due_for_poll(db, limit) if order.upstream_id]
    stats = PollStats()
    if not due:
        return stats
    gate = asyncio.Semaphore(max(1, concurrency))
    locked_out = asyncio.Event()  # the panel refused our key: the other batches would be too
    async with asyncio.TaskGroup() as group:
        for chunk in chunked(due, min(max(1, batch), MAX_IDS)):
            group.create_task(_poll_batch(db, panel, config, chunk, gate, locked_out, stats))
    log.info(
        "status poll: %d checked, %d changed, %d failed requests of %d",
        stats.checked, stats.changed, stats.errors, stats.requests,
    )  # fmt: skip
    return stats


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
