"""REDIS_URL at start: drafts where it says, and a one-line exit when Redis cannot be reached."""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from aiogram.fsm.storage.base import StorageKey
from aiogram.fsm.storage.redis import RedisStorage

from bot.app import build_dispatcher
from bot.config import Settings
from bot.drafts import DraftStorage
from bot.runtime import StartupError, runtime
from tests.conftest import PER_USER_STATE, REDIS_TEST_URL

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "123456:SECRET-token-value"


@pytest.mark.parametrize("where", PER_USER_STATE)
async def test_a_draft_outlives_the_runtime_where_redis_url_says(
    where: str, tmp_path: Path
) -> None:
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        bot_token=TOKEN,
        database_path=tmp_path / "shop.sqlite3",
        redis_url=REDIS_TEST_URL if where == "redis" else "",
    )
    key = StorageKey(bot_id=secrets.randbelow(10**9), chat_id=5, user_id=5)  # this run's own
    async with runtime(settings) as deps:
        storage = build_dispatcher(deps).storage
        await storage.set_state(key, "OrderForm:quantity")
    kind = RedisStorage if where == "redis" else DraftStorage
    assert type(storage) is kind

    async with runtime(settings) as deps:  # the next start
        storage = build_dispatcher(deps).storage
        assert await storage.get_state(key) == "OrderForm:quantity"
        await storage.set_state(key, None)


def test_start_with_redis_unreachable_exits_1_in_one_line(tmp_path: Path) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "BOT_TOKEN": TOKEN}
    env["REDIS_URL"] = f"redis://:s3cret-pass@127.0.0.1:{port}/0"
    done = subprocess.run(
        [sys.executable, "-m", "bot"], cwd=tmp_path, env=env, capture_output=True, text=True,
        timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 1, done.stderr
    assert "cannot start: cannot reach Redis at REDIS_URL" in done.stderr
    assert "Traceback" not in done.stderr
    assert "s3cret" not in done.stderr


async def test_a_worker_starts_without_redis_a_web_process_does_not(tmp_path: Path) -> None:
    """Only a process that takes updates keeps drafts and locks: a worker needs no Redis."""
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        bot_token=TOKEN,
        database_path=tmp_path / "shop.sqlite3",
        redis_url=f"redis://127.0.0.1:{port}/0",
    )
    async with runtime(settings, per_user=False) as deps:
        assert deps.sessions is None
    with pytest.raises(StartupError, match="cannot reach Redis at REDIS_URL"):
        async with runtime(settings):
            pass


def test_a_shop_without_redis_does_not_load_the_redis_client() -> None:
    """Its client is ~4 MB of every process's memory: only a shop with REDIS_URL pays for it."""
    loaded = subprocess.run(
        [sys.executable, "-c", "import sys, bot.__main__; print('redis' in sys.modules)"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert loaded.stdout.strip() == "False"
