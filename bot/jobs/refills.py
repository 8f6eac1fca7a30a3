"""The refill poll: open refills in batches of up to 100 ids until each reaches a final status."""

from __future__ import annotations

import logging
from collections import defaultdict

from bot.panel.client import PanelClient, chunked
from bot.panel.errors import PanelError, PanelRefused
from bot.panel.panels import Panels
from storage import orders, outbox
from storage.db import Connection, Database
from storage.orders import Refill

log = logging.getLogger(__name__)

DONE = frozenset({"completed"})
# Statuses after which a refill never moves again (normalised; `Cancelled` is `canceled`).
FINAL = DONE | frozenset({"rejected", "canceled", "error", "failed", "refunded"})


async def poll_refills_once(db: Database, panels: Panels, *, limit: int = 10_000) -> int:
    """One cycle over the open refills, each asked of its order's panel; returns how many
    reached a final status."""
    finished = 0
    for name, panel in panels.items():
        finished += await _poll_panel(db, panel, await orders.open_refills(db, limit, name))
    return finished


async def _poll_panel(db: Database, panel: PanelClient, open_: list[Refill]) -> int:
    finished = 0
    for chunk in chunked(open_):
        by_upstream: defaultdict[str, list[Refill]] = defaultdict(list)
        for refill in chunk:
            by_upstream[refill.upstream_id].append(refill)
        try:
            answers = await panel.refill_statuses(list(by_upstream))
        except PanelError as error:
            log.warning("refill poll: a batch of %d failed: %s", len(by_upstream), error)
            continue
        async with db.transaction() as conn:
            for upstream_id, refills in by_upstream.items():
                answer = answers.get(upstream_id)
                for refill in refills:
                    if isinstance(answer, str):
                        finished += await _record(conn, refill, answer)
                    else:
                        if isinstance(answer, PanelRefused):
                            log.info("refill %s: panel refused its status", refill.id)
                        # Stamped so it goes to the back of the queue.
                        await orders.update_refill(conn, refill.id, refill.status, False)
    return finished


async def _record(conn: Connection, refill: Refill, status: str) -> bool:
    """Store the status; a final one queues the user's push in the same transaction."""
    final = status in FINAL
    await orders.update_refill(conn, refill.id, status, final)
    if not final:
        return False
    order = await orders.get_in(conn, refill.order_id)
    if order is None:
        return True
    message = "push-refill-done" if status in DONE else "push-refill-rejected"
    await outbox.put(
        conn, order.user_id, message,
        {"order": str(order.id), "service": order.service_name, "refill": refill.upstream_id},
        key=f"refill:{refill.id}:{status}",
    )  # fmt: skip
    log.info("refill %s of order %s: %s", refill.id, order.id, status)
    return True
