"""A shop of before several panels (schema 9), upgraded in place: every row kept, every order
still tracked on the panel it always had (`main`), and room for a second panel beside it."""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest

from bot.jobs.poller import poll_once
from bot.jobs.refills import poll_refills_once
from bot.panel.panels import Panels
from bot.shop.audit import audit
from bot.shop.config import ShopConfig
from storage import orders, services
from storage.db import Database, _migrations
from storage.orders import State
from tests.unit.tracking_fixtures import ScriptedPanel, scripted_client

OLD_VERSION = 9  # the last schema of a single-panel shop
HOUR = 3600

Rows = dict[str, list[dict[str, object]]]


def _old_rows(stamp: int) -> str:
    """What a shop of schema 9 holds after a few weeks, written the way its code wrote it.

    Customers: 1 (Ann, referred by 2), 2 (Bob, the referrer), 3 (Cem, a gift code).
    Orders: 1 completed (refill 7001 open, a referral credit), 2 partial (13 refunded),
    3 active (10% promo discount), 4 unknown, 5 failed (refunded), 7 active on YouTube;
    number 6 was never used (a duplicate Confirm), so the highest id is 7.
    """
    link = "https://instagram.com/p/x"
    fields = json.dumps({"link": link, "quantity": "1000"})
    package = json.dumps({"link": link, "quantity": "1"})
    video = json.dumps({"link": "https://youtu.be/v", "quantity": "1000"})
    old = stamp - HOUR
    return f"""
    INSERT INTO users (id, username, first_name, locale, balance, created_at, last_seen_at)
        VALUES (1, 'ann', 'Ann', 'en', 608, {old}, {stamp}),
               (2, 'bob', 'Bob', 'tr', 6, {old}, {stamp}),
               (3, NULL, 'Cem', 'ru', 486, {old}, {stamp});
    INSERT INTO categories (id, name, position) VALUES
        (1, 'Instagram Followers', 0), (2, 'YouTube Views', 1);
    INSERT INTO services (id, name, type, raw_type, category_id, rate, min, max, refill, cancel,
            position, markup, display_name, search, synced_at) VALUES
        (101, 'Instagram Followers [Real] [Refill 30D]', 'Default', 'Default', 1, '0.90', 50,
            10000, 1, 1, 0, '40', NULL, 'instagram followers [real]', {old}),
        (103, 'Instagram Followers Package [1000]', 'Package', 'Package', 1, '1.25', 1, 1, 0, 0,
            2, NULL, 'IG Package', 'instagram followers package', {old}),
        (141, 'YouTube Views [Non-drop] [Refill 60D]', 'Default', 'Default', 2, '1.18750', 500,
            1000000, 1, 0, 0, NULL, NULL, 'youtube views', {old});
    INSERT INTO payments (id, user_id, method, amount, state, note, created_at) VALUES
        (1, 1, 'manual', 1000, 'paid', 'bank transfer', {old}),
        (2, 3, 'manual', 500, 'pending', '', {old});
    INSERT INTO orders (id, user_id, service_id, service_name, service_type, link, quantity,
            fields, charge, cost, token, state, upstream_id, status, upstream_charge, remains,
            start_count, error, created_at, updated_at, checked_at, holder, placed_charge)
        VALUES
        (1, 1, 101, 'Instagram Followers', 'Default', '{link}', 1000, '{fields}', 135, 90000,
            'tok-1', 'completed', 1001, 'completed', '0.9', 0, 10, '', {old}, {old}, {old},
            'old-process', '0.9'),
        (2, 1, 101, 'Instagram Followers', 'Default', '{link}', 1000, '{fields}', 135, 90000,
            'tok-2', 'partial', 1002, 'partial', '0.81', 100, 10, '', {old}, {old}, {old},
            'old-process', '0.9'),
        (3, 1, 101, 'Instagram Followers', 'Default', '{link}', 1000, '{fields}', 135, 90000,
            'tok-3', 'active', 1003, 'in progress', '0.9', 400, 10, '', {old}, {old}, {old},
            'old-process', '0.9'),
        (4, 3, 103, 'IG Package', 'Package', '{link}', 1, '{package}', 135, 125000,
            'tok-4', 'unknown', NULL, '', NULL, NULL, NULL, 'ReadTimeout(''slow'')', {old},
            {old}, 0, 'old-process', NULL),
        (5, 3, 101, 'Instagram Followers', 'Default', '{link}', 1000, '{fields}', 135, 90000,
            'tok-5', 'failed', NULL, '', NULL, NULL, NULL, 'Not enough funds on balance',
            {old}, {old}, 0, 'old-process', NULL),
        (7, 3, 141, 'YouTube Views', 'Default', 'https://youtu.be/v', 1000, '{video}', 179,
            118750, 'tok-7', 'active', 1007, 'pending', NULL, NULL, NULL, '', {old}, {old},
            {old}, 'old-process', NULL);
    INSERT INTO ledger (id, user_id, amount, key, kind, order_id, note, created_at) VALUES
        (1, 1, 1000, 'manual:1', 'topup', NULL, '', {old}),
        (2, 1, -135, 'order:1', 'order', 1, '', {old}),
        (3, 1, -135, 'order:2', 'order', 2, '', {old}),
        (4, 1, 13, 'refund:2', 'refund', 2, '', {old}),
        (5, 1, -135, 'order:3', 'order', 3, '', {old}),
        (6, 2, 6, 'referral:1', 'referral', 1, '', {old}),
        (7, 3, 200, 'promo:WELCOME:3', 'promo', NULL, '', {old}),
        (8, 3, 600, 'admin:900:1', 'admin', NULL, 'goodwill', {old}),
        (9, 3, -135, 'order:4', 'order', 4, '', {old}),
        (10, 3, -135, 'order:5', 'order', 5, '', {old}),
        (11, 3, 135, 'refund:5', 'refund', 5, '', {old}),
        (12, 3, -179, 'order:7', 'order', 7, '', {old});
    INSERT INTO refills (id, order_id, upstream_id, status, final, created_at, checked_at) VALUES
        (1, 1, '7001', 'pending', 0, {old}, {old});
    INSERT INTO referral_codes (code, user_id) VALUES ('BOB7', 2);
    INSERT INTO referrals (user_id, referrer_id, created_at) VALUES (1, 2, {old});
    INSERT INTO referral_earnings (order_id, referrer_id, percent, paid, amount, created_at)
        VALUES (1, 2, '5', 135, 6, {old});
    INSERT INTO promos (id, code, kind, amount, max_uses, uses, created_at) VALUES
        (1, 'WELCOME', 'gift', 200, 100, 1, {old}),
        (2, 'TENOFF', 'discount', 10, NULL, 1, {old});
    INSERT INTO promo_redemptions (id, promo_id, user_id, created_at, order_id, discount) VALUES
        (1, 1, 3, {old}, NULL, NULL),
        (2, 2, 1, {old}, 3, 15);
    INSERT INTO tickets (id, user_id, order_id, state, created_at) VALUES
        (1, 3, 4, 'open', {old});
    INSERT INTO ticket_messages (id, ticket_id, author_id, from_admin, text, source, created_at)
        VALUES (1, 1, 3, 0, 'Where is my package?', '3:55', {old});
    INSERT INTO outbox (id, chat_id, message, args, key, created_at, sent_at) VALUES
        (1, 1, 'push-order-done', '{{"order": "1"}}', 'done:1', {old}, {old}),
        (2, 3, 'order-unknown', '{{"order": 4}}', 'checking:4', {old}, NULL);
    INSERT INTO kv (key, value) VALUES ('markup', '50');
    """


