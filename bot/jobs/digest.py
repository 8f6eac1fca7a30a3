"""The daily digest: yesterday's figures with the chart, the panel balance, /review's queue and the
top services, queued for every admin once a day (in the shop's time zone)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from babel.dates import format_date

from bot import charts
from bot.i18n import Texts, format_amount, lines
from bot.limits import shorten
from bot.panel.errors import PanelError
from bot.panel.panels import Panels
from bot.shop.config import ShopConfig
from storage import kv, orders, outbox, stats
from storage.db import Database
from storage.services import MAIN as MAIN_PANEL

log = logging.getLogger(__name__)

DIGEST = "digest"  # the outbox message of a digest: the sender sends it as the chart's caption
CHART_DAYS = 30
TOP_SERVICES = 5
NAME_SHOWN = 40  # UTF-16 units of a service name: five of them keep the caption within 1024


async def queue_digest(
    db: Database, panels: Panels, shop: ShopConfig, clock: Callable[[], float] = time.time
) -> int:
    """Once the digest hour has come, queue yesterday's digest for every admin unless it was
    queued already (by this process before a restart, or by another); the rows queued."""
    if shop.digest_hour is None or not shop.admin_ids:
        return 0
    local = datetime.fromtimestamp(clock(), shop.zone)
    if local.hour < shop.digest_hour:
        return 0
    day = local.date() - timedelta(days=1)
    marker = f"{DIGEST}:{day.isoformat()}"
    if await kv.get(db, marker) is not None:
        return 0  # saves the panel call and the figures every run for the rest of the day
    args = await _figures(db, panels, shop, day)
    queued = 0
    async with db.transaction() as conn:
        if await kv.put_new(conn, marker, "queued"):
            for admin in sorted(shop.admin_ids):
                queued += await outbox.put(conn, admin, DIGEST, args, key=f"{marker}:{admin}")
    return queued


async def _figures(db: Database, panels: Panels, shop: ShopConfig, day: date) -> dict[str, Any]:
    """The digest's content in numbers, as the outbox row keeps it until it is sent."""
    figures = await charts.series(db, shop, day, CHART_DAYS)
    since = stats.day_start(day, shop.zone)
    top = await stats.top_services(
        db, since, stats.day_start(day + timedelta(days=1), shop.zone), TOP_SERVICES
    )
    by_state = await orders.counts_by_state(db)
    balances: list[list[str | None]] = []  # [panel, amount, currency]; None: no answer
    for name, panel in panels.items():
        try:
            found = await panel.balance()
            balances.append([name, str(found.amount), found.currency or shop.panel_currency])
        except PanelError as error:
            log.warning("digest: the balance of panel %s is unknown (%s)", name, error)
            balances.append([name, None, None])
    return {
        "day": day.isoformat(),
        "orders": figures.orders[-1],
        "revenue": figures.revenue[-1],
        "cost": figures.cost[-1],
        "panels": balances,
        "waiting": sum(by_state.get(state, 0) for state in orders.WAITING),
        "top": [[service.name, service.orders, service.revenue] for service in top],
        "chart": figures.as_args(),
    }


async def compose(t: Texts, args: dict[str, Any]) -> tuple[str, bytes]:
    """The digest in the reader's language: the caption and the chart's PNG."""
    top = [
        t("digest-top-line", name=shorten(name, NAME_SHOWN), orders=count, revenue=t.money(kept))
        for name, count, kept in args["top"]
    ] or [t("digest-top-none")]
    # A digest queued before several panels has no "panels": its balance reads unknown.
    balances = [
        t("digest-panel-error", panel=name)
        if amount is None
        else t("digest-panel", panel=name, balance=format_amount(Decimal(amount), currency,
                                                                 t.locale))
        for name, amount, currency in args.get("panels", [[MAIN_PANEL, None, None]])
    ]  # fmt: skip
    caption = t(
        "digest",
        day=format_date(date.fromisoformat(args["day"]), "long", locale=t.locale),
        orders=args["orders"],
        revenue=t.money(args["revenue"]),
        cost=t.money(args["cost"]),
        margin=t.money(args["revenue"] - args["cost"]),
        panel=lines(balances),
        waiting=args["waiting"],
        top=lines(top),
    )
    return caption, await charts.render(t, charts.Series.from_args(args["chart"]))
