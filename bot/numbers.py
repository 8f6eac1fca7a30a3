"""Numbers an admin or customer types: ASCII digits only, bounded so SQLite's INTEGER holds them.

`str.isdigit()` and `Decimal()` both accept `²` and Arabic-Indic digits (`١٢٣٤` is 1234 to
them), and `Decimal` takes `NaN` and `1e99`: every typed number goes through here instead.
"""

from __future__ import annotations

import re
from decimal import Decimal

MAX_ID = 2**63 - 1  # the largest SQLite INTEGER: order, user, service and upstream ids
_ID = re.compile(r"[0-9]{1,19}")  # `[0-9]`, not `\d`, which matches every script's digits
_DECIMAL = re.compile(r"[+-]?[0-9]{1,15}(?:\.[0-9]{1,10})?")  # exact within Decimal's 28 digits


def parse_id(text: str) -> int | None:
    """A positive id written in ASCII digits that SQLite can store, else None."""
    cleaned = text.strip()
    if not _ID.fullmatch(cleaned):
        return None
    number = int(cleaned)
    return number if 1 <= number <= MAX_ID else None


def parse_decimal(text: str, *, low: Decimal, high: Decimal) -> Decimal | None:
    """A plain decimal ("12", "-5", "2.5") in [low, high], else None: no NaN, exponent or
    non-ASCII digit."""
    cleaned = text.strip()
    if not _DECIMAL.fullmatch(cleaned):
        return None
    number = Decimal(cleaned)
    return number if low <= number <= high else None
