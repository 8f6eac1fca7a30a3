"""Admin alerts: one outbox message per admin, keyed so a repeat is a no-op."""

from __future__ import annotations

from bot.shop.config import ShopConfig
from storage import outbox
from storage.db import Connection, Database


async def queue_alert(
    conn: Connection, config: ShopConfig, message: str, key: str, **args: object
) -> None:
    """Queue one alert per admin inside the caller's transaction; `key` makes a repeat a no-op."""
    for admin in config.admin_ids:
        await outbox.put(conn, admin, message, dict(args), key=f"{key}:{admin}")


async def alert_admins(
    db: Database, config: ShopConfig, message: str, key: str, **args: object
) -> None:
    async with db.transaction() as conn:
        await queue_alert(conn, config, message, key, **args)
