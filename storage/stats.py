"""Figures for the owner's /stats: users, orders, revenue, cost and balances."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

from storage.db import Database

# What each order's customer paid net: every round's charge less every refund (ledger rows
# carry the sign), and its cost scaled by the share kept. The window is read through
# orders_created and each `paid` from ledger_paid alone; MATERIALIZED computes `paid` once per
# order (inlined, SQLite would run its subquery again for every figure that names it).
_NET = (
    "WITH net AS MATERIALIZED ("
    "SELECT o.id, o.service_name, o.created_at, o.cost, o.charge, o.panel, o.backup_of,"
    " CAST(COALESCE((SELECT -SUM(l.amount) FROM ledger l WHERE l.order_id = o.id"
    " AND l.kind IN ('order', 'refund')), 0) AS BIGINT) AS paid"
    " FROM orders o WHERE o.created_at >= ? AND o.created_at < ?)"
)
_FIGURES = (
    "COUNT(*), CAST(COALESCE(SUM(paid), 0) AS BIGINT),"
    " CAST(COALESCE(SUM(cost * paid / charge), 0) AS BIGINT)"
)
# The same figures for the orders from one `since` on (its three parameters are that since).
_SINCE = (
    "COUNT(*) FILTER (WHERE created_at >= ?),"
    " CAST(COALESCE(SUM(paid) FILTER (WHERE created_at >= ?), 0) AS BIGINT),"
    " CAST(COALESCE(SUM(cost * paid / charge) FILTER (WHERE created_at >= ?), 0) AS BIGINT)"
)
# Every time zone's offset from UTC is a whole number of quarter hours, so a quarter hour of UTC
# never straddles a local midnight: grouping by it sorts orders into local days exactly, DST
# days included, which grouping by a fixed offset would not.
_QUARTER = 900
_ALWAYS = 2**62  # "until the end of time" for a window that runs up to now


@dataclass(frozen=True, slots=True)
class Users:
    total: int
    active: int
    blocked: int
    banned: int
    balances: int  # minor units customers hold


@dataclass(frozen=True, slots=True)
class Sales:
    orders: int
    revenue: int  # minor units kept: charges (every round) less refunds
    cost: int  # 1e-5 panel units for what was delivered (cost scaled by what was kept)


@dataclass(frozen=True, slots=True)
class Day:
    day: date  # in the shop's time zone
    sales: Sales


@dataclass(frozen=True, slots=True)
class TopService:
    name: str
    orders: int
    revenue: int  # minor units kept


async def users(db: Database, active_since: int) -> Users:
    row = await db.fetchone(
        "SELECT COUNT(*), COUNT(*) FILTER (WHERE last_seen_at >= ?),"
        " COUNT(*) FILTER (WHERE blocked <> 0), COUNT(*) FILTER (WHERE banned <> 0),"
        " CAST(COALESCE(SUM(balance), 0) AS BIGINT) FROM users",
        (active_since,),
    )
    assert row is not None
    return Users(*row)


async def referral_payouts(db: Database, since: int) -> int:
    """Minor units credited to referrers since `since` (the referral programme's cost).

    Read from the credits' own small table (the audit ties it to the ledger), not a scan of
    the whole ledger.
    """
    total = await db.scalar(
        "SELECT CAST(COALESCE(SUM(amount), 0) AS BIGINT) FROM referral_earnings"
        " WHERE created_at >= ?",
        (since,),
    )
    return int(total)


@dataclass(frozen=True, slots=True)
class PanelSales:
    panel: str
    sales: Sales
    backups: int  # orders it served as another service's backup


async def by_panel(db: Database, since: int) -> list[PanelSales]:
    """Sales since `since` per panel that served an order, main first."""
    rows = await db.fetchall(
        f"{_NET} SELECT panel, {_FIGURES}, COUNT(backup_of) FROM net"
        " GROUP BY panel ORDER BY panel != 'main', panel",
        (since, _ALWAYS),
    )
    return [PanelSales(row[0], Sales(*row[1:4]), row[4]) for row in rows]


async def sales(db: Database, since: int) -> Sales:
    return (await periods(db, [since]))[0]


async def periods(db: Database, sinces: Sequence[int]) -> list[Sales]:
    """Sales from each `since` up to now, in the order given: one read of the widest window."""
    row = await db.fetchone(
        f"{_NET} SELECT {', '.join(_SINCE for _ in sinces)} FROM net",
        (min(sinces), _ALWAYS, *(since for since in sinces for _ in range(3))),
    )
    assert row is not None
    return [Sales(*row[at : at + 3]) for at in range(0, len(row), 3)]


def day_start(day: date, zone: tzinfo) -> int:
    """The Unix time of local midnight beginning `day` in `zone`."""
    return int(datetime.combine(day, time(), zone).timestamp())


async def daily(db: Database, first: date, count: int, zone: tzinfo) -> list[Day]:
    """Sales per local day for `count` days from `first`, days without orders included."""
    days = [first + timedelta(days=offset) for offset in range(count)]
    since, until = day_start(days[0], zone), day_start(days[-1] + timedelta(days=1), zone)
    rows = await db.fetchall(
        f"{_NET} SELECT created_at / {_QUARTER} AS quarter, {_FIGURES} FROM net GROUP BY quarter",
        (since, until),
    )
    totals = {day: [0, 0, 0] for day in days}
    for quarter, *figures in rows:
        local = datetime.fromtimestamp(quarter * _QUARTER, zone).date()
        totals[local] = [
            total + figure for total, figure in zip(totals[local], figures, strict=True)
        ]
    return [Day(day, Sales(*totals[day])) for day in days]


async def top_services(db: Database, since: int, until: int, limit: int) -> list[TopService]:
    """The services that kept the most revenue in [since, until), most first."""
    rows = await db.fetchall(
        f"{_NET} SELECT service_name, COUNT(*), CAST(COALESCE(SUM(paid), 0) AS BIGINT)"
        " FROM net"
        " GROUP BY service_name ORDER BY 3 DESC, 2 DESC, service_name LIMIT ?",
        (since, until, limit),
    )
    return [TopService(*row) for row in rows]
