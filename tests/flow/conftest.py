"""A real Dispatcher over a recording fake of Telegram, the sandbox panel and a real SQLite file."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from dataclasses import dataclass

import httpx
import pytest
from aiogram import Bot, Dispatcher
from aiogram.methods import AnswerCallbackQuery
from pydantic import SecretStr
from redis.asyncio import Redis

from bot.app import Deps, build_dispatcher
from bot.i18n import Translator
from bot.jobs.catalog import sync_catalog
from bot.panel.client import PanelClient
from bot.panel.panels import Panels
from bot.panel.sandbox import SandboxPanel
from bot.redis_sessions import on_redis
from bot.sessions import Sessions
from bot.shop.config import ShopConfig
from storage import ledger, users
from storage.db import Database
from tests.conftest import ADMIN_ID, PER_USER_STATE, REDIS_TEST_URL, FakeClock
from tests.fakes.telegram import FakeSession, TelegramUser, make_bot


@dataclass
class Shop:
    dp: Dispatcher
    bot: Bot
    session: FakeSession
    db: Database
    sandbox: SandboxPanel
    panel: PanelClient
    several: Panels | None = None  # `two_panels`: main (the sandbox) and second
    second: SandboxPanel | None = None  # the second panel's fake, in `two_panels`

    @property
    def panels(self) -> Panels:
        return self.several or Panels.single(self.panel)

    async def customer(
        self, user_id: int = 1, *, balance: int = 0, language_code: str = "en"
    ) -> TelegramUser:
        """A customer who has already said /start, with `balance` minor units to spend."""
        person = TelegramUser(
            self.dp, self.bot, self.session, user_id=user_id, language_code=language_code
        )
        await person.send("/start")
        if balance:
            await self.credit(user_id, balance)
        return person

    async def credit(self, user_id: int, amount: int) -> None:
        async with self.db.transaction() as conn:
            await ledger.post(
                conn, user_id=user_id, amount=amount, key=f"test-credit:{user_id}:{amount}",
                kind="topup",
            )  # fmt: skip

    async def balance(self, user_id: int) -> int:
        user = await users.get(self.db, user_id)
        assert user is not None
        return user.balance

    def alerts(self) -> list[str]:
        """Texts of the short alerts the bot answered buttons with, oldest first."""
        return [
            call.text
            for call in self.session.sent(AnswerCallbackQuery)
            if call.show_alert and call.text
        ]

    def adds(self) -> list[dict[str, str]]:
        """Every `add` form the panel received (without the key)."""
        return [form for form in self.sandbox.requests if form.get("action") == "add"]


@pytest.fixture
async def shop(
    db: Database,
    panel: PanelClient,
    sandbox: SandboxPanel,
    shop_config: ShopConfig,
    translator: Translator,
    catalog: None,
) -> AsyncIterator[Shop]:
    deps = Deps(db=db, panels=Panels.single(panel), shop=shop_config, translator=translator)
    dp = build_dispatcher(deps, catch_errors=False)
    session = FakeSession()
    bot = make_bot(session)
    yield Shop(dp, bot, session, db, sandbox, panel)
    await bot.session.close()


@pytest.fixture
def second(clock: FakeClock) -> SandboxPanel:
    """The second panel's fake: its own catalog (2001...), prices and a 50 USD deposit."""
    return SandboxPanel(key="second-key", catalog="second", clock=clock)


@pytest.fixture
async def two_panels(
    db: Database,
    panel: PanelClient,
    sandbox: SandboxPanel,
    second: SandboxPanel,
    shop_config: ShopConfig,
    translator: Translator,
    catalog: None,
) -> AsyncIterator[Shop]:
    """The shop with two panels, `main` (the sandbox of `shop`) and `second`, both synced."""
    async with httpx.AsyncClient(transport=second.transport()) as http:
        other = PanelClient(http, "https://second.test/api/v2", SecretStr("second-key"))
        await sync_catalog(db, other, "second")
        several = Panels({"main": panel, "second": other})
        deps = Deps(db=db, panels=several, shop=shop_config, translator=translator)
        dp = build_dispatcher(deps, catch_errors=False)
        session = FakeSession()
        bot = make_bot(session)
        yield Shop(dp, bot, session, db, sandbox, panel, several, second)
        await bot.session.close()


@pytest.fixture
async def owner(shop: Shop) -> TelegramUser:
    """The shop's owner (ADMIN_ID), with a username of their own (customers are @alice)."""
    person = TelegramUser(
        shop.dp, shop.bot, shop.session, user_id=ADMIN_ID, first_name="Olga", username="owner"
    )
    await person.send("/start")
    return person


class Processes:
    """Processes of one shop, started one after another (a deploy) or side by side (replicas):
    one database, and for "redis" one Redis under a key prefix of this test's own, reached by
    each process over its own connections."""

    def __init__(self, shop: Shop, where: str, stack: AsyncExitStack) -> None:
        self.shop = shop
        self.where = where
        self.prefix = f"test-{uuid.uuid4().hex}"
        self._stack = stack

    @property
    def side_by_side(self) -> bool:
        """Whether processes can share a customer's lock: without Redis a shop runs one."""
        return self.where == "redis"

    async def start(self, db: Database | None = None) -> Shop:
        """A new process on `db` (the shop's own by default): nothing in memory is shared."""
        sessions: Sessions | None = None
        if self.where == "redis":
            redis = on_redis(REDIS_TEST_URL, prefix=self.prefix)
            sessions = await self._stack.enter_async_context(redis)
        db = db or self.shop.db
        deps = Deps(
            db, self.shop.panels, self.shop.dp["shop"], self.shop.dp["translator"], sessions
        )
        dp = build_dispatcher(deps, catch_errors=False)
        return dataclasses.replace(self.shop, dp=dp, db=db)


@pytest.fixture(params=PER_USER_STATE)
async def processes(request: pytest.FixtureRequest, shop: Shop) -> AsyncIterator[Processes]:
    async with AsyncExitStack() as stack:
        made = Processes(shop, request.param, stack)
        yield made
    if made.where == "redis":  # the test's keys go with it
        client = Redis.from_url(REDIS_TEST_URL)
        keys = [key async for key in client.scan_iter(match=f"{made.prefix}:*")]
        if keys:
            await client.delete(*keys)
        await client.aclose()
