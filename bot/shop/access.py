"""Who the shop serves right now: never a banned customer, and only admins during maintenance."""

from __future__ import annotations

from enum import StrEnum

from bot.shop.admin import MAINTENANCE_KEY
from bot.shop.config import ShopConfig
from storage import kv
from storage.db import Database
from storage.users import User


class Barred(StrEnum):
    BANNED = "banned"
    MAINTENANCE = "maintenance"


async def barred(db: Database, shop: ShopConfig, user: User) -> Barred | None:
    """Why this user is not served right now, or None. Admins always are: they run the shop."""
    if user.id in shop.admin_ids:
        return None
    if user.banned:
        return Barred.BANNED
    if await kv.get(db, MAINTENANCE_KEY) == "on":
        return Barred.MAINTENANCE
    return None
