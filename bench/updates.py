"""Update throughput of the real Dispatcher (browsing, purchases) beside three other bots.

The echo bot is the baseline the issue asks for. The replay bot makes the very Telegram calls
the shop made for the same updates and nothing else: the share of the shop's time that any
aiogram bot showing these screens would spend too. The floor makes them too, behind what every
update of the shop goes through before its routers (the per-user lock, the conversation's state
and the stored user, read from the shop's database): what the shop would cost with no logic.
"""

from __future__ import annotations

import asyncio
import gc
import itertools
import socket
import sys
import tempfile
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import TelegramNetworkError
from aiogram.methods import AnswerCallbackQuery

from bench.fixtures import (
    BenchSession,
    Button,
    ButtonPick,
    Chat,
    Played,
    Shop,
    bench_bot,
    count_durable,
    echo_dispatcher,
    floor_dispatcher,
    generate_catalog,
    open_shop,
    replay_dispatcher,
    watch_writes,
)
from bench.report import Row
from bot.transport import ShopSession
from bot.webhook import answer_body
from storage.db import SqliteDatabase
from tests.fakes.telegram import BOT_TOKEN

LINK = "https://instagram.com/p/bench"
CONCURRENT_USERS = 8
BROWSE_TARGET = 0.5
PURCHASE_TARGET = 0.5  # issue 18, as browsing


def _nth(prefix: str) -> Callable[[int], ButtonPick]:
    """A picker of one of the buttons whose callback data starts with `prefix`, by user."""

    def for_user(user_id: int) -> ButtonPick:
        def pick(buttons: list[Button]) -> Button:
            found = [b for b in buttons if b.get("callback_data", "").startswith(prefix)]
            return found[user_id % len(found)]

        return pick

    return for_user


_CATEGORY = _nth("s1:")
_SERVICE = _nth("v1:")

Step = tuple[str, Any]  # ("send", text) or ("click", label or picker)


def browse_steps(user_id: int) -> list[Step]:
    """Menu, categories (two pages), a category (two pages), a card, back twice, home, search."""
    return [
        ("send", "/start"),
        ("click", "New order"),
        ("click", "›"),
        ("click", _CATEGORY(user_id)),
        ("click", "›"),
        ("click", _SERVICE(user_id)),
        ("click", "Back"),
        ("click", "Back"),
        ("click", "Menu"),
        ("send", "tiktok likes"),
    ]


def purchase_steps(user_id: int) -> list[Step]:
    """Every update from /start to Confirm for 1,000 followers (service 101, type Default)."""
    return [
        ("send", "/start"),
        ("click", "New order"),
        ("click", "Instagram Followers ("),
        ("click", "#101 "),
        ("click", "Order this"),
        ("send", LINK),
        ("send", "1000"),
        ("click", "Confirm"),
    ]


SCRIPTS = (browse_steps, purchase_steps)


async def _play(chat: Chat, steps: list[Step], echo: bool) -> None:
    for kind, what in steps:
        if kind == "send":
            await chat.send(what)
        elif echo:  # the same kind of update: a callback from the message on screen
            await chat.tap(chat.session.on_screen[chat.user_id], "echo")
        else:
            await chat.click(what)


