"""The owner's chart: revenue, cost, margin and orders per day, drawn as a PNG off the event loop.

matplotlib is loaded only by the drawing child process (`bot/chart_draw.py`): it takes a
noticeable share of a second and tens of megabytes, which the bot itself never carries.
"""

from __future__ import annotations

import asyncio
import json
import sys
from asyncio.subprocess import PIPE
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from bot import chart_draw
from bot.i18n import Texts
from bot.shop.config import ShopConfig
from bot.shop.money import from_cost, to_minor
from storage import stats
from storage.db import Database

DRAW_SCRIPT = Path(chart_draw.__file__)
PIXELS = (chart_draw.WIDTH * chart_draw.DPI, chart_draw.HEIGHT * chart_draw.DPI)


@dataclass(frozen=True, slots=True)
class Series:
    """Per-day figures in minor units of the shop currency, oldest day first."""

    days: tuple[date, ...]
    orders: tuple[int, ...]
    revenue: tuple[int, ...]
    cost: tuple[int, ...]

    def as_args(self) -> dict[str, list[object]]:
        """The series as JSON-ready values (an outbox row carries it to the sender)."""
        return {
            "days": [day.isoformat() for day in self.days],
            "orders": list(self.orders),
            "revenue": list(self.revenue),
            "cost": list(self.cost),
        }

    @classmethod
    def from_args(cls, args: dict[str, list[object]]) -> Series:
        return cls(
            tuple(date.fromisoformat(str(day)) for day in args["days"]),
            tuple(int(str(value)) for value in args["orders"]),
            tuple(int(str(value)) for value in args["revenue"]),
            tuple(int(str(value)) for value in args["cost"]),
        )


def shop_cost(cost: int, shop: ShopConfig) -> int:
    """An upstream cost (1e-5 panel units) in minor units of the shop currency, rounded up."""
    return to_minor(from_cost(cost) * shop.fx, up=True)


async def series(db: Database, shop: ShopConfig, last: date, count: int) -> Series:
    """The `count` days ending with `last` (in the shop's time zone)."""
    return of_days(await stats.daily(db, last - timedelta(days=count - 1), count, shop.zone), shop)


def of_days(days: list[stats.Day], shop: ShopConfig) -> Series:
    """The chart of days already read (/stats reads them with its other figures)."""
    return Series(
        tuple(day.day for day in days),
        tuple(day.sales.orders for day in days),
        tuple(day.sales.revenue for day in days),
        tuple(shop_cost(day.sales.cost, shop) for day in days),
    )


DRAW_SECONDS = 60.0  # a chart takes well under a second; a hung child is killed after this


async def render(t: Texts, figures: Series) -> bytes:
    """The chart as PNG bytes, in the reader's language.

    Drawn by a short-lived child process (`bot/chart_draw.py`, run as a script so it loads
    neither aiogram nor the bot): matplotlib, numpy and PIL take some 55 MB that a long-running
    bot would otherwise keep for good after its first chart, and the event loop stays free.
    """
    spec = {
        "labels": {
            "money_title": t.plain("chart-money-title", currency=t.currency),
            "orders_title": t.plain("chart-orders-title"),
            "revenue": t.plain("chart-revenue"),
            "cost": t.plain("chart-cost"),
            "margin": t.plain("chart-margin"),
            "orders": t.plain("chart-orders"),
            "locale": t.locale,
            "currency": t.currency,
        },
        "figures": figures.as_args(),
    }
    child = await asyncio.create_subprocess_exec(
        # -I: not even the script's own folder on the path (bot/numbers.py would hide `numbers`)
        sys.executable,
        "-I",
        str(DRAW_SCRIPT),
        stdin=PIPE,
        stdout=PIPE,
        stderr=PIPE,
    )
    try:
        png, errors = await asyncio.wait_for(
            child.communicate(json.dumps(spec).encode()), DRAW_SECONDS
        )
    finally:
        if child.returncode is None:
            child.kill()
            await child.wait()
    if child.returncode != 0 or not png:
        raise ChartFailed(errors.decode("utf-8", "replace")[-500:])
    return png


class ChartFailed(Exception):
    """The drawing process failed; its last words are the message."""
