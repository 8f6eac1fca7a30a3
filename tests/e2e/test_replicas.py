"""Three processes on PostgreSQL + Redis: two `--role web` replicas and one `--role worker`.

The emulator plays Telegram and the reverse proxy in front of the replicas: it spreads the webhook
POSTs over both in turn (so one customer's consecutive updates land on either, and the wizard's
draft in Redis must carry over) and makes again every POST that got no 200. Many customers buy at
once through the sandbox panel over HTTP; some drop their wizard at the summary, some cancel the
order they placed. Mid-load one replica is killed with SIGKILL and started again; later the
worker is. At the end: the audit passes, no `add` reached the panel twice for one order, every
push about an order went out once (but for the one the worker had in flight at its SIGKILL,
which the at-least-once outbox sends again), every Confirm made one order and every wizard
reached the summary its customer was driving to.

Collected only with DATABASE_TEST_URL and REDIS_TEST_URL set (see conftest.py).
"""

from __future__ import annotations

import asyncio
import json
import re
import secrets
import subprocess
import sys
from collections import Counter
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

import pytest
from aiohttp import web
from redis.asyncio import Redis

from bot.jobs.scheduler import SENDER_LEASE_SECONDS
from bot.panel.sandbox import SandboxPanel
from bot.panel.serve import API_PATH, build_app
from bot.redis_sessions import KEY_PREFIX
from storage import ledger, users
from storage.db import Database
from storage.orders import State
from tests.conftest import REDIS_TEST_URL, postgres_schema
from tests.e2e.conftest import PANEL_KEY, ROOT, Process, clean_env, free_port
from tests.e2e.telegram_emulator import Person, TelegramEmulator, TgUser, plain
from tests.e2e.test_crash import kill9, until

CUSTOMERS = 30
DROP_EVERY = 5  # every 5th customer cancels the wizard at the summary: no order
CANCEL_EVERY = 2  # of the others, every 2nd cancels the placed order while the panel holds it
CREDIT = 10_000  # $100.00 each
ADMIN_ID = 900
SECRET = "e2e-replicas-secret-0123456789"
HOOK_PATH = "/telegram/hook"
# A final push per order: its kind, by the words of locales/en/bot.ftl (push-*).
PUSH_KINDS = {
    "has started": "started",
    "is complete": "completed",
    "was cancelled": "canceled",
    "only partly": "partial",
}
FINAL_PUSH = {State.COMPLETED: "completed", State.CANCELED: "canceled", State.PARTIAL: "partial"}
PUSH = re.compile(r"Order #(\d+) \(")


@dataclass
class Customer:
    person: Person
    number: int
    linked: bool = False  # the link was taken ("How many" asked)
    summary: bool = False  # reached "Please check your order"
    confirmed: bool = False
    cancel_asked: bool = False
    cancel_skipped: bool = False  # the order was being checked: no Cancel to press

    @property
    def link(self) -> str:
        return f"https://instagram.com/p/replica-{self.number}"

    @property
    def drops(self) -> bool:
        return self.number % DROP_EVERY == 0

    @property
    def cancels(self) -> bool:
        return not self.drops and self.number % CANCEL_EVERY == 0


@pytest.fixture
async def emulator() -> AsyncIterator[TelegramEmulator]:
    """A bot of its own (a random bot id): its drafts and locks are Redis keys no other run
    shares, deleted afterwards (torn down after the bots, which use this emulator)."""
    bot_id = secrets.randbelow(10**9) + 10**9
    telegram = TelegramEmulator(f"{bot_id}:REPLICAS")
    await telegram.start()
    try:
        yield telegram
    finally:
        await telegram.close()
        redis = Redis.from_url(REDIS_TEST_URL)
        try:
            keys = [key async for key in redis.scan_iter(f"{KEY_PREFIX}:{bot_id}:*")]
            if keys:
                await redis.delete(*keys)
        finally:
            await redis.aclose()


@pytest.fixture
async def database_url() -> AsyncIterator[str]:
    async with postgres_schema() as url:
        yield url


@pytest.fixture
async def panel() -> AsyncIterator[tuple[SandboxPanel, str]]:
    """The sandbox panel over HTTP, in this process so that its requests can be counted.

    Orders stay Pending 4 s (a Cancel pressed right after placing finds them cancelable) and
    complete 12 s after they were placed; a cancel takes 1 s.
    """
    sandbox = SandboxPanel(
        key=PANEL_KEY, pending_seconds=4, complete_seconds=12, cancel_seconds=1, partial_every=0
    )
    runner = web.AppRunner(build_app(sandbox), access_log=None)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        yield sandbox, f"http://127.0.0.1:{port}{API_PATH}"
    finally:
        await runner.cleanup()


