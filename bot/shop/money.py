"""Exact money: integer minor units inside, `Decimal` only at the edges."""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from bot.numbers import parse_decimal

MINOR = 100  # minor units in one unit of the shop currency
# The most one typed amount may be (minor units): ten billion units, enough in the weakest
# currency, while nine million such amounts still fit in SQLite's 64-bit INTEGER.
MAX_AMOUNT = 10**12
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
    """A positive amount a person typed ("10", "10.5", "10,50") in minor units, at most
    MAX_AMOUNT, else None."""
    cleaned = text.replace(" ", "").replace(",", ".")
    amount = parse_decimal(cleaned, low=Decimal(0), high=from_minor(MAX_AMOUNT))
    if amount is None:
        return None
    minor = amount * MINOR
    if minor != minor.to_integral_value() or minor <= 0:
        return None
    return int(minor)
