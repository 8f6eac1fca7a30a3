"""Fixtures shared by every test layer: a real SQLite file, the sandbox panel, the shop rules."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from decimal import Decimal
from pathlib import Path

import asyncpg
import httpx
import pytest
from pydantic import SecretStr

from bot.i18n import Translator
from bot.jobs.catalog import sync_catalog
from bot.panel.client import PanelClient
from bot.panel.sandbox import SandboxPanel
from bot.shop.config import ShopConfig
from storage.db import Database
from tests.unit.tracking_fixtures import USER, ScriptedPanel, add_user, scripted_client

ADMIN_ID = 900
# Where a customer's draft and lock live: the shop's database always; Redis too when the
# environment names a Redis database the tests may use (CI does).
REDIS_TEST_URL = os.environ.get("REDIS_TEST_URL", "")
PER_USER_STATE = ["db", "redis"] if REDIS_TEST_URL else ["db"]
# The engines every test of the `db` fixture runs on: SQLite always; PostgreSQL too when the
# environment names a database the tests may use (CI does). Each test gets a schema of its own.
DATABASE_TEST_URL = os.environ.get("DATABASE_TEST_URL", "")
ENGINES = ["sqlite", "postgresql"] if DATABASE_TEST_URL else ["sqlite"]


class FakeClock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """A test of SQLite's own behaviour (its file, its locks, its thread) says why with
    `@pytest.mark.sqlite_only("...")`; its PostgreSQL variant is left out, not skipped."""
    kept, left_out = [], []
    for item in items:
        marker = item.get_closest_marker("sqlite_only")
        if marker is not None and not marker.args:
            raise pytest.UsageError(f"{item.nodeid}: sqlite_only needs the reason")
        callspec = getattr(item, "callspec", None)
        on_postgres = callspec is not None and callspec.params.get("db") == "postgresql"
        (left_out if marker is not None and on_postgres else kept).append(item)
    if left_out:
        config.hook.pytest_deselected(items=left_out)
        items[:] = kept


@asynccontextmanager
async def postgres_schema() -> AsyncIterator[str]:
    """The test database's URL with a new, empty schema of its own as the search path."""
    name = f"test_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(DATABASE_TEST_URL)
    try:
        await admin.execute(f"CREATE SCHEMA {name}")
        separator = "&" if "?" in DATABASE_TEST_URL else "?"
        yield f"{DATABASE_TEST_URL}{separator}search_path={name}"
    finally:
        await admin.execute(f"DROP SCHEMA {name} CASCADE")
        await admin.close()


@pytest.fixture(params=ENGINES)
async def db(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    if request.param == "sqlite":
        database = await Database.open(tmp_path / "shop.sqlite3")
        yield database
        await database.close()
        return
    async with postgres_schema() as url:
        database = await Database.open(url)
        yield database
        await database.close()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def sandbox(clock: FakeClock) -> SandboxPanel:
    return SandboxPanel(key="test-key", clock=clock)


@pytest.fixture
async def panel(sandbox: SandboxPanel) -> AsyncIterator[PanelClient]:
    async with httpx.AsyncClient(transport=sandbox.transport()) as http:
        yield PanelClient(http, "https://panel.test/api/v2", SecretStr("test-key"))


@pytest.fixture
def shop_config() -> ShopConfig:
    return ShopConfig(
        currency="USD",
        panel_currency="USD",
        fx=Decimal(1),
        markup=Decimal(50),
        admin_ids=frozenset({ADMIN_ID}),
        sandbox=True,
    )


@pytest.fixture(scope="session")
def translator() -> Translator:
    return Translator("en")


@pytest.fixture
def scripted() -> ScriptedPanel:
    """A panel whose every answer the test writes (tracking tests)."""
    return ScriptedPanel()


@pytest.fixture
async def client(scripted: ScriptedPanel) -> AsyncIterator[PanelClient]:
    async with scripted_client(scripted) as panel_client:
        yield panel_client


@pytest.fixture
async def user(db: Database) -> int:
    """The customer of the tracking tests, with money on the balance."""
    await add_user(db)
    return USER


@pytest.fixture
async def catalog(db: Database, panel: PanelClient) -> None:
    """The sandbox's catalog synced into the database."""
    await sync_catalog(db, panel)
