"""Figures for the owner's /stats: users, orders, revenue, cost and balances."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

from storage import orders
from storage.db import Database

DAY = 86_400
# What an order's customer paid net: every round's charge less every refund (ledger rows carry
# the sign). One seek in ledger_paid finds all of the order's rows; naming the kinds in the
# WHERE would seek once per kind.
_PAID = (
    "CAST(COALESCE((SELECT -SUM(CASE WHEN l.kind IN ('order', 'refund') THEN l.amount END)"
    " FROM ledger l WHERE l.order_id = o.id), 0) AS BIGINT)"
)


def _net(columns: str) -> str:
    """The orders of a window ([?, ?) of created_at) with `columns` and their `paid`.

    MATERIALIZED computes `paid` once per order (inlined, SQLite would run its subquery again
    for every figure that names it).
    """
    return (
        f"WITH net AS MATERIALIZED (SELECT {columns}, {_PAID} AS paid"
        " FROM orders o WHERE o.created_at >= ? AND o.created_at < ?)"
    )


# An order's figures: counted, what was kept, and its cost scaled by the share kept.
_FIGURES = (
    "COUNT(*), CAST(COALESCE(SUM(paid), 0) AS BIGINT),"
    " CAST(COALESCE(SUM(cost * paid / charge), 0) AS BIGINT)"
)
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
class PanelSales:
    panel: str
    sales: Sales
    backups: int  # orders it served as another service's backup


@dataclass(frozen=True, slots=True)
class TopService:
    name: str
    orders: int
    revenue: int  # minor units kept


@dataclass(frozen=True, slots=True)
class Overview:
    """Everything /stats shows, read in four queries (one pass over the window of orders)."""

    users: Users
    states: dict[str, int]  # orders per state, all time
    days: list[Day]  # the chart
    periods: list[Sales]  # from each `since` asked up to now, in the order asked
    referrals: list[int]  # minor units credited to referrers from each `since`
    panels: list[PanelSales]  # per panel that served an order since `panels_since`, main first


async def overview(
    db: Database,
    first: date,
    count: int,
    zone: tzinfo,
    sinces: Sequence[int],
    active_since: int,
    panels_since: int,
) -> Overview:
    """/stats's figures: the chart's `count` days from `first`, sales and referral payouts from
    each of `sinces`, users active since `active_since`, panels since `panels_since`."""
    days, periods, panels = await sales(db, first, count, zone, sinces, panels_since)
    return Overview(
        users=await users(db, active_since),
        states=await orders.counts_by_state(db),
        days=days,
        periods=periods,
        referrals=await referral_payouts(db, sinces),
        panels=panels,
    )


async def users(db: Database, active_since: int) -> Users:
    row = await db.fetchone(
        "SELECT COUNT(*), COUNT(*) FILTER (WHERE last_seen_at >= ?),"
        " COUNT(*) FILTER (WHERE blocked <> 0), COUNT(*) FILTER (WHERE banned <> 0),"
        " CAST(COALESCE(SUM(balance), 0) AS BIGINT) FROM users",
        (active_since,),
    )
    assert row is not None
    return Users(*row)


async def referral_payouts(db: Database, sinces: Sequence[int]) -> list[int]:
    """Minor units credited to referrers from each of `sinces` (the programme's cost).

    Read from the credits' own small table (the audit ties it to the ledger), not a scan of
    the whole ledger: one pass for every `since`.
    """
    row = await db.fetchone(
        "SELECT "
        + ", ".join(
            "CAST(COALESCE(SUM(amount) FILTER (WHERE created_at >= ?), 0) AS BIGINT)"
            for _ in sinces
        )
        + " FROM referral_earnings WHERE created_at >= ?",
        (*sinces, min(sinces)),
    )
    assert row is not None
    return [int(total) for total in row]


def day_start(day: date, zone: tzinfo) -> int:
    """The Unix time of local midnight beginning `day` in `zone`."""
    return int(datetime.combine(day, time(), zone).timestamp())


async def daily(db: Database, first: date, count: int, zone: tzinfo) -> list[Day]:
    """Sales per local day for `count` days from `first`, days without orders included."""
    return (await sales(db, first, count, zone, [], None))[0]


async def sales(
    db: Database,
    first: date,
    count: int,
    zone: tzinfo,
    sinces: Sequence[int],
    panels_since: int | None,
) -> tuple[list[Day], list[Sales], list[PanelSales]]:
    """Sales per local day, from each of `sinces`, and per panel: one pass over the orders.

    The orders are grouped by (day of the chart, how many of the `since`s they follow, panel),
    a few rows per day, which add up to every figure asked.
    """
    days = [first + timedelta(days=offset) for offset in range(count)]
    bounds = sorted({*sinces, *([] if panels_since is None else [panels_since])})
    day_sql, day_params, until = _day_index(days, zone)
    # How many of the bounds an order follows (bounds rise, so it follows the first that many).
    whens = "".join(f" WHEN created_at >= ? THEN {n}" for n in range(len(bounds), 0, -1))
    band_sql = f"CASE{whens} ELSE 0 END" if bounds else "0"
    rows = await db.fetchall(
        f"{_net('o.created_at, o.cost, o.charge, o.panel, o.backup_of')}"
        f" SELECT {day_sql} AS local_day, {band_sql} AS band, panel,"
        f" {_FIGURES}, COUNT(backup_of) FROM net"
        " GROUP BY local_day, band, panel ORDER BY panel <> 'main', panel",
        (
            min([day_start(first, zone), *bounds]),
            _ALWAYS if bounds else until,  # the periods run up to now
            *day_params,
            *reversed(bounds),
        ),
    )
    by_day = [[0, 0, 0] for _ in days]
    by_band = [[0, 0, 0] for _ in bounds]  # [n]: the orders from bounds[n] on
    panels: dict[str, list[int]] = {}  # in the query's order: main first
    panel_band = -1 if panels_since is None else bounds.index(panels_since)
    for local_day, band, panel, *figures, backups in rows:
        if local_day is not None:
            _add(by_day[local_day], figures)
        for totals in by_band[:band]:
            _add(totals, figures)
        if band > panel_band >= 0:
            _add(panels.setdefault(panel, [0, 0, 0, 0]), [*figures, backups])
    return (
        [Day(day, Sales(*totals)) for day, totals in zip(days, by_day, strict=True)],
        [Sales(*by_band[bounds.index(since)]) for since in sinces],
        [PanelSales(panel, Sales(*found[:3]), found[3]) for panel, found in panels.items()],
    )


def _add(totals: list[int], figures: Sequence[int]) -> None:
    for at, figure in enumerate(figures):
        totals[at] += figure


def _day_index(days: list[date], zone: tzinfo) -> tuple[str, list[int], int]:
    """SQL for an order's index in `days` (local days of `zone`; NULL outside them), its
    parameters, and the end of the last day.

    Between two changes of the zone's offset each local day lasts 86,400 s, so one division
    finds the day within such a run; a day of another length (a DST change) is a branch of its
    own.
    """
    starts = [day_start(day, zone) for day in days]
    until = day_start(days[-1] + timedelta(days=1), zone)
    branches: list[tuple[int, int, bool]] = []  # (first second, index, days of 86,400 s)
    for index, (start, end) in enumerate(zip(starts, [*starts[1:], until], strict=True)):
        regular = end - start == DAY
        if not (regular and branches and branches[-1][2]):
            branches.append((start, index, regular))
    sql, params = ["CASE WHEN created_at >= ? THEN NULL"], [until]
    for start, index, regular in reversed(branches):
        if regular:
            sql.append(f"WHEN created_at >= ? THEN {index} + (created_at - ?) / {DAY}")
            params += [start, start]
        else:
            sql.append(f"WHEN created_at >= ? THEN {index}")
            params.append(start)
    return " ".join([*sql, "END"]), params, until


async def top_services(db: Database, since: int, until: int, limit: int) -> list[TopService]:
    """The services that kept the most revenue in [since, until), most first."""
    rows = await db.fetchall(
        f"{_net('o.service_name')} SELECT service_name, COUNT(*),"
        " CAST(COALESCE(SUM(paid), 0) AS BIGINT) FROM net"
        " GROUP BY service_name ORDER BY 3 DESC, 2 DESC, service_name LIMIT ?",
        (since, until, limit),
    )
    return [TopService(*row) for row in rows]
