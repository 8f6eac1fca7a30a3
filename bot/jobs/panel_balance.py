"""Alert the admins when the panel balance falls below the threshold, once per crossing."""

from __future__ import annotations

import logging
import secrets
from decimal import Decimal

from bot.panel.client import PanelClient
from bot.shop.alerts import queue_alert
from bot.shop.config import ShopConfig
from storage import kv
from storage.db import Database

log = logging.getLogger(__name__)
LOW_KEY = "panel-balance-low"


async def check_panel_balance(
    db: Database, panel: PanelClient, config: ShopConfig, threshold: Decimal
) -> bool:
    """True when an alert was queued: once per crossing (the flag clears above the threshold)."""
    if threshold <= 0:
        return False
    balance = await panel.balance()
    if balance.amount >= threshold:
        await kv.delete(db, LOW_KEY)
        return False
    async with db.transaction() as conn:
        if not await kv.put_new(conn, LOW_KEY, str(balance.amount)):
            return False
        log.warning("panel balance %s below %s", balance.amount, threshold)
        await queue_alert(
            conn,
            config,
            "admin-panel-low",
            f"panel-low:{secrets.token_hex(8)}",
            balance=str(balance.amount),
            threshold=str(threshold),
            currency=balance.currency or config.panel_currency,
        )
    return True
