"""The owner's /stats: the chart of the last days and the figures beneath it."""

from __future__ import annotations

import time
from datetime import datetime

from aiogram import Router
from aiogram.filters import Command, CommandObject
from aiogram.types import BufferedInputFile, Message

from bot import charts
from bot.i18n import Texts, lines
from bot.numbers import parse_id
from bot.shop.config import ShopConfig
from handlers.filters import IsAdmin
from storage import orders, stats
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
    today = datetime.now(shop.zone).date()
    chart = await charts.render(t, await charts.series(db, shop, today, days))
    await message.answer_photo(
        BufferedInputFile(chart, "stats.png"), caption=t("admin-stats-chart", days=days)
    )
    await message.answer(await _figures(db, shop, t, stats.day_start(today, shop.zone)))


async def _figures(db: Database, shop: ShopConfig, t: Texts, midnight: int) -> str:
    now = int(time.time())
    people = await stats.users(db, now - 7 * DAY)
    by_state = await orders.counts_by_state(db)
    windows = (
        ("period-today", midnight),
        ("period-7d", now - 7 * DAY),
        ("period-30d", now - 30 * DAY),
    )
    found = await stats.periods(db, [since for _, since in windows])
    periods = []
    for (period, since), sales in zip(windows, found, strict=True):
        cost = charts.shop_cost(sales.cost, shop)
        periods.append(
            t(
                "admin-stats-period",
                period=t(period),
                orders=sales.orders,
                revenue=t.money(sales.revenue),
                cost=t.money(cost),
                margin=t.money(sales.revenue - cost),
                referrals=t.money(await stats.referral_payouts(db, since)),
            )
        )
    states = ", ".join(f"{state}: {count}" for state, count in sorted(by_state.items())) or "-"
    per_panel = [
        t(
            "admin-stats-panel",
            panel=found.panel,
            orders=found.sales.orders,
            backups=found.backups,
            revenue=t.money(found.sales.revenue),
            cost=t.money(charts.shop_cost(found.sales.cost, shop)),
            margin=t.money(found.sales.revenue - charts.shop_cost(found.sales.cost, shop)),
        )
        for found in await stats.by_panel(db, now - 30 * DAY)
    ]
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
