"""The sandbox runs as either of two panels: the main catalog or a smaller "second" one."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from decimal import Decimal

import httpx
import pytest
from pydantic import SecretStr

from bot.panel.client import PanelClient
from bot.panel.errors import PanelRefused
from bot.panel.models import PanelService
from bot.panel.sandbox import CATALOG, CATALOGS, SECOND_SERVICES, SERVICES, SandboxPanel

LINK = "https://instagram.com/p/Cx1a2b3"


@asynccontextmanager
async def connected(panel: SandboxPanel) -> AsyncIterator[PanelClient]:
    """The bot's real panel client, talking to `panel`."""
    async with httpx.AsyncClient(transport=panel.transport()) as http:
        yield PanelClient(http, "https://sandbox.invalid/api/v2", SecretStr(panel.key))


async def services_of(catalog: str) -> list[PanelService]:
    async with connected(SandboxPanel(catalog=catalog)) as client:
        return await client.services()


def by_id(services: list[PanelService], service_id: int) -> PanelService:
    return next(service for service in services if service.id == service_id)


def test_the_catalog_names() -> None:
    assert CATALOGS == ("main", "second")


async def test_the_second_list_parses_with_the_panel_client() -> None:
    second = await services_of("second")
    assert [service.id for service in second] == [spec.service for spec in SECOND_SERVICES]
    assert 8 <= len(second) <= 12
    assert all(service.type is not None for service in second)  # every type is one the bot knows
    assert len(await services_of("main")) == len(CATALOG)


async def test_the_second_list_is_another_panel_selling_partly_the_same_products() -> None:
    main, second = await services_of("main"), await services_of("second")
    assert not {service.id for service in main} & {service.id for service in second}
    main_categories = {service.category for service in main}
    second_categories = {service.category for service in second}
    assert {"Instagram Followers", "YouTube Views"} <= main_categories & second_categories
    assert "TikTok Views" in second_categories - main_categories
    # A same-type service in the same category on both panels: one can back up the other.
    for raw_type in ("Default", "Package", "Custom Comments"):
        assert any(
            (service.category, service.raw_type) == (other.category, other.raw_type)
            for service in main
            for other in second
            if other.raw_type == raw_type
        ), raw_type
    # Instagram Followers and YouTube Views, non-drop with refill, on either panel.
    ig_main, ig_second = by_id(main, 101), by_id(second, 2001)
    yt_main, yt_second = by_id(main, 141), by_id(second, 2011)
    assert {ig_main.category, ig_second.category} == {"Instagram Followers"}
    assert {yt_main.category, yt_second.category} == {"YouTube Views"}
    assert {ig_main.raw_type, ig_second.raw_type, yt_main.raw_type, yt_second.raw_type} == {
        "Default"
    }
    assert ig_second.rate < ig_main.rate  # cheaper on the second panel
    assert yt_second.rate > yt_main.rate  # dearer on the second panel


@pytest.mark.parametrize(
    ("catalog", "foreign"),
    [("second", SERVICES[0].service), ("main", SECOND_SERVICES[0].service)],
)
async def test_each_panel_refuses_the_other_panels_service_id(catalog: str, foreign: int) -> None:
    panel = SandboxPanel(catalog=catalog)
    async with connected(panel) as client:
        with pytest.raises(PanelRefused) as refused:
            await client.add({"service": foreign, "link": LINK, "quantity": 1000})
    assert refused.value.text == "Incorrect service ID"
    assert panel.orders == {}


async def test_the_second_panel_numbers_its_orders_apart_from_the_main_one() -> None:
    first: dict[str, int] = {}
    for catalog, spec in (("main", SERVICES[0]), ("second", SECOND_SERVICES[0])):
        async with connected(SandboxPanel(catalog=catalog)) as client:
            first[catalog] = await client.add(
                {"service": spec.service, "link": LINK, "quantity": spec.min}
            )
    assert first == {"main": 1001, "second": 5001}


async def test_the_second_panel_runs_out_of_funds_soon() -> None:
    main_panel = SandboxPanel(catalog="main", balance=Decimal("1"))
    async with connected(main_panel) as client:
        with pytest.raises(PanelRefused) as main_refusal:
            await client.add({"service": 101, "link": LINK, "quantity": 10000})  # 9.00
    panel = SandboxPanel(catalog="second")
    async with connected(panel) as client:
        assert (await client.balance()).amount == Decimal("50")
        # YouTube Views at 1.45 per 1000: 29.00 of the 50.
        order: dict[str, str | int] = {"service": 2011, "link": LINK, "quantity": 20000}
        await client.add(order)
        with pytest.raises(PanelRefused) as refused:
            await client.add(order)
        assert (await client.balance()).amount == Decimal("21")
    assert refused.value.text == main_refusal.value.text == "Not enough funds on balance"
    assert len(panel.orders) == 1


async def test_a_given_balance_overrides_the_catalogs_deposit() -> None:
    async with connected(SandboxPanel(catalog="second", balance=Decimal("1000"))) as client:
        assert (await client.balance()).amount == Decimal("1000")
    async with connected(SandboxPanel()) as client:
        assert (await client.balance()).amount == Decimal("1000")


def test_an_unknown_catalog_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown catalog 'third'"):
        SandboxPanel(catalog="third")
