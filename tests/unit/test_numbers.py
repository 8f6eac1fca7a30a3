"""Typed numbers: ASCII digits only, and bounded so SQLite stores them exactly."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bot.numbers import MAX_ID, parse_decimal, parse_id
from bot.shop.money import MAX_AMOUNT, parse_amount


@pytest.mark.parametrize(
    ("text", "number"),
    [("1", 1), (" 42 ", 42), (str(MAX_ID), MAX_ID), ("007", 7), ("0", None),
     (str(MAX_ID + 1), None), ("9" * 20, None), ("²", None), ("١٢٣٤", None), ("𝟙", None),
     ("-1", None), ("+1", None), ("1_000", None), ("1 000", None), ("", None)],
)  # fmt: skip
def test_ids(text: str, number: int | None) -> None:
    assert parse_id(text) == number


@pytest.mark.parametrize(
    ("text", "number"),
    [("10", Decimal(10)), ("-99", Decimal(-99)), ("2.5", Decimal("2.5")), ("NaN", None),
     ("sNaN", None), ("Infinity", None), ("1e3", None), ("١٠", None), ("²", None),
     ("-100", None), ("10000.01", None), (".5", None), ("5.", None)],
)  # fmt: skip
def test_decimals_within_bounds(text: str, number: Decimal | None) -> None:
    assert parse_decimal(text, low=Decimal(-99), high=Decimal(10_000)) == number


def test_amounts_are_bounded_by_the_largest_sane_amount() -> None:
    assert parse_amount(str(MAX_AMOUNT // 100)) == MAX_AMOUNT
    assert parse_amount(f"{MAX_AMOUNT // 100}.01") is None
    assert parse_amount("9" * 20) is None
    assert parse_amount("1.000000000000000000000000000001") is None  # not rounded to 1.00
