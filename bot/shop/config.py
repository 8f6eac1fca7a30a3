"""The shop's own rules taken from Settings, handed to handlers and jobs by name."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, tzinfo
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class ShopConfig:
    currency: str
    panel_currency: str
    fx: Decimal  # shop currency per unit of panel currency
    markup: Decimal  # default markup percent
    admin_ids: frozenset[int]
    sandbox: bool
    # Top-ups, in minor units of `currency`; Stars are off while `stars_per_unit` is 0.
    topup_presets: tuple[int, ...] = (500, 1000, 2500, 5000)
    topup_min: int = 100
    topup_max: int = 100_000
    stars_per_unit: Decimal = Decimal(0)  # Telegram Stars per one unit of `currency`
    stars_in_sandbox: bool = False  # real Stars for a sandbox panel only when asked for
    manual_topup_info: str = ""  # the owner's payment details, shown before a manual request
    zone: tzinfo = UTC  # where the shop's days begin and end
    digest_hour: int | None = None  # the hour of `zone` the daily digest goes out; None: never
    referral_percent: Decimal = Decimal(0)  # of a referred customer's paid orders; 0: off
    # This process: the orders it places carry it, and its `process:` lease says it is alive.
    instance: str = field(default_factory=lambda: uuid.uuid4().hex)
