"""/export: CSV files that parse back to exactly the stored rows, safe to open in a spreadsheet."""

from __future__ import annotations

import codecs
import csv
import io
import tempfile
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from aiogram.methods import SendDocument

from bot.shop.money import COST_SCALE, MINOR
from handlers import export
from storage.export import LEDGER_COLUMNS, ORDER_COLUMNS, USER_COLUMNS
from tests.fakes.telegram import TelegramUser
from tests.flow.chat import to_summary
from tests.flow.conftest import Shop

LONG_UPSTREAM_ID = 1_234_567_890_123_456_789  # 19 digits: a spreadsheet would zero the last 4


def documents(shop: Shop) -> list[tuple[str, bytes]]:
    """(file name, bytes) of every document the bot uploaded, oldest first."""
    return [
        (name, data)
        for exchange in shop.session.exchanges
        if isinstance(exchange.method, SendDocument)
        for name, data in exchange.uploads.items()
    ]


def parse(data: bytes) -> tuple[list[str], list[list[str]]]:
    """Header and rows of one CSV file, which must start with the UTF-8 BOM."""
    assert data.startswith(codecs.BOM_UTF8)
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    return rows[0], rows[1:]


def value_of(header: str, cell: str) -> Any:
    """A cell back to what the database stores ("" for NULL), as a careful reader would."""
    if cell.startswith("'"):  # text that a spreadsheet must not take for a formula or number
        text = cell[1:]
        return int(text) if text.isdigit() else text
    if cell == "":
        return ""
    if header in ("created_at", "updated_at", "last_seen_at"):
        assert cell.endswith("Z")
        return int(datetime.fromisoformat(cell).timestamp())
    if header.endswith("(USD)"):
        return int(Decimal(cell) * MINOR)
    if header.endswith("(USD, panel)"):
        return int(Decimal(cell) * COST_SCALE)
    try:
        return int(cell)
    except ValueError:
        return cell


async def stored(shop: Shop, table: str, columns: tuple[str, ...]) -> list[dict[str, Any]]:
    rows = await shop.db.fetchall(f"SELECT {', '.join(columns)} FROM {table} ORDER BY id")
    return [{key: ("" if row[key] is None else row[key]) for key in columns} for row in rows]


def exported(data: bytes) -> list[dict[str, Any]]:
    header, rows = parse(data)
    found = []
    for row in rows:
        record = {}
        for name, cell in zip(header, row, strict=True):
            record[name.split(" ")[0]] = value_of(name, cell)
        found.append(record)
    return found


async def test_exports_parse_back_to_exactly_the_stored_rows(
    shop: Shop, owner: TelegramUser
) -> None:
    person = await shop.customer(1, balance=10_000)
    await to_summary(person)
    await person.click("Confirm")
    await to_summary(person)
    await person.click("Confirm")
    await owner.send('/credit 1 2.5 birthday, "gift"\nsecond line')
    async with shop.db.transaction() as conn:
        await conn.execute("UPDATE orders SET upstream_id = ? WHERE id = 1", (LONG_UPSTREAM_ID,))
    for command, table, columns in (
        ("/export orders", "orders", ORDER_COLUMNS),
        ("/export ledger", "ledger", LEDGER_COLUMNS),
        ("/export users", "users", USER_COLUMNS),
    ):
        shop.session.clear()
        await owner.send(command)
        [(name, data)] = documents(shop)
        assert name.startswith(table) and name.endswith(".csv")
        expected = await stored(shop, table, columns)
        assert len(expected) >= 2
        assert exported(data) == expected
        caption = shop.session.sent(SendDocument)[0].caption
        assert caption is not None and f"{len(expected)} rows" in caption


async def test_ids_and_amounts_survive_a_spreadsheet(shop: Shop, owner: TelegramUser) -> None:
    person = await shop.customer(1, balance=10_000)
    await to_summary(person)
    await person.click("Confirm")
    async with shop.db.transaction() as conn:
        await conn.execute("UPDATE orders SET upstream_id = ? WHERE id = 1", (LONG_UPSTREAM_ID,))
    await owner.send("/export orders")
    header, [row] = parse(documents(shop)[0][1])
    cells = dict(zip(header, row, strict=True))
    assert cells["id"] == "1"  # short ids stay numbers
    assert cells["upstream_id"] == f"'{LONG_UPSTREAM_ID}"  # text: all 19 digits kept
    assert cells["charge (USD)"] == "1.35"  # a plain decimal in the shop currency
    assert cells["cost (USD, panel)"] == "0.90000"  # the panel's charge, in its own currency
    assert cells["created_at"].endswith("Z")