def _old_shop(path: Path, stamp: int) -> None:
    """The file exactly as a shop of schema 9 left it: migrations 1..9, then its rows."""
    old = sqlite3.connect(path, isolation_level=None)
    try:
        for version, script in _migrations():
            if version <= OLD_VERSION:
                old.executescript(script)
        old.executescript(f"PRAGMA user_version = {OLD_VERSION};" + _old_rows(stamp))
        assert old.execute("PRAGMA foreign_key_check").fetchall() == []
    finally:
        old.close()


def _dump(path: Path) -> Rows:
    """Every row of every table in key order; the counters that move by design aside (the
    catalog's version, AUTOINCREMENT's)."""
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row
    try:
        tables = [
            row[0]
            for row in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'"
                " AND name NOT LIKE 'sqlite_%' AND name <> 'catalog_version' ORDER BY name"
            )
        ]
        return {
            table: [dict(row) for row in conn.execute(f"SELECT * FROM {table} ORDER BY 1, 2")]
            for table in tables
        }
    finally:
        conn.close()


@dataclass
class Upgraded:
    db: Database
    before: Rows  # the old file's rows, read before the upgrade


@pytest.fixture
async def upgraded(tmp_path: Path) -> AsyncIterator[Upgraded]:
    path = tmp_path / "shop.sqlite3"
    _old_shop(path, int(time.time()))
    before = _dump(path)
    db = await Database.open(path)  # migrates to the latest version
    yield Upgraded(db, before)
    await db.close()


