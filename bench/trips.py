"""Benchmark: a purchase's trips to the database threads, per write transaction.

A trip is one call handed to a connection's thread and answered: the thread wakes the loop
once per answer (`call_soon_threadsafe`), so counting those wakes counts trips, whatever runs
the thread. One purchase of `bench.updates` (the second customer's: the first warms the caches)
on the real Dispatcher and a SQLite file; each write transaction is named by its caller.

`python bench/trips.py` prints the figures; `rows()` gives them to the table.
"""

from __future__ import annotations

import sys
from pathlib import Path

if __package__ in (None, ""):  # run as `python bench/trips.py`: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import asyncio
import inspect
import json
import tempfile
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from bench.fixtures import Chat, open_shop, watch_writes
from bench.report import Row
from bench.updates import purchase_steps
from storage.db import SqliteDatabase

TARGET = 1  # trips per write transaction (issue 18)
_WRAPPERS = frozenset(
    {"__enter__", "__aenter__", "counted", "watched", "watched_run", "transaction", "run", "helper"}
)


class _Trips:
    """Wakes of the loop by a database thread, in all and per write transaction."""

    def __init__(self) -> None:
        self.count = 0
        self.per_transaction: defaultdict[str, list[int]] = defaultdict(list)

    def wake(self, real: Callable[..., Any]) -> Callable[..., Any]:
        def counted(*args: Any, **kwargs: Any) -> Any:
            self.count += 1
            return real(*args, **kwargs)

        return counted

    def transaction(self, name: str, trips: int) -> None:
        self.per_transaction[name].append(trips)


def _caller() -> str:
    for frame in inspect.stack()[2:10]:
        if frame.function not in _WRAPPERS:
            return f"{Path(frame.filename).stem}.{frame.function}"
    return "?"


def _instrument(db: SqliteDatabase, trips: _Trips) -> None:
    """Name and count each write transaction of `db` (this bench's database only)."""

    @contextmanager
    def counted(durable: bool) -> Iterator[None]:
        name, start = _caller(), trips.count
        try:
            yield
        finally:
            trips.transaction(name, trips.count - start)

    watch_writes(db, counted)


async def measure() -> dict[str, Any]:
    trips = _Trips()
    loop = asyncio.get_running_loop()
    with tempfile.TemporaryDirectory() as folder:
        async with open_shop(Path(folder), []) as shop:
            assert isinstance(shop.db, SqliteDatabase)
            for user_id in (5001, 5002):
                await shop.customer(user_id, 10_000_00)
            _instrument(shop.db, trips)
            real = loop.call_soon_threadsafe
            setattr(loop, "call_soon_threadsafe", trips.wake(real))  # noqa: B010
            try:
                per_update: Counter[str] = Counter()
                for user_id in (5001, 5002):
                    trips.per_transaction.clear()
                    per_update.clear()
                    start = trips.count
                    chat = Chat(shop.dp, shop.bot, shop.session, user_id)
                    for kind, what in purchase_steps(user_id):
                        before = trips.count
                        await (chat.send(what) if kind == "send" else chat.click(what))
                        label = what if isinstance(what, str) else "(a button)"
                        per_update[f"{kind} {label}"] += trips.count - before
                    total = trips.count - start
            finally:
                setattr(loop, "call_soon_threadsafe", real)  # noqa: B010
    return {
        "trips_per_purchase": total,
        "trips_per_update": dict(per_update),
        "write_transactions": {
            name: {"count": len(each), "trips_each": each}
            for name, each in trips.per_transaction.items()
        },
        "most_trips_in_one_write_transaction": max(
            (max(each) for each in trips.per_transaction.values()), default=0
        ),
        "target_trips_per_write_transaction": TARGET,
    }


async def rows(quick: bool) -> tuple[list[Row], dict[str, Any]]:
    """The table's lines: the most trips any write transaction of a purchase made (target 1),
    and the purchase's trips in all (reads by key stay on the loop: no trip)."""
    found = await measure()
    most = found["most_trips_in_one_write_transaction"]
    return [
        Row(
            "checkout: trips to a database thread, per write transaction (most)",
            most,
            "trips",
            target=f"<= {TARGET}",
            met=most <= TARGET,
        ),
        Row(
            "checkout: trips to the database threads, a whole purchase",
            found["trips_per_purchase"],
            "trips",
        ),
    ], found


async def main() -> None:
    print(json.dumps(await measure(), indent=1))


if __name__ == "__main__":
    asyncio.run(main())
