"""What a finished order is owed back: computed from our own charge, never the panel's."""

from __future__ import annotations

import math
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Protocol

from bot.shop.money import from_cost
from bot.shop.pricing import PER_PACKAGE
from storage.orders import FINAL_STATES, FULL_REFUND, State

_STEP = Decimal("1e-12")  # finer than any panel quotes
_MAX_EXPONENT = 15  # what the panel client accepts: larger charges never reach an order


class Settled(Protocol):
    """What the refund rule reads of an order (`storage.orders.Order`, or the audit's read)."""

    @property
    def state(self) -> State: ...
    @property
    def charge(self) -> int: ...
    @property
    def cost(self) -> int: ...
    @property
    def quantity(self) -> int: ...
    @property
    def remains(self) -> int | None: ...
    @property
    def service_type(self) -> str: ...
    @property
    def settled_refund(self) -> int | None: ...
    @property
    def upstream_charge(self) -> str | None: ...
    @property
    def placed_charge(self) -> str | None: ...


def owed(order: Settled) -> int | None:
    """Minor units owed back for the order's current state, rounded down, never above our charge.

    An admin's decision (`settled_refund`) is what is owed. A Partial refunds the share the panel
    refunded us when its status carried a usable charge; else, for types that sell units, the
    share of units not delivered. None: the rule cannot tell (a package Partial without a usable
    charge, or no figure at all), so a person decides.
    """
    if order.state not in FINAL_STATES:
        return 0
    if order.settled_refund is not None:
        return min(order.settled_refund, order.charge)
    if order.state in FULL_REFUND:
        return order.charge
    if order.state is not State.PARTIAL:
        return 0
    share = refunded_share(order)
    if share is None:
        if order.service_type in PER_PACKAGE or order.remains is None:
            return None  # a package's quantity is 1: its remains are no share of it
        share = Fraction(min(max(order.remains or 0, 0), order.quantity), order.quantity)
    return math.floor(order.charge * share)


def refunded_share(order: Settled) -> Fraction | None:
    """1 - charge now / charge at placement, clamped to [0, 1]; None without usable figures.

    The charge at placement is the first one the panel reported while the order ran, else the
    cost we expected; "now" is the charge its final status carried.
    """
    now = _amount(order.upstream_charge)
    placed = _amount(order.placed_charge)
    if placed is None or placed <= 0:
        placed = from_cost(order.cost)
    if now is None or now < 0 or placed <= 0:
        return None
    return 1 - Fraction(min(now, placed)) / Fraction(placed)


def _amount(text: str | None) -> Decimal | None:
    """A stored panel charge, to 1e-12: an exponent like 1e-99999999 would make the exact
    fraction of it a number with a hundred million digits."""
    if text is None:
        return None
    try:
        amount = Decimal(text)
    except InvalidOperation:
        return None
    if not amount.is_finite() or amount.adjusted() > _MAX_EXPONENT:
        return None
    return amount.quantize(_STEP)
