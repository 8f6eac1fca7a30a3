"""Alert the admins when a panel's balance falls below the threshold, once per crossing."""

from __future__ import annotations

import logging
import secrets
from decimal import Decimal

from bot.panel.client import PanelClient
from bot.panel.errors import PanelError
from bot.panel.panels import Panels
from bot.shop.alerts import queue_alert
from bot.shop.config import ShopConfig
from storage import kv
from storage.db import Database
from storage.services import MAIN as MAIN_PANEL

log = logging.getLogger(__name__)
LOW_KEY = "panel-balance-low"


async def check_balances(
    db: Database, panels: Panels, config: ShopConfig, threshold: Decimal
) -> list[str]:
    """Each panel's balance; the panels an alert was queued for. A panel that does not answer
    is skipped (the next check asks again); raises only when none answered."""
    alerted: list[str] = []
    failed: list[PanelError] = []
    for name, panel in panels.items():
        try:
            if await check_panel_balance(db, panel, config, threshold, name):
                alerted.append(name)
        except PanelError as error:
            log.warning("balance of panel %s not checked (%s)", name, error)
            failed.append(error)
    if failed and len(failed) == len(panels):
        raise failed[0]
    return alerted


async def check_panel_balance(
    db: Database,
    panel: PanelClient,
    config: ShopConfig,
    threshold: Decimal,
    name: str = MAIN_PANEL,
) -> bool:
    """True when an alert was queued: once per crossing (the flag clears above the threshold)."""
    if threshold <= 0:
        return False
    flag = LOW_KEY if name == MAIN_PANEL else f"{LOW_KEY}:{name}"  # main's from before panels
    balance = await panel.balance()
    if balance.amount >= threshold:
        await kv.delete(db, flag)
        return False
    async with db.transaction() as conn:
        if not await kv.put_new(conn, flag, str(balance.amount)):
            return False
        log.warning("panel %s balance %s below %s", name, balance.amount, threshold)
        await queue_alert(
            conn,
            config,
            "admin-panel-low",
            f"panel-low:{secrets.token_hex(8)}",
            balance=str(balance.amount),
            threshold=str(threshold),
            panel=name,
            currency=balance.currency or config.panel_currency,
        )
    return True
