"""The two engines side by side: purchases/s with 1, 2 and 4 web processes on PostgreSQL against
one process on SQLite, the poll cycle on both, and where a PostgreSQL purchase spends its time.

Every web process is an OS process of its own (multiprocessing, spawned) running the real
Dispatcher (`build_dispatcher`, real `Deps` on `Database.open(url)`, drafts in the database as
without REDIS_URL) over the fake Telegram session of bench/updates.py, the sandbox panel in
process, with customers of its own. The PostgreSQL processes share one fresh schema of the
database at BENCH_DATABASE_URL; the bench creates it and drops it.

The processes start once and stay up; the configurations (SQLite x1, PostgreSQL x1, x2, x4)
then take turns for a few rounds, so that the machine's drift hits each alike.
"""

from __future__ import annotations

import asyncio
import gc
import itertools
import multiprocessing
import os
import re
import sys
import tempfile
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import AsyncExitStack, asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from multiprocessing.connection import Connection as Pipe
from pathlib import Path
from typing import Any, cast
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import httpx
from asyncpg.connection import Connection as PgRaw
from asyncpg.pool import Pool
from pydantic import SecretStr
from redis.asyncio import Redis
from redis.exceptions import RedisError

from bench import poll
from bench.fixtures import (
    PANEL_KEY,
    PANEL_URL,
    ShopPanel,
    generate_catalog,
    shop_config,
    shop_on,
)
from bench.report import Row
from bench.updates import CONCURRENT_USERS, GcClock, Tally, _wave, purchase_steps
from bot.app import Deps, build_dispatcher
from bot.i18n import Translator
from bot.jobs.catalog import sync_catalog
from bot.panel.client import PanelClient
from bot.panel.panels import Panels
from bot.redis_sessions import on_redis
from storage.db import Database

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/test"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
REDIS = "drafts in Redis"  # the phase run as with REDIS_URL set
PROCESSES = (1, 2, 4)
WARM_UP_WAVES = 1
CUSTOMER_BALANCE = 1_000_000
CUSTOMERS_PER_WORKER = 10_000_000  # worker n's customers: ids from 2e9 + n * this
# The statement that takes PostgreSQL's write lock (storage/postgres.py) and the ends of a
# transaction, as asyncpg sends them.
_LOCK = "pg_advisory_xact_lock"
_ENDS = ("COMMIT;", "ROLLBACK;")
_TABLE = re.compile(
    r"^\s*(INSERT\s+INTO|UPDATE|DELETE\s+FROM|SELECT\b.*?\bFROM)\s+(\w+)", re.I | re.S
)


def database_url() -> str:
    return os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)


def redis_url() -> str:
    return os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS_URL)


def shown(url: str) -> str:
    """The URL without its password, for a printed line."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.netloc.rsplit("@", 1)[1]
    return urlunsplit(parts._replace(netloc=f"{parts.username}:***@{host}"))


async def reachable(url: str) -> str | None:
    """None when PostgreSQL at `url` answers, else why not (one line)."""
    try:
        conn = await asyncpg.connect(url, timeout=5)
    except (OSError, asyncpg.PostgresError, TimeoutError) as error:
        return f"{type(error).__name__}: {error}"
    await conn.close()
    return None


async def redis_reachable(url: str) -> str | None:
    """None when Redis at `url` answers, else why not (one line)."""
    client = Redis.from_url(url, socket_connect_timeout=5)
    try:
        await cast("Awaitable[bool]", client.ping())
    except (RedisError, OSError) as error:
        return f"{type(error).__name__}: {error}"
    finally:
        await client.aclose()
    return None


async def forget(url: str, prefix: str) -> None:
    """Delete the bench's keys from Redis."""
    client = Redis.from_url(url)
    try:
        keys = [key async for key in client.scan_iter(match=f"{prefix}:*")]
        if keys:
            await client.delete(*keys)
    finally:
        await client.aclose()


