"""Drafts in the database: what a wizard keeps between two messages, kept across restarts."""

from __future__ import annotations

import asyncio
import secrets
from contextlib import AsyncExitStack
from dataclasses import asdict
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from aiogram.exceptions import DataNotDictLikeError
from aiogram.fsm.context import FSMContext
from aiogram.fsm.storage.base import StorageKey

from bot.drafts import DraftStorage, clear, save
from bot.shop.checkout import Offer
from handlers.order import OrderForm
from storage import drafts
from storage.clock import now
from storage.db import Database, is_postgres
from tests.conftest import PER_USER_STATE, REDIS_TEST_URL

KEY = StorageKey(bot_id=7, chat_id=1, user_id=1)
OFFER = Offer(
    token="0f3a9c",
    service_id=101,
    service_type="Default",
    answers={"link": "https://instagram.com/p/abc", "quantity": "1000"},
    units=1000,
    charge=150,
    currency="USD",
    discount=20,
    promo=3,
    promo_code="WELCOME",
    discount_capped=True,
)
# What the handlers keep: the order wizard's draft, and the small dicts of the other flows.
DRAFTS: list[dict[str, Any]] = [
    {"service": 101, "answers": dict(OFFER.answers), "offer": asdict(OFFER)},
    {"service": 101, "answers": {"link": "https://instagram.com/p/abc"}, "offer": None},
    {"search": "инста 💧 takipçi"},
    {"amount": 2500},
    {"order": 12, "ticket": 4},
    {},
]


async def rows(db: Database) -> int:
    return int(await db.scalar("SELECT COUNT(*) FROM drafts"))


@pytest.mark.parametrize("data", DRAFTS)
async def test_a_draft_reads_back_the_same_after_a_restart(
    tmp_path: Path, data: dict[str, Any]
) -> None:
    path = tmp_path / "shop.sqlite3"
    db = await Database.open(path)
    await FSMContext(DraftStorage(db), KEY).set_state("OrderForm:confirm")
    await FSMContext(DraftStorage(db), KEY).set_data(data)
    await db.close()
    db = await Database.open(path)
    try:
        context = FSMContext(DraftStorage(db), KEY)
        assert await context.get_state() == "OrderForm:confirm"
        assert await context.get_data() == data
        if data.get("offer"):  # the summary's Confirm finds its offer
            assert Offer(**(await context.get_data())["offer"]) == OFFER
    finally:
        await db.close()


async def test_clearing_a_draft_leaves_no_row(db: Database) -> None:
    context = FSMContext(DraftStorage(db), KEY)
    await context.set_state("TopupForm:note")
    await context.update_data(amount=2500)
    await context.update_data(note="for the next order")
    assert await context.get_data() == {"amount": 2500, "note": "for the next order"}
    assert await rows(db) == 1
    await context.clear()
    assert (await context.get_state(), await context.get_data()) == (None, {})
    assert await rows(db) == 0
    await context.clear()  # what /start does every time: nothing to clear, nothing written
    assert await rows(db) == 0


async def test_a_step_and_its_data_are_one_write_and_clearing_them_too(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A wizard's step that moves writes its data and its state in one transaction (a crash
    cannot keep one without the other); clearing is one write, and none with nothing to clear."""
    context = FSMContext(DraftStorage(db), KEY)
    writes: list[str] = []
    run = db.run

    async def counted(body: Any, **kinds: bool) -> Any:
        writes.append(body.__qualname__)
        return await run(body, **kinds)

    monkeypatch.setattr(db, "run", counted)

    await save(context, OrderForm.confirm, DRAFTS[0])
    assert (await context.get_state(), await context.get_data()) == ("OrderForm:confirm", DRAFTS[0])
    await save(context, OrderForm.answer, DRAFTS[1])
    assert (await context.get_state(), await context.get_data()) == ("OrderForm:answer", DRAFTS[1])
    assert len(writes) == 2
    await clear(context)
    assert (await context.get_state(), await context.get_data(), await rows(db)) == (None, {}, 0)
    await clear(context)
    assert len(writes) == 3


@pytest.mark.parametrize("where", PER_USER_STATE)
async def test_save_and_clear_read_back_in_every_storage(where: str, tmp_path: Path) -> None:
    """On Redis (REDIS_URL) they are aiogram's two writes: the same draft reads back."""
    async with AsyncExitStack() as stack:
        if where == "redis":
            from bot.redis_sessions import on_redis  # only where Redis is used, as the bot does

            prefix = f"test-drafts-{secrets.token_hex(4)}"
            sessions = await stack.enter_async_context(on_redis(REDIS_TEST_URL, prefix=prefix))
            storage = sessions.storage
        else:
            db = await Database.open(tmp_path / "shop.sqlite3")
            stack.push_async_callback(db.close)
            storage = DraftStorage(db)
        context = FSMContext(storage, KEY)
        await save(context, OrderForm.confirm, DRAFTS[0])
        assert (await context.get_state(), await context.get_data()) == (
            "OrderForm:confirm", DRAFTS[0],
        )  # fmt: skip
        await clear(context)
        assert (await context.get_state(), await context.get_data()) == (None, {})


