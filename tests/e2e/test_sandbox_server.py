"""The sandbox panel served over HTTP speaks API v2 to the real panel client."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
from aiohttp import web
from pydantic import SecretStr

from bot.panel.client import PanelClient
from bot.panel.errors import PanelRefused
from bot.panel.sandbox import CATALOG, SECOND_SERVICES, SandboxPanel
from bot.panel.serve import API_PATH, build_app, parse_args
from tests.conftest import FakeClock
from tests.e2e.conftest import Process, clean_env, wait_line

LISTENING = "sandbox panel listening on "


@pytest.fixture
async def served(clock: FakeClock) -> AsyncIterator[tuple[SandboxPanel, str]]:
    panel = SandboxPanel(key="k", clock=clock, pending_seconds=1, complete_seconds=3)
    runner = web.AppRunner(build_app(panel), access_log=None)
    await runner.setup()
    try:
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = next(iter(runner.addresses))[1]
        yield panel, f"http://127.0.0.1:{port}{API_PATH}"
    finally:
        await runner.cleanup()


async def test_the_panel_client_works_against_the_served_sandbox(
    served: tuple[SandboxPanel, str], clock: FakeClock
) -> None:
    panel, url = served
    async with httpx.AsyncClient(timeout=10) as http:
        client = PanelClient(http, url, SecretStr("k"))
        assert len(await client.services()) == len(CATALOG)
        upstream = await client.add({"service": 101, "link": "https://x.test/p", "quantity": 100})
        assert (await client.status(upstream)).status == "pending"
        clock.advance(3)
        assert (await client.status(upstream)).status == "completed"
        refill = await client.refill(upstream)
        assert refill
        with pytest.raises(PanelRefused):
            await PanelClient(http, url, SecretStr("wrong")).balance()
    assert [form["action"] for form in panel.requests][:2] == ["services", "add"]
    assert all("key" not in form for form in panel.requests)


async def test_only_post_is_accepted(served: tuple[SandboxPanel, str]) -> None:
    _, url = served
    async with httpx.AsyncClient(timeout=10) as http:
        response = await http.get(url, params={"key": "k", "action": "balance"})
    assert response.status_code == 405


@pytest.mark.parametrize(
    "argv",
    [
        ["--port", "-1"],
        ["--pending-seconds", "5", "--complete-seconds", "1"],
        ["--cancel-seconds", "-1"],
        ["--catalog", "third"],
        ["--balance", "-1"],
        ["--balance", "lots"],
        ["--balance", "NaN"],
    ],
)
def test_bad_arguments_are_refused(argv: list[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        parse_args(argv)
    assert exit_.value.code == 2


def test_defaults() -> None:
    args = parse_args([])
    assert (args.host, args.key, args.port) == ("127.0.0.1", "sandbox", 8099)
    assert (args.catalog, args.balance) == ("main", None)  # None: the catalog's own deposit


@pytest.fixture
def second_panel_url(tmp_path: Path) -> Iterator[str]:
    """`python -m bot sandbox-panel --catalog second` as a real process, on a free port."""
    args = ["sandbox-panel", "--catalog", "second", "--port", "0", "--balance", "7.5"]
    panel = Process("sandbox-panel-second", args, clean_env(), tmp_path)
    try:
        yield wait_line(panel, LISTENING).removeprefix(LISTENING).strip()
    finally:
        panel.kill()


async def test_the_command_serves_the_second_catalog(second_panel_url: str) -> None:
    async with httpx.AsyncClient(timeout=10) as http:
        client = PanelClient(http, second_panel_url, SecretStr("sandbox"))
        services = await client.services()
        assert [service.id for service in services] == [spec.service for spec in SECOND_SERVICES]
        assert (await client.balance()).amount == Decimal("7.5")
        # Instagram Followers at 0.72 per 1000: 7.20 of the 7.50.
        order: dict[str, str | int] = {
            "service": 2001,
            "link": "https://x.test/p",
            "quantity": 10000,
        }
        assert await client.add(order) == 5001
        with pytest.raises(PanelRefused, match="Not enough funds on balance"):
            await client.add(order)
