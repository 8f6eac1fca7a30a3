"""kill -9 in the middle of a checkout and of a poll, then a restart: nothing lost, nothing twice."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from urllib.parse import parse_qsl

import pytest
from aiohttp import web

from bot.panel.sandbox import SandboxPanel
from bot.panel.serve import build_app
from storage import ledger, orders
from storage.db import Database
from storage.orders import Order, State
from tests.e2e.conftest import PANEL_KEY, ROOT, Process, clean_env, free_port
from tests.e2e.telegram_emulator import Person, TelegramEmulator, TgUser
from tests.e2e.test_polling import ADMIN_ID, CREDIT, CUSTOMER, LINK, credit, push

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class HeldPanel:
    """The sandbox panel over HTTP that can hold requests of chosen actions forever."""

    def __init__(self) -> None:
        # every order ends Partial, so a refund is owed: the thing that must happen exactly once
        self.panel = SandboxPanel(
            key=PANEL_KEY, pending_seconds=0.5, complete_seconds=1.5, partial_every=1
        )
        self.hold: set[str] = set()
        self.arrived: Counter[str] = Counter()
        self.url = ""
        self._runner: web.AppRunner | None = None
        self._closing = asyncio.Event()

    @web.middleware
    async def _gate(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        action = dict(parse_qsl((await request.read()).decode())).get("action", "")
        self.arrived[action] += 1
        if action in self.hold:
            await self._closing.wait()  # the bot dies first; the request is never answered
        return await handler(request)

    async def start(self) -> None:
        app = build_app(self.panel)
        app.middlewares.append(self._gate)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        port = free_port()
        await web.TCPSite(self._runner, "127.0.0.1", port).start()
        self.url = f"http://127.0.0.1:{port}/api/v2"

    async def close(self) -> None:
        self._closing.set()
        if self._runner is not None:
            await self._runner.cleanup()


@pytest.fixture
async def held() -> AsyncIterator[HeldPanel]:
    panel = HeldPanel()
    await panel.start()
    try:
        yield panel
    finally:
        await panel.close()


async def until(check: Callable[[], Awaitable[bool]], what: str, deadline: float = 20) -> None:
    loop = asyncio.get_running_loop()
    end = loop.time() + deadline
    while not await check():
        if loop.time() > end:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.1)


async def order_in(path: Path, order_id: int = 1) -> Order | None:
    db = await Database.open(path)
    try:
        return await orders.get(db, order_id)
    finally:
        await db.close()


async def refunds(path: Path) -> int:
    db = await Database.open(path)
    try:
        return len([e for e in await ledger.recent(db, CUSTOMER.id, 50) if e.kind == "refund"])
    finally:
        await db.close()


def audit(path: Path) -> subprocess.CompletedProcess[str]:
    env = clean_env(BOT_TOKEN="123:TEST", DATABASE_PATH=str(path))
    return subprocess.run(
        [sys.executable, "-m", "bot", "audit"], cwd=ROOT, env=env, capture_output=True,
        text=True, timeout=60, check=False,
    )  # fmt: skip


def kill9(emulator: TelegramEmulator, bot: Process) -> None:
    emulator.guards.remove(bot.assert_running)  # its death is the point here
    bot.popen.kill()  # SIGKILL: no handler runs, nothing is flushed
    bot.popen.wait()


async def buy(emulator: TelegramEmulator, path: Path, *, placed: bool) -> None:
    ann = Person(emulator, CUSTOMER)
    await ann.send("/start", expect="New order")
    await credit(path, CUSTOMER, CREDIT)
    await order_101(ann, placed="Order #1 is placed" if placed else None)


async def order_101(ann: Person, *, placed: str | None) -> None:
    """From the main menu to Confirm: 1000 followers of service 101."""
    await ann.press("New order", expect="Instagram Followers (")
    await ann.press("Instagram Followers (", expect="#101 ")
    await ann.press("#101 ", expect="Order this")
    await ann.press("Order this", expect="link")
    await ann.send(LINK, expect="How many")
    await ann.send("1000", expect="Please check your order")
    await ann.press("Confirm", expect=placed)


async def test_kill_during_checkout_leaves_the_order_unknown_after_restart(
    emulator: TelegramEmulator,
    spawn_bot: Callable[[dict[str, str]], Process],
    held: HeldPanel,
    tmp_path: Path,
) -> None:
    path = tmp_path / "shop.sqlite3"
    emulator.known(TgUser(id=ADMIN_ID, first_name="Owner"))
    settings = {"PANEL_URL": held.url, "PANEL_KEY": PANEL_KEY, "ADMIN_IDS": str(ADMIN_ID)}
    held.hold.add("add")
    bot = spawn_bot(settings)
    await emulator.wait_for(lambda: "getUpdates" in emulator.methods(), "the bot to poll", 30)
    await buy(emulator, path, placed=False)

    async def add_arrived() -> bool:
        return held.arrived["add"] == 1

    await until(add_arrived, "the add request")
    kill9(emulator, bot)
    order = await order_in(path)
    assert order is not None
    assert order.state is State.SUBMITTING  # money taken, answer never came

    held.hold.clear()
    spawn_bot(settings)

    async def unknown() -> bool:
        found = await order_in(path)
        return found is not None and found.state is State.UNKNOWN

    # once the dead process's lease (15 s) runs out, the next sweep takes its order
    await until(unknown, "the restart to mark the order unknown", deadline=40)
    await emulator.wait_for(
        lambda: push(emulator, ADMIN_ID, 0, "#1", "/review"), "the admin's alert"
    )
    assert held.arrived["add"] == 1  # never retried
    assert await refunds(path) == 0  # an admin decides
    done = audit(path)
    assert done.returncode == 0, done.stdout + done.stderr


async def test_kill_during_a_poll_refunds_and_tells_once(
    emulator: TelegramEmulator,
    spawn_bot: Callable[[dict[str, str]], Process],
    held: HeldPanel,
    tmp_path: Path,
) -> None:
    path = tmp_path / "shop.sqlite3"
    settings = {"PANEL_URL": held.url, "PANEL_KEY": PANEL_KEY}
    bot = spawn_bot(settings)
    await emulator.wait_for(lambda: "getUpdates" in emulator.methods(), "the bot to poll", 30)
    held.hold.add("status")  # every poll from now on hangs
    await buy(emulator, path, placed=True)
    polls = held.arrived["status"]

    async def polling() -> bool:
        return held.arrived["status"] > polls

    await until(polling, "a status poll")
    kill9(emulator, bot)
    held.hold.clear()
    await asyncio.sleep(2)  # the panel finishes the order (Partial) meanwhile
    restarted = spawn_bot(settings)

    async def partial() -> bool:
        found = await order_in(path)
        return found is not None and found.state is State.PARTIAL

    # the dead process's poller lease runs out first (3 poll intervals, at least 10 s)
    await until(partial, "the restarted bot to see the Partial order", deadline=30)
    await emulator.wait_for(
        lambda: push(emulator, CUSTOMER.id, 0, "#1", "partly"), "the 'partial' push"
    )
    await asyncio.sleep(3)  # several more polls and sender passes
    pushes = [s for s in emulator.said_to(CUSTOMER.id, after=0) if "partly" in s.text]
    assert len(pushes) == 1
    assert await refunds(path) == 1
    restarted.terminate()
    assert await restarted.exit_status() == 0
    done = audit(path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "audit: OK" in done.stdout
