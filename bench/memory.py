"""Start-up time and memory of `python -m bot` on a big database, over real HTTP."""

from __future__ import annotations

import asyncio
import os
import random
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import httpx
from aiohttp import web
from pydantic import SecretStr

from bench.fixtures import PANEL_KEY, ShopPanel, generate_catalog
from bench.report import Row
from bot.config import Settings
from bot.jobs.catalog import sync_catalog
from bot.panel.client import PanelClient
from bot.panel.serve import API_PATH, build_app
from storage.db import Database
from tests.e2e.telegram_emulator import TelegramEmulator, TgUser

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "123:BENCH"
RSS_TARGET_MB = 110  # issue 18: no more than before the later features
DEADLINE = 60.0  # seconds any one wait may take before the bench gives up
BARE = "import aiogram, httpx, aiosqlite"
START_ONLY_USER = 999_999_999  # an id no other step uses
RUNNING = {"status": "In progress", "remains": "500", "start_count": "100", "charge": "0.9"}


@dataclass(frozen=True)
class Size:
    users: int
    orders: int
    active: int
    updates: int  # browsing updates after the poll cycle
    at_once: int = 10  # users browsing at the same time


FULL = Size(users=100_000, orders=200_000, active=2_000, updates=1_000)
QUICK = Size(users=20_000, orders=40_000, active=400, updates=200)


class PanelOverHttp(ShopPanel):
    """The sandbox with the big catalog, answering every polled order "In progress" as stored."""

    def __init__(self) -> None:
        super().__init__(generate_catalog())
        self.status_requests = 0

    def handle(self, request: httpx.Request) -> httpx.Response:
        form = dict(parse_qsl(request.content.decode()))
        if form.get("action") == "status" and "orders" in form:
            self.status_requests += 1
            ids = form["orders"].split(",")
            return httpx.Response(200, json=dict.fromkeys(ids, RUNNING))
        return super().handle(request)


async def build_database(path: Path, size: Size, panel: PanelOverHttp) -> None:
    """Users, the synced catalog and orders (most finished, `size.active` being tracked).

    The ledger is left out: neither start-up, the poll nor browsing reads it.
    """
    db = await Database.open(path)
    try:
        transport = httpx.MockTransport(panel.handle)
        async with httpx.AsyncClient(transport=transport) as http:
            await sync_catalog(db, PanelClient(http, "https://panel.bench/", SecretStr(PANEL_KEY)))
    finally:
        await db.close()
    rng = random.Random(7)
    stamp = int(time.time()) - 86_400
    finished = ("completed",) * 8 + ("partial", "canceled", "failed")
    with closing(sqlite3.connect(path)) as conn, conn:
        service_ids = [row[0] for row in conn.execute("SELECT id FROM services")]
        conn.executemany(
            "INSERT INTO users (id, username, first_name, locale, balance, created_at,"
            " last_seen_at) VALUES (?, ?, ?, 'en', ?, ?, ?)",
            (
                (n, f"user{n}", "Customer", rng.randrange(0, 100_000), stamp, stamp)
                for n in range(1, size.users + 1)
            ),
        )
        conn.executemany(
            "INSERT INTO orders (user_id, service_id, service_name, service_type, link, quantity,"
            " fields, charge, cost, token, state, upstream_id, status, upstream_charge, remains,"
            " start_count, created_at, updated_at, checked_at)"
            " VALUES (?, ?, 'Instagram Followers [Real]', 'Default', 'https://instagram.com/p/x',"
            ' 1000, \'{"link": "https://instagram.com/p/x", "quantity": "1000"}\', 117,'
            " 90000, ?, ?, ?, ?, '0.9', ?, 100, ?, ?, ?)",
            (_order(n, size, rng, service_ids, finished, stamp) for n in range(1, size.orders + 1)),
        )


def _order(
    n: int,
    size: Size,
    rng: random.Random,
    service_ids: list[int],
    finished: tuple[str, ...],
    stamp: int,
) -> tuple[Any, ...]:
    active = n > size.orders - size.active  # the newest ones are still running
    state = "active" if active else rng.choice(finished)
    status = {"active": "in progress", "failed": ""}.get(state, state)
    return (
        rng.randrange(1, size.users + 1),
        rng.choice(service_ids),
        f"bench-{n}",
        state,
        None if state == "failed" else 100_000 + n,
        status,
        500 if active else 0,
        stamp + n % 86_400,
        stamp + n % 86_400,
        0 if active else stamp,
    )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _environment(**settings: str) -> dict[str, str]:
    """This environment without any of the bot's settings, plus `settings`."""
    names = {name.upper() for name in Settings.model_fields}
    env = {name: value for name, value in os.environ.items() if name.upper() not in names}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env.update(settings)
    return env


