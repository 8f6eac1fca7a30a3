"""Fixtures shared by every test layer: a real SQLite file, the sandbox panel, the shop rules."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

import asyncpg
import httpx
import pytest
from aiohttp import web
from pydantic import SecretStr

from bot.i18n import Translator
from bot.jobs.catalog import sync_catalog
from bot.panel.client import PanelClient
from bot.panel.sandbox import SandboxPanel
from bot.shop.config import ShopConfig
from storage.db import Database, is_postgres
from tests.unit.tracking_fixtures import USER, ScriptedPanel, add_user, scripted_client

ADMIN_ID = 900
T = TypeVar("T")
# Where a customer's draft and lock live: the shop's database always; Redis too when the
# environment names a Redis database the tests may use (CI does).
REDIS_TEST_URL = os.environ.get("REDIS_TEST_URL", "")
PER_USER_STATE = ["db", "redis"] if REDIS_TEST_URL else ["db"]
# The engines every test of the `db` fixture runs on: SQLite always; PostgreSQL too when the
# environment names a database the tests may use (CI does). Each test gets a schema of its own.
DATABASE_TEST_URL = os.environ.get("DATABASE_TEST_URL", "")
ENGINES = ["sqlite", "postgresql"] if DATABASE_TEST_URL else ["sqlite"]
# Tests of Redis or PostgreSQL alone (nothing to compare on SQLite or in one process) are
# collected only where the environment names them.
collect_ignore = [] if REDIS_TEST_URL else ["unit/test_customer_lock.py"]
if not DATABASE_TEST_URL:
    collect_ignore += ["unit/test_pg_schema.py", "unit/test_migrate_to.py"]


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
    kept: list[pytest.Item] = []
    left_out: list[pytest.Item] = []
    for item in items:
        marker = item.get_closest_marker("sqlite_only")
        if marker is not None and not marker.args:
            raise pytest.UsageError(f"{item.nodeid}: sqlite_only needs the reason")
        callspec = getattr(item, "callspec", None)
        on_postgres = callspec is not None and callspec.params.get("db_target") == "postgresql"
        (left_out if marker is not None and on_postgres else kept).append(item)
    if left_out:
        config.hook.pytest_deselected(items=left_out)
        items[:] = kept


async def _create_schema(name: str) -> str:
    """A new, empty schema; the test database's URL with it as the search path."""
    if not DATABASE_TEST_URL:  # a test of PostgreSQL alone, run by its path without one
        raise pytest.UsageError("set DATABASE_TEST_URL to a PostgreSQL database the tests may use")
    admin = await asyncpg.connect(DATABASE_TEST_URL)
    try:
        await admin.execute(f"CREATE SCHEMA {name}")
    finally:
        await admin.close()
    separator = "&" if "?" in DATABASE_TEST_URL else "?"
    return f"{DATABASE_TEST_URL}{separator}search_path={name}"


async def _drop_schema(name: str) -> None:
    admin = await asyncpg.connect(DATABASE_TEST_URL)
    try:
        await admin.execute(f"DROP SCHEMA {name} CASCADE")
    finally:
        await admin.close()


@asynccontextmanager
async def postgres_schema() -> AsyncIterator[str]:
    """The test database's URL with a new, empty schema of its own as the search path."""
    name = f"test_{uuid.uuid4().hex[:12]}"
    url = await _create_schema(name)
    try:
        yield url
    finally:
        await _drop_schema(name)


def _literal(value: object) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, int):
        return str(value)
    return "'" + str(value).replace("'", "''") + "'"


async def _emptying(url: str) -> str:
    """The script that puts a just-migrated schema back as it was: every table emptied, its
    seed rows back, every id counter at 1 (triggers and references off meanwhile)."""
    conn = await asyncpg.connect(url)
    try:
        tables = [
            row[0]
            for row in await conn.fetch(
                "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
                " AND tablename <> 'schema_migrations'"
            )
        ]
        script = ["SET session_replication_role = replica"]
        script += [f"DELETE FROM {table}" for table in tables]
        for table in tables:
            for row in await conn.fetch(f"SELECT * FROM {table}"):
                values = ", ".join(_literal(value) for value in row.values())
                script.append(f"INSERT INTO {table} VALUES ({values})")
        for table, column in await conn.fetch(
            "SELECT table_name, column_name FROM information_schema.columns"
            " WHERE table_schema = current_schema() AND is_identity = 'YES'"
        ):
            script.append(f"SELECT setval(pg_get_serial_sequence('{table}', '{column}'), 1, false)")
        script.append("RESET session_replication_role")
        return ";\n".join(script)
    finally:
        await conn.close()


@dataclass(frozen=True)
class SharedSchema:
    """One migrated schema every PostgreSQL test of the `db` fixture uses in turn, emptied
    after each: migrating a schema per test would cost ~0.2 s, emptying one costs ~0.01 s."""

    url: str
    emptying: str

    async def empty(self) -> None:
        conn = await asyncpg.connect(self.url)
        try:
            await conn.execute(self.emptying)
        finally:
            await conn.close()


def _apart(work: Coroutine[Any, Any, T]) -> T:
    """`work` run to its end on an event loop of its own (the first test to ask for a session
    fixture asks from inside its own loop)."""
    with ThreadPoolExecutor(1) as thread:
        return thread.submit(asyncio.run, work).result()


@pytest.fixture(scope="session")
def shared_schema() -> Iterator[SharedSchema]:
    async def create() -> SharedSchema:
        url = await _create_schema(name)
        database = await Database.open(url)
        await database.close()
        return SharedSchema(url, await _emptying(url))

    name = f"test_shared_{uuid.uuid4().hex[:8]}"
    try:
        yield _apart(create())
    finally:
        _apart(_drop_schema(name))


@pytest.fixture(params=ENGINES)
def db_target(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Where the test's database lives (what a second process or a restart opens again): a
    SQLite file of its own, or the shared PostgreSQL schema."""
    if request.param == "sqlite":
        return str(tmp_path / "shop.sqlite3")
    schema: SharedSchema = request.getfixturevalue("shared_schema")
    return schema.url


@pytest.fixture
async def db(request: pytest.FixtureRequest, db_target: str) -> AsyncIterator[Database]:
    database = await Database.open(db_target)
    try:
        yield database
    finally:
        await database.close()
        if is_postgres(db_target):
            schema: SharedSchema = request.getfixturevalue("shared_schema")
            await schema.empty()


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


@pytest.fixture
async def serve_app() -> AsyncIterator[Callable[[web.Application], Any]]:
    """Serve an app on 127.0.0.1 (a free port); yields a starter returning its base URL."""
    runners: list[web.AppRunner] = []

    async def start(app: web.Application) -> str:
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        runners.append(runner)
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        return f"http://127.0.0.1:{next(iter(runner.addresses))[1]}"

    yield start
    for runner in runners:
        await runner.cleanup()
