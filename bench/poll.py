"""Benchmark: a status-poll cycle over 1k / 10k / 100k orders, batched versus one order per request.

`python bench/poll.py` runs 10,000 alone; `python -m bench --only poll` the sizes of SIZES.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as `python bench/poll.py`: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import asyncio
import json
import tempfile
import time
from decimal import Decimal
from urllib.parse import parse_qsl

import httpx
from pydantic import SecretStr

from bench.report import Row
from bot.jobs.poller import poll_once
from bot.panel.client import PanelClient
from bot.panel.panels import Panels
from bot.shop.config import ShopConfig
from bot.shop.tracking import apply_status
from storage import ledger, orders, users
from storage.clock import now
from storage.db import Database
from storage.orders import State

ORDERS = 10_000
SIZES = (1_000, 10_000, 100_000)
QUICK_SIZES = (1_000, 10_000)
SAMPLE = 500  # the naive loop runs over this many and is extrapolated, to keep the run short
LATENCY = 0.05  # seconds the panel takes to answer any request
CONCURRENCY = 4
USER = 1
RESULTS = Path(__file__).resolve().parent / "results-poll.json"
CONFIG = ShopConfig(
    currency="USD", panel_currency="USD", fx=Decimal(1), markup=Decimal(30),
    admin_ids=frozenset(), sandbox=False,
)  # fmt: skip


class SlowPanel:
    """Answers every asked-for order as "In progress", after `LATENCY` seconds."""

    def __init__(self) -> None:
        self.requests = 0

    async def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests += 1
        await asyncio.sleep(LATENCY)
        form = dict(parse_qsl(request.content.decode()))
        entry = {"charge": "0.9", "start_count": "100", "status": "In progress", "remains": "500"}
        if "orders" in form:
            return httpx.Response(200, json=dict.fromkeys(form["orders"].split(","), entry))
        return httpx.Response(200, json=entry)


async def seed(db: Database, count: int) -> None:
    """`count` paid, active orders of one user, as placing them leaves them (charged through the
    ledger, handed to the panel), written in bulk in one transaction."""
    await users.touch(db, USER, "bench", "Bench", "en")
    stamp = now()
    async with db.transaction() as conn:
        await ledger.post(conn, user_id=USER, amount=count * 100, key="topup", kind="topup")
        await conn.executemany(
            "INSERT INTO orders (user_id, service_id, service_name, service_type, link, quantity,"
            " fields, charge, cost, token, state, upstream_id, created_at, updated_at, holder)"
            " VALUES (?, 101, 'Followers', 'Default', 'https://example.com/p', 1000, '{}', 100,"
            " 90000, ?, ?, ?, ?, ?, 'bench')",
            [
                (USER, f"bench-{number}", State.ACTIVE, 50_000 + number, stamp, stamp)
                for number in range(1, count + 1)
            ],
        )
        await conn.execute(
            "INSERT INTO ledger (user_id, amount, key, kind, order_id, created_at)"
            " SELECT user_id, -charge, 'order:' || id, 'order', id, created_at FROM orders"
        )
        await conn.execute(
            "UPDATE users SET balance = balance - ? WHERE id = ?", (count * 100, USER)
        )


async def batched(
    folder: Path, count: int = ORDERS, database: str | None = None
) -> dict[str, float | int]:
    """The cycle as the poller runs it, on a SQLite file in `folder` or on `database` (a URL)."""
    db = await Database.open(database or folder / f"batched-{count}.sqlite3")
    panel = SlowPanel()
    try:
        await seed(db, count)
        async with httpx.AsyncClient(transport=httpx.MockTransport(panel.handle)) as http:
            client = PanelClient(http, "https://panel.bench/api/v2", SecretStr("bench"))
            started = time.perf_counter()
            # Every order in one cycle: the scheduler's cycle takes at most 10,000 per panel
            # (poll_once's limit), so past that this is the work of several cycles.
            cpu = time.process_time()
            stats = await poll_once(
                db, Panels.single(client), CONFIG, concurrency=CONCURRENCY, limit=count
            )
            seconds = time.perf_counter() - started
            cpu_seconds = time.process_time() - cpu
            requests = panel.requests
            # The steady state: the same statuses again, so only `checked_at` moves.
            started, cpu = time.perf_counter(), time.process_time()
            repeat = await poll_once(
                db, Panels.single(client), CONFIG, concurrency=CONCURRENCY, limit=count
            )
            repeat_seconds = time.perf_counter() - started
            repeat_cpu_seconds = time.process_time() - cpu
        assert stats.checked == repeat.checked == count, (stats, repeat)
        assert stats.errors == repeat.errors == 0, (stats, repeat)
    finally:
        await db.close()
    return {
        "orders": count,
        "requests": requests,
        "seconds": round(seconds, 3),
        "cpu_seconds": round(cpu_seconds, 3),  # every thread: the loop's and the database's
        "repeat_seconds": round(repeat_seconds, 3),
        "repeat_cpu_seconds": round(repeat_cpu_seconds, 3),
    }


async def naive(folder: Path, count: int = ORDERS, sample: int = SAMPLE) -> dict[str, float | int]:
    """The anti-pattern: `status` per order, applied one by one, over a sample."""
    db = await Database.open(folder / "naive.sqlite3")
    panel = SlowPanel()
    try:
        await seed(db, sample)
        async with httpx.AsyncClient(transport=httpx.MockTransport(panel.handle)) as http:
            client = PanelClient(http, "https://panel.bench/api/v2", SecretStr("bench"))
            started = time.perf_counter()
            for order in await orders.due_for_poll(db, sample):
                assert order.upstream_id is not None
                status = await client.status(order.upstream_id)
                await apply_status(db, CONFIG, order.id, status)
            seconds = time.perf_counter() - started
    finally:
        await db.close()
    scale = count / sample
    return {
        "sample_orders": sample,
        "sample_requests": panel.requests,
        "sample_seconds": round(seconds, 3),
        "orders": count,
        "requests": round(panel.requests * scale),
        "seconds": round(seconds * scale, 3),
        "extrapolated": True,
    }


async def measure(count: int = ORDERS, sample: int = SAMPLE) -> dict[str, Any]:
    """Both ways over `count` orders (the naive one over `sample` of them, extrapolated)."""
    with tempfile.TemporaryDirectory() as folder:
        fast = await batched(Path(folder), count)
        slow = await naive(Path(folder), count, sample)
    return {
        "panel_latency_seconds": LATENCY,
        "concurrency": CONCURRENCY,
        "batched": fast,
        "naive": slow,
        "ratio_requests": round(slow["requests"] / fast["requests"], 1),
        "ratio_seconds": round(slow["seconds"] / fast["seconds"], 1),
    }


async def scaling(quick: bool) -> tuple[list[Row], dict[str, Any]]:
    """The batched cycle at each size as table rows, beside one order per request (measured
    once on a sample and extrapolated to each size)."""
    sizes, sample = (QUICK_SIZES, 50) if quick else (SIZES, 200)
    details: dict[str, Any] = {"panel_latency_seconds": LATENCY, "concurrency": CONCURRENCY}
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as folder:
        slow = await naive(Path(folder), sample, sample)
        details["naive_sample"] = slow
        per_order = slow["sample_seconds"] / sample
        for count in sizes:
            print(f"bench: poll at {count:,} orders...", file=sys.stderr, flush=True)
            fast = await batched(Path(folder), count)
            details[str(count)] = fast
            rows += [
                Row(
                    f"poll: requests for {count:,} orders", fast["requests"], "req",
                    count, "req (one per order)", target="<= 0.01",
                    met=fast["requests"] <= count / 100, ratio_digits=3,
                ),
                Row(
                    f"poll: cycle over {count:,} orders", fast["seconds"], "s",
                    round(per_order * count, 3), "s (one per order)", ratio_digits=3,
                ),
                Row(
                    f"poll: unchanged repeat over {count:,} orders", fast["repeat_seconds"], "s",
                    fast["seconds"], "s (the first cycle)", ratio_digits=3,
                ),
            ]  # fmt: skip
    return rows, details


async def main() -> None:
    results = await measure()
    fast, slow = results["batched"], results["naive"]
    print(f"status poll over {ORDERS:,} active orders, panel answering in {LATENCY * 1000:.0f} ms")
    print(
        f"  batched (<=100 ids, {CONCURRENCY} in flight): {fast['requests']:>6,} requests"
        f"  {fast['seconds']:8.2f} s  (every order changes; unchanged repeat:"
        f" {fast['repeat_seconds']:.2f} s)"
    )
    print(
        f"  naive (one order per request):        {slow['requests']:>6,} requests"
        f"  {slow['seconds']:8.2f} s  (extrapolated from {SAMPLE} orders in"
        f" {slow['sample_seconds']:.2f} s)"
    )
    print(
        f"  ratio: {results['ratio_requests']}x fewer requests, {results['ratio_seconds']}x faster"
    )
    RESULTS.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"  written to {RESULTS}")


if __name__ == "__main__":
    asyncio.run(main())
