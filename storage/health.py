"""What /admin shows an owner whose customers say "nothing happens": when the background jobs
last succeeded, the unsent messages, and which process holds the jobs' lease."""

from __future__ import annotations

from dataclasses import dataclass

from storage import kv, outbox
from storage.clock import now
from storage.db import Database

# The scheduler's job ids whose last success is kept (kv `ok:<job id>` = unix time).
POLL = "status-poll"
SYNC = "catalog-sync"
STARS = "stars-reconcile"
_PREFIX = "ok:"


@dataclass(frozen=True, slots=True)
class Health:
    succeeded: dict[str, int]  # job id -> unix time of its last success (absent: never)
    backlog: int  # outbox messages neither sent nor given up on
    poller: str | None  # the process holding the poller lease now (None: nobody)


async def succeeded(db: Database, job: str) -> None:
    """`job` just finished well: one small write, next to the lease renewal the job made."""
    await kv.put(db, _PREFIX + job, str(now()))


async def read(db: Database) -> Health:
    rows = await db.fetchall(
        "SELECT key, value FROM kv WHERE key IN (?, ?, ?)",
        [_PREFIX + job for job in (POLL, SYNC, STARS)],
    )
    holder = await db.scalar(
        "SELECT holder FROM leases WHERE name = ? AND expires_at >= ?", (kv.POLLER_LEASE, now())
    )
    return Health(
        succeeded={str(row["key"]).removeprefix(_PREFIX): int(row["value"]) for row in rows},
        backlog=await outbox.pending_count(db),
        poller=None if holder is None else str(holder),
    )
