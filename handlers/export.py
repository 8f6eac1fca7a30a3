"""/export: orders, the ledger or users as CSV files for a spreadsheet, written page by page."""

from __future__ import annotations

import codecs
import csv
import io
import tempfile
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any, BinaryIO

from aiogram import Router
from aiogram.filters import Command, CommandObject
from aiogram.types import FSInputFile, Message

from bot.i18n import Texts
from bot.numbers import parse_id
from bot.shop.config import ShopConfig
from bot.shop.money import COST_SCALE, MINOR, from_cost, from_minor
from handlers.filters import IsAdmin
from storage import export
from storage.clock import now
from storage.db import Database, Row

DAYS = (1, 3650)
DAY = 86_400
# Telegram takes documents of up to 50 MB from a bot; a larger export goes out in parts, each
# a whole CSV (BOM and header included), with room left for the multipart envelope.
PART_BYTES = 45_000_000
# Excel keeps 15 significant digits of a number: a longer id (an upstream id may have up to
# 19) would come back with its last digits turned to zeros, so it goes out as text instead.
EXACT_DIGITS = 15
# A cell that starts with one of these is a formula to a spreadsheet: a link or a name such
# as `=HYPERLINK(...)` would run when the accountant opens the file. Such text (and text that
# starts with an apostrophe already, to keep the rule reversible) gets a leading apostrophe,
# which spreadsheets read as "this is text" and do not show.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "'")
_TIMES = frozenset({"created_at", "updated_at", "last_seen_at"})
_MONEY = frozenset({"charge", "amount", "balance", "settled_refund"})  # shop minor units
_COSTS = frozenset({"cost"})  # COST_SCALE units of the panel currency
_NUMBERS = frozenset(
    {"id", "user_id", "service_id", "order_id", "upstream_id", "quantity", "remains",
     "start_count", "round", "cancel_requested", "banned", "blocked", "backup_of"}
)  # fmt: skip


class Kind(StrEnum):
    ORDERS = "orders"
    LEDGER = "ledger"
    USERS = "users"


_TITLES = {Kind.ORDERS: "admin-export-orders", Kind.LEDGER: "admin-export-ledger",
           Kind.USERS: "admin-export-users"}  # fmt: skip


@dataclass(slots=True)
class Part:
    """One CSV file of an export and how many records it holds."""

    path: Path
    rows: int


def create_router() -> Router:
    router = Router(name="export")
    router.message.filter(IsAdmin())
    router.message.register(export_csv, Command("export"))
    return router


async def export_csv(
    message: Message, command: CommandObject, db: Database, shop: ShopConfig, t: Texts
) -> None:
    request = _parse(command.args or "")
    if request is None:
        await message.answer(t("admin-usage-export", low=DAYS[0], high=DAYS[1]))
        return
    kind, days = request
    stem = f"{kind}-{datetime.now(UTC):%Y-%m-%d}" + (f"-{days}d" if days else "")
    # Written to disk and sent from there; the folder goes when the files are sent (or not).
    with tempfile.TemporaryDirectory(prefix="export-") as folder:
        parts = await write_export(db, shop, kind, days, Path(folder), stem, part_bytes=PART_BYTES)
        for number, part in enumerate(parts, start=1):
            caption = t(
                "admin-export-caption", what=t(_TITLES[kind]), days=days or 0,
                rows=part.rows, part=number, parts=len(parts),
            )  # fmt: skip
            await message.answer_document(FSInputFile(part.path), caption=caption)


def _parse(args: str) -> tuple[Kind, int | None] | None:
    """(what, days) from `orders [days]`, `ledger [days]` or `users`; None for anything else."""
    words = args.split()
    if not words or words[0].lower() not in Kind.__members__.values() or len(words) > 2:
        return None
    kind = Kind(words[0].lower())
    if len(words) == 1:
        return kind, None
    days = parse_id(words[1])
    if kind is Kind.USERS or days is None or not DAYS[0] <= days <= DAYS[1]:
        return None
    return kind, days


