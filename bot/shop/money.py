"""Exact money: integer minor units inside, `Decimal` only at the edges."""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal, InvalidOperation

MINOR = 100  # minor units in one unit of the shop currency
COST_SCALE = 100_000  # upstream costs are kept in 1e-5 units of the panel currency


def to_minor(amount: Decimal, *, up: bool) -> int:
    """Shop-currency amount to minor units: charges round up, refunds and credits down."""
    return int((amount * MINOR).to_integral_value(ROUND_CEILING if up else ROUND_FLOOR))


def from_minor(minor: int) -> Decimal:
    return Decimal(minor) / MINOR


def to_cost(amount: Decimal) -> int:
    """Panel-currency amount to 1e-5 units, rounded up (what we expect to be charged)."""
    return int((amount * COST_SCALE).to_integral_value(ROUND_CEILING))


def from_cost(cost: int) -> Decimal:
    return Decimal(cost) / COST_SCALE


def parse_amount(text: str) -> int | None:
    """A positive amount a person typed ("10", "10.5", "10,50") in minor units, else None."""
    cleaned = text.strip().replace(" ", "").replace(",", ".")
    digits = cleaned.replace(".", "")
    if cleaned.count(".") > 1 or not (digits.isascii() and digits.isdigit()):
        return None
    try:
        amount = Decimal(cleaned)
    except InvalidOperation:
        return None
    minor = amount * MINOR
    if minor != minor.to_integral_value() or minor <= 0:
        return None
    return int(minor)
