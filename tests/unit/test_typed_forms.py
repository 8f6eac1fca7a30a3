"""Answers typed the way each language writes them: dates and grouped quantities."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.shop import order_types
from bot.shop.order_types import InvalidAnswer
from tests.unit.test_order_types import BASE, TODAY

SERVICE = replace(BASE, type="Subscriptions", raw_type="Subscriptions", max=5_000_000)


@pytest.mark.parametrize(
    "text", ["31.12.2026", "31/12/2026", "31-12-2026", "2026-12-31", " 31.12.2026 "]
)
def test_an_expiry_date_in_any_usual_form_reaches_the_panel_as_d_m_y(text: str) -> None:
    assert order_types.check(SERVICE, "expiry", text, {}, TODAY) == "31/12/2026"


@pytest.mark.parametrize(
    "text",
    ["31.02.2027", "2027-02-30", "12/31/2027", "31.12.27", "31.12", "tomorrow", "2027/12/31"],
)
def test_an_impossible_or_unreadable_date_is_asked_again(text: str) -> None:
    with pytest.raises(InvalidAnswer) as caught:
        order_types.check(SERVICE, "expiry", text, {}, TODAY)
    assert caught.value.message == "error-date"


@pytest.mark.parametrize(
    ("text", "number"),
    [("1,000", "1000"), ("1.000.000", "1000000"), ("10\u00a0000", "10000"), ("1 000", "1000"),
     ("2'500", "2500"), ("1000", "1000")],
)  # fmt: skip
def test_a_quantity_typed_with_thousands_separators(text: str, number: str) -> None:
    assert order_types.check(SERVICE, "min", text, {}, TODAY) == number


@pytest.mark.parametrize("text", ["1.5", "1,00", "1.000,000", "10.00.000", "1,0000", ",000"])
def test_a_separator_that_does_not_group_thousands_is_not_a_number(text: str) -> None:
    with pytest.raises(InvalidAnswer) as caught:
        order_types.check(replace(SERVICE, min=1), "min", text, {}, TODAY)
    assert caught.value.message == "error-number"