@asynccontextmanager
async def fresh_schema(url: str) -> AsyncIterator[str]:
    """`url` with a new, empty schema as its search path (as tests/conftest.py builds it)."""
    name = f"bench_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(url)
    try:
        await admin.execute(f"CREATE SCHEMA {name}")
        separator = "&" if "?" in url else "?"
        yield f"{url}{separator}search_path={name}"
    finally:
        await admin.execute(f"DROP SCHEMA {name} CASCADE")
        await admin.close()


@dataclass
class PgClock:
    """Where a process's PostgreSQL time went, from asyncpg's side: the write lock (waiting for
    it, holding it), every other statement's round trip, waiting for a pooled connection.
    Times awaited by concurrent tasks add up (they overlap in wall time)."""

    lock_wait: float = 0.0
    lock_held: float = 0.0
    sql: float = 0.0  # every statement but the lock's: BEGIN and COMMIT included
    commit: float = 0.0  # COMMIT alone (PostgreSQL flushes the WAL then, the lock still held)
    acquire: float = 0.0
    statements: int = 0
    transactions: int = 0
    # write transactions by their first statement ("INSERT drafts"): count, seconds held
    kinds: Counter[str] = field(default_factory=Counter)
    held_by_kind: defaultdict[str, float] = field(default_factory=lambda: defaultdict(float))
    _locked_at: dict[int, float] = field(default_factory=dict)
    _kind: dict[int, str] = field(default_factory=dict)

    def reset(self) -> None:
        """Counting starts again (a transaction under way keeps its start)."""
        self.lock_wait = self.lock_held = self.sql = self.commit = self.acquire = 0.0
        self.statements = self.transactions = 0
        self.kinds.clear()
        self.held_by_kind.clear()

    def statement(self, conn: PgRaw, query: str, started: float, ended: float) -> None:
        key = id(conn)
        if _LOCK in query:
            self.lock_wait += ended - started
            self._locked_at[key] = ended
            self._kind[key] = ""
            self.transactions += 1
            return
        self.sql += ended - started
        self.statements += 1
        if key not in self._locked_at:
            return
        if query in _ENDS:
            self.commit += ended - started
            held = ended - self._locked_at.pop(key)
            kind = self._kind.pop(key) or "(nothing)"
            self.lock_held += held
            self.kinds[kind] += 1
            self.held_by_kind[kind] += held
        elif not self._kind[key]:
            found = _TABLE.match(query)
            verb = found.group(1).split()[0].upper() if found else query.split()[0].upper()
            self._kind[key] = f"{verb} {found.group(2)}" if found else verb

    def as_json(self, purchases: int) -> dict[str, Any]:
        def per(value: float) -> float:
            return round(1000 * value / max(1, purchases), 3)

        return {
            "lock_wait_ms_per_purchase": per(self.lock_wait),
            "lock_held_ms_per_purchase": per(self.lock_held),
            "sql_ms_per_purchase": per(self.sql),
            "commit_ms_per_purchase": per(self.commit),
            "pool_acquire_ms_per_purchase": per(self.acquire),
            "statements_per_purchase": round(self.statements / max(1, purchases), 2),
            "write_transactions_per_purchase": round(self.transactions / max(1, purchases), 2),
            "write_transactions_by_first_statement": {
                kind: {
                    "per_purchase": round(count / max(1, purchases), 2),
                    "held_ms_per_purchase": per(self.held_by_kind[kind]),
                }
                for kind, count in self.kinds.most_common()
            },
        }


_METHODS = ("execute", "executemany", "fetch", "fetchrow", "fetchval")


