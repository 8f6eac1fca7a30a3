"""/export of a 200,000-row ledger: time and peak Python memory beside the CSV in one string."""

from __future__ import annotations

import codecs
import csv
import io
import tempfile
import time
import tracemalloc
from collections.abc import Awaitable, Callable
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

from bench.report import Row
from bot.shop.config import ShopConfig
from handlers.export import PART_BYTES, Kind, cell, header, write_export
from storage.db import Database
from storage.export import LEDGER_COLUMNS

ROWS = 200_000
QUICK_ROWS = 20_000
USERS = 1_000
CONFIG = ShopConfig(
    currency="USD", panel_currency="USD", fx=Decimal(1), markup=Decimal(30),
    admin_ids=frozenset(), sandbox=False,
)  # fmt: skip
T = TypeVar("T")


async def fill_ledger(db: Database, count: int, *, first: int = 1) -> None:
    """`count` ledger rows (ids from `first`) over `USERS` users, written straight into the
    table: the export reads rows, it does not care how they got there."""
    async with db.transaction() as conn:
        await conn.executemany(
            "INSERT INTO users (id, first_name, created_at, last_seen_at)"
            " VALUES (?, 'Bench', 0, 0) ON CONFLICT (id) DO NOTHING",
            [(user,) for user in range(1, USERS + 1)],
        )
        await conn.executemany(
            "INSERT INTO ledger (user_id, amount, key, kind, note, created_at)"
            " VALUES (?, ?, ?, 'topup', 'bench top-up, \"quoted\"', ?)",
            [
                (1 + n % USERS, 1 + n % 9_999, f"bench:{n}", 1_700_000_000 + n)
                for n in range(first, first + count)
            ],
        )


async def one_string(db: Database) -> bytes:
    """The baseline: every row in one query, the CSV built in memory, as a naive export does."""
    select = ", ".join(LEDGER_COLUMNS)
    rows = await db.fetchall(f"SELECT {select} FROM ledger ORDER BY id")
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow([header(column, CONFIG) for column in LEDGER_COLUMNS])
    cells = [cell(column) for column in LEDGER_COLUMNS]
    writer.writerows([[f(value) for f, value in zip(cells, row, strict=True)] for row in rows])
    return codecs.BOM_UTF8 + text.getvalue().encode()


async def traced(action: Callable[[], Awaitable[T]]) -> tuple[T, float, int]:
    """(result, seconds, peak bytes Python allocated meanwhile) of one run of `action`."""
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        started = time.perf_counter()
        result = await action()
        seconds = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return result, seconds, peak


async def measure(quick: bool) -> tuple[list[Row], dict[str, Any]]:
    count = QUICK_ROWS if quick else ROWS
    with tempfile.TemporaryDirectory() as folder:
        db = await Database.open(Path(folder) / "shop.sqlite3")
        try:
            await fill_ledger(db, count)
            out = Path(folder) / "out"
            out.mkdir()
            parts, seconds, peak = await traced(
                lambda: write_export(
                    db, CONFIG, Kind.LEDGER, None, out, "ledger", part_bytes=PART_BYTES
                )
            )
            written = b"".join(part.path.read_bytes() for part in parts)
            whole, base_seconds, base_peak = await traced(lambda: one_string(db))
        finally:
            await db.close()
    if written != whole:  # the same file, or the comparison means nothing
        raise RuntimeError("the streamed export differs from the CSV built in memory")
    mb = 1024 * 1024
    rows = [
        Row(
            f"export: {count:,}-row ledger, peak memory", peak / mb, "MB", base_peak / mb,
            "MB (in one string)", target="< 0.1", met=peak < base_peak / 10, ratio_digits=3,
        ),
        Row(f"export: {count:,}-row ledger, time", seconds, "s", base_seconds, "s (in one string)"),
    ]  # fmt: skip
    details = {
        "rows": count,
        "bytes": len(written),
        "parts": len(parts),
        "streamed": {"seconds": round(seconds, 3), "peak_bytes": peak},
        "one_string": {"seconds": round(base_seconds, 3), "peak_bytes": base_peak},
    }
    return rows, details
