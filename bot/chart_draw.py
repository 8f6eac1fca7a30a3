"""Draws the owner's chart: JSON on stdin (labels and per-day figures), a PNG on stdout.

Run as a script by `bot.charts.render` (`python bot/chart_draw.py`), so the child loads only
matplotlib and babel, never the bot package: it imports nothing from `bot`.
"""

from __future__ import annotations

import io
import json
import sys
from decimal import Decimal
from typing import Any

from babel.dates import format_skeleton
from babel.numbers import format_currency, format_decimal

WIDTH, HEIGHT, DPI = 10, 7, 100  # inches and dots per inch: a 1000 x 700 PNG
MAX_DATE_LABELS = 10  # more would overlap on a 90-day chart
MINOR = 100  # as bot.shop.money: the figures arrive in minor units


def _units(minor: int) -> float:
    # Only for drawing: the plotting library places points by float; no sum is made of them.
    return float(Decimal(minor) / MINOR)


def draw(spec: dict[str, Any]) -> bytes:
    """The PNG for `spec` = {"labels": {...}, "figures": bot.charts.Series.as_args()}."""
    # The object API with an explicit Agg canvas: no display, no pyplot global state.
    from datetime import date

    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    labels, figures = spec["labels"], spec["figures"]
    locale, currency = labels["locale"], labels["currency"]
    days = [date.fromisoformat(day) for day in figures["days"]]
    orders = [int(value) for value in figures["orders"]]
    figure = Figure(figsize=(WIDTH, HEIGHT), dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    money, count = figure.subplots(2, 1, sharex=True, height_ratios=(2, 1))
    positions = list(range(len(days)))
    revenue = [_units(value) for value in figures["revenue"]]
    cost = [_units(value) for value in figures["cost"]]
    margin = [_units(r - c) for r, c in zip(figures["revenue"], figures["cost"], strict=True)]
    money.plot(positions, revenue, marker="o", markersize=3, label=labels["revenue"])
    money.plot(positions, cost, marker="o", markersize=3, label=labels["cost"])
    money.plot(positions, margin, marker="o", markersize=3, label=labels["margin"])
    money.set_title(labels["money_title"])
    money.legend(loc="best")
    money.grid(alpha=0.3)
    money.axhline(0, color="grey", linewidth=0.8)
    if not any(revenue + cost + margin):  # an empty shop: a flat line on a readable scale
        money.set_ylim(-1, 1)
    money.yaxis.set_major_formatter(
        FuncFormatter(
            lambda value, _: format_currency(Decimal(str(value)), currency, locale=locale)
        )
    )
    count.bar(positions, orders, color="tab:purple", label=labels["orders"])
    count.set_title(labels["orders_title"])
    count.grid(alpha=0.3, axis="y")
    count.set_ylim(bottom=0, top=max((1, *orders)) * 1.1)
    count.yaxis.set_major_locator(MaxNLocator(integer=True))
    count.yaxis.set_major_formatter(
        FuncFormatter(lambda value, _: format_decimal(int(value), locale=locale))
    )
    step = max(1, -(-len(positions) // MAX_DATE_LABELS))
    count.set_xticks(
        positions[::step], [format_skeleton("MMMd", day, locale=locale) for day in days[::step]]
    )
    out = io.BytesIO()
    figure.savefig(out, format="png")
    return out.getvalue()


if __name__ == "__main__":
    sys.stdout.buffer.write(draw(json.load(sys.stdin)))