async def fund(url: str, people: list[Customer]) -> None:
    db = await Database.open(url)
    try:
        for customer in people:
            user = customer.person.user
            await users.touch(db, user.id, user.username, user.first_name, user.language_code)
            async with db.transaction() as conn:
                await ledger.post(
                    conn, user_id=user.id, amount=CREDIT, key=f"e2e-topup:{user.id}", kind="topup"
                )
    finally:
        await db.close()


async def shop(url: str) -> tuple[dict[int, tuple[int, str, State]], int, int]:
    """Orders (id -> customer, link, state), unsent outbox rows and services synced."""
    db = await Database.open(url)
    try:
        rows = await db.fetchall("SELECT id, user_id, link, state FROM orders")
        unsent = await db.scalar(
            "SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL AND failed IS NULL"
        )
        catalog = await db.scalar("SELECT COUNT(*) FROM services")
    finally:
        await db.close()
    found = {int(row[0]): (int(row[1]), str(row[2]), State(row[3])) for row in rows}
    return found, int(unsent), int(catalog)


async def journey(customer: Customer) -> None:
    """Through the wizard to the summary, then Cancel there, or Confirm (and maybe cancel)."""
    person = customer.person
    await person.send("/start", expect="New order")
    await person.press("New order", expect="Instagram Followers (")
    await person.press("Instagram Followers (", expect="#101 ")
    await person.press("#101 ", expect="Order this")
    await person.press("Order this", expect="link")
    await person.send(customer.link, expect="How many")
    customer.linked = True
    await person.send("1000", expect="Please check your order")
    customer.summary = True
    if customer.drops:
        await person.press("Cancel", expect="Nothing was charged")
        return
    customer.confirmed = True
    # "is placed", or "was already placed with this summary" when the Confirm was delivered
    # again after the replica that placed it died
    await person.press("Confirm", expect="placed")
    if customer.cancels:
        await person.press("View order", expect="Order #")
        shown = person.emulator.keyboard_message(person.id)
        if shown is None or "Cancel order" not in json.dumps(shown.message.get("reply_markup")):
            customer.cancel_skipped = True  # its add was cut short by a kill: being checked
            return
        customer.cancel_asked = True
        await person.press("Cancel order", expect="Cancellation requested")


def pushes(emulator: TelegramEmulator) -> dict[tuple[int, int, str], list[int]]:
    """(chat, order, kind) of every push the bot got through to Telegram: the indices of its
    copies among the emulator's calls."""
    found: dict[tuple[int, int, str], list[int]] = {}
    for index, call in enumerate(emulator.calls):
        if call.method != "sendMessage" or not call.ok:
            continue
        text = plain(str(call.params.get("text", "")), call.params.get("parse_mode"))
        match = PUSH.search(text)
        kinds = [kind for words, kind in PUSH_KINDS.items() if words in text]
        if match and kinds:
            found.setdefault((int(call.params["chat_id"]), int(match[1]), kinds[0]), []).append(
                index
            )
    return found


def audit(url: str, token: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", "audit"], cwd=ROOT, capture_output=True, text=True,
        env=clean_env(BOT_TOKEN=token, DATABASE_URL=url), timeout=60, check=False,
    )  # fmt: skip


