"""The low panel balance alert: once per crossing, again after the balance recovers."""

from __future__ import annotations

from decimal import Decimal

import httpx
from pydantic import SecretStr

from bot.jobs.panel_balance import check_panel_balance
from bot.panel.client import PanelClient
from bot.shop.config import ShopConfig
from storage import outbox
from storage.db import Database


async def test_alerts_once_per_crossing(db: Database, shop_config: ShopConfig) -> None:
    balance = {"value": "50.00"}

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"balance": balance["value"], "currency": "USD"})

    async with httpx.AsyncClient(transport=httpx.MockTransport(answer)) as http:
        panel = PanelClient(http, "https://panel.test/api/v2", SecretStr("k"))
        threshold = Decimal(100)
        assert await check_panel_balance(db, panel, shop_config, threshold)
        assert not await check_panel_balance(db, panel, shop_config, threshold)
        balance["value"] = "150"
        assert not await check_panel_balance(db, panel, shop_config, threshold)
        balance["value"] = "10"
        assert not await check_panel_balance(db, panel, shop_config, Decimal(0))  # off
        assert await check_panel_balance(db, panel, shop_config, threshold)
    rows = await outbox.due(db, 10)
    assert [row.message for row in rows] == ["admin-panel-low", "admin-panel-low"]
    assert rows[0].args["balance"] == "50.00"
