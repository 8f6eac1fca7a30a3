"""End-to-end fixtures: the Bot API emulator, the sandbox panel and the bot as real processes."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.config import Settings
from tests.e2e.telegram_emulator import Call, TelegramEmulator, TgUser

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "123:TEST"
PANEL_KEY = "e2e-panel-key"
START_DEADLINE = 30.0  # importing aiogram alone takes seconds on a slow machine
STOP_DEADLINE = 20.0
SLOW_TELEGRAM = 1.0  # seconds the emulator takes to accept the reply being sent at SIGTERM
# test_replicas.py runs three processes on PostgreSQL and Redis: it is collected only where the
# environment names a test database of each (CI does), instead of being collected and skipped.
collect_ignore_glob = (
    []
    if os.environ.get("DATABASE_TEST_URL") and os.environ.get("REDIS_TEST_URL")
    else ["test_replicas.py"]
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def clean_env(**settings: str) -> dict[str, str]:
    """This environment without any of the bot's settings (a CI variable must not leak in)."""
    names = {name.upper() for name in Settings.model_fields}
    env = {name: value for name, value in os.environ.items() if name.upper() not in names}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env.update(settings)
    return env


class Process:
    """A child `python -m bot ...` whose output goes to files (a full pipe cannot stall it)."""

    def __init__(self, name: str, args: list[str], env: dict[str, str], folder: Path) -> None:
        self.name = name
        self.stdout_path = folder / f"{name}.stdout"
        self.stderr_path = folder / f"{name}.stderr"
        with self.stdout_path.open("wb") as out, self.stderr_path.open("wb") as err:
            self.popen = subprocess.Popen(
                [sys.executable, "-m", "bot", *args], cwd=folder, env=env, stdout=out, stderr=err
            )

    def stdout(self) -> str:
        return self.stdout_path.read_text("utf-8", "replace")

    def stderr(self) -> str:
        return self.stderr_path.read_text("utf-8", "replace")

    def assert_running(self) -> None:
        code = self.popen.poll()
        if code is not None:
            raise AssertionError(
                f"{self.name} exited early with status {code}; stderr:\n{self.stderr()[-3000:]}"
            )

    def terminate(self) -> None:
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)

    async def exit_status(self, deadline: float = STOP_DEADLINE) -> int:
        """Wait for the process to end, letting the event loop (the emulator) run meanwhile."""
        end = time.monotonic() + deadline
        while (code := self.popen.poll()) is None:
            if time.monotonic() > end:
                raise AssertionError(
                    f"{self.name} did not exit within {deadline:.0f}s; stderr:\n"
                    f"{self.stderr()[-3000:]}"
                )
            await asyncio.sleep(0.05)
        return code

    def kill(self) -> None:
        """Whatever state it is in: gone, and reaped, when this returns."""
        if self.popen.poll() is None:
            self.popen.terminate()
            try:
                self.popen.wait(5)
            except subprocess.TimeoutExpired:
                self.popen.kill()
        self.popen.wait()


def wait_line(process: Process, prefix: str, deadline: float = START_DEADLINE) -> str:
    """Block (no event loop runs here) until the process prints a line starting with `prefix`."""
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        for line in process.stdout().splitlines():
            if line.startswith(prefix):
                return line
        process.assert_running()
        time.sleep(0.05)
    raise AssertionError(f"{process.name} printed no {prefix!r} in {deadline:.0f}s")


@pytest.fixture(scope="session")
def sandbox_panel_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`python -m bot sandbox-panel` on a free port, once per session (it starts in seconds).

    Started without BOT_TOKEN: the tool must not need one.
    """
    folder = tmp_path_factory.mktemp("panel")
    args = ["sandbox-panel", "--port", "0", "--key", PANEL_KEY]
    args += ["--pending-seconds", "1", "--complete-seconds", "3", "--partial-every", "0"]
    panel = Process("sandbox-panel", args, clean_env(), folder)
    try:
        line = wait_line(panel, "sandbox panel listening on ")
        yield line.removeprefix("sandbox panel listening on ").strip()
    finally:
        panel.kill()


@pytest.fixture
async def emulator() -> AsyncIterator[TelegramEmulator]:
    telegram = TelegramEmulator(TOKEN)
    await telegram.start()
    try:
        yield telegram
    finally:
        await telegram.close()


@pytest.fixture
async def spawn_bot(
    tmp_path: Path, emulator: TelegramEmulator
) -> AsyncIterator[Callable[..., Process]]:
    """Start `python -m bot [args]` against the emulator; whatever happens, it is gone afterwards.

    Async so that the emulator keeps answering while a bot shuts down after a failed test.
    """
    started: list[Process] = []

    def spawn(settings: dict[str, str], *args: str) -> Process:
        defaults = {
            "BOT_TOKEN": TOKEN,
            "TELEGRAM_API_URL": emulator.base_url,
            "DATABASE_PATH": str(tmp_path / "shop.sqlite3"),
            "POLL_INTERVAL_SECONDS": "1",
            "LOG_LEVEL": "INFO",
        }
        env = clean_env(**{**defaults, **settings})
        process = Process(f"bot{len(started)}", list(args), env, tmp_path)
        started.append(process)
        emulator.guards.append(process.assert_running)
        return process

    try:
        yield spawn
    finally:
        emulator.guards.clear()
        stuck: list[AssertionError] = []
        for process in started:
            process.terminate()
        for process in started:
            try:
                await process.exit_status(STOP_DEADLINE)
            except AssertionError as error:
                stuck.append(error)
            finally:
                process.kill()
        if stuck:
            raise stuck[0]


async def terminate_mid_update(
    emulator: TelegramEmulator, bot: Process, user: TgUser, *, press: str | None = None
) -> tuple[int, Call, dict[str, Any]]:
    """SIGTERM while the bot is answering `/start`, or a press of the button `press` (the
    screen it edits), Telegram made slow: (status, reply, update).

    A graceful bot lets that reply finish before it exits. (Over a webhook, /start's reply
    goes back in the answer to the POST: a press's edit is a request of its own.)
    """
    method = "sendMessage" if press is None else "editMessageText"
    emulator.delays[method] = SLOW_TELEGRAM
    mark, sent = len(emulator.calls), len(emulator.delivered)
    # A webhook POST is answered only once its update is handled: it runs meanwhile.
    delivering = asyncio.create_task(
        emulator.send_text(user, "/start") if press is None else emulator.press(user, press)
    )

    def replying() -> Call | None:
        for call in emulator.calls[mark:]:
            if call.method == method and call.params.get("chat_id") == user.id:
                return call
        return None

    reply: Call = await emulator.wait_for(replying, "the bot to start answering")
    assert not reply.answered
    bot.terminate()
    status = await bot.exit_status()
    delivering.cancel()  # a POST the bot did not answer in time is made again, to a bot gone
    await asyncio.gather(delivering, return_exceptions=True)
    return status, reply, emulator.delivered[sent]
