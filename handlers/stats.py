"""The owner's /stats: the chart of the last days and the figures beneath it."""

from __future__ import annotations

import time
from datetime import datetime, timedelta, tzinfo

from aiogram import Router
from aiogram.filters import Command, CommandObject
from aiogram.types import BufferedInputFile, Message

from bot import charts
from bot.i18n import Texts, lines
from bot.numbers import parse_id
from bot.shop.config import ShopConfig
from handlers.filters import IsAdmin
from storage import stats
from storage.db import Database

DAY = 86_400
DEFAULT_DAYS = 30
MAX_DAYS = 366  # a year of days still reads on a 1000-pixel chart


def create_router() -> Router:
    router = Router(name="stats")
    router.message.filter(IsAdmin())
    router.message.register(show_stats, Command("stats"))
    return router


def window(args: str | None) -> int | None:
    """The days a `/stats` argument asks for: none means 30; anything else out of range, None."""
    if args is None or not args.strip():
        return DEFAULT_DAYS
    days = parse_id(args)
    return days if days is not None and days <= MAX_DAYS else None


async def show_stats(
    message: Message, command: CommandObject, db: Database, shop: ShopConfig, t: Texts
) -> None:
    days = window(command.args)
    if days is None:
        await message.answer(t("admin-usage-stats", most=MAX_DAYS))
        return
    found = await read(db, shop.zone, days, int(time.time()))
    chart = await charts.render(t, charts.of_days(found.days, shop))
    await message.answer_photo(
        BufferedInputFile(chart, "stats.png"), caption=t("admin-stats-chart", days=days)
    )
    await message.answer(_figures(found, shop, t))


# The periods beneath the chart: today (from the shop's midnight), the last 7 and 30 days.
PERIODS = ("period-today", "period-7d", "period-30d")


async def read(db: Database, zone: tzinfo, days: int, now: int) -> stats.Overview:
    """Everything /stats shows at `now`: a chart of `days` days ending today, then PERIODS."""
    today = datetime.fromtimestamp(now, zone).date()
    return await stats.overview(
        db,
        first=today - timedelta(days=days - 1),
        count=days,
        zone=zone,
        sinces=[stats.day_start(today, zone), now - 7 * DAY, now - 30 * DAY],
        active_since=now - 7 * DAY,
        panels_since=now - 30 * DAY,
    )


def _figures(found: stats.Overview, shop: ShopConfig, t: Texts) -> str:
    periods = []
    for period, sales, referrals in zip(PERIODS, found.periods, found.referrals, strict=True):
        cost = charts.shop_cost(sales.cost, shop)
        periods.append(
            t(
                "admin-stats-period",
                period=t(period),
                orders=sales.orders,
                revenue=t.money(sales.revenue),
                cost=t.money(cost),
                margin=t.money(sales.revenue - cost),
                referrals=t.money(referrals),
            )
        )
    states = ", ".join(f"{state}: {count}" for state, count in sorted(found.states.items())) or "-"
    per_panel = [
        t(
            "admin-stats-panel",
            panel=panel.panel,
            orders=panel.sales.orders,
            backups=panel.backups,
            revenue=t.money(panel.sales.revenue),
            cost=t.money(charts.shop_cost(panel.sales.cost, shop)),
            margin=t.money(panel.sales.revenue - charts.shop_cost(panel.sales.cost, shop)),
        )
        for panel in found.panels
    ]
    people = found.users
    return t(
        "admin-stats",
        users=people.total,
        active=people.active,
        blocked=people.blocked,
        banned=people.banned,
        balances=t.money(people.balances),
        states=states,
        periods=lines(periods),
        panels=lines([t("admin-stats-panels"), *per_panel]) if per_panel else "",
    )
