"""The panels behind the shop: main first, one client each, the sandbox as two panels."""

from __future__ import annotations

import pytest

from bot.config import Settings
from bot.panel.client import PanelClient
from bot.panel.panels import Panels, open_panels
from bot.shop.audit import audit
from storage.db import Database
from storage.orders import State
from tests.unit.tracking_fixtures import add_order, add_user

TOKEN = "123456:token"


def settings(**env: str) -> Settings:
    return Settings(_env_file=None, bot_token=TOKEN, **env)  # type: ignore[arg-type, call-arg]


async def test_the_sandbox_runs_as_two_panels_with_their_own_catalogs() -> None:
    async with open_panels(settings(panels='{"second": {"url": "sandbox"}}')) as panels:
        assert list(panels) == ["main", "second"]
        main = {service.id for service in await panels.main.services()}
        second = {service.id for service in await panels["second"].services()}
    assert 101 in main and 2001 in second
    assert not main & second


async def test_one_panel_when_panels_is_empty() -> None:
    async with open_panels(settings()) as panels:
        assert list(panels) == ["main"]
        assert (await panels.main.balance()).amount > 0


def test_main_comes_first_and_is_required(client: PanelClient) -> None:
    assert list(Panels({"b": client, "main": client})) == ["main", "b"]
    with pytest.raises(ValueError, match="main"):
        Panels({"b": client})


async def test_the_audit_names_open_orders_on_a_panel_no_longer_configured(db: Database) -> None:
    await add_user(db, balance=10_000)
    await add_order(db, upstream_id=7, state=State.ACTIVE)
    await add_order(db, upstream_id=8, state=State.COMPLETED)
    async with db.transaction() as conn:
        await conn.execute("UPDATE orders SET panel = 'gone'")
    assert (await audit(db)).ok  # without the configuration it cannot tell
    assert (await audit(db, panels=["main", "gone"])).ok
    report = await audit(db, panels=["main"])
    assert report.problems == [
        "1 open order(s) on panel gone, which is not configured (PANELS): nobody tracks them"
    ]