async def test_a_state_without_data_and_data_without_a_state_are_kept(db: Database) -> None:
    context = FSMContext(DraftStorage(db), KEY)
    await context.set_state("SupportForm:writing")
    await context.set_data({})
    assert await context.get_state() == "SupportForm:writing"
    await context.set_data({"search": "likes"})
    await context.set_state(None)  # a search is remembered outside any wizard
    assert (await context.get_state(), await context.get_data()) == (None, {"search": "likes"})
    assert await rows(db) == 1


@pytest.mark.parametrize(
    "other",
    [
        StorageKey(bot_id=8, chat_id=1, user_id=1),
        StorageKey(bot_id=7, chat_id=2, user_id=1),
        StorageKey(bot_id=7, chat_id=1, user_id=2),
        StorageKey(bot_id=7, chat_id=1, user_id=1, thread_id=5),
        StorageKey(bot_id=7, chat_id=1, user_id=1, business_connection_id="b1"),
        StorageKey(bot_id=7, chat_id=1, user_id=1, destiny="other"),
    ],
)
async def test_conversations_do_not_share_a_draft(db: Database, other: StorageKey) -> None:
    storage = DraftStorage(db)
    mine, theirs = FSMContext(storage, KEY), FSMContext(storage, other)
    await mine.set_state("OrderForm:answer")
    await mine.set_data({"service": 101, "answers": {}, "offer": None})
    assert (await theirs.get_state(), await theirs.get_data()) == (None, {})
    await theirs.set_state("TopupForm:amount")
    await theirs.set_data({"amount": 100})
    await theirs.clear()
    assert await mine.get_state() == "OrderForm:answer"
    assert await mine.get_data() == {"service": 101, "answers": {}, "offer": None}


@pytest.mark.parametrize(
    "data",
    [
        {"amount": Decimal("25.00")},  # not JSON at all
        {"answers": ("a", "b")},  # would come back a list
        {"answers": {1: "a"}},  # would come back with "1" as its key
        {"rate": float("nan")},
    ],
)
async def test_data_json_would_change_is_refused_loudly(db: Database, data: dict[str, Any]) -> None:
    context = FSMContext(DraftStorage(db), KEY)
    await context.set_data({"amount": 100})
    with pytest.raises((TypeError, ValueError)):
        await context.set_data(data)
    assert await context.get_data() == {"amount": 100}  # and the draft is as it was


async def test_data_must_be_a_dict(db: Database) -> None:
    with pytest.raises(DataNotDictLikeError):
        await DraftStorage(db).set_data(KEY, [("amount", 100)])  # type: ignore[arg-type]


async def test_old_drafts_are_purged(db: Database) -> None:
    storage = DraftStorage(db)
    await storage.set_state(KEY, "OrderForm:answer")
    await storage.set_state(StorageKey(bot_id=7, chat_id=2, user_id=2), "TopupForm:amount")
    async with db.transaction() as conn:
        await conn.execute("UPDATE drafts SET updated_at = 0 WHERE chat_id = 1")
    assert await drafts.purge(db, now() - 7 * 86_400) == 1
    assert await storage.get_state(KEY) is None
    assert await storage.get_state(StorageKey(bot_id=7, chat_id=2, user_id=2)) is not None


async def test_a_step_of_the_wizard_never_queues_behind_a_checkout_where_the_engine_allows(
    db: Database, db_target: str
) -> None:
    """On PostgreSQL a draft's write skips the shop-wide turn the money writes take (no other
    writer reads a draft); a SQLite file has one writer, so there the step waits its turn."""
    context = FSMContext(DraftStorage(db), KEY)
    async with db.transaction():  # another customer's checkout holds the turn
        step = asyncio.create_task(context.set_state("OrderForm:answer"))
        done, _ = await asyncio.wait({step}, timeout=0.5)
        assert bool(done) is is_postgres(db_target)
    await step
    assert await context.get_state() == "OrderForm:answer"
