"""`python -m bot migrate-to postgresql://...`: a SQLite shop moved to PostgreSQL, every row kept.

Against the PostgreSQL at DATABASE_TEST_URL (the CI machine's by default), each test in a
schema of its own.
"""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from pydantic import SecretStr

import tests.conftest
from bot.config import Settings
from bot.jobs.catalog import sync_catalog
from bot.migrate_tool import migrate_to
from bot.panel.client import PanelClient
from storage import (
    drafts,
    kv,
    ledger,
    orders,
    outbox,
    payments,
    promos,
    referrals,
    services,
    support,
    users,
)
from storage.db import Database
from storage.orders import State
from tests.conftest import postgres_schema
from tests.unit.tracking_fixtures import add_order, add_user

ROOT = Path(__file__).resolve().parents[2]
TEST_URL = os.environ.get("DATABASE_TEST_URL") or "postgresql://postgres@127.0.0.1:5432/test"
TOKEN = "123456:SECRET-token-value"
CUSTOMERS = (501, 502, 503)


@pytest.fixture
async def target(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[str]:
    """An empty schema of the test database: its URL."""
    monkeypatch.setattr(tests.conftest, "DATABASE_TEST_URL", TEST_URL)
    async with postgres_schema() as url:
        yield url


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        bot_token=TOKEN,
        database_path=tmp_path / "shop.sqlite3",
    )


async def build_shop(db: Database, panel: PanelClient) -> None:
    """A shop that has run a while: catalog, customers, orders in several states, refunds,
    refills, top-ups, promos, referrals, tickets, drafts, queued messages, leases."""
    await sync_catalog(db, panel)
    ids = [row[0] for row in await db.fetchall("SELECT id FROM services ORDER BY id")]
    await services.set_backup(db, ids[0], ids[-1])  # a service backed by a later one...
    await services.set_backup(db, ids[-1], ids[0])  # ...and back: copied whatever the order
    for customer in CUSTOMERS:
        await add_user(db, customer, balance=50_000 + customer)
    code = await referrals.code_of(db, CUSTOMERS[0])
    assert await referrals.attribute(db, CUSTOMERS[1], code) == CUSTOMERS[0]
    states = [State.ACTIVE, State.COMPLETED, State.PARTIAL, State.UNKNOWN, State.REVIEW]
    placed = []
    for number, state in enumerate(states, start=1):
        order = await add_order(
            db, upstream_id=7000 + number, user_id=CUSTOMERS[number % 3], state=state,
            charge=1000 * number, service_id=ids[number % len(ids)],
        )  # fmt: skip
        placed.append(order)
    canceled = await add_order(db, upstream_id=7100, user_id=CUSTOMERS[2], state=State.CANCELED)
    async with db.transaction() as conn:
        await ledger.post(
            conn, user_id=CUSTOMERS[2], amount=canceled.charge, key=f"refund:{canceled.id}",
            kind="refund", order_id=canceled.id,
        )  # fmt: skip
        await orders.add_refill(conn, placed[1].id, "refill-1")
        paid = await payments.create(
            conn, user_id=CUSTOMERS[0], method=payments.Method.MANUAL, amount=2500, note="IBAN"
        )
        assert await payments.decide(conn, paid.id, payments.State.PAID, decided_by=900)
        await ledger.post(
            conn, user_id=CUSTOMERS[0], amount=2500, key=f"payment:{paid.id}", kind="topup"
        )
        await payments.create(conn, user_id=CUSTOMERS[1], method=payments.Method.MANUAL, amount=99)
        ticket = await support.open_ticket(conn, CUSTOMERS[1], placed[0].id)
        await support.add_message(
            conn, ticket.id, CUSTOMERS[1], from_admin=False, text="Where is it? ✨", photo=None,
            source="502:77",
        )  # fmt: skip
        await outbox.put(conn, CUSTOMERS[1], "ticket-answer", {"id": ticket.id}, key="t:1")
    await support.remember_copy(db, 900, 12, ticket.id)
    assert await promos.create(
        db, code="GIFT5", kind=promos.Kind.GIFT, amount=500, max_uses=10, until=None,
        new_only=False,
    )  # fmt: skip
    assert await promos.create(
        db, code="OFF10", kind=promos.Kind.DISCOUNT, amount=10, max_uses=None, until=None,
        new_only=True,
    )  # fmt: skip
    promo = await promos.get(db, "OFF10")
    assert promo is not None
    async with db.transaction() as conn:
        assert await promos.add_redemption(conn, promo.id, CUSTOMERS[2])
        assert await promos.take_use(conn, promo.id)
    key = drafts.Key(bot_id=123456, chat_id=503, user_id=503, thread_id=0, business="", destiny="d")
    await drafts.set_state(db, key, "Order:link")
    await drafts.set_data(db, key, {"service": ids[0], "link": "https://t.me/x"})
    await kv.put(db, "markup", "35")
    await users.set_banned(db, CUSTOMERS[2], True)
    assert await kv.take_lease(db, kv.SENDER_LEASE, "old-bot", -100)  # the bot is stopped


