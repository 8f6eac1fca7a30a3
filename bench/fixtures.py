"""Bench fixtures: a generated panel catalog, a shop over the fake session, a scripted user."""

from __future__ import annotations

import itertools
import json
import random
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Iterator
from contextlib import (
    AbstractAsyncContextManager,
    AbstractContextManager,
    asynccontextmanager,
    contextmanager,
)
from contextvars import ContextVar
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import parse_qsl

import httpx
from aiogram import Bot, Dispatcher, Router
from aiogram.methods import AnswerCallbackQuery, TelegramMethod
from aiogram.methods.base import TelegramType
from aiogram.types import CallbackQuery, Message
from aiohttp.payload import Payload
from pydantic import SecretStr

from bot.app import Deps, build_dispatcher, shop_dispatcher
from bot.i18n import Translator
from bot.jobs.catalog import sync_catalog
from bot.panel.client import PanelClient
from bot.panel.panels import Panels
from bot.panel.sandbox import CATALOG, SandboxPanel
from bot.shop.config import ShopConfig
from bot.transport import handle_for_webhook, reply, send_held_first
from bot.webhook import JSON, answer_body
from storage import kv, ledger, users
from storage.db import Connection, Database, SqliteDatabase
from tests.fakes.telegram import FakeSession, make_bot

PANEL_URL = "https://panel.bench/api/v2"
PANEL_KEY = "bench-key"
FIRST_SERVICE = 10_000  # generated ids start here, past the sandbox's own (101..162)
_PLATFORMS = (
    "Instagram",
    "TikTok",
    "YouTube",
    "Telegram",
    "Twitter / X",
    "Facebook",
    "Spotify",
    "Twitch",
    "Discord",
    "LinkedIn",
)
_KINDS = (
    "Followers",
    "Likes",
    "Views",
    "Comments",
    "Shares",
    "Saves",
    "Story Views",
    "Live Viewers",
    "Reactions",
    "Members",
)
_FLAVOURS = ("[Real]", "[Cheap]", "[Targeted USA]")
_TYPES = (
    ("Default", 70),
    ("Package", 6),
    ("Custom Comments", 6),
    ("Mentions", 3),
    ("SEO", 3),
    ("Comment Likes", 3),
    ("Poll", 3),
    ("Subscriptions", 3),
    ("custom_data", 3),
)
_TAGS = ("[HQ]", "[Instant]", "[Non-drop]", "[Refill 30D]", "[No refill]", "[Max 50K]", "[Fast]")


