"""/stats and the sender's `outbox.due` at 1k / 10k / 100k users and orders, on SQLite.

Each size is filled twice with the same rows: once as the shop migrates it now, once as it was
before migration 12 (its indexes dropped, outbox_pending back) and read with /stats's SQL of
then (the per-order ledger lookup inlined into every figure, one query per period, per panel and
for the chart). The two must give the same figures; the time of each is the median of a few runs
after a warm one. /stats is timed as its handler reads it (`handlers.stats.read`: users, orders
per state, the chart's 30 days, the three periods, referral payouts and the panels).
"""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.report import Row
from handlers.stats import read as stats_read
from storage import broadcasts, orders, outbox, payments, stats
from storage.db import Database
from storage.payments import Method

SIZES = (1_000, 10_000, 100_000)
QUICK_SIZES = (1_000, 10_000)
RUNS = 15
DAY = 86_400
YEAR = 365 * DAY
DUE_LIMIT = 200  # what the sender asks for per round (due_messages: those rows decoded too)
STATS_TARGET_MS = 50.0  # at STATS_AT users and orders
STATS_AT = 100_000
DUE_TARGET_MS = 1.0
_ALWAYS = 2**62

# The schema as migration 11 left it: what 012_indexes.sql added dropped, what it dropped back.
_BEFORE = (
    "DROP INDEX orders_created",
    "DROP INDEX ledger_paid",
    "DROP INDEX outbox_due",
    "DROP INDEX outbox_created",
    "DROP INDEX payments_state",
    "DROP INDEX users_reach",
    "CREATE INDEX outbox_pending ON outbox (sent_at, failed, not_before, id)",
)
# /stats's SQL before: the window a subquery SQLite flattens, so every figure naming `paid`
# looked the ledger up again; called once per period.
_OLD_NET = (
    "SELECT o.id, o.service_name, o.created_at, o.cost, o.charge, o.panel, o.backup_of,"
    " CAST(COALESCE((SELECT -SUM(l.amount) FROM ledger l WHERE l.order_id = o.id"
    " AND l.kind IN ('order', 'refund')), 0) AS BIGINT) AS paid"
    " FROM orders o WHERE o.created_at >= ? AND o.created_at < ?"
)
_OLD_REFERRALS = (
    "SELECT CAST(COALESCE(SUM(amount), 0) AS BIGINT) FROM referral_earnings WHERE created_at >= ?"
)
_OLD_FIGURES = (
    "COUNT(*), CAST(COALESCE(SUM(paid), 0) AS BIGINT),"
    " CAST(COALESCE(SUM(cost * paid / charge), 0) AS BIGINT)"
)


