"""Prices: upstream rate, markup (service > category > global), exchange rate, rounding."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from bot.shop.money import to_cost, to_minor
from storage import kv
from storage.db import Database
from storage.services import Service

PER_PACKAGE = frozenset({"Package", "Custom Comments Package"})


class BelowCost(Exception):
    """The markup would sell under the upstream cost: refused, and admins are alerted."""

    def __init__(self, charge: int, floor: int) -> None:
        super().__init__(f"charge {charge} below cost {floor}")
        self.charge = charge
        self.floor = floor


@dataclass(frozen=True, slots=True)
class Quote:
    charge: int  # shop minor units, rounded up
    cost: int  # expected upstream cost, 1e-5 panel units


def markup_of(service: Service, default: Decimal) -> Decimal:
    """The most specific markup percent wins: service, then category, then its panel's, then
    the shop's (a panel's markup evens out what that panel charges for everything)."""
    for markup in (service.markup, service.category_markup, service.panel_markup):
        if markup is not None:
            return markup
    return default


def base_cost(service: Service, units: int) -> Decimal:
    """Upstream cost in panel currency: rate per 1000, or per package for package types."""
    if service.type in PER_PACKAGE:
        return service.rate
    return service.rate * units / 1000


def _charge(cost: Decimal, markup: Decimal, fx: Decimal) -> int:
    return max(1, to_minor(cost * (100 + markup) / 100 * fx, up=True))


def cost_floor(service: Service, units: int, fx: Decimal) -> int:
    """The upstream cost in shop minor units (rounded up): the least a sale may charge."""
    return to_minor(base_cost(service, units) * fx, up=True)


def quote(service: Service, units: int, *, markup: Decimal, fx: Decimal) -> Quote:
    cost = base_cost(service, units)
    charge = _charge(cost, markup, fx)
    floor = cost_floor(service, units, fx)
    if charge < floor:
        raise BelowCost(charge, floor)
    return Quote(charge=charge, cost=to_cost(cost))


def display_price(service: Service, *, markup: Decimal, fx: Decimal) -> int:
    """Our price per 1000 (or per package) in minor units, for catalog lines."""
    units = 1 if service.type in PER_PACKAGE else 1000
    return _charge(base_cost(service, units), markup, fx)


MARKUP_KEY = "markup"


async def global_markup(db: Database, default: Decimal) -> Decimal:
    """The shop-wide markup percent: the owner's `/markup`, else the `MARKUP_PERCENT` setting."""
    stored = await kv.get(db, MARKUP_KEY)
    return default if stored is None else Decimal(stored)