async def test_every_row_of_the_old_shop_is_kept(upgraded: Upgraded) -> None:
    db = upgraded.db
    for table, rows in upgraded.before.items():
        after = await db.fetchall(f"SELECT * FROM {table} ORDER BY 1, 2")
        kept = [{column: row[column] for column in rows[0]} for row in after] if rows else []
        assert kept == rows, table
    assert sum(len(rows) for rows in upgraded.before.values()) > 40
    balances = await db.fetchall("SELECT id, balance FROM users ORDER BY id")
    assert [tuple(row) for row in balances] == [(1, 608), (2, 6), (3, 486)]
    ledger = await db.fetchall("SELECT key, amount, order_id FROM ledger ORDER BY id")
    assert [tuple(row) for row in ledger][:5] == [
        ("manual:1", 1000, None),
        ("order:1", -135, 1),
        ("order:2", -135, 2),
        ("refund:2", 13, 2),
        ("order:3", -135, 3),
    ]
    assert len(ledger) == 12
    partial = await orders.get(db, 2)
    assert partial is not None
    assert (partial.state, partial.charge, partial.cost, partial.upstream_id) == (
        State.PARTIAL, 135, 90000, 1002,
    )  # fmt: skip
    assert (partial.remains, partial.upstream_charge, partial.placed_charge) == (100, "0.81", "0.9")
    assert partial.fields == {"link": "https://instagram.com/p/x", "quantity": "1000"}
    unknown = await orders.get(db, 4)
    assert unknown is not None
    assert (unknown.state, unknown.upstream_id, unknown.service_id) == (State.UNKNOWN, None, 103)
    assert unknown.fields == {"link": "https://instagram.com/p/x", "quantity": "1"}
    counts = await orders.counts_by_state(db)
    assert counts == {"completed": 1, "partial": 1, "active": 2, "unknown": 1, "failed": 1}


async def test_orders_and_services_are_the_main_panels_under_their_old_numbers(
    upgraded: Upgraded,
) -> None:
    db = upgraded.db
    placed = await db.fetchall("SELECT id, panel, upstream_id, backup_of FROM orders ORDER BY id")
    assert [tuple(row) for row in placed] == [
        (1, "main", 1001, None),
        (2, "main", 1002, None),
        (3, "main", 1003, None),
        (4, "main", None, None),
        (5, "main", None, None),
        (7, "main", 1007, None),
    ]
    for service_id in (101, 103, 141):  # buttons already in chats carry these numbers
        service = await services.get(db, service_id)
        assert service is not None
        assert (service.panel, service.upstream_id, service.ref) == (
            "main", service_id, f"main:{service_id}",
        )  # fmt: skip
        assert service.backup_id is None
        assert await services.by_upstream(db, "main", service_id) == service
    kept = await services.get(db, 101)
    assert kept is not None and kept.markup == Decimal(40)
    assert [row[0] for row in await db.fetchall("SELECT name FROM panels")] == ["main"]


async def test_every_reference_holds(upgraded: Upgraded) -> None:
    assert await upgraded.db.fetchall("PRAGMA foreign_key_check") == []
    assert await upgraded.db.scalar("PRAGMA foreign_keys") == 1


async def test_a_new_order_takes_the_next_number_never_an_old_one(upgraded: Upgraded) -> None:
    db = upgraded.db
    assert await _new_order(db) == 8  # after 7, the highest number the old shop gave
    # AUTOINCREMENT's counter went through the rebuild: an id once given is never given again
    assert await db.scalar("SELECT seq FROM sqlite_sequence WHERE name = 'orders'") == 8


async def test_the_audit_finds_the_upgraded_shop_in_order(upgraded: Upgraded) -> None:
    report = await audit(upgraded.db)
    assert report.problems == []
    assert (report.users_checked, report.orders_checked) == (3, 6)


async def test_the_poller_still_tracks_every_order_and_refill(
    upgraded: Upgraded, scripted: ScriptedPanel, shop_config: ShopConfig
) -> None:
    db = upgraded.db
    scripted.statuses = {
        1003: {"status": "Completed", "charge": "0.9", "remains": "0", "currency": "USD"},
        1007: {"status": "Partial", "charge": "1.06875", "remains": "100", "currency": "USD"},
    }
    scripted.refill_statuses = {"7001": "Completed"}
    async with scripted_client(scripted) as client:
        panels = Panels.single(client)
        stats = await poll_once(db, panels, shop_config)
        finished = await poll_refills_once(db, panels)
    assert sorted(id_ for batch in scripted.status_requests for id_ in batch) == [1003, 1007]
    assert (stats.checked, stats.changed) == (2, 2)
    completed, partial = await orders.get(db, 3), await orders.get(db, 7)
    assert completed is not None and completed.state is State.COMPLETED
    assert partial is not None and partial.state is State.PARTIAL
    refund = await db.scalar("SELECT amount FROM ledger WHERE key = 'refund:7'")
    assert refund == 17  # 10% of 179, rounded down
    assert scripted.refill_status_requests == [["7001"]]
    assert finished == 1
    assert [refill.final for refill in await orders.refills_of(db, 1)] == [True]
    assert (await audit(db)).ok


