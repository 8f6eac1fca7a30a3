"""Prices and refunds: exact integers, charges rounded up, refunds down, never under cost."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest

from bot.shop.money import parse_amount, to_minor
from bot.shop.pricing import BelowCost, display_price, markup_of, quote
from bot.shop.refunds import owed
from storage.orders import Order, State
from storage.services import Service

SERVICE = Service(
    id=1, panel="main", upstream_id=1, name="Followers", type="Default", raw_type="Default", category_id=1, category="IG",
    rate=Decimal("0.90"), min=50, max=10000, refill=True, cancel=True, dripfeed=False,
    available=True, hidden=False, markup=None, category_markup=None, category_hidden=False,
)  # fmt: skip


def test_price_is_rate_times_markup_times_fx_per_thousand_rounded_up() -> None:
    # 0.90 per 1000 x 1234 = 1.1106 panel; x1.3 x 41.5 TRY = 59.916... -> 59.92
    got = quote(SERVICE, 1234, markup=Decimal(30), fx=Decimal("41.5"))
    assert got.charge == 5992
    assert got.cost == 111060  # 1.1106 in 1e-5 units


def test_five_decimal_rates_stay_exact() -> None:
    cheap = replace(SERVICE, rate=Decimal("0.00123"))
    assert quote(cheap, 1000, markup=Decimal(0), fx=Decimal(1)).charge == 1  # 0.00123 -> 1 cent
    assert quote(cheap, 1000, markup=Decimal(0), fx=Decimal(1)).cost == 123


def test_package_types_charge_the_rate_once() -> None:
    package = replace(SERVICE, type="Package", rate=Decimal("1.25"))
    assert quote(package, 1, markup=Decimal(100), fx=Decimal(1)).charge == 250
    assert display_price(package, markup=Decimal(100), fx=Decimal(1)) == 250


def test_most_specific_markup_wins() -> None:
    assert markup_of(SERVICE, Decimal(30)) == 30
    assert markup_of(replace(SERVICE, category_markup=Decimal(20)), Decimal(30)) == 20
    both = replace(SERVICE, category_markup=Decimal(20), markup=Decimal(5))
    assert markup_of(both, Decimal(30)) == 5


def test_selling_under_cost_is_refused() -> None:
    with pytest.raises(BelowCost):
        quote(SERVICE, 1000, markup=Decimal(-10), fx=Decimal(1))
    assert quote(SERVICE, 1000, markup=Decimal(0), fx=Decimal(1)).charge == 90


def _order(state: State, charge: int, quantity: int, remains: int | None, **figures: Any) -> Order:
    order = Order(
        id=1, user_id=1, service_id=1, service_name="s", service_type="Default", link="",
        quantity=quantity, fields={}, charge=charge, cost=0, state=state, upstream_id=5,
        status="", upstream_charge=None, remains=remains, start_count=None, error="",
        cancel_requested=False, created_at=0, updated_at=0, checked_at=0,
    )  # fmt: skip
    return replace(order, **figures)


@pytest.mark.parametrize(
    ("state", "remains", "refund"),
    [
        (State.COMPLETED, 0, 0),
        (State.CANCELED, 300, 1000),
        (State.REFUNDED, None, 1000),
        (State.FAILED, None, 1000),
        (State.PARTIAL, 157, 523),  # 1000 x 157/300 = 523.33 -> rounded down
        (State.PARTIAL, -20, 0),  # panels send negative remains
        (State.PARTIAL, 999, 1000),  # and remains above the quantity
        (State.ACTIVE, 100, 0),
        (State.UNKNOWN, None, 0),
    ],
)
def test_refund_owed(state: State, remains: int | None, refund: int) -> None:
    assert owed(_order(state, 1000, 300, remains)) == refund


@pytest.mark.parametrize(
    ("figures", "refund"),
    [
        ({"upstream_charge": "1.20", "placed_charge": "1.25"}, 40),  # the panel refunded us 4%
        ({"upstream_charge": "1.20"}, 40),  # no running charge seen: measured against our cost
        ({"upstream_charge": "0.625", "placed_charge": "2.50"}, 750),  # it charged 2.50, not 1.25
        ({"upstream_charge": "1.30", "placed_charge": "1.25"}, 0),  # more than placed: clamped
        ({"upstream_charge": "0"}, 1000),
        ({}, None),  # no usable charge: remains 10 of 1000 followers is no share of one package
        ({"upstream_charge": "-1"}, None),
        ({"upstream_charge": "1.20", "cost": 0}, None),  # nothing to measure the charge against
        ({"upstream_charge": "1.20", "settled_refund": 300}, 300),  # an admin's decision wins
        ({"settled_refund": 5000}, 1000),  # and is never more than our charge
    ],
)
def test_a_package_partial_refunds_the_share_the_panel_refunded(
    figures: dict[str, Any], refund: int | None
) -> None:
    figures = {"service_type": "Package", "cost": 125_000} | figures
    assert owed(_order(State.PARTIAL, 1000, 1, 10, **figures)) == refund


def test_a_unit_partial_follows_the_charge_before_the_remains() -> None:
    order = _order(State.PARTIAL, 1000, 300, 150, cost=27_000)  # 0.27 expected for 300 units
    assert owed(order) == 500  # no charge: half the units are missing
    assert owed(replace(order, upstream_charge="0.09")) == 666  # it kept 1/3: 1000 x 2/3
    assert owed(replace(order, upstream_charge="0.09", placed_charge="0.36")) == 750
    assert owed(replace(order, upstream_charge="abc")) == 500
    assert owed(replace(order, upstream_charge="1E-99999999")) == 1000  # at once, not in hours
    assert owed(replace(order, remains=None)) is None  # nothing to go by: a person decides
    assert owed(replace(order, state=State.ACTIVE, settled_refund=300)) == 0  # still open


@pytest.mark.parametrize(
    ("text", "minor"),
    [("10", 1000), ("10.5", 1050), ("10,25", 1025), (" 7 ", 700), ("0", None), ("-5", None),
     ("1.234", None), ("ten", None), ("1e3", None), ("", None), ("١٠", None)],
)  # fmt: skip
def test_amounts_typed_by_people(text: str, minor: int | None) -> None:
    assert parse_amount(text) == minor


def test_to_minor_rounds_in_the_direction_asked() -> None:
    assert to_minor(Decimal("1.001"), up=True) == 101
    assert to_minor(Decimal("1.009"), up=False) == 100
