"""The container's health check: healthy only while a bot process keeps its lease."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import threading
from collections.abc import AsyncIterator, Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest

import tests.conftest
from storage import kv
from storage.db import Database
from storage.liveness import problem
from tests.conftest import postgres_schema

ROOT = Path(__file__).resolve().parents[2]
DB_FILE = "shop.sqlite3"
TEST_URL = os.environ.get("DATABASE_TEST_URL") or "postgresql://postgres@127.0.0.1:5432/test"


class _Health(BaseHTTPRequestHandler):
    status = 200

    def do_GET(self) -> None:
        self.send_response(self.status)
        self.end_headers()

    def log_message(self, *args: object) -> None:  # quiet
        pass


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    """The shop's SQLite file at tmp_path/DB_FILE: these tests read that file (the PostgreSQL
    ones below have their own fixture)."""
    database = await Database.open(tmp_path / DB_FILE)
    yield database
    await database.close()


@pytest.fixture
def healthz() -> Iterator[tuple[str, type[_Health]]]:
    handler = type("Health", (_Health,), {})
    server = HTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/healthz", handler
    server.shutdown()
    server.server_close()


async def test_healthy_while_the_lease_is_renewed(db: Database, tmp_path: Path) -> None:
    path = tmp_path / DB_FILE
    assert problem(path, None) == "no bot process has renewed its lease in the last seconds"
    assert await kv.take_lease(db, kv.SENDER_LEASE, "bot", 10)
    assert problem(path, None) is None


async def test_an_expired_lease_is_unhealthy(db: Database, tmp_path: Path) -> None:
    assert await kv.take_lease(db, kv.SENDER_LEASE, "bot", -1)  # the holder stopped renewing
    assert "lease" in (problem(tmp_path / DB_FILE, None) or "")


def test_no_database_is_unhealthy_and_creates_nothing(tmp_path: Path) -> None:
    missing = tmp_path / "nothing.sqlite3"
    assert problem(missing, None) == f"no database at {missing}"
    assert not missing.exists()


async def test_webhook_mode_needs_healthz_too(
    db: Database, tmp_path: Path, healthz: tuple[str, type[_Health]]
) -> None:
    url, handler = healthz
    assert await kv.take_lease(db, kv.SENDER_LEASE, "bot", 10)
    assert problem(tmp_path / DB_FILE, url) is None
    handler.status = 503
    assert "did not answer ok" in (problem(tmp_path / DB_FILE, url) or "")


async def test_the_command_exits_0_or_1_with_one_line(db: Database, tmp_path: Path) -> None:
    env = {**os.environ, "DATABASE_PATH": str(tmp_path / DB_FILE)}
    env.pop("WEBHOOK_URL", None)

    def run() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "storage.liveness"],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip

    sick = run()
    assert (sick.returncode, sick.stderr.count("\n")) == (1, 1)
    assert sick.stderr.startswith("unhealthy: no bot process")
    assert await kv.take_lease(db, kv.SENDER_LEASE, "bot", 10)
    healthy = run()
    assert (healthy.returncode, healthy.stderr) == (0, "")


@pytest.fixture
async def postgres(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[tuple[str, Database]]:
    """A shop on PostgreSQL (DATABASE_TEST_URL, the CI machine's by default): URL and database."""
    monkeypatch.setattr(tests.conftest, "DATABASE_TEST_URL", TEST_URL)
    async with postgres_schema() as url:
        database = await Database.open(url)
        yield url, database
        await database.close()


async def test_a_postgresql_shop_is_healthy_while_the_lease_is_renewed(
    postgres: tuple[str, Database],
) -> None:
    url, database = postgres
    assert await asyncio.to_thread(problem, url, None) == (
        "no bot process has renewed its lease in the last seconds"
    )
    assert await kv.take_lease(database, kv.SENDER_LEASE, "bot", 10)
    assert await asyncio.to_thread(problem, url, None) is None
    await kv.release_lease(database, kv.SENDER_LEASE, "bot")
    assert await kv.take_lease(database, kv.SENDER_LEASE, "bot", -1)  # it stopped renewing
    assert "lease" in (await asyncio.to_thread(problem, url, None) or "")


async def test_the_command_reads_database_url(postgres: tuple[str, Database]) -> None:
    url, database = postgres
    env = {**os.environ, "DATABASE_URL": url, "DATABASE_PATH": "/nonexistent/shop.sqlite3"}
    env.pop("WEBHOOK_URL", None)
    assert await kv.take_lease(database, kv.SENDER_LEASE, "bot", 30)
    healthy = await asyncio.to_thread(
        subprocess.run, [sys.executable, "-m", "storage.liveness"], cwd=ROOT, env=env,
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert (healthy.returncode, healthy.stderr) == (0, "")


def test_an_unreachable_postgresql_is_unhealthy_without_its_password() -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    found = problem(f"postgresql://shop:s3cret@127.0.0.1:{port}/shop", None) or ""
    assert found.startswith("the database does not answer")
    assert "s3cret" not in found