async def fill(db: Database, count: int, now: int) -> None:
    """`count` users and orders (a year of them, ids in time order, as the shop numbers them),
    their ledger (a charge each, a refund every tenth, a top-up each), a referrer's credit for
    every fourth order, `count` payments (one in 500 pending) and a broadcast's `count` copies
    queued behind a few pushes."""
    async with db.transaction() as conn:
        await conn.executemany(
            "INSERT INTO users (id, first_name, balance, blocked, banned, created_at,"
            " last_seen_at) VALUES (?, 'Bench', ?, ?, ?, 0, ?)",
            [
                (
                    user,
                    user % 10_000,
                    int(user % 20 == 0),
                    int(user % 97 == 0),
                    now - user % 60 * DAY,
                )
                for user in range(1, count + 1)
            ],
        )
        placed = [(order, now - YEAR + order * YEAR // count) for order in range(1, count + 1)]
        await conn.executemany(
            "INSERT INTO orders (id, user_id, service_id, service_name, service_type, quantity,"
            " charge, cost, token, state, created_at, updated_at, panel)"
            " VALUES (?, ?, 1, ?, 'Default', 1, ?, ?, ?, 'completed', ?, ?, ?)",
            [
                (order, 1 + order % count, f"Service {order % 50}", 100 + order % 9_900,
                 (100 + order % 9_900) * 45, f"bench-{order}", at, at,
                 "main" if order % 5 else "second")
                for order, at in placed
            ],
        )  # fmt: skip
        await conn.executemany(
            "INSERT INTO ledger (user_id, amount, key, kind, order_id, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            [
                row
                for order, at in placed
                for row in (
                    (1 + order % count, 100 + order % 9_900, f"topup:{order}", "topup", None, at),
                    (
                        1 + order % count,
                        -(100 + order % 9_900),
                        f"order:{order}",
                        "order",
                        order,
                        at,
                    ),
                    *(
                        [(1 + order % count, 50, f"refund:{order}", "refund", order, at)]
                        if order % 10 == 0
                        else []
                    ),
                )
            ],
        )
        await conn.executemany(
            "INSERT INTO referral_earnings (order_id, referrer_id, percent, paid, amount,"
            " created_at) VALUES (?, ?, '10', ?, ?, ?)",
            [
                (order, 1 + (order + 1) % count, 100 + order % 9_900, 10 + order % 990, at)
                for order, at in placed
                if order % 4 == 0
            ],
        )
        await conn.executemany(
            "INSERT INTO payments (user_id, method, amount, state, created_at)"
            " VALUES (?, ?, 100, ?, ?)",
            [
                (
                    1 + n % count,
                    "manual" if n % 3 else "stars",
                    "pending" if n % 500 == 0 else "paid",
                    now,
                )
                for n in range(1, count + 1)
            ],
        )
        await conn.executemany(
            "INSERT INTO outbox (chat_id, message, created_at, sent_at) VALUES (?, 'm', ?, ?)",
            [(user, now - 30 * DAY, now - 30 * DAY) for user in range(1, count // 10 + 1)],
        )
        await conn.executemany(
            "INSERT INTO outbox (chat_id, message, broadcast_id, created_at) VALUES (?, '', 1, ?)",
            [(user, now) for user in range(1, count + 1)],
        )
        await conn.executemany(
            "INSERT INTO outbox (chat_id, message, created_at) VALUES (?, 'order-done', ?)",
            [(user, now) for user in range(1, 21)],
        )


async def stats_now(db: Database, now: int) -> stats.Overview:
    """What /stats reads: its handler's own read, the chart's 30 days and the figures beneath."""
    return await stats_read(db, UTC, 30, now)


async def stats_before(db: Database, now: int) -> stats.Overview:
    """The same reads with /stats's SQL of before migration 12, as the same Python values."""
    today = datetime.fromtimestamp(now, UTC).date()
    sinces = [stats.day_start(today, UTC), now - 7 * DAY, now - 30 * DAY]
    first = today - timedelta(days=29)
    quarters = await db.fetchall(
        f"SELECT created_at / 900 AS quarter, {_OLD_FIGURES} FROM ({_OLD_NET}) AS net"
        " GROUP BY quarter",
        (stats.day_start(first, UTC), stats.day_start(today + timedelta(days=1), UTC)),
    )
    totals = {first + timedelta(days=n): [0, 0, 0] for n in range(30)}
    for quarter, *figures in quarters:
        day = datetime.fromtimestamp(quarter * 900, UTC).date()
        totals[day] = [total + figure for total, figure in zip(totals[day], figures, strict=True)]
    people = await db.fetchone(
        "SELECT COUNT(*), COUNT(*) FILTER (WHERE last_seen_at >= ?),"
        " COUNT(*) FILTER (WHERE blocked <> 0), COUNT(*) FILTER (WHERE banned <> 0),"
        " CAST(COALESCE(SUM(balance), 0) AS BIGINT) FROM users",
        (now - 7 * DAY,),
    )
    states = await db.fetchall("SELECT state, COUNT(*) FROM orders GROUP BY state")
    sales = []
    for since in sinces:
        row = await db.fetchone(f"SELECT {_OLD_FIGURES} FROM ({_OLD_NET}) AS net", (since, _ALWAYS))
        assert row is not None
        sales.append(stats.Sales(*row))
    referrals = [await db.scalar(_OLD_REFERRALS, (since,)) for since in sinces]
    panels = await db.fetchall(
        f"SELECT panel, {_OLD_FIGURES}, COUNT(backup_of) FROM ({_OLD_NET}) AS net"
        " GROUP BY panel ORDER BY panel != 'main', panel",
        (now - 30 * DAY, _ALWAYS),
    )
    assert people is not None
    return stats.Overview(
        users=stats.Users(*people),
        states={row[0]: row[1] for row in states},
        days=[stats.Day(day, stats.Sales(*figures)) for day, figures in totals.items()],
        periods=sales,
        referrals=referrals,
        panels=[stats.PanelSales(row[0], stats.Sales(*row[1:4]), row[4]) for row in panels],
    )


async def stats_parts(db: Database, now: int) -> dict[str, float]:
    """Milliseconds of each of /stats's reads now (medians, as `timed`)."""
    today = datetime.fromtimestamp(now, UTC).date()
    sinces = [stats.day_start(today, UTC), now - 7 * DAY, now - 30 * DAY]
    parts: dict[str, Callable[[], Awaitable[Any]]] = {
        "users": lambda: stats.users(db, now - 7 * DAY),
        "states": lambda: orders.counts_by_state(db),
        "orders_pass": lambda: stats.sales(
            db, today - timedelta(days=29), 30, UTC, sinces, now - 30 * DAY
        ),
        "referrals": lambda: stats.referral_payouts(db, sinces),
    }
    return {name: round((await timed(read))[1], 3) for name, read in parts.items()}


async def timed(action: Callable[[], Awaitable[Any]]) -> tuple[Any, float]:
    """(result, median milliseconds) over RUNS runs after a warm one."""
    result = await action()
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        await action()
        times.append((time.perf_counter() - started) * 1000)
    return result, statistics.median(times)


async def _plan(db: Database, sql: str, params: tuple[Any, ...]) -> list[str]:
    return [row[3] for row in await db.fetchall(f"EXPLAIN QUERY PLAN {sql}", params)]


async def _one_file(path: Path, count: int, now: int, before: bool) -> dict[str, Any]:
    """Fill one file, put it back to the schema of before if asked, and time the reads."""
    db = await Database.open(path)
    try:
        await fill(db, count, now)
        if before:
            async with db.transaction() as conn:
                for statement in _BEFORE:
                    await conn.execute(statement)
        read = stats_before if before else stats_now
        figures, stats_ms = await timed(lambda: read(db, now))
        due, due_ms = await timed(lambda: db.fetchall(outbox.DUE, (now, DUE_LIMIT)))
        found = {
            "figures": figures,
            "due": [row[0] for row in due],
            "stats_ms": stats_ms,
            **({} if before else {"stats_parts_ms": await stats_parts(db, now)}),
            "due_ms": due_ms,
            "due_messages_ms": (await timed(lambda: outbox.due(db, DUE_LIMIT)))[1],
            "pending_ms": (await timed(lambda: payments.pending(db, Method.MANUAL, 20)))[1],
            "recipients_ms": (await timed(lambda: broadcasts.recipients(db)))[1],
            "due_plan": await _plan(db, outbox.DUE, (now, DUE_LIMIT)),
        }
        # Once, last: it deletes the delivered rows (the same ones in both files).
        started = time.perf_counter()
        await outbox.purge(db, now - 7 * DAY)
        found["purge_ms"] = (time.perf_counter() - started) * 1000
        return found
    finally:
        await db.close()


async def measure_size(folder: Path, count: int) -> dict[str, Any]:
    now = int(time.time())
    after = await _one_file(folder / f"now-{count}.sqlite3", count, now, before=False)
    before = await _one_file(folder / f"before-{count}.sqlite3", count, now, before=True)
    if after["figures"] != before["figures"] or after["due"] != before["due"]:
        raise RuntimeError(f"/stats or outbox.due differ from before the change at {count:,}")
    return {
        name: {key: value for key, value in found.items() if key not in ("figures", "due")}
        for name, found in (("now", after), ("before", before))
    }


async def measure(quick: bool) -> tuple[list[Row], dict[str, Any]]:
    details: dict[str, Any] = {}
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as folder:
        for count in QUICK_SIZES if quick else SIZES:
            found = await measure_size(Path(folder), count)
            details[str(count)] = found
            now_found, before = found["now"], found["before"]
            rows.append(
                Row(
                    f"queries: /stats reads, {count:,} users and orders",
                    now_found["stats_ms"], "ms", before["stats_ms"], "ms (before)",
                    # The target is at 100k; the smaller sizes show how it scales.
                    target=f"<= {STATS_TARGET_MS:g} ms" if count == STATS_AT else "",
                    met=now_found["stats_ms"] <= STATS_TARGET_MS if count == STATS_AT else None,
                )
            )  # fmt: skip
            rows.append(
                Row(
                    f"queries: outbox.due's query, {count:,}-copy broadcast",
                    now_found["due_ms"], "ms", before["due_ms"], "ms (before)",
                    target=f"<= {DUE_TARGET_MS:g} ms", met=now_found["due_ms"] <= DUE_TARGET_MS,
                    ratio_digits=3,
                )
            )  # fmt: skip
        for name in ("due_messages", "pending", "recipients", "purge"):
            rows.append(
                Row(
                    f"queries: {name} at {count:,}",
                    now_found[f"{name}_ms"], "ms", before[f"{name}_ms"], "ms (before)",
                    ratio_digits=3,
                )
            )  # fmt: skip
    return rows, details
