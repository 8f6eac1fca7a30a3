"""The container's health check: healthy only while a bot process keeps its lease."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest

from storage import kv
from storage.db import Database
from storage.liveness import problem

ROOT = Path(__file__).resolve().parents[2]
DB_FILE = "shop.sqlite3"  # where the `db` fixture opens its database


class _Health(BaseHTTPRequestHandler):
    status = 200

    def do_GET(self) -> None:
        self.send_response(self.status)
        self.end_headers()

    def log_message(self, *args: object) -> None:  # quiet
        pass


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