def generate_catalog(services: int = 5_000, categories: int = 300) -> list[dict[str, Any]]:
    """A `services` answer as a big panel sends it, quirks included (numbers as strings, floats,
    ints; missing flags; extra `desc`; types in odd case), the same on every call."""
    rng = random.Random(20_240_601)
    names = [
        f"{platform} {kind} {flavour}"
        for platform in _PLATFORMS
        for kind in _KINDS
        for flavour in _FLAVOURS
    ][:categories]
    kinds, weights = zip(*_TYPES, strict=True)
    answer: list[dict[str, Any]] = []
    for number in range(services):
        category = names[number * len(names) // services]
        type_ = rng.choices(kinds, weights)[0]
        rate = Decimal(rng.randint(1, 2_000_000)) / Decimal(100_000)
        low = rng.choice((10, 20, 50, 100, 500, 1000))
        entry: dict[str, Any] = {
            "service": number + FIRST_SERVICE if number % 3 else str(number + FIRST_SERVICE),
            "name": f"{category.rsplit(' [', 1)[0]} {' '.join(rng.sample(_TAGS, 2))} #{number}",
            "type": type_.upper() if number % 17 == 0 else type_,
            "category": category,
            "rate": str(rate) if number % 2 else float(rate),
            "min": str(low) if number % 5 else low,
            "max": str(low * rng.choice((100, 1000, 10_000))),
            "refill": rng.random() < 0.4,
            "cancel": "1" if rng.random() < 0.3 else "0",
        }
        if number % 4 == 0:
            entry["dripfeed"] = rng.random() < 0.5
        if number % 3 == 0:
            entry["desc"] = "Start: 0-1 hour. Speed: 10K/day. No password needed. " * 3
        answer.append(entry)
    return answer


class ShopPanel:
    """The sandbox panel whose `services` answer also lists `extra` services."""

    def __init__(self, extra: list[dict[str, Any]]) -> None:
        self.sandbox = SandboxPanel(key=PANEL_KEY, balance=Decimal(10**9))
        self.catalog = [*CATALOG, *extra]

    def handle(self, request: httpx.Request) -> httpx.Response:
        form = dict(parse_qsl(request.content.decode()))
        if form.get("action") == "services" and form.get("key") == PANEL_KEY:
            return httpx.Response(200, json=self.catalog)
        return self.sandbox.handle(request)


@dataclass
class Played:
    """What the shop did for one update, as a Chat records it: its Telegram calls, each with
    True when it went back in the answer to the webhook POST rather than as a request of its
    own; and how many of its write transactions waited for the disk (`count_durable`)."""

    calls: list[tuple[TelegramMethod[Any], bool]] = field(default_factory=list)
    durable_writes: int = 0


# What the shop does for the update being fed in this task, when a Chat records it.
_RECORDING: ContextVar[Played | None] = ContextVar("bench_recording", default=None)
# Updates reach every bot as Telegram POSTs them to a webhook (how a shop with more than one
# process is deployed): an update's last call may go back in the answer (bot.transport.reply).
WEBHOOK = True


class BenchSession(FakeSession):
    """The tests' fake Telegram session, remembering the message each chat has on screen.

    It forgets its request log after each call (the bench makes tens of thousands), and keeps
    the latest bot message sent or edited per chat (Telegram's JSON of it), so that a click
    costs no scan of every chat.
    """

    def __init__(self) -> None:
        super().__init__(parse_html=False)  # Telegram parses HTML on its side, not the bot
        self.on_screen: dict[int, dict[str, Any]] = {}
        self.calls = 0  # requests of their own
        self.answers = 0  # calls given back in the answer to a webhook POST
        self.seconds = 0.0  # spent in the fake transport (Telegram's side, and aiogram's parsing)
        self.telegram = 0.0  # of which Telegram's side: answering from its chat model

    async def make_request(
        self,
        bot: Bot,
        method: TelegramMethod[TelegramType],
        timeout: int | None = None,  # noqa: ASYNC109  (BaseSession's signature)
    ) -> TelegramType:
        self.calls += 1
        recording = _RECORDING.get()
        if recording is not None:
            recording.calls.append((method, False))
        started = time.perf_counter()
        try:
            return await super().make_request(bot, method, timeout)
        finally:
            self.seconds += time.perf_counter() - started
            self.requests.clear()
            self.exchanges.clear()

    async def answer_webhook(self, bot: Bot, method: TelegramMethod[Any]) -> None:
        """The answer to a webhook POST carrying `method`: written by the bot (the same body
        as bot.webhook writes), then read and run by Telegram."""
        self.answers += 1
        recording = _RECORDING.get()
        if recording is not None:
            recording.calls.append((method, True))
        started = time.perf_counter()
        try:
            body = answer_body(bot, method)
            await self.deliver(bot, method, read_answer(body))
        finally:
            self.seconds += time.perf_counter() - started
            self.requests.clear()
            self.exchanges.clear()

    async def _answer(self, bot: Bot, method: TelegramMethod[Any], params: dict[str, str]) -> Any:
        started = time.thread_time()  # this thread's: not the SQLite threads' meanwhile
        try:
            return await super()._answer(bot, method, params)
        finally:
            self.telegram += time.thread_time() - started

    def _store(self, chat_id: int, payload: dict[str, Any], *, from_bot: bool) -> None:
        super()._store(chat_id, payload, from_bot=from_bot)
        if from_bot:
            self.on_screen[chat_id] = payload


def read_answer(body: Payload) -> dict[str, str] | None:
    """The fields of a webhook answer as Telegram reads them from its JSON, but for the
    method's name; None for a form with files (the fake Telegram takes those from the method)."""
    if body.content_type != JSON:
        return None
    fields: dict[str, str] = json.loads(body.decode())
    del fields["method"]
    return fields


T = TypeVar("T")


def watch_writes(
    db: SqliteDatabase, around: Callable[[bool], AbstractContextManager[None]]
) -> None:
    """Make each write transaction of `db` (this bench's database only) inside `around(durable)`,
    `durable` saying whether its commit waits for the disk."""
    transaction = db.transaction

    @asynccontextmanager
    async def watched(
        *, conversation: bool = False, durable: bool = True
    ) -> AsyncIterator[Connection]:
        with around(durable and not conversation):
            async with transaction(conversation=conversation, durable=durable) as conn:
                yield conn

    run = db.run

    async def watched_run(
        body: Callable[[Connection], Coroutine[Any, Any, T]],
        *,
        conversation: bool = False,
        durable: bool = True,
    ) -> T:
        with around(durable and not conversation):
            return await run(body, conversation=conversation, durable=durable)

    as_transaction: Callable[..., AbstractAsyncContextManager[Connection]] = watched
    setattr(db, "transaction", as_transaction)  # noqa: B010  (an instance's method, for this run)
    setattr(db, "run", watched_run)  # noqa: B010


@contextmanager
def count_durable(durable: bool) -> Iterator[None]:
    """`watch_writes`'s `around` counting the writes that wait for the disk into the update
    being recorded (`Played.durable_writes`)."""
    played = _RECORDING.get()
    if durable and played is not None:
        played.durable_writes += 1
    yield


@dataclass
class Shop:
    db: Database
    deps: Deps
    dp: Dispatcher
    bot: Bot
    session: BenchSession
    panel: ShopPanel
    client: PanelClient

    async def customer(self, user_id: int, balance: int) -> None:
        """A known customer with money, as after a top-up (written outside any timing)."""
        await users.touch(self.db, user_id, f"user{user_id}", "Bench", "en")
        async with self.db.transaction() as conn:
            await ledger.post(
                conn, user_id=user_id, amount=balance, key=f"bench:{user_id}", kind="topup"
            )


def shop_config() -> ShopConfig:
    return ShopConfig(
        currency="USD",
        panel_currency="USD",
        fx=Decimal(1),
        markup=Decimal(30),
        admin_ids=frozenset(),
        sandbox=True,
    )


@asynccontextmanager
async def open_shop(folder: Path, extra: list[dict[str, Any]]) -> AsyncIterator[Shop]:
    """The real Dispatcher on a fresh SQLite file, the sandbox panel, the catalog synced."""
    db = await Database.open(folder / "shop.sqlite3")
    try:
        async with shop_on(db, extra) as shop:
            yield shop
    finally:
        await db.close()


@asynccontextmanager
async def shop_on(
    db: Database, extra: list[dict[str, Any]], sync: bool = True
) -> AsyncIterator[Shop]:
    """The real Dispatcher on `db` and the sandbox panel; the catalog synced first unless
    `sync` is False (another process of the same shop synced it)."""
    panel = ShopPanel(extra)
    async with httpx.AsyncClient(transport=httpx.MockTransport(panel.handle)) as http:
        client = PanelClient(http, PANEL_URL, SecretStr(PANEL_KEY))
        if sync:
            await sync_catalog(db, client)
        deps = Deps(
            db=db, panels=Panels.single(client), shop=shop_config(), translator=Translator("en")
        )
        dp = build_dispatcher(deps, catch_errors=True)
        session = BenchSession()
        bot = bench_bot(session)
        yield Shop(db, deps, dp, bot, session, panel, client)
        await bot.session.close()


def bench_bot(session: BenchSession) -> Bot:
    """The tests' Bot over `session`, set up as bot.webhook sets it up when WEBHOOK is on."""
    bot = make_bot(session)
    if WEBHOOK:
        send_held_first(bot)
    return bot


def echo_dispatcher() -> Dispatcher:
    """The baseline: a bare Dispatcher that echoes text and answers callbacks."""
    dp = Dispatcher()

    @dp.message()
    async def echo(message: Message) -> None:
        await message.answer(message.text or "?")

    @dp.callback_query()
    async def answer(query: Any) -> None:
        await query.answer()

    return dp


def replay_dispatcher(recorded: dict[int, deque[Played]]) -> Dispatcher:
    """The second baseline: a bare Dispatcher making, for each update, the Telegram calls the
    shop made for it (same texts, same keyboards, the same call in the webhook's answer) and
    nothing else: no storage, no logic."""
    dp = Dispatcher()
    _replaying(dp, recorded)
    return dp


def floor_dispatcher(recorded: dict[int, deque[Played]], deps: Deps) -> Dispatcher:
    """The floor: the shop's Dispatcher with what every update goes through before its routers
    (`shop_dispatcher`: the per-user lock, the conversation's state read from the shop's
    database, the stored user read or written), then one router making the shop's calls as the
    replay does, and as many writes that wait for the disk as the shop made (one setting each,
    `kv.put`: a money write does more). No logic: a shop that reads its user and a durable
    conversation per update, and keeps its money on disk, pays this much whatever it does."""

    async def durable_writes(count: int) -> None:
        for _ in range(count):  # a value of its own each time: an unchanged row is not written
            await kv.put(deps.db, _FLOOR_KEY, str(next(_FLOOR_WRITES)))

    router = Router(name="floor")
    _replaying(router, recorded, durable_writes)
    dp = shop_dispatcher(deps)
    dp.include_router(router)
    return dp


_FLOOR_KEY = "bench:floor"
_FLOOR_WRITES = itertools.count()


def _replaying(
    router: Router,
    recorded: dict[int, deque[Played]],
    durable_writes: Callable[[int], Awaitable[None]] | None = None,
) -> None:
    """`router` making, for each message and button press, the calls recorded for its sender's
    next update (and, given `durable_writes`, as many writes as waited for the disk)."""

    async def replay(event: Message | CallbackQuery, bot: Bot) -> None:
        assert event.from_user is not None
        played = recorded[event.from_user.id].popleft()
        if durable_writes is not None:
            await durable_writes(played.durable_writes)
        for call, answer in played.calls:
            if isinstance(call, AnswerCallbackQuery) and isinstance(event, CallbackQuery):
                call = call.model_copy(update={"callback_query_id": event.id})  # this query
            if answer:
                await reply(call.as_(bot))
            else:
                await bot(call)

    router.message.register(replay)
    router.callback_query.register(replay)


Button = dict[str, Any]  # one inline button, as Telegram's JSON
ButtonPick = Callable[[list[Button]], Button]
# Update and callback ids go on rising across sessions, as Telegram's do: aiogram caches
# `Update.event_type` per update, and a repeated id would make every lookup compare updates.
_UPDATE_IDS = itertools.count(1)
_CALLBACK_IDS = itertools.count(1)


class Chat:
    """One person feeding raw updates to `dp` as Telegram does: POSTed to the webhook (WEBHOOK
    on: `bot.transport.handle_for_webhook`, the answer's call run by Telegram), else as
    polling delivers them (`dp.feed_raw_update`)."""

    def __init__(
        self,
        dp: Dispatcher,
        bot: Bot,
        session: BenchSession,
        user_id: int,
        record: deque[Played] | None = None,
    ) -> None:
        self.dp = dp
        self.bot = bot
        self.session = session
        self.user_id = user_id
        self.record = record  # what the bot did, one Played per update
        self.profile = {
            "id": user_id,
            "is_bot": False,
            "first_name": "Bench",
            "username": f"user{user_id}",
            "language_code": "en",
        }
        session.register_user(self.profile)

    async def send(self, text: str) -> None:
        content: dict[str, Any] = {"from": self.profile, "text": text}
        if text.startswith("/"):
            length = len(text.split(maxsplit=1)[0])
            content["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        message = self.session.store_incoming(self.user_id, content)
        await self._feed({"message": message})

    async def click(self, pick: str | ButtonPick) -> None:
        """Press a button of the message on screen: the first whose text contains `pick`."""
        shown = self.session.on_screen[self.user_id]
        buttons = [b for row in shown["reply_markup"]["inline_keyboard"] for b in row]
        if isinstance(pick, str):
            found = [b for b in buttons if pick in b["text"]]
            if not found:
                texts = [b["text"] for b in buttons]
                raise AssertionError(f"user {self.user_id}: no {pick!r} among {texts}")
            button = found[0]
        else:
            button = pick(buttons)
        await self.tap(shown, str(button["callback_data"]))

    async def tap(self, shown: dict[str, Any], data: str) -> None:
        """A callback query carrying `data`, from the message `shown` (Telegram's JSON of it)."""
        payload = self.session.message_payload(self.user_id, shown["message_id"])
        query = {
            "id": f"cbq-{next(_CALLBACK_IDS)}",
            "from": self.profile,
            "chat_instance": f"bench-{self.user_id}",
            "message": payload,
            "data": data,
        }
        await self._feed({"callback_query": query})

    async def _feed(self, body: dict[str, Any]) -> None:
        update = {"update_id": next(_UPDATE_IDS), **body}
        if self.record is None:
            await self._deliver(update)
            return
        played = Played()
        self.record.append(played)
        token = _RECORDING.set(played)
        try:
            await self._deliver(update)
        finally:
            _RECORDING.reset(token)

    async def _deliver(self, update: dict[str, Any]) -> None:
        if not WEBHOOK:
            await self.dp.feed_raw_update(self.bot, update)
            return
        answer = await handle_for_webhook(self.dp, self.bot, update)
        if answer is not None:
            await self.session.answer_webhook(self.bot, answer)
