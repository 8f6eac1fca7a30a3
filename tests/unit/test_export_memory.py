"""An export's memory does not grow with the table: ten times the rows, about the same peak."""

from __future__ import annotations

from pathlib import Path

from bench.export import CONFIG, fill_ledger, one_string, traced
from handlers.export import PART_BYTES, Kind, write_export
from storage.db import Database

SMALL = 2_000
LARGE = 20_000


def folders(root: Path, count: int) -> list[Path]:
    made = [root / f"export-{n}" for n in range(count)]
    for folder in made:
        folder.mkdir()
    return made


async def peak_of_export(db: Database, folder: Path) -> int:
    _, _, peak = await traced(
        lambda: write_export(db, CONFIG, Kind.LEDGER, None, folder, "ledger", part_bytes=PART_BYTES)
    )
    return peak


async def test_peak_memory_does_not_grow_with_the_rows(db: Database, tmp_path: Path) -> None:
    warm_up, first, second = folders(tmp_path, 3)
    await fill_ledger(db, SMALL)
    await peak_of_export(db, warm_up)  # first-use caches are not the export's
    small = await peak_of_export(db, first)
    await fill_ledger(db, LARGE - SMALL, first=SMALL + 1)
    large = await peak_of_export(db, second)
    _, _, in_memory = await traced(lambda: one_string(db))
    # One page of rows is held at a time: 2k rows already fill two pages, so 20k rows may
    # cost a little more (allocator noise) but nowhere near ten times; building the file in
    # memory does grow with the rows.
    assert large < 1.5 * small + 256 * 1024, (small, large)
    assert large * 5 < in_memory, (large, in_memory)
