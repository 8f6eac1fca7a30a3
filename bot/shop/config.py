"""The shop's own rules taken from Settings, handed to handlers and jobs by name."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, tzinfo
from decimal import Decimal
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.shop.money import to_minor

if TYPE_CHECKING:
    from bot.config import Settings

# Top-up defaults in minor units; Settings declares them in units of the currency from these.
TOPUP_PRESETS = (500, 1000, 2500, 5000)
TOPUP_MIN = 100
TOPUP_MAX = 100_000


@dataclass(frozen=True, slots=True)
class ShopConfig:
    currency: str
    panel_currency: str
    fx: Decimal  # shop currency per unit of panel currency
    markup: Decimal  # default markup percent
    admin_ids: frozenset[int]
    sandbox: bool
    # Top-ups, in minor units of `currency`; Stars are off while `stars_per_unit` is 0.
    topup_presets: tuple[int, ...] = TOPUP_PRESETS
    topup_min: int = TOPUP_MIN
    topup_max: int = TOPUP_MAX
    stars_per_unit: Decimal = Decimal(0)  # Telegram Stars per one unit of `currency`
    stars_in_sandbox: bool = False  # real Stars for a sandbox panel only when asked for
    manual_topup_info: str = ""  # the owner's payment details, shown before a manual request
    zone: tzinfo = UTC  # where the shop's days begin and end
    digest_hour: int | None = None  # the hour of `zone` the daily digest goes out; None: never
    referral_percent: Decimal = Decimal(0)  # of a referred customer's paid orders; 0: off
    # This process: the orders it places carry it, and its `process:` lease says it is alive.
    instance: str = field(default_factory=lambda: uuid.uuid4().hex)

    @classmethod
    def from_settings(cls, settings: Settings) -> ShopConfig:
        """The shop's rules as the operator configured them (amounts in minor units)."""
        return cls(
            currency=settings.shop_currency,
            panel_currency=settings.panel_currency,
            fx=settings.fx_rate,
            markup=settings.markup_percent,
            admin_ids=settings.admin_ids,
            sandbox=settings.sandbox,
            topup_presets=tuple(to_minor(amount, up=False) for amount in settings.topup_presets),
            topup_min=to_minor(settings.topup_min, up=False),
            topup_max=to_minor(settings.topup_max, up=False),
            stars_per_unit=settings.stars_per_unit,
            stars_in_sandbox=settings.stars_in_sandbox,
            manual_topup_info=settings.topup_manual_info,
            zone=ZoneInfo(settings.timezone),
            digest_hour=settings.digest_hour,
            referral_percent=settings.referral_percent,
        )
