"""The shop's own rules taken from Settings, handed to handlers and jobs by name."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class ShopConfig:
    currency: str
    panel_currency: str
    fx: Decimal  # shop currency per unit of panel currency
    markup: Decimal  # default markup percent
    admin_ids: frozenset[int]
    sandbox: bool