def _status(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM of a live process, in kB."""
    found = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            found[name] = int(value.split()[0])
    return found


def python_process(code: str, runs: int) -> tuple[float, int]:
    """Seconds to run `python -c code` and its RSS at the end in kB, the best of `runs` (the
    first may pay for a cold disk cache)."""
    found = []
    for _ in range(runs):
        started = time.perf_counter()
        out = subprocess.run(
            [sys.executable, "-c", f"{code}; print(open('/proc/self/status').read())"],
            capture_output=True,
            text=True,
            check=True,
            env=_environment(),
            cwd=ROOT,
        )
        seconds = time.perf_counter() - started
        rss = next(
            int(line.split()[1]) for line in out.stdout.splitlines() if line.startswith("VmRSS:")
        )
        found.append((seconds, rss))
    return min(found)


class Browser:
    """Customers browsing through the emulator, each waiting for the bot's answer per step."""

    def __init__(self, emulator: TelegramEmulator, process: subprocess.Popen[bytes]) -> None:
        self.emulator = emulator
        self.process = process

    async def until(self, predicate: Any, what: str) -> None:
        deadline = time.monotonic() + DEADLINE
        while not predicate():
            if self.process.poll() is not None:
                raise RuntimeError(f"the bot exited ({self.process.returncode}) waiting for {what}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"no {what} within {DEADLINE:.0f}s")
            await asyncio.sleep(0.002)

    async def send(self, user: TgUser, text: str) -> None:
        mark = len(self.emulator.said)
        await self.emulator.send_text(user, text)
        await self.until(
            lambda: any(said.chat_id == user.id for said in self.emulator.said[mark:]),
            f"answer to {text!r}",
        )

    async def press(self, user: TgUser, prefix: str, nth: int = 0, label: str = "") -> None:
        """The button whose callback data starts with `prefix` (the `nth` such), or by label."""
        stored = self.emulator.keyboard_message(user.id)
        assert stored is not None, f"chat {user.id} shows no keyboard"
        buttons = [b for row in stored.message["reply_markup"]["inline_keyboard"] for b in row]
        if label:
            text = next(b["text"] for b in buttons if label in b["text"])
        else:
            found = [b for b in buttons if str(b.get("callback_data", "")).startswith(prefix)]
            text = found[nth % len(found)]["text"]
        query_id = await self.emulator.press(user, text)
        await self.until(lambda: query_id in self.emulator.callback_answers, f"press {text!r}")

    async def browse(self, user: TgUser) -> int:
        """The same ten updates as the throughput bench's browsing script."""
        await self.send(user, "/start")
        await self.press(user, "m1:catalog")
        await self.press(user, "", label="›")
        await self.press(user, "s1:", user.id)
        await self.press(user, "", label="›")
        await self.press(user, "v1:", user.id)
        await self.press(user, "", label="Back")
        await self.press(user, "", label="Back")
        await self.press(user, "m1:home")
        await self.send(user, "tiktok likes")
        return 10


async def measure(quick: bool) -> tuple[list[Row], dict[str, Any]]:
    size = QUICK if quick else FULL
    bare_seconds, bare_rss = python_process(BARE, 1 if quick else 2)
    # What importing the bot's own modules adds, before it does anything (full runs only).
    imported = None if quick else python_process("import bot.__main__", 1)
    panel = PanelOverHttp()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "shop.sqlite3"
        started = time.perf_counter()
        await build_database(path, size, panel)
        build_seconds = time.perf_counter() - started
        runner = web.AppRunner(build_app(panel), access_log=None)  # type: ignore[arg-type]
        await runner.setup()
        port = _free_port()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        emulator = TelegramEmulator(TOKEN)
        await emulator.start()
        env = _environment(
            BOT_TOKEN=TOKEN,
            TELEGRAM_API_URL=emulator.base_url,
            DATABASE_PATH=str(path),
            PANEL_URL=f"http://127.0.0.1:{port}{API_PATH}",
            PANEL_KEY=PANEL_KEY,
            POLL_INTERVAL_SECONDS="1",
            LOG_LEVEL="INFO",
        )
        log = Path(folder) / "bot.stderr"
        try:
            # A first start on a copy of the database, for the start-up time only: the best of
            # two, like the bare import's (the first start may pay for a cold disk cache).
            starts = [] if quick else [await _start_only(emulator, env, path, Path(folder))]
            started = time.perf_counter()
            process = _spawn(env, Path(folder), log)
            try:
                figures = await _drive(emulator, process, path, size, panel, started)
            finally:
                await _stop(process)
        finally:
            await emulator.close()
            await runner.cleanup()
        tail = log.read_text("utf-8", "replace").splitlines()[-5:]
    starts.append(figures["first_answer"])
    rss_mb = figures["rss_kb"] / 1024
    rows = [
        Row(
            "start-up: to the first answer",
            min(starts),
            "s",
            bare_seconds,
            "s (bare import)",
        ),
        Row(
            f"memory: RSS after a poll and {size.updates:,} updates",
            rss_mb,
            "MB",
            bare_rss / 1024,
            "MB (bare import)",
            target=f"<= {RSS_TARGET_MB} MB",
            met=rss_mb <= RSS_TARGET_MB,
        ),
    ]
    details = {
        "users": size.users,
        "orders": size.orders,
        "active_orders": size.active,
        "database_mb": round(figures["database_bytes"] / 2**20, 1),
        "database_build_seconds": round(build_seconds, 2),
        "bare_import_seconds": round(bare_seconds, 3),
        "bare_import_rss_mb": round(bare_rss / 1024, 1),
        "bot_import_seconds": None if imported is None else round(imported[0], 3),
        "bot_import_rss_mb": None if imported is None else round(imported[1] / 1024, 1),
        "first_answer_seconds": [round(seconds, 3) for seconds in starts],
        "poll_cycle_done_seconds": round(figures["polled"], 3),
        "poll_status_requests": figures["status_requests"],
        "rss_at_first_answer_mb": round(figures["rss_at_first_answer_kb"] / 1024, 1),
        "rss_after_poll_mb": round(figures["rss_after_poll_kb"] / 1024, 1),
        "rss_mb": round(rss_mb, 1),
        "peak_rss_mb": round(figures["hwm_kb"] / 1024, 1),
        "browsing_updates": figures["updates"],
        "browsing_seconds": round(figures["browsing"], 3),
        "browsing_updates_per_second_over_http": round(figures["updates"] / figures["browsing"], 1),
        "bot_log_tail": tail,
    }
    return rows, details


async def _drive(
    emulator: TelegramEmulator,
    process: subprocess.Popen[bytes],
    path: Path,
    size: Size,
    panel: PanelOverHttp,
    started: float,
) -> dict[str, Any]:
    browser = Browser(emulator, process)
    first = TgUser(id=1, first_name="Customer", username="user1")
    await browser.send(first, "/start")  # queued at once: answered as soon as the bot polls
    first_answer = time.perf_counter() - started
    rss_at_first_answer = _status(process.pid)["VmRSS"]
    with closing(_read_only(path)) as reader:
        await browser.until(
            lambda: (
                not reader.execute(
                    "SELECT COUNT(*) FROM orders WHERE state = 'active' AND checked_at = 0"
                ).fetchone()[0]
            ),
            "poll cycle over every active order",
        )
    polled = time.perf_counter() - started
    rss_after_poll = _status(process.pid)["VmRSS"]
    people = [
        TgUser(id=n, first_name="Customer", username=f"user{n}")
        for n in range(2, 2 + max(1, size.updates // 10))
    ]
    updates = 0
    browsing = time.perf_counter()
    for start in range(0, len(people), size.at_once):
        wave = people[start : start + size.at_once]
        updates += sum(await asyncio.gather(*(browser.browse(person) for person in wave)))
    browsing = time.perf_counter() - browsing
    await asyncio.sleep(0.5)  # let the last writes and log lines settle
    memory = _status(process.pid)
    return {
        "first_answer": first_answer,
        "polled": polled,
        "rss_at_first_answer_kb": rss_at_first_answer,
        "status_requests": panel.status_requests,
        "rss_after_poll_kb": rss_after_poll,
        "rss_kb": memory["VmRSS"],
        "hwm_kb": memory["VmHWM"],
        "updates": updates,
        "browsing": browsing,
        "database_bytes": sum(p.stat().st_size for p in path.parent.glob("shop.sqlite3*")),
    }


async def _start_only(
    emulator: TelegramEmulator, env: dict[str, str], path: Path, folder: Path
) -> float:
    """Seconds to the first answer of a bot started on a copy of the database, then stopped."""
    copy = folder / "start-only" / path.name
    copy.parent.mkdir()
    shutil.copyfile(path, copy)
    started = time.perf_counter()
    process = _spawn({**env, "DATABASE_PATH": str(copy)}, copy.parent, copy.parent / "stderr")
    try:
        user = TgUser(id=START_ONLY_USER, first_name="Customer")
        await Browser(emulator, process).send(user, "/start")
        return time.perf_counter() - started
    finally:
        await _stop(process)


def _spawn(env: dict[str, str], folder: Path, log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as err:
        return subprocess.Popen(
            [sys.executable, "-m", "bot"],
            cwd=folder,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=err,
        )


def _read_only(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)


async def _stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM, then wait (in a thread) while the emulator answers the bot's last calls."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    try:
        await asyncio.to_thread(process.wait, 25)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
