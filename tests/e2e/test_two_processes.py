"""Two bot processes started on one database at once: nothing placed twice, refunded twice or lost.

The second process is a whole bot (start-up recovery, scheduler, sender) on the same file and
token, which Telegram simply never hands an update to, as when another replica got them all.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
from aiohttp import web

from storage.orders import State
from tests.e2e.conftest import PANEL_KEY, Process
from tests.e2e.telegram_emulator import Person, TelegramEmulator, TgUser
from tests.e2e.test_crash import Handler, HeldPanel, audit, order_101, order_in, until
from tests.e2e.test_polling import ADMIN_ID, CREDIT, CUSTOMER, credit


class ReleasablePanel(HeldPanel):
    """`HeldPanel` whose held requests go through once the test says so."""

    def __init__(self) -> None:
        super().__init__()
        self.released = asyncio.Event()

    @web.middleware
    async def _gate(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        body = (await request.read()).decode()
        action = dict(part.split("=", 1) for part in body.split("&") if "=" in part).get("action")
        self.arrived[action or ""] += 1
        if action in self.hold:
            await self.released.wait()
        return await handler(request)


@pytest.fixture
async def panel() -> AsyncIterator[ReleasablePanel]:
    found = ReleasablePanel()
    await found.start()
    try:
        yield found
    finally:
        found.released.set()
        await found.close()


async def test_two_processes_on_one_database_place_refund_and_tell_once(
    emulator: TelegramEmulator,
    spawn_bot: Callable[[dict[str, str]], Process],
    panel: ReleasablePanel,
    tmp_path: Path,
) -> None:
    path = tmp_path / "shop.sqlite3"
    emulator.known(TgUser(id=ADMIN_ID, first_name="Owner"))
    settings = {"PANEL_URL": panel.url, "PANEL_KEY": PANEL_KEY, "ADMIN_IDS": str(ADMIN_ID)}
    quiet = {**settings, "TELEGRAM_API_URL": f"{emulator.base_url}/quiet"}
    spawn_bot(settings)  # both at once, on a file neither has created yet
    second = spawn_bot(quiet)
    await emulator.wait_for(lambda: "getUpdates" in emulator.methods(), "the bot to poll", 30)
    ann = Person(emulator, CUSTOMER)
    await ann.send("/start", expect="New order")
    await credit(path, CUSTOMER, CREDIT)
    await order_101(ann, placed="Order #1 is placed")

    panel.hold.add("add")  # order #2's answer is on its way while the second process restarts
    await ann.send("/start", expect="New order")
    await order_101(ann, placed=None)
    await until(lambda: _arrived(panel, 2), "the second add request")
    emulator.guards.remove(second.assert_running)  # its stop is the point here
    second.terminate()
    assert await second.exit_status() == 0
    spawn_bot(quiet)  # its start-up recovery, then a sweep each second
    await asyncio.sleep(6)
    in_flight = await order_in(path, 2)
    assert in_flight is not None and in_flight.state is State.SUBMITTING  # not stolen
    panel.released.set()
    await emulator.wait_for_said(CUSTOMER.id, "Order #2 is placed")

    async def both_partial() -> bool:
        found = [await order_in(path, order_id) for order_id in (1, 2)]
        return all(order is not None and order.state is State.PARTIAL for order in found)

    await until(both_partial, "both orders to end Partial", deadline=40)
    await asyncio.sleep(3)  # more polls and sender passes, from both processes
    for order_id in (1, 2):
        pushes = [
            said
            for said in emulator.said_to(CUSTOMER.id)
            if said.method == "sendMessage"
            and f"#{order_id}" in said.text
            and "partly" in said.text
        ]
        assert len(pushes) == 1, [said.text for said in pushes]
    assert panel.arrived["add"] == 2  # nothing placed twice upstream
    done = audit(path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "audit: OK" in done.stdout


async def _arrived(panel: ReleasablePanel, count: int) -> bool:
    return panel.arrived["add"] == count