async def test_a_second_panel_may_use_the_same_upstream_ids(upgraded: Upgraded) -> None:
    db = upgraded.db
    twin = services.Upstream(
        id=101, name="IG Followers [HQ]", type="Default", raw_type="Default",
        category="Instagram Followers", rate=Decimal("0.72"), min=100, max=20000, refill=True,
        cancel=True, dripfeed=False,
    )  # fmt: skip
    await services.sync(db, [twin], panel="second")
    theirs = await services.by_upstream(db, "second", 101)
    ours = await services.get(db, 101)
    assert theirs is not None and ours is not None
    assert theirs.id not in (101, 103, 141)  # a number of its own; main's 101 is untouched
    assert (ours.panel, ours.upstream_id, ours.name) == (
        "main", 101, "Instagram Followers [Real] [Refill 30D]",
    )  # fmt: skip
    async with db.transaction() as conn:
        order_id = await orders.create(
            conn, user_id=1, service_id=theirs.id, service_name=theirs.name,
            service_type="Default", link="https://instagram.com/p/z", quantity=100,
            fields={"link": "https://instagram.com/p/z", "quantity": "100"}, charge=11,
            cost=7200, token="tok-second", holder="new-process", panel="second",
        )  # fmt: skip
        assert order_id is not None
        assert await orders.transition(
            conn, order_id, State.SUBMITTING, state=State.ACTIVE, upstream_id=1003
        )
    mine = await orders.get(db, 3)
    other = await orders.get(db, order_id)
    assert mine is not None and other is not None
    assert (mine.panel, mine.upstream_id) == ("main", 1003)
    assert (other.panel, other.upstream_id) == ("second", 1003)
    again = sqlite3.IntegrityError  # within one panel an upstream id stays unique
    with pytest.raises(again):
        async with db.transaction() as conn:
            await conn.execute("UPDATE orders SET upstream_id = 1003 WHERE id = 7")


async def test_an_order_number_the_old_shop_gave_is_never_given_again(tmp_path: Path) -> None:
    """The highest orders were removed by hand before the upgrade (their ledger keys stay):
    the counter of the old table goes on, the rebuild does not restart it at the highest id left."""
    path = tmp_path / "shop.sqlite3"
    _old_shop(path, int(time.time()))
    old = sqlite3.connect(path, isolation_level=None)
    try:
        old.execute("UPDATE sqlite_sequence SET seq = 40 WHERE name = 'orders'")
    finally:
        old.close()
    db = await Database.open(path)
    try:
        assert await _new_order(db) == 41
    finally:
        await db.close()


async def _new_order(db: Database) -> int | None:
    """An order placed after the upgrade: the number it gets."""
    async with db.transaction() as conn:
        return await orders.create(
            conn, user_id=1, service_id=101, service_name="Instagram Followers",
            service_type="Default", link="https://instagram.com/p/y", quantity=100,
            fields={"link": "https://instagram.com/p/y", "quantity": "100"}, charge=14,
            cost=9000, token="tok-new", holder="new-process",
        )  # fmt: skip


async def test_a_file_at_the_drafts_version_still_gets_the_panels_schema(tmp_path: Path) -> None:
    """A few commits numbered the drafts migration 11 before the panels one (10) existed: a file
    they opened says version 11 and has no panels table. It still gets it, and keeps its drafts."""
    path = tmp_path / "shop.sqlite3"
    _old_shop(path, int(time.time()))
    drafts = dict(_migrations())[11]
    old = sqlite3.connect(path, isolation_level=None)
    try:
        old.executescript(drafts + "PRAGMA user_version = 11;")
        old.execute("INSERT INTO drafts VALUES (1, 1, 1, 0, '', 'default', 'Order:link', '{}', 0)")
    finally:
        old.close()
    for _ in range(2):  # and a second start finds nothing left to do
        db = await Database.open(path)
        try:
            service_columns = {row[1] for row in await db.fetchall("PRAGMA table_info(services)")}
            order_columns = {row[1] for row in await db.fetchall("PRAGMA table_info(orders)")}
            assert {"panel", "upstream_id", "backup_id"} <= service_columns
            assert {"panel", "backup_of"} <= order_columns
            assert await db.scalar("SELECT state FROM drafts") == "Order:link"
            assert await db.scalar("SELECT panel FROM orders WHERE id = 2") == "main"
            assert await db.scalar("PRAGMA user_version") == len(_migrations())
        finally:
            await db.close()
