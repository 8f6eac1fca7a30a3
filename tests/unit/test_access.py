"""Who the shop serves: a banned customer never, anybody but an admin not during maintenance."""

from __future__ import annotations

from dataclasses import replace

from bot.shop.access import Barred, barred
from bot.shop.admin import MAINTENANCE_KEY
from bot.shop.config import ShopConfig
from storage import kv, users
from storage.db import Database
from tests.conftest import ADMIN_ID


async def test_a_customer_is_served_until_banned_or_maintenance(
    db: Database, shop_config: ShopConfig
) -> None:
    customer = await users.touch(db, 1, "ann", "Ann", "en")
    assert await barred(db, shop_config, customer) is None
    assert await barred(db, shop_config, replace(customer, banned=True)) is Barred.BANNED
    await kv.put(db, MAINTENANCE_KEY, "on")
    assert await barred(db, shop_config, customer) is Barred.MAINTENANCE
    assert await barred(db, shop_config, replace(customer, banned=True)) is Barred.BANNED
    await kv.put(db, MAINTENANCE_KEY, "off")
    assert await barred(db, shop_config, customer) is None


async def test_admins_are_served_during_maintenance(db: Database, shop_config: ShopConfig) -> None:
    admin = await users.touch(db, ADMIN_ID, "boss", "Boss", "en")
    await kv.put(db, MAINTENANCE_KEY, "on")
    assert await barred(db, shop_config, admin) is None