async def test_days_leave_out_older_rows(shop: Shop, owner: TelegramUser) -> None:
    await shop.customer(1, balance=500)
    await shop.customer(2, balance=700)
    async with shop.db.transaction() as conn:
        await conn.execute("UPDATE ledger SET created_at = created_at - 31 * 86400 WHERE id = 1")
    await owner.send("/export ledger 30")
    await owner.send("/export ledger 32")
    recent, everything = (exported(data) for _, data in documents(shop))
    assert [row["amount"] for row in recent] == [700]
    assert [row["amount"] for row in everything] == [500, 700]
    assert "last 30 days: 1 row" in (shop.session.sent(SendDocument)[0].caption or "")


async def test_an_empty_shop_gets_header_only_files(shop: Shop, owner: TelegramUser) -> None:
    await owner.send("/export orders")
    await owner.send("/export ledger 7")
    (_, orders_csv), (_, ledger_csv) = documents(shop)
    assert parse(orders_csv) == (parse(orders_csv)[0], [])
    assert parse(ledger_csv)[1] == []
    assert parse(orders_csv)[0][:3] == ["id", "created_at", "updated_at"]
    assert "amount (USD)" in parse(ledger_csv)[0]
    assert "0 rows" in (shop.session.sent(SendDocument)[0].caption or "")


async def test_formulas_in_user_text_are_neutralised(shop: Shop, owner: TelegramUser) -> None:
    evil = TelegramUser(
        shop.dp, shop.bot, shop.session, user_id=5, first_name="=HYPERLINK(\"http://x\")",
        username=None,
    )  # fmt: skip
    await evil.send("/start")
    for reason in ("@SUM(A1)", "+1", "-2+3", "'quoted"):
        await owner.send(f"/credit 5 1 {reason}")
    await owner.send("/export users")
    await owner.send("/export ledger")
    (_, users_csv), (_, ledger_csv) = documents(shop)
    names = [row[USER_COLUMNS.index("first_name")] for row in parse(users_csv)[1]]
    assert '\'=HYPERLINK("http://x")' in names
    notes = [row[LEDGER_COLUMNS.index("note")] for row in parse(ledger_csv)[1]]
    assert notes == ["'@SUM(A1)", "'+1", "'-2+3", "''quoted"]
    # every cell a spreadsheet would evaluate is text now; negative amounts we wrote stay numbers
    for _, data in documents(shop):
        for row in parse(data)[1]:
            assert not any(cell[:1] in ("=", "+", "@") for cell in row)


async def test_a_big_export_goes_out_in_parts(
    shop: Shop, owner: TelegramUser, monkeypatch: pytest.MonkeyPatch
) -> None:
    for user_id in range(1, 13):
        await shop.customer(user_id, balance=100 * user_id)
    monkeypatch.setattr(export, "PART_BYTES", 600)
    await owner.send("/export ledger")
    parts = documents(shop)
    assert len(parts) > 1
    rows = []
    for _, data in parts:
        assert len(data) <= 600
        header, found = parse(data)
        assert header[0] == "id" and found
        rows += found
    assert [row[0] for row in rows] == [str(n) for n in range(1, 13)]
    captions = [method.caption or "" for method in shop.session.sent(SendDocument)]
    assert captions[-1].endswith(f"part {len(parts)} of {len(parts)}")


@pytest.mark.parametrize(
    "command",
    ["/export", "/export payments", "/export orders 0", "/export orders 3651",
     "/export orders ٣", "/export orders -5", "/export users 5", "/export ledger 5 6"],
)  # fmt: skip
async def test_bad_arguments_get_the_usage_line(
    shop: Shop, owner: TelegramUser, command: str
) -> None:
    await owner.send(command)
    assert owner.last_text().startswith("Usage: /export orders [days]")
    assert not shop.session.sent(SendDocument)


async def test_a_customer_cannot_export(shop: Shop) -> None:
    person = await shop.customer(1, balance=1000)
    await person.send("/export users")
    assert "I don't know that command" in person.last_text()
    assert not shop.session.sent(SendDocument)


async def test_the_files_are_deleted_once_sent(
    shop: Shop, owner: TelegramUser, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "temporary"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    await owner.send("/export users")
    assert documents(shop)
    assert list(folder.iterdir()) == []