class GcClock:
    """Seconds the cyclic garbage collector has run so far in this process."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.collections = [0, 0, 0]
        self._started = 0.0

    def __enter__(self) -> GcClock:
        gc.callbacks.append(self._tick)
        return self

    def __exit__(self, *exc: object) -> None:
        gc.callbacks.remove(self._tick)

    def _tick(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.seconds += time.perf_counter() - self._started
            self.collections[info["generation"]] += 1


def _full_collection() -> float:
    """Seconds one full collection takes over everything alive now (the pause without freeze)."""
    started = time.perf_counter()
    gc.collect()
    return time.perf_counter() - started


@dataclass
class Tally:
    """What one side spent: in all, in the fake transport, in the garbage collector."""

    updates: int = 0
    seconds: float = 0.0
    cpu: float = 0.0  # process time, every thread (the SQLite ones too): not the machine's load
    transport: float = 0.0
    gc: float = 0.0
    telegram: float = 0.0  # CPU of the fake Telegram's own work (its chat model), not the bot's
    requests: int = 0  # Telegram calls made as requests of their own
    answers: int = 0  # Telegram calls given back in the answer to the webhook POST

    @property
    def rate(self) -> float:
        """Updates per second."""
        return self.updates / self.seconds

    def as_json(self) -> dict[str, float]:
        return {
            "updates": self.updates,
            "requests_per_update": round(self.requests / max(1, self.updates), 3),
            "webhook_answers_per_update": round(self.answers / max(1, self.updates), 3),
            "seconds": round(self.seconds, 3),
            "cpu_seconds": round(self.cpu, 3),
            "transport_seconds": round(self.transport, 3),
            "telegram_side_cpu_seconds": round(self.telegram, 3),
            "gc_seconds": round(self.gc, 3),
            "ms_per_update": round(1000 * self.seconds / max(1, self.updates), 3),
        }


async def _wave(
    dp: Dispatcher,
    user_ids: list[int],
    script: Callable[[int], list[Step]],
    echo: bool,
    tally: Tally,
    clock: GcClock,
    record: dict[int, deque[Played]] | None = None,
) -> None:
    """These users' scripts, all at once (one user: one after another), into `tally`;
    into `record`, the Telegram calls made for each update, when given.

    A fresh fake session each wave: its chat model is Telegram's memory, not the bot's, and
    would otherwise grow through the run (and make the garbage collector slower for both).
    """
    session = BenchSession()
    bot = bench_bot(session)
    plays = [
        (
            Chat(dp, bot, session, user_id, None if record is None else record[user_id]),
            script(user_id),
        )
        for user_id in user_ids
    ]
    gc_before = clock.seconds
    cpu = time.process_time()
    started = time.perf_counter()
    await asyncio.gather(*(_play(chat, steps, echo) for chat, steps in plays))
    tally.seconds += time.perf_counter() - started
    tally.cpu += time.process_time() - cpu
    tally.gc += clock.seconds - gc_before
    tally.transport += session.seconds
    tally.telegram += session.telegram
    tally.requests += session.calls
    tally.answers += session.answers
    tally.updates += sum(len(steps) for _, steps in plays)


@dataclass
class Case:
    name: str
    script: Callable[[int], list[Step]]
    concurrency: int
    target: float
    paid: bool = False
    buyers: int = 0  # shop users who went through a purchase
    shop: Tally = field(default_factory=Tally)
    echo: Tally = field(default_factory=Tally)
    replay: Tally = field(default_factory=Tally)
    floor: Tally = field(default_factory=Tally)
    durable_writes: int = 0  # the shop's write transactions that waited for the disk

    async def run(
        self, shop: Shop, echo: Dispatcher, users: int, ids: Iterator[int], clock: GcClock
    ) -> None:
        """Waves of `concurrency` users, the echo bot's, the shop's, its replay and its floor in
        turn, so that the machine's drift (it is shared) hits every side alike."""
        for _ in range(max(1, users // self.concurrency)):
            echo_ids = [next(ids) for _ in range(self.concurrency)]
            shop_ids = [next(ids) for _ in range(self.concurrency)]
            if self.paid:
                for user_id in shop_ids:
                    await shop.customer(user_id, 1_000_000)
            await _wave(echo, echo_ids, self.script, True, self.echo, clock)
            recorded: dict[int, deque[Played]] = {user_id: deque() for user_id in shop_ids}
            await _wave(shop.dp, shop_ids, self.script, False, self.shop, clock, recorded)
            again = {user_id: deque(played) for user_id, played in recorded.items()}
            self.durable_writes += sum(p.durable_writes for each in again.values() for p in each)
            replay = replay_dispatcher(recorded)
            await _wave(replay, shop_ids, self.script, False, self.replay, clock)
            # The same users again: their rows and conversations are the shop's, as it left them.
            floor = floor_dispatcher(again, shop.deps)
            await _wave(floor, shop_ids, self.script, False, self.floor, clock)
            self.buyers += len(shop_ids) if self.script is purchase_steps else 0

    def row(self) -> Row:
        met = self.shop.rate / self.echo.rate >= self.target
        return _rates(self.name, self.shop, self.echo, "echo", target=f">= {self.target}", met=met)

    def replay_row(self) -> Row:
        name = self.name.replace("updates:", "updates vs replay:")
        return _rates(name, self.shop, self.replay, "replay")

    def floor_row(self) -> Row:
        """The floor against the echo bot: the most the shop's line could reach with its user
        and its conversation read per update and its money on disk, whatever its logic."""
        return _rates(
            self.name.replace("updates:", "updates, the floor:"), self.floor, self.echo, "echo"
        )


def _rates(name: str, side: Tally, baseline: Tally, baseline_name: str, **target: Any) -> Row:
    """`side`'s updates per second beside `baseline`'s."""
    return Row(name, side.rate, "upd/s", baseline.rate, f"upd/s ({baseline_name})", **target)


# A stand-in for Telegram's Bot API in a process of its own: every call answered `true`.
_TRUE_SERVER = """
import sys
from aiohttp import web
async def answer(request):
    await request.read()
    return web.json_response({"ok": True, "result": True})
app = web.Application()
app.router.add_post("/bot{token}/{method}", answer)
web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), access_log=None, print=None)
"""


class _Sink:
    """Where the webhook answer's bytes go (aiohttp writes them to the socket)."""

    async def write(self, data: bytes) -> None:
        pass


async def _answer_costs(calls: int) -> tuple[float, float]:
    """CPU microseconds of a button's answer sent as its own request (the bot's session over
    real HTTP to a server in another process: the fake session charges no HTTP), and of the
    same call in the answer to a webhook POST (the body built and written), per call."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = await asyncio.create_subprocess_exec(sys.executable, "-c", _TRUE_SERVER, str(port))
    bot = Bot(
        BOT_TOKEN, session=ShopSession(api=TelegramAPIServer.from_base(f"http://127.0.0.1:{port}"))
    )
    try:
        for _ in range(100):  # until the server listens
            try:
                await bot(AnswerCallbackQuery(callback_query_id="warm-up"))
                break
            except TelegramNetworkError:
                await asyncio.sleep(0.05)
        started = time.process_time()
        for number in range(calls):
            await bot(AnswerCallbackQuery(callback_query_id=f"request-{number}"))
        request = time.process_time() - started
        started = time.process_time()
        for number in range(calls):
            await answer_body(bot, AnswerCallbackQuery(callback_query_id=f"answer-{number}")).write(
                _Sink()  # type: ignore[arg-type]
            )
        answer = time.process_time() - started
    finally:
        await bot.session.close()
        server.terminate()
        await server.wait()
    return 1e6 * answer / calls, 1e6 * request / calls


async def measure(quick: bool) -> tuple[list[Row], dict[str, Any]]:
    users = 24 if quick else 120
    at_once = CONCURRENT_USERS
    cases = [
        Case("updates: browsing, sequential", browse_steps, 1, BROWSE_TARGET),
        Case(f"updates: browsing, {at_once} users at once", browse_steps, at_once, BROWSE_TARGET),
        Case("updates: purchase, sequential", purchase_steps, 1, PURCHASE_TARGET, paid=True),
        Case(
            f"updates: purchase, {at_once} users at once",
            purchase_steps,
            at_once,
            PURCHASE_TARGET,
            paid=True,
        ),
    ]
    ids = itertools.count(1_000_001)
    echo = echo_dispatcher()
    with tempfile.TemporaryDirectory() as folder, GcClock() as clock:
        async with open_shop(Path(folder), generate_catalog()) as shop:
            assert isinstance(shop.db, SqliteDatabase)
            watch_writes(shop.db, count_durable)  # for the floor: the shop's writes to disk
            warm_up = [Case("warm-up", script, 2, 0, paid=True) for script in SCRIPTS]
            for case in warm_up:  # first queries, caches, lazily built types
                await case.run(shop, echo, 4, ids, clock)
            full_pause = _full_collection()
            gc.freeze()  # see README: what start-up built is left out of every collection
            try:
                for case in cases:
                    await case.run(shop, echo, users, ids, clock)
            finally:
                gc.unfreeze()
            placed = len(shop.panel.sandbox.orders)
    buyers = sum(case.buyers for case in [*warm_up, *cases])
    # Every purchase went through (catch_errors=True would turn a bug into a polite message).
    assert placed == buyers, f"{placed} orders placed upstream for {buyers} purchases"
    details: dict[str, Any] = {
        "users_per_case": users,
        "orders_placed": placed,
        "gc_collections": clock.collections,
        "full_collection_of_startup_heap_ms": round(full_pause * 1000, 1),
    }
    for case in cases:
        mine, bare = case.shop, case.echo
        details[case.name] = {
            "shop": mine.as_json(),
            "echo": bare.as_json(),
            "replay": case.replay.as_json(),
            "floor": case.floor.as_json(),
            "durable_writes_per_update": round(case.durable_writes / case.shop.updates, 3),
            "ratio_cpu": round(bare.cpu / mine.cpu, 4),
            # The ratio a shop would get whose handlers cost nothing beyond its Telegram calls
            # through this fake session (which keeps a chat model in Python).
            "transport_ceiling": round(bare.seconds / mine.transport, 4),
            "ratio_net_of_transport": round(
                (bare.seconds - bare.transport) / (mine.seconds - mine.transport), 4
            ),
        }
    in_answer, as_request = await _answer_costs(500 if quick else 2_000)
    answers = Row(
        "updates: a button's answer, in the webhook answer",
        in_answer,
        "us CPU",
        as_request,
        "us CPU (own request)",
    )
    details["webhook_answer_us"] = round(in_answer, 1)
    details["own_request_over_http_us"] = round(as_request, 1)
    for case in cases:
        # The bot's CPU as deployed: without the fake Telegram's own work, and with each request
        # and each webhook answer charged what it costs over real HTTP (measured above).
        deployed = {
            side: tally.cpu
            - tally.telegram
            + tally.requests * as_request / 1e6
            + tally.answers * in_answer / 1e6
            for side, tally in (
                ("shop", case.shop),
                ("echo", case.echo),
                ("replay", case.replay),
                ("floor", case.floor),
            )
        }
        details[case.name]["ratio_cpu_as_deployed"] = round(deployed["echo"] / deployed["shop"], 4)
        details[case.name]["replay_ratio_cpu_as_deployed"] = round(
            deployed["echo"] / deployed["replay"], 4
        )
        details[case.name]["floor_ratio_cpu_as_deployed"] = round(
            deployed["echo"] / deployed["floor"], 4
        )
    rows = [
        *(case.row() for case in cases),
        *(case.replay_row() for case in cases),
        *(case.floor_row() for case in cases),
    ]
    return [*rows, answers], details
