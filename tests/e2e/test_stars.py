"""kill -9 while the bot handles a Stars payment: after a restart, reconciliation credits it once."""

from __future__ import annotations

import asyncio
import sqlite3
import sys
from collections.abc import Callable
from pathlib import Path

from storage import ledger, payments
from storage.db import Database
from storage.payments import State
from tests.e2e.conftest import ROOT, TOKEN, Process, clean_env, free_port
from tests.e2e.telegram_emulator import Person, TelegramEmulator, TgUser
from tests.e2e.test_crash import kill9, until
from tests.e2e.test_polling import ADMIN_ID

CUSTOMER = TgUser(id=5101, first_name="Ann", username="ann")
SETTINGS = {
    "ADMIN_IDS": str(ADMIN_ID), "STARS_PER_UNIT": "77", "STARS_IN_SANDBOX": "true",
    "STARS_RECONCILE_SECONDS": "2",
}  # fmt: skip


async def audit(path: Path, telegram: str) -> tuple[int, str]:
    """`python -m bot audit` against the emulator, which keeps answering meanwhile."""
    env = clean_env(BOT_TOKEN=TOKEN, DATABASE_PATH=str(path), TELEGRAM_API_URL=telegram)
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "audit", cwd=ROOT, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    output, _ = await asyncio.wait_for(process.communicate(), 60)
    return await process.wait(), output.decode()


async def credits(path: Path) -> dict[str, int]:
    db = await Database.open(path)
    try:
        return {e.note: e.amount for e in await ledger.recent(db, CUSTOMER.id, 50)}
    finally:
        await db.close()


async def test_kill_during_a_stars_payment_is_credited_by_reconciliation_after_restart(
    emulator: TelegramEmulator, spawn_bot: Callable[[dict[str, str]], Process], tmp_path: Path
) -> None:
    path = tmp_path / "shop.sqlite3"
    emulator.known(TgUser(id=ADMIN_ID, first_name="Owner"))
    bot = spawn_bot(SETTINGS)
    await emulator.wait_for(lambda: "getUpdates" in emulator.methods(), "the bot to poll", 30)
    ann = Person(emulator, CUSTOMER)
    await ann.send("/start", expect="Balance")
    await ann.press("Balance", expect="Top up")
    await ann.press("Top up", expect="$10.00")
    await ann.press("$10.00", expect="Telegram Stars")
    await ann.press("Telegram Stars")
    await emulator.wait_for(lambda: CUSTOMER.id in emulator.invoices, "the invoice")
    invoice = await emulator.pre_checkout(CUSTOMER)

    # Hold the database's write lock: the bot takes the payment update and cannot commit it.
    lock = sqlite3.connect(path, timeout=10, isolation_level=None)
    lock.execute("BEGIN IMMEDIATE")
    try:
        charge_id, update = await emulator.pay(CUSTOMER, invoice)
        await emulator.wait_for(
            lambda: emulator.fetched(update["update_id"]), "the bot to take the payment"
        )
        kill9(emulator, bot)
    finally:
        lock.rollback()
        lock.close()
    db = await Database.open(path)
    try:
        payment = await payments.get(db, 1)
    finally:
        await db.close()
    assert payment is not None
    assert payment.state is State.PENDING  # Stars taken at Telegram, nothing credited here
    assert await credits(path) == {}
    status, report = await audit(path, emulator.base_url)
    assert status == 1, report
    assert f"Stars charge {charge_id} (770 XTR, user {CUSTOMER.id}) was paid at Telegram" in report

    # Telegram will not hand the update over again: only its record tells.
    emulator.lose_updates()
    mark = emulator.said_seq
    restarted = spawn_bot(SETTINGS)

    async def credited() -> bool:
        return await credits(path) == {"payment #1": 1000}

    # the dead process's poller lease runs out first (at least 10 s)
    await until(credited, "reconciliation to credit the payment", deadline=40)
    await emulator.wait_for_said(CUSTOMER.id, "Payment received: $10.00", after=mark)
    await emulator.wait_for_said(ADMIN_ID, charge_id, after=mark)
    restarted.terminate()
    assert await restarted.exit_status() == 0
    status, report = await audit(path, emulator.base_url)
    assert status == 0, report
    assert "Stars transactions checked with Telegram: 1" in report
    assert "audit: OK" in report


async def test_the_audit_says_when_it_cannot_reach_telegram(tmp_path: Path) -> None:
    path = tmp_path / "shop.sqlite3"
    db = await Database.open(path)
    try:
        async with db.transaction() as conn:
            await conn.execute(
                "INSERT INTO users (id, first_name, created_at, last_seen_at) VALUES (1, 'A', 0, 0)"
            )
            await payments.create(conn, user_id=1, method=payments.Method.STARS, amount=100)
    finally:
        await db.close()
    status, report = await audit(path, f"http://127.0.0.1:{free_port()}")  # nobody listens
    assert status == 0, report
    assert "NOTE Telegram not reached" in report
    assert "paid Stars not checked" in report