def _timed(clock: PgClock, method: Callable[..., Awaitable[Any]]) -> Callable[..., Any]:
    async def call(conn: PgRaw, query: str, *args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return await method(conn, query, *args, **kwargs)
        finally:
            clock.statement(conn, query, started, time.perf_counter())

    return call


def instrument(clock: PgClock) -> None:
    """Time every asyncpg statement and pool checkout of this process into `clock` (a worker
    process of this bench only: nothing of the shop's code changes)."""
    for name in _METHODS:
        setattr(PgRaw, name, _timed(clock, getattr(PgRaw, name)))
    acquire = vars(Pool)["_acquire"]  # what `async with pool.acquire()` awaits

    async def timed_acquire(pool: Pool, limit: float | None) -> Any:
        started = time.perf_counter()
        try:
            return await acquire(pool, limit)
        finally:
            clock.acquire += time.perf_counter() - started

    setattr(Pool, "_acquire", timed_acquire)  # noqa: B010  (not in asyncpg's stubs)


# --- one web process --------------------------------------------------------------------------


def _serve(
    index: int, target: str, customers: int, redis: tuple[str, str] | None, pipe: Pipe
) -> None:
    """A web process: the shop on `target`, `customers` customers of its own (each buys again
    in turn, as many waves' worth as a turn takes: a returning customer); runs waves of
    purchases when told, answers with what they took. With `redis` (a URL and a key prefix),
    a second Dispatcher keeps drafts and per-customer locks there, as with REDIS_URL."""
    try:
        asyncio.run(_serve_async(index, target, customers, redis, pipe))
    except BaseException as error:
        import traceback

        pipe.send(
            {"error": f"{type(error).__name__}: {error}", "traceback": traceback.format_exc()}
        )
        raise
    finally:
        pipe.close()


async def _serve_async(
    index: int, target: str, customers: int, redis: tuple[str, str] | None, pipe: Pipe
) -> None:
    clock = PgClock()
    if target.startswith("postgresql"):
        instrument(clock)
    first = 2_000_000_000 + index * CUSTOMERS_PER_WORKER
    ids: Iterator[int] = itertools.cycle(range(first, first + customers))
    db = await Database.open(target)
    try:
        async with AsyncExitStack() as stack:
            shop = await stack.enter_async_context(shop_on(db, generate_catalog(), sync=False))
            # One panel behind every process, as in production: its order ids never repeat.
            shop.panel.sandbox._last_order_id = first - 1
            dispatchers = {"": shop.dp}
            if redis is not None:
                url, prefix = redis
                sessions = await stack.enter_async_context(on_redis(url, prefix=prefix))
                deps = Deps(
                    db=db,
                    panels=Panels.single(shop.client),
                    shop=shop_config(),
                    translator=Translator("en"),
                    sessions=sessions,
                )
                dispatchers[REDIS] = build_dispatcher(deps, catch_errors=True)
            for user_id in range(first, first + customers):
                await shop.customer(user_id, CUSTOMER_BALANCE)
            with GcClock() as gc_clock:
                tally = Tally()
                for dp in dispatchers.values():  # first queries, caches, lazily built types
                    for _ in range(WARM_UP_WAVES):
                        wave = list(itertools.islice(ids, CONCURRENT_USERS))
                        await _wave(dp, wave, purchase_steps, False, tally, gc_clock)
                bought = len(dispatchers) * WARM_UP_WAVES * CONCURRENT_USERS
                gc.collect()
                gc.freeze()  # as bench/updates.py: start-up's heap stays out of collections
                pipe.send({"ready": True})
                while (command := pipe.recv()) != "stop":
                    waves, which = command
                    tally = Tally()
                    clock.reset()
                    cpu = time.process_time()
                    started = time.monotonic()
                    for _ in range(waves):
                        wave = list(itertools.islice(ids, CONCURRENT_USERS))
                        await _wave(
                            dispatchers[which], wave, purchase_steps, False, tally, gc_clock
                        )
                    ended = time.monotonic()
                    purchases = waves * CONCURRENT_USERS
                    bought += purchases
                    pipe.send(
                        {
                            "started": started,
                            "ended": ended,
                            "purchases": purchases,
                            "cpu": time.process_time() - cpu,
                            "updates": tally.updates,
                            # a wave's users run together: each purchase takes about the wave
                            "purchase_seconds": tally.seconds * CONCURRENT_USERS,
                            "transport": tally.transport,
                            "gc": tally.gc,
                            "pg": clock.as_json(purchases) if clock.transactions else None,
                        }
                    )
                placed = len(shop.panel.sandbox.orders)
        # Every purchase went through (catch_errors=True would turn a bug into a polite message).
        pipe.send({"placed": placed, "bought": bought})
    finally:
        await db.close()


class Worker:
    """The parent's end of one web process."""

    def __init__(
        self, index: int, target: str, customers: int, redis: tuple[str, str] | None
    ) -> None:
        context = multiprocessing.get_context("spawn")  # a clean interpreter, no inherited loop
        self.pipe, child = context.Pipe()
        self.process = context.Process(
            target=_serve, args=(index, target, customers, redis, child), daemon=True
        )
        self.process.start()
        child.close()

    async def receive(self) -> dict[str, Any]:
        answer: dict[str, Any] = await asyncio.to_thread(self.pipe.recv)
        if "error" in answer:
            raise RuntimeError(f"web process failed: {answer['error']}\n{answer['traceback']}")
        return answer

    async def stop(self) -> dict[str, Any]:
        self.pipe.send("stop")
        answer = await self.receive()
        await asyncio.to_thread(self.process.join, 30)
        return answer

    def kill(self) -> None:
        if self.process.is_alive():
            self.process.kill()
            self.process.join()


def _machine_ticks() -> tuple[int, int]:
    """(busy, total) CPU ticks of the whole machine so far (Linux), for its load in a phase."""
    fields = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle, iowait
    return sum(fields) - idle, sum(fields)


@dataclass
class Phase:
    """One configuration (engine, number of processes), over every round."""

    name: str
    workers: list[Worker]
    drafts: str = ""  # which Dispatcher of the processes: "" (drafts in the database) or REDIS
    purchases: int = 0
    seconds: float = 0.0
    cpu: float = 0.0
    latency: float = 0.0  # seconds of every purchase, from /start to Confirm answered
    busy: int = 0
    ticks: int = 0
    answers: list[dict[str, Any]] = field(default_factory=list)

    async def run(self, waves: int) -> None:
        busy, total = _machine_ticks()
        for worker in self.workers:
            worker.pipe.send((waves, self.drafts))
        answers = [await worker.receive() for worker in self.workers]
        busy_after, total_after = _machine_ticks()
        self.busy += busy_after - busy
        self.ticks += total_after - total
        self.seconds += max(a["ended"] for a in answers) - min(a["started"] for a in answers)
        self.purchases += sum(a["purchases"] for a in answers)
        self.cpu += sum(a["cpu"] for a in answers)
        self.latency += sum(a["purchase_seconds"] for a in answers)
        self.answers += answers

    @property
    def rate(self) -> float:
        return self.purchases / self.seconds

    def as_json(self) -> dict[str, Any]:
        found: dict[str, Any] = {
            "processes": len(self.workers),
            "purchases": self.purchases,
            "seconds": round(self.seconds, 3),
            "purchases_per_second": round(self.rate, 2),
            "wall_ms_per_purchase_per_process": round(
                1000 * self.seconds * len(self.workers) / self.purchases, 3
            ),
            "purchase_latency_ms": round(1000 * self.latency / self.purchases, 3),
            "cpu_ms_per_purchase": round(1000 * self.cpu / self.purchases, 3),
            "processes_cpu_share_of_machine": round(
                self.cpu / (self.seconds * (os.cpu_count() or 1)), 3
            ),
            "machine_cpu_busy": round(self.busy / max(1, self.ticks), 3),
        }
        pg = [a["pg"] for a in self.answers if a["pg"]]
        if pg:
            found["postgresql"] = _mean_pg(
                pg, self.purchases, [a["purchases"] for a in self.answers]
            )
            held = sum(
                p["lock_held_ms_per_purchase"] * a["purchases"] / 1000
                for p, a in zip(pg, self.answers, strict=True)
            )
            found["write_lock_held_share_of_wall"] = round(held / self.seconds, 3)
        return found


def _mean_pg(found: list[dict[str, Any]], purchases: int, weights: list[int]) -> dict[str, Any]:
    """The per-purchase figures of every answer, weighted by their purchases."""
    mean: dict[str, Any] = {}
    for key, value in found[0].items():
        if isinstance(value, int | float):
            total = sum(f[key] * w for f, w in zip(found, weights, strict=True))
            mean[key] = round(total / purchases, 3)
    kinds: dict[str, dict[str, float]] = {}
    for each, weight in zip(found, weights, strict=True):
        for kind, numbers in each["write_transactions_by_first_statement"].items():
            into = kinds.setdefault(kind, {"per_purchase": 0.0, "held_ms_per_purchase": 0.0})
            for key, value in numbers.items():
                into[key] += value * weight / purchases
    mean["write_transactions_by_first_statement"] = {
        kind: {key: round(value, 3) for key, value in numbers.items()}
        for kind, numbers in sorted(kinds.items(), key=lambda item: -item[1]["per_purchase"])
    }
    return mean


async def _sync(target: str) -> None:
    """Migrate `target` and sync the bench's catalog into it once, for every process."""
    db = await Database.open(target)
    panel = ShopPanel(generate_catalog())
    try:
        async with httpx.AsyncClient(transport=httpx.MockTransport(panel.handle)) as http:
            await sync_catalog(db, PanelClient(http, PANEL_URL, SecretStr(PANEL_KEY)))
    finally:
        await db.close()


@contextmanager
def _workers(
    targets: list[str], customers: int, redis: tuple[str, str] | None
) -> Iterator[list[Worker]]:
    workers = [
        Worker(index, target, customers, None if index == 0 else redis)
        for index, target in enumerate(targets)
    ]
    try:
        yield workers
    finally:
        for worker in workers:
            worker.kill()


async def purchases(
    folder: Path, pg_url: str | None, redis: tuple[str, str] | None, rounds: int, waves: int
) -> list[Phase]:
    """Phases SQLite x1 and, with `pg_url`, PostgreSQL x1, x2, x4 (and x4 with drafts and locks
    in Redis, with `redis`: its URL and a key prefix), taking turns for `rounds` rounds, each
    process running `waves` waves of CONCURRENT_USERS purchases per turn."""
    sqlite = str(folder / "shop.sqlite3")
    await _sync(sqlite)
    targets = [sqlite]
    if pg_url is not None:
        await _sync(pg_url)
        targets += [pg_url] * max(PROCESSES)
    # the most any process buys: one turn in each phase it takes part in, every round
    customers = max(waves, WARM_UP_WAVES) * CONCURRENT_USERS  # distinct within a turn
    with _workers(targets, customers, redis) as workers:
        started = time.perf_counter()
        for worker in workers:
            await worker.receive()  # ready: customers written, warmed up
        print(
            f"bench: engines: {len(workers)} web processes ready in"
            f" {time.perf_counter() - started:.1f} s",
            file=sys.stderr,
        )
        phases = [Phase("sqlite x1", workers[:1])]
        if pg_url is not None:
            phases += [Phase(f"postgresql x{n}", workers[1 : 1 + n]) for n in PROCESSES]
            if redis is not None:
                widest = max(PROCESSES)
                phases.append(Phase(f"postgresql x{widest}, {REDIS}", workers[1:], REDIS))
        for number in range(rounds):
            print(f"bench: engines: purchases, round {number + 1}/{rounds}", file=sys.stderr)
            for phase in phases:
                await phase.run(waves)
        for worker in workers:
            done = await worker.stop()
            assert done["placed"] == done["bought"], (
                f"{done['placed']} orders placed upstream for {done['bought']} purchases"
            )
    return phases


async def poll_cycles(folder: Path, pg_url: str | None, count: int) -> dict[str, Any]:
    """bench/poll.py's batched cycle over `count` active orders on each engine."""
    found = {"sqlite": await poll.batched(folder, count)}
    if pg_url is not None:
        found["postgresql"] = await poll.batched(folder, count, database=pg_url)
    return found


def _rows(phases: list[Phase], cycles: dict[str, Any], count: int) -> list[Row]:
    base = phases[0]
    rows = [Row("engines: purchases, sqlite x1", base.rate, "purchase/s")]
    rows += [
        Row(
            f"engines: purchases, {phase.name}",
            phase.rate,
            "purchase/s",
            base.rate,
            "purchase/s (sqlite x1)",
        )
        for phase in phases[1:]
    ]
    sqlite = cycles["sqlite"]
    if "postgresql" in cycles:
        pg = cycles["postgresql"]
        rows += [
            Row(
                f"engines: poll cycle over {count:,} orders, postgresql",
                1000 * pg["seconds"],
                "ms",
                1000 * sqlite["seconds"],
                "ms (sqlite)",
            ),
            Row(
                "engines: poll cycle, unchanged repeat, postgresql",
                1000 * pg["repeat_seconds"],
                "ms",
                1000 * sqlite["repeat_seconds"],
                "ms (sqlite)",
            ),
        ]
    else:
        rows.append(
            Row(
                f"engines: poll cycle over {count:,} orders, sqlite", 1000 * sqlite["seconds"], "ms"
            )
        )
    for phase in phases[1:]:
        rows += _breakdown(phase)
    return rows


def _breakdown(phase: Phase) -> list[Row]:
    """Where a PostgreSQL purchase's time goes: the share of its latency (/start to Confirm
    answered) spent waiting for the write lock and in the other statements' round trips, and
    the share of the wall time the lock was held by anyone (near 1: the lock is the limit)."""
    found = phase.as_json()
    pg = found["postgresql"]
    latency = found["purchase_latency_ms"]
    label = f"engines: {phase.name}, a purchase"
    return [
        Row(f"{label} waits for the write lock", pg["lock_wait_ms_per_purchase"], "ms",
            latency, "ms (its latency)"),
        Row(f"{label} in other SQL round trips", pg["sql_ms_per_purchase"], "ms",
            latency, "ms (its latency)"),
        Row(f"{label} waits for a pooled connection", pg["pool_acquire_ms_per_purchase"], "ms",
            latency, "ms (its latency)"),
        Row(f"engines: {phase.name}, write lock held", found["write_lock_held_share_of_wall"],
            "of wall", 1.0, "", ratio_digits=3),
    ]  # fmt: skip


async def measure(quick: bool) -> tuple[list[Row], dict[str, Any]]:
    rounds, waves, count = (1, 2, 1_000) if quick else (3, 6, poll.ORDERS)
    url, redis = database_url(), redis_url()
    unreachable = await reachable(url)
    redis_unreachable: str | None = None
    if unreachable is not None:
        print(
            f"bench: engines: PostgreSQL at {shown(url)} unreachable ({unreachable}):"
            " SQLite figures only",
            file=sys.stderr,
        )
        redis_unreachable = "not tried (no PostgreSQL)"
    elif (redis_unreachable := await redis_reachable(redis)) is not None:
        print(
            f"bench: engines: Redis at {shown(redis)} unreachable ({redis_unreachable}):"
            " no line with drafts in Redis",
            file=sys.stderr,
        )
    with tempfile.TemporaryDirectory() as folder:
        if unreachable is not None:
            phases = await purchases(Path(folder), None, None, rounds, waves)
            cycles = await poll_cycles(Path(folder), None, count)
        else:
            prefix = f"bench-{uuid.uuid4().hex[:12]}"
            keys = None if redis_unreachable else (redis, prefix)
            try:
                async with fresh_schema(url) as pg_url:
                    phases = await purchases(Path(folder), pg_url, keys, rounds, waves)
            finally:
                if keys is not None:
                    await forget(*keys)
            async with fresh_schema(url) as pg_url:
                cycles = await poll_cycles(Path(folder), pg_url, count)
    details: dict[str, Any] = {
        "database": shown(url),
        "postgresql_unreachable": unreachable,
        "redis": shown(redis),
        "redis_unreachable": redis_unreachable,
        "cpu_count": os.cpu_count(),
        "load_average_after": os.getloadavg(),
        "rounds": rounds,
        "purchases_per_process_per_turn": waves * CONCURRENT_USERS,
        "users_at_once_per_process": CONCURRENT_USERS,
        "purchases": {phase.name: phase.as_json() for phase in phases},
        "poll": {"orders": count, "panel_latency_seconds": poll.LATENCY, **cycles},
    }
    return _rows(phases, cycles, count), details
