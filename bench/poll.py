"""Benchmark: one status-poll cycle over 10,000 orders, batched versus one order per request."""

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

from bot.jobs.poller import poll_once
from bot.panel.client import PanelClient
from bot.panel.panels import Panels
from bot.shop.config import ShopConfig
from bot.shop.tracking import apply_status
from storage import ledger, orders, users
from storage.db import Database
from storage.orders import State

ORDERS = 10_000
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
    """`count` paid, active orders of one user, written in one transaction."""
    await users.touch(db, USER, "bench", "Bench", "en")
    async with db.transaction() as conn:
        await ledger.post(conn, user_id=USER, amount=count * 100, key="topup", kind="topup")
        for number in range(1, count + 1):
            order_id = await orders.create(
                conn, user_id=USER, service_id=101, service_name="Followers",
                service_type="Default", link="https://example.com/p", quantity=1000,
                fields={}, charge=100, cost=90_000, token=f"bench-{number}", holder="bench",
            )  # fmt: skip
            assert order_id is not None
            await ledger.post(
                conn, user_id=USER, amount=-100, key=f"order:{order_id}", kind="order",
                order_id=order_id,
            )  # fmt: skip
            await orders.transition(
                conn, order_id, State.SUBMITTING, state=State.ACTIVE, upstream_id=50_000 + number
            )


async def batched(
    folder: Path, count: int = ORDERS, database: str | None = None
) -> dict[str, float | int]:
    """The cycle as the poller runs it, on a SQLite file in `folder` or on `database` (a URL)."""
    db = await Database.open(database or folder / "batched.sqlite3")
    panel = SlowPanel()
    try:
        await seed(db, count)
        async with httpx.AsyncClient(transport=httpx.MockTransport(panel.handle)) as http:
            client = PanelClient(http, "https://panel.bench/api/v2", SecretStr("bench"))
            started = time.perf_counter()
            stats = await poll_once(db, Panels.single(client), CONFIG, concurrency=CONCURRENCY)
            seconds = time.perf_counter() - started
            requests = panel.requests
            # The steady state: the same statuses again, so only `checked_at` moves.
            started = time.perf_counter()
            repeat = await poll_once(db, Panels.single(client), CONFIG, concurrency=CONCURRENCY)
            repeat_seconds = time.perf_counter() - started
        assert stats.checked == repeat.checked == count, (stats, repeat)
        assert stats.errors == repeat.errors == 0, (stats, repeat)
    finally:
        await db.close()
    return {
        "orders": count,
        "requests": requests,
        "seconds": round(seconds, 3),
        "repeat_seconds": round(repeat_seconds, 3),
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
