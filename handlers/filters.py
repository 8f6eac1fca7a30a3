"""Access filters that read the shop's rules from the Dispatcher's data."""

from __future__ import annotations

from aiogram.filters import Filter
from aiogram.types import TelegramObject, User

from bot.shop.config import ShopConfig


class IsAdmin(Filter):
    """Passes only for users listed in ADMIN_IDS."""

    async def __call__(
        self, event: TelegramObject, shop: ShopConfig, event_from_user: User | None = None
    ) -> bool:
        return event_from_user is not None and event_from_user.id in shop.admin_ids
