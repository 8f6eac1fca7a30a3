"""The owner's chart: revenue, cost, margin and orders per day, drawn as a PNG off the event loop.

matplotlib is imported only inside `_draw`: it takes a noticeable share of a second and tens of
megabytes to load, which the bot's start-up and most processes never need.
"""

from __future__ import annotations

import asyncio
import io
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from babel.dates import format_skeleton
from babel.numbers import format_currency, format_decimal

from bot.i18n import Texts
from bot.shop.config import ShopConfig
from bot.shop.money import MINOR, from_cost, to_minor
from storage import stats
from storage.db import Database

WIDTH, HEIGHT, DPI = 10, 7, 100  # inches and dots per inch: a 1000 x 700 PNG
PIXELS = (WIDTH * DPI, HEIGHT * DPI)
MAX_DATE_LABELS = 10  # more would overlap on a 90-day chart


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
    days = await stats.daily(db, last - timedelta(days=count - 1), count, shop.zone)
    return Series(
        tuple(day.day for day in days),
        tuple(day.sales.orders for day in days),
        tuple(day.sales.revenue for day in days),
        tuple(shop_cost(day.sales.cost, shop) for day in days),
    )


@dataclass(frozen=True, slots=True)
class _Labels:
    money_title: str
    orders_title: str
    revenue: str
    cost: str
    margin: str
    orders: str
    locale: str
    currency: str


async def render(t: Texts, figures: Series) -> bytes:
    """The chart as PNG bytes, in the reader's language; drawn in a worker thread."""
    labels = _Labels(
        money_title=t.plain("chart-money-title", currency=t.currency),
        orders_title=t.plain("chart-orders-title"),
        revenue=t.plain("chart-revenue"),
        cost=t.plain("chart-cost"),
        margin=t.plain("chart-margin"),
        orders=t.plain("chart-orders"),
        locale=t.locale,
        currency=t.currency,
    )
    return await asyncio.to_thread(_draw, labels, figures)


def _units(minor: int) -> float:
    # Only for drawing: the plotting library places points by float; no sum is made of them.
    return float(Decimal(minor) / MINOR)


def _draw(labels: _Labels, figures: Series) -> bytes:
    # The object API with an explicit Agg canvas: pyplot keeps global state and is not safe
    # to use from several threads at once.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    figure = Figure(figsize=(WIDTH, HEIGHT), dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    money, count = figure.subplots(2, 1, sharex=True, height_ratios=(2, 1))
    positions = list(range(len(figures.days)))
    revenue = [_units(value) for value in figures.revenue]
    cost = [_units(value) for value in figures.cost]
    margin = [_units(r - c) for r, c in zip(figures.revenue, figures.cost, strict=True)]
    money.plot(positions, revenue, marker="o", markersize=3, label=labels.revenue)
    money.plot(positions, cost, marker="o", markersize=3, label=labels.cost)
    money.plot(positions, margin, marker="o", markersize=3, label=labels.margin)
    money.set_title(labels.money_title)
    money.legend(loc="best")
    money.grid(alpha=0.3)
    money.axhline(0, color="grey", linewidth=0.8)
    if not any(revenue + cost + margin):  # an empty shop: a flat line on a readable scale
        money.set_ylim(-1, 1)
    money.yaxis.set_major_formatter(
        FuncFormatter(
            lambda value, _: format_currency(
                Decimal(str(value)), labels.currency, locale=labels.locale
            )
        )
    )
    count.bar(positions, figures.orders, color="tab:purple", label=labels.orders)
    count.set_title(labels.orders_title)
    count.grid(alpha=0.3, axis="y")
    count.set_ylim(bottom=0, top=max((1, *figures.orders)) * 1.1)
    count.yaxis.set_major_locator(MaxNLocator(integer=True))
    count.yaxis.set_major_formatter(
        FuncFormatter(lambda value, _: format_decimal(int(value), locale=labels.locale))
    )
    step = max(1, -(-len(positions) // MAX_DATE_LABELS))
    count.set_xticks(
        positions[::step],
        [format_skeleton("MMMd", day, locale=labels.locale) for day in figures.days[::step]],
    )
    out = io.BytesIO()
    figure.savefig(out, format="png")
    return out.getvalue()