def sqlite_rows(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every table but SQLite's own and the migrations record, rows sorted."""
    conn = sqlite3.connect(path)
    try:
        names = [
            row[0]
            for row in conn.execute(
                "SELECT name FROM pragma_table_list WHERE schema = 'main' AND type = 'table'"
                " AND name NOT LIKE 'sqlite_%' AND name <> 'schema_migrations'"
            )
        ]
        return {
            name: sorted(conn.execute(f'SELECT * FROM "{name}"').fetchall(), key=repr)
            for name in names
        }
    finally:
        conn.close()


async def postgres_rows(url: str, tables: list[str]) -> dict[str, list[tuple[Any, ...]]]:
    conn = await asyncpg.connect(url)
    try:
        return {
            name: sorted(
                (tuple(row) for row in await conn.fetch(f'SELECT * FROM "{name}"')), key=repr
            )
            for name in tables
        }
    finally:
        await conn.close()


async def test_every_row_moves_and_new_rows_get_fresh_ids(
    settings: Settings, target: str, panel: PanelClient, capsys: pytest.CaptureFixture[str]
) -> None:
    source = await Database.open(settings.database_path)
    await build_shop(source, panel)
    await source.close()
    before = sqlite_rows(settings.database_path)

    assert await migrate_to(settings, target) == 0

    out = capsys.readouterr().out
    assert re.search(r"^  orders +6 row\(s\)$", out, re.MULTILINE)
    assert re.search(r"^  ledger +11 row\(s\)$", out, re.MULTILINE)
    assert "audit of SQLite (source): users checked: 3, orders checked: 6" in out
    assert "audit of PostgreSQL (target): users checked: 3, orders checked: 6" in out
    assert "the audits agree" in out
    after = await postgres_rows(target, list(before))
    for table in before:
        assert after[table] == before[table], table
    assert sqlite_rows(settings.database_path) == before  # the source is left as it was

    moved = await Database.open(target)
    try:
        async with moved.transaction() as conn:
            order_id = await orders.create(
                conn, user_id=CUSTOMERS[0], service_id=1, service_name="New", service_type="Default",
                link="https://t.me/y", quantity=100, fields={}, charge=100, cost=1, token="new-1",
                holder="pg",
            )  # fmt: skip
            assert order_id is not None
            await ledger.post(
                conn, user_id=CUSTOMERS[0], amount=-100, key=f"order:{order_id}", kind="order",
                order_id=order_id,
            )  # fmt: skip
        assert order_id == max(row[0] for row in before["orders"]) + 1
        newest = await moved.scalar("SELECT MAX(id) FROM ledger")
        assert newest == max(row[0] for row in before["ledger"]) + 1
    finally:
        await moved.close()


async def test_a_target_with_shop_rows_is_refused_and_left_untouched(
    settings: Settings, target: str, panel: PanelClient, capsys: pytest.CaptureFixture[str]
) -> None:
    source = await Database.open(settings.database_path)
    await build_shop(source, panel)
    await source.close()
    occupied = await Database.open(target)
    await add_user(occupied, 42, balance=700)
    await occupied.close()
    untouched = await postgres_rows(target, ["users", "ledger", "orders", "services", "panels"])

    assert await migrate_to(settings, target) == 2

    out = capsys.readouterr().out
    assert "migrate-to: the target is not empty (rows in ledger, users); nothing was written" in out
    assert "audit" not in out
    assert await postgres_rows(target, list(untouched)) == untouched


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("mysql://shop:s3cret@db:3306/shop", "must be sqlite:///path or postgresql://"),
        ("postgresql://shop:s3cret@/shop", "must be sqlite:///path or postgresql://"),
        ("postgresql://shop:s3cret@db:99999/shop", "must be sqlite:///path or postgresql://"),
        ("postgresql://shop:s3cret@db:5432/", "must end with the database name"),
        ("sqlite:///elsewhere.sqlite3", "the target must be a postgresql:// URL"),
    ],
)
def test_a_bad_target_exits_2_in_one_line_without_its_password(
    tmp_path: Path, url: str, problem: str
) -> None:
    env = {key: value for key, value in os.environ.items() if not key.startswith("DATABASE_")}
    env.update(BOT_TOKEN=TOKEN, DATABASE_PATH=str(tmp_path / "shop.sqlite3"), PYTHONPATH=str(ROOT))
    done = subprocess.run(
        [sys.executable, "-m", "bot", "migrate-to", url], cwd=tmp_path, env=env,
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 2
    assert problem in done.stdout
    assert done.stdout.count("\n") == 1
    assert "Traceback" not in done.stdout + done.stderr
    assert "s3cret" not in done.stdout + done.stderr
    assert not (tmp_path / "shop.sqlite3").exists()  # nothing was created either


async def test_a_shop_already_on_postgresql_or_without_a_file_is_refused(
    settings: Settings, target: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert await migrate_to(settings, target) == 2
    assert f"no SQLite shop at {settings.database_path}" in capsys.readouterr().out
    on_postgres = settings.model_copy(update={"database_url": SecretStr(target)})
    assert await migrate_to(on_postgres, target) == 2
    assert "the shop is on PostgreSQL already" in capsys.readouterr().out


async def test_a_shop_a_bot_process_still_runs_on_is_refused(
    settings: Settings, target: str, panel: PanelClient, capsys: pytest.CaptureFixture[str]
) -> None:
    """Writes the process made after the copy would stay behind in the SQLite file."""
    source = await Database.open(settings.database_path)
    await build_shop(source, panel)
    assert await kv.take_lease(source, kv.PROCESS_LEASE + "web-1", "web-1", 30)
    await source.close()

    assert await migrate_to(settings, target) == 2

    out = capsys.readouterr().out
    assert "a bot process still runs on this shop (its lease 'process:web-1' is live)" in out
    conn = await asyncpg.connect(target)
    try:  # not even its schema was made
        assert await conn.fetchval("SELECT to_regclass('users')") is None
    finally:
        await conn.close()