async def write_export(
    db: Database,
    shop: ShopConfig,
    kind: Kind,
    days: int | None,
    folder: Path,
    stem: str,
    *,
    part_bytes: int,
) -> list[Part]:
    """Write the export as CSV files in `folder`, one page of rows in memory at a time."""
    since = now() - days * DAY if days else 0
    rows: AsyncIterator[Row]
    columns: tuple[str, ...]
    if kind is Kind.ORDERS:
        rows, columns = export.orders(db, since), export.ORDER_COLUMNS
    elif kind is Kind.LEDGER:
        rows, columns = export.ledger(db, since), export.LEDGER_COLUMNS
    else:
        rows, columns = export.users(db), export.USER_COLUMNS
    cells = [cell(name) for name in columns]
    with _Parts(folder, stem, [header(name, shop) for name in columns], part_bytes) as out:
        writer = csv.writer(out)
        async for row in rows:
            writer.writerow([format_(value) for format_, value in zip(cells, row, strict=True)])
    return out.parts


def header(column: str, shop: ShopConfig) -> str:
    """Column names in English, a stable contract for whatever reads the file; money columns
    say their currency (costs are what the panel charges us, in the panel's currency)."""
    if column in _MONEY:
        return f"{column} ({shop.currency})"
    if column in _COSTS:
        return f"{column} ({shop.panel_currency}, panel)"
    return column


def cell(column: str) -> Callable[[Any], str]:
    """How a value of `column` is written."""
    if column in _TIMES:
        return _time
    if column in _MONEY:
        return _money
    if column in _COSTS:
        return _cost
    if column in _NUMBERS:
        return _number
    return _text


def _time(stamp: int | None) -> str:
    """UTC, ISO 8601."""
    return "" if stamp is None else f"{datetime.fromtimestamp(stamp, UTC):%Y-%m-%dT%H:%M:%SZ}"


_MINOR_PLACES = len(str(MINOR)) - 1
_COST_PLACES = len(str(COST_SCALE)) - 1


def _money(minor: int | None) -> str:
    """A plain decimal with every place ("1.50", "-0.35"), never an exponent."""
    return "" if minor is None else f"{from_minor(minor):.{_MINOR_PLACES}f}"


def _cost(cost: int | None) -> str:
    return "" if cost is None else f"{from_cost(cost):.{_COST_PLACES}f}"


def _number(value: int | None) -> str:
    if value is None:
        return ""
    text = str(value)
    return text if len(text.lstrip("-")) <= EXACT_DIGITS else "'" + text


def _text(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


class _Parts:
    """A file-like sink for `csv.writer` (which writes one whole row per call) that starts a
    new file before one would pass `limit` bytes; each starts with the BOM and the header."""

    def __init__(self, folder: Path, stem: str, titles: list[str], limit: int) -> None:
        line = io.StringIO()
        csv.writer(line).writerow(titles)
        # The UTF-8 BOM: without it Excel reads a CSV in the machine's legacy code page, and
        # every name in Cyrillic or Turkish letters turns into mojibake.
        self._head = codecs.BOM_UTF8 + line.getvalue().encode()
        self._folder = folder
        self._stem = stem
        self._limit = limit
        self._file: BinaryIO | None = None
        self._size = 0
        self.parts: list[Part] = []

    def __enter__(self) -> _Parts:
        self._next()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._file is not None:
            self._file.close()

    def write(self, text: str) -> None:
        data = text.encode()
        # A part holds at least one row: a row is at most a few Telegram messages long.
        if self.parts[-1].rows and self._size + len(data) > self._limit:
            self._next()
        assert self._file is not None
        self._file.write(data)
        self._size += len(data)
        self.parts[-1].rows += 1

    def _next(self) -> None:
        if self._file is not None:
            self._file.close()
        number = len(self.parts) + 1
        path = self._folder / (f"{self._stem}.csv" if number == 1 else f"{self._stem}-{number}.csv")
        self._file = path.open("wb")
        self._file.write(self._head)
        self._size = len(self._head)
        self.parts.append(Part(path, 0))