async def test_two_replicas_and_a_worker_survive_sigkill_under_load(
    database_url: str,
    emulator: TelegramEmulator,
    spawn_bot: Callable[..., Process],
    panel: tuple[SandboxPanel, str],
) -> None:
    sandbox, panel_url = panel
    emulator.known(TgUser(id=ADMIN_ID, first_name="Owner"))
    ports = [free_port(), free_port()]
    emulator.replicas = [f"http://127.0.0.1:{port}{HOOK_PATH}" for port in ports]
    settings = {
        "BOT_TOKEN": emulator.token, "DATABASE_URL": database_url, "REDIS_URL": REDIS_TEST_URL,
        "PANEL_URL": panel_url, "PANEL_KEY": PANEL_KEY, "ADMIN_IDS": str(ADMIN_ID),
        # The proxy's address, which Telegram is told; the emulator posts to the replicas.
        "WEBHOOK_URL": f"https://shop.example{HOOK_PATH}", "WEBHOOK_SECRET": SECRET,
    }  # fmt: skip

    def web_replica(index: int) -> Process:
        return spawn_bot({**settings, "WEBHOOK_PORT": str(ports[index])}, "--role", "web")

    def worker() -> Process:
        quiet = {**settings, "TELEGRAM_API_URL": f"{emulator.base_url}/quiet"}
        return spawn_bot(quiet, "--role", "worker")

    async def serving() -> bool:
        for replica in replicas:
            replica.assert_running()
        return all("webhook: Telegram posts to" in replica.stderr() for replica in replicas)

    async def synced() -> bool:
        return (await shop(database_url))[2] > 0

    replicas = [web_replica(0), web_replica(1)]
    jobs = worker()
    await until(serving, "both replicas to serve", deadline=30)
    await until(synced, "the worker to sync the catalog", deadline=30)

    people = [
        Customer(Person(emulator, TgUser(id=7000 + n, first_name=f"C{n}")), n)
        for n in range(1, CUSTOMERS + 1)
    ]
    await fund(database_url, people)
    shoppers = [asyncio.create_task(journey(customer)) for customer in people]

    # Mid-load: a third of the customers have typed their link; kill replica 0 and start it again.
    async def links_typed() -> bool:
        linked = sum(customer.linked for customer in people)
        return linked >= CUSTOMERS // 3 or all(shopper.done() for shopper in shoppers)

    await until(links_typed, "a third of the customers to type their link")
    kill9(emulator, replicas[0])
    replicas[0] = web_replica(0)

    # Later, once the first push is out: kill the worker and start it again.
    async def pushed() -> bool:
        return bool(pushes(emulator)) or all(s.done() for s in shoppers)

    await until(pushed, "the first push", deadline=30)
    kill9(emulator, jobs)
    jobs = worker()  # it waits out the dead worker's sender lease before it sends a push
    # What the dead worker sent before the kill may still be in the socket: the emulator runs
    # on this loop, which the kill's wait held. Counted once it has been read, well within
    # the lease.
    await asyncio.sleep(SENDER_LEASE_SECONDS / 5)
    killed_at = len(emulator.calls)  # what the worker had sent when it died

    outcomes = await asyncio.gather(*shoppers, return_exceptions=True)
    failed = [
        f"customer {customer.number}: {str(outcome).splitlines()[0]}; the bot said: "
        f"{[said.text[:60] for said in emulator.said_to(customer.person.user.id)][-4:]}"
        for customer, outcome in zip(people, outcomes, strict=True)
        if isinstance(outcome, BaseException)
    ]
    assert not failed, "\n".join(failed)
    assert all(customer.summary for customer in people)  # no wizard lost on the way

    async def settled() -> bool:
        found, unsent, _ = await shop(database_url)
        ends = {*FINAL_PUSH, State.UNKNOWN}  # unknown: an add a kill cut short, for a human
        return unsent == 0 and all(state in ends for _, _, state in found.values())

    # The restarted worker waits out the dead one's lease (10 s), then polls and sends.
    await until(settled, "every order to end and every push to go out", deadline=40)
    orders, _, _ = await shop(database_url)

    by_customer = Counter(user for user, _, _ in orders.values())
    assert by_customer == Counter(c.person.id for c in people if c.confirmed)
    adds = Counter(
        request.get("link") for request in sandbox.requests if request["action"] == "add"
    )
    for _, link, state in orders.values():  # each order's add once; one a kill cut short: once
        assert adds[link] == 1 or (state is State.UNKNOWN and adds[link] == 0), (link, state)
    assert set(adds) <= {link for _, link, _ in orders.values()}
    # An order its replica died placing is `unknown` (the panel may have it: never a second
    # add) and its customer was told so, or that the Confirm had placed it already.
    interrupted = {user for user, _, state in orders.values() if state is State.UNKNOWN}
    for user in interrupted:
        said = " ".join(said.text for said in emulator.said_to(user))
        assert "is being checked" in said or "was already placed" in said, said

    # Every push once. The outbox is at-least-once by design (a row is marked sent when
    # Telegram has taken it; Telegram has no key to refuse a copy): the one push the worker
    # had in flight at its SIGKILL, taken by Telegram but not yet marked, goes again after
    # the restart. Nothing else may come twice, and nothing is lost.
    sent = pushes(emulator)
    twice = {key: copies for key, copies in sent.items() if len(copies) > 1}
    assert len(twice) <= 1 and all(len(copies) == 2 for copies in twice.values()), twice
    for first, second in twice.values():
        assert first < killed_at <= second, twice
    for order_id, (user, _, state) in orders.items():
        if state is not State.UNKNOWN:
            assert (user, order_id, FINAL_PUSH[state]) in sent, (order_id, state)
    for customer in people:
        placed = [order for order, (user, _, _) in orders.items() if user == customer.person.id]
        for order_id in placed:
            state = orders[order_id][2]
            cancelled = customer.cancels and not customer.cancel_skipped
            expected = {State.CANCELED, State.PARTIAL} if cancelled else {State.COMPLETED}
            assert state in expected | {State.UNKNOWN}, (customer.number, order_id, state)

    done = audit(database_url, emulator.token)
    assert done.returncode == 0 and "audit: OK" in done.stdout, done.stdout + done.stderr
