"""The chart's figures: per local day, net of refunds, every round counted; drawn without blocking."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bot import charts
from bot.shop.config import ShopConfig
from storage import ledger, stats
from storage.db import Database
from tests.unit.tracking_fixtures import USER, add_order, add_user

ROOT = Path(__file__).resolve().parents[2]


async def order_at(db: Database, moment: datetime, **fields: Any) -> int:
    """An order paid through the ledger, created at `moment`."""
    order = await add_order(db, upstream_id=None, **fields)
    async with db.transaction() as conn:
        await conn.execute(
            "UPDATE orders SET created_at = ? WHERE id = ?", (int(moment.timestamp()), order.id)
        )
    return order.id


async def overview(
    db: Database, first: date, count: int, sinces: list[int], panels_since: int
) -> stats.Overview:
    """/stats's figures with a chart of `count` UTC days from `first`."""
    return await stats.overview(db, first, count, UTC, sinces, sinces[0], panels_since)


async def _move(db: Database, order_id: int, amount: int, key: str, kind: str) -> None:
    async with db.transaction() as conn:
        await ledger.post(conn, user_id=USER, amount=amount, key=key, kind=kind, order_id=order_id)


async def test_revenue_is_what_customers_kept_paying_across_rounds(db: Database) -> None:
    # One order refunded and charged again (an admin attached it: round 2), one refunded 40%:
    # the first was counted as 0 (its second charge ignored), though the customer paid it.
    await add_user(db)
    noon = datetime(2026, 12, 1, 12, tzinfo=UTC)
    again = await order_at(db, noon)
    await _move(db, again, 1000, f"refund:{again}", "refund")
    await _move(db, again, -1000, f"order:{again}:2", "order")
    partial = await order_at(db, noon)
    await _move(db, partial, 400, f"refund:{partial}", "refund")
    expected = stats.Sales(orders=2, revenue=1000 + 600, cost=90_000 + 54_000)
    since = int(noon.timestamp()) - 1
    found = await overview(db, date(2026, 11, 30), 3, [since], panels_since=since)
    assert found.periods == [expected]
    assert found.panels == [stats.PanelSales("main", expected, backups=0)]
    assert [(day.day, day.sales) for day in found.days] == [
        (date(2026, 11, 30), stats.Sales(0, 0, 0)),
        (date(2026, 12, 1), expected),
        (date(2026, 12, 2), stats.Sales(0, 0, 0)),
    ]
    assert await stats.daily(db, date(2026, 11, 30), 3, UTC) == found.days


async def test_stats_periods_from_one_read_split_orders_at_each_boundary(db: Database) -> None:
    # /stats reads today, 7 days and 30 days at once: an order at midnight is today's, one a
    # second earlier only the week's, each period netting its own refunds.
    await add_user(db)
    midnight = datetime(2026, 12, 1, tzinfo=UTC)
    today = await order_at(db, midnight)
    await _move(db, today, 250, f"refund:{today}", "refund")
    await order_at(db, datetime(2026, 11, 30, 23, 59, 59, tzinfo=UTC))
    await order_at(db, datetime(2026, 11, 20, tzinfo=UTC))
    sinces = [int(midnight.timestamp()), int(midnight.timestamp()) - 7 * 86_400]
    sinces.append(sinces[1] - 23 * 86_400)
    periods = [
        stats.Sales(orders=1, revenue=750, cost=67_500),
        stats.Sales(orders=2, revenue=1750, cost=157_500),
        stats.Sales(orders=3, revenue=2750, cost=247_500),
    ]
    # Whatever the chart's days and the panels' window, and in any order asked.
    for count, panels_since in ((1, sinces[0]), (30, sinces[1]), (2, sinces[0] - 1)):
        found = await overview(db, date(2026, 12, 1), count, sinces, panels_since)
        assert found.periods == periods
        assert (
            await overview(db, date(2026, 12, 1), count, sinces[::-1], panels_since)
        ).periods == (periods[::-1])


async def test_days_begin_at_the_shops_midnight_even_on_a_dst_change(db: Database) -> None:
    await add_user(db)
    berlin = ZoneInfo("Europe/Berlin")
    # 25 October 2026 has 25 hours in Berlin: 23:30 that evening is 22:30 UTC, still the 25th
    # (an offset fixed at the window's start, +2, would put it on the 26th).
    await order_at(db, datetime(2026, 10, 25, 23, 30, tzinfo=berlin))
    await order_at(db, datetime(2026, 10, 26, 0, 10, tzinfo=berlin))
    days = await stats.daily(db, date(2026, 10, 24), 3, berlin)
    assert [day.sales.orders for day in days] == [0, 1, 1]
    # 29 March 2026 has 23 hours: 23:30 is still the 29th, ten past midnight the 30th; a chart
    # across both changes puts every order on its own day.
    await order_at(db, datetime(2026, 3, 29, 23, 30, tzinfo=berlin))
    await order_at(db, datetime(2026, 3, 30, 0, 10, tzinfo=berlin))
    days = await stats.daily(db, date(2026, 3, 1), 300, berlin)
    assert {day.day: day.sales.orders for day in days if day.sales.orders} == {
        date(2026, 3, 29): 1,
        date(2026, 3, 30): 1,
        date(2026, 10, 25): 1,
        date(2026, 10, 26): 1,
    }
    # Half-hour zones too: 18:45 UTC is a quarter past midnight in Kolkata.
    await order_at(db, datetime(2026, 12, 1, 18, 45, tzinfo=UTC))
    days = await stats.daily(db, date(2026, 12, 1), 2, ZoneInfo("Asia/Kolkata"))
    assert [day.sales.orders for day in days] == [0, 1]


async def test_series_converts_cost_to_the_shop_currency(
    db: Database, shop_config: ShopConfig
) -> None:
    await add_user(db)
    await order_at(db, datetime(2026, 12, 1, 12, tzinfo=UTC), charge=1000, cost=90_000)
    shop = replace(shop_config, fx=Decimal("2.5"))  # 0.9 panel units -> 2.25 in shop currency
    figures = await charts.series(db, shop, date(2026, 12, 1), 2)
    assert figures == charts.Series(
        (date(2026, 11, 30), date(2026, 12, 1)), (0, 1), (0, 1000), (0, 225)
    )
    assert charts.Series.from_args(figures.as_args()) == figures


def test_starting_the_bot_does_not_load_the_plotting_library() -> None:
    # Everything `python -m bot` imports before it serves; matplotlib costs start-up time and
    # memory that only a drawn chart needs.
    code = textwrap.dedent("""
        import sys
        import bot.__main__, handlers, bot.charts
        handlers.create_router()
        print("matplotlib" in sys.modules, "numpy" in sys.modules)
    """)
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120,
        check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["False", "False"]


def test_drawing_a_chart_leaves_the_plotting_library_out_of_the_bot() -> None:
    """The child process draws: the bot's memory does not keep matplotlib's ~55 MB afterwards."""
    code = textwrap.dedent("""
        import asyncio, sys
        from datetime import date
        from bot import charts
        from bot.i18n import Translator
        series = charts.Series((date(2026, 12, 1),), (3,), (1500,), (900,))
        png = asyncio.run(charts.render(Translator("en").texts("tr", "USD"), series))
        print(png[:8] == b"\\x89PNG\\r\\n\\x1a\\n", "matplotlib" in sys.modules)
    """)
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120,
        check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["True", "False"]
