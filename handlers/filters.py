"""Filters: access by the shop's rules, and magic filters checked on the event loop."""

from __future__ import annotations

from typing import Any

from aiogram.filters import Filter
from aiogram.types import TelegramObject, User
from magic_filter import MagicFilter

from bot.shop.config import ShopConfig


class IsAdmin(Filter):
    """Passes only for users listed in ADMIN_IDS."""

    async def __call__(
        self, event: TelegramObject, shop: ShopConfig, event_from_user: User | None = None
    ) -> bool:
        return event_from_user is not None and event_from_user.id in shop.admin_ids


class When(Filter):
    """A magic filter (`F...`), checked in place.

    aiogram runs a bare `F` expression, like any plain function given as a filter, through
    `asyncio.to_thread` on every check: a trip to a worker thread (about 0.1 ms) for an
    attribute comparison, several times per message. Inside a `Filter` it is awaited in place.
    """

    def __init__(self, magic: MagicFilter) -> None:
        self.magic = magic

    async def __call__(self, event: TelegramObject) -> Any:
        return self.magic.resolve(event)
