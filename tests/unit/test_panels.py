"""The panels behind the shop: main first, one client each, the sandbox as two panels."""

from __future__ import annotations

import pytest

from bot.config import Settings
from bot.panel.client import PanelClient
from bot.panel.panels import Panels, open_panels

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
