"""`python -m bot --role web` and `--role worker` on one SQLite file, over real HTTP.

The web process takes the updates (webhook) and runs no jobs; the worker (through the emulator's
`/quiet` address, so its calls are told apart) polls the panel and sends the pushes. A second
worker waits; when the first is killed with SIGKILL, it takes the leases over within a lease
period and the next push arrives, once.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

from bot.jobs.scheduler import SENDER_LEASE_SECONDS
from storage import kv
from tests.e2e.conftest import PANEL_KEY, Process, free_port
from tests.e2e.telegram_emulator import Call, Person, TelegramEmulator, TgUser
from tests.e2e.test_crash import audit, kill9, order_101, until
from tests.e2e.test_polling import ADMIN_ID, CREDIT, CUSTOMER, credit

SECRET = "e2e-roles-secret-0123456789"
# At POLL_INTERVAL_SECONDS=1 the poller lease lasts max(3 * 1, 10) s, as long as the sender's.
LEASE_SECONDS = SENDER_LEASE_SECONDS
ONLY_FOR_UPDATES = {"getUpdates", "setWebhook", "deleteWebhook"}


def read(path: Path, sql: str, *params: str) -> object:
    with sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True, timeout=5) as conn:
        row = conn.execute(sql, params).fetchone()
    return None if row is None else row[0]


def holder(path: Path, lease: str) -> object:
    return read(path, "SELECT holder FROM leases WHERE name = ?", lease)


def pushes(emulator: TelegramEmulator, order_id: int) -> list[Call]:
    """The 'completed' pushes about an order, as the bot sent them."""
    return [
        call
        for call in emulator.calls
        if call.method == "sendMessage"
        and call.params.get("chat_id") == CUSTOMER.id
        and f"#{order_id}" in str(call.params.get("text"))
        and "complete" in str(call.params.get("text")).lower()
    ]


async def pushed_once(emulator: TelegramEmulator, path: Path, order_id: int) -> None:
    """The push about `order_id` arrived, the outbox is empty (nothing left to send it again),
    and it came once, from a worker."""
    await emulator.wait_for(lambda: pushes(emulator, order_id), f"the push about #{order_id}")

    async def outbox_empty() -> bool:
        sql = "SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL AND failed IS NULL"
        return read(path, sql) == 0

    await until(outbox_empty, "the outbox to be sent")
    found = pushes(emulator, order_id)
    assert len(found) == 1, [call.params.get("text") for call in found]
    assert found[0].quiet  # the worker sent it, not the web process


async def test_a_web_process_and_a_worker_share_the_shop_and_a_standby_worker_takes_over(
    emulator: TelegramEmulator,
    spawn_bot: Callable[..., Process],
    sandbox_panel_url: str,
    tmp_path: Path,
) -> None:
    path = tmp_path / "shop.sqlite3"
    emulator.known(TgUser(id=ADMIN_ID, first_name="Owner"))
    port = free_port()
    url = f"http://127.0.0.1:{port}/telegram/hook"
    # One environment for every process, as compose gives them: the worker ignores the webhook
    # settings (listening on the same port would stop it at start).
    shop = {
        "PANEL_URL": sandbox_panel_url, "PANEL_KEY": PANEL_KEY, "ADMIN_IDS": str(ADMIN_ID),
        "WEBHOOK_URL": url, "WEBHOOK_SECRET": SECRET, "WEBHOOK_PORT": str(port),
    }  # fmt: skip
    worker_env = {**shop, "TELEGRAM_API_URL": f"{emulator.base_url}/quiet"}
    web = spawn_bot(shop, "--role", "web")
    worker = spawn_bot(worker_env, "--role", "worker")
    hook = await emulator.wait_for(lambda: emulator.webhook, "setWebhook", 30)
    assert hook["url"] == url

    async def catalog_synced() -> bool:  # by the worker: a web process does not sync
        return path.exists() and bool(read(path, "SELECT COUNT(*) FROM services"))

    await until(catalog_synced, "the worker to sync the catalog", deadline=30)
    ann = Person(emulator, CUSTOMER)
    await ann.send("/start", expect="New order")
    await credit(path, CUSTOMER, CREDIT)
    await order_101(ann, placed="Order #1 is placed")
    await pushed_once(emulator, path, 1)
    first = holder(path, kv.POLLER_LEASE)
    assert first is not None and holder(path, kv.SENDER_LEASE) == first

    standby = spawn_bot(worker_env, "--role", "worker")

    async def standby_started() -> bool:
        return "started (worker: jobs only" in standby.stderr()

    await until(standby_started, "the second worker to start", deadline=30)
    assert holder(path, kv.POLLER_LEASE) == first  # one worker at a time works

    kill9(emulator, worker)
    killed = time.monotonic()

    async def taken_over() -> bool:
        leases = {holder(path, name) for name in (kv.POLLER_LEASE, kv.SENDER_LEASE)}
        return len(leases) == 1 and None not in leases and first not in leases

    await until(taken_over, "the standby worker to take the leases", deadline=LEASE_SECONDS + 10)
    # The lease lapses at most LEASE_SECONDS after the dead worker's last renewal; the standby
    # tries every second.
    assert time.monotonic() - killed <= LEASE_SECONDS + 3

    await ann.send("/start", expect="New order")
    await order_101(ann, placed="Order #2 is placed")
    await pushed_once(emulator, path, 2)
    assert len(pushes(emulator, 1)) == 1

    by_workers = {call.method for call in emulator.calls if call.quiet}
    assert not by_workers & {*ONLY_FOR_UPDATES, "setMyCommands"}, by_workers
    assert "getUpdates" not in emulator.methods()  # the web process takes them by webhook
    web.terminate()
    assert await web.exit_status() == 0, web.stderr()[-3000:]
    assert emulator.webhook is not None  # a web process leaving keeps the others' webhook
    assert "deleteWebhook" not in emulator.methods()
    standby.terminate()
    assert await standby.exit_status() == 0, standby.stderr()[-3000:]
    for process in (web, standby):
        assert "Traceback" not in process.stderr(), process.stderr()[-3000:]
    done = audit(path)
    assert done.returncode == 0, done.stdout + done.stderr
