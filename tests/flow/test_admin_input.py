"""Who an admin command reaches: usernames that changed hands, reused update ids, group chats."""

from __future__ import annotations

import re
from typing import Any

import pytest
from aiogram.types import Update

from bot.shop.audit import audit
from storage import users
from tests.conftest import ADMIN_ID
from tests.fakes.telegram import TelegramUser
from tests.flow.conftest import Shop

GROUP = -1_001_234_567_890


@pytest.fixture
async def owner(shop: Shop) -> TelegramUser:
    person = TelegramUser(shop.dp, shop.bot, shop.session, user_id=ADMIN_ID, username="owner")
    await person.send("/start")
    return person


async def customer(shop: Shop, user_id: int, username: str) -> TelegramUser:
    person = TelegramUser(shop.dp, shop.bot, shop.session, user_id=user_id, username=username)
    await person.send("/start")
    return person


async def test_a_username_reaches_its_current_holder_not_its_old_one(
    shop: Shop, owner: TelegramUser
) -> None:
    await customer(shop, 2, "carol")  # Carol later renames herself without writing again...
    await customer(shop, 3, "carol")  # ...and somebody else takes @carol and writes
    await owner.send("/credit @carol 5")
    assert "User 3 now has $5.00" in owner.last_text()
    assert (await shop.balance(2), await shop.balance(3)) == (0, 500)
    await owner.send("/user @Carol")
    assert "User 3" in owner.last_text()


async def test_a_username_several_stored_rows_hold_asks_for_the_id(
    shop: Shop, owner: TelegramUser
) -> None:
    await customer(shop, 2, "dave")
    await customer(shop, 3, "dave_")
    async with shop.db.transaction() as conn:  # rows written before names were taken over
        await conn.execute("UPDATE users SET username = 'dave' WHERE id IN (2, 3)")
    for command in ("/ban @dave", "/credit dave 5", "/user @DAVE"):
        await owner.send(command)
        assert "Several users are stored with @" in owner.last_text()
        assert "Use the numeric id" in owner.last_text()
        assert re.search(r"\b(2, 3|3, 2)\b", owner.last_text())  # the ids to choose from
    for user_id in (2, 3):
        stored = await users.get(shop.db, user_id)
        assert stored is not None
        assert (stored.banned, stored.balance) == (False, 0)
    await owner.send("/ban 3")
    assert "User 3 is banned." in owner.last_text()


def command_update(owner: TelegramUser, shop: Shop, update_id: int, message_id: int) -> Update:
    text = "/credit 1 5"
    message: dict[str, Any] = {
        "message_id": message_id,
        "date": 0,
        "chat": {"id": ADMIN_ID, "type": "private"},
        "from": owner.profile,
        "text": text,
        "entities": [{"type": "bot_command", "offset": 0, "length": 7}],
    }
    return Update.model_validate(
        {"update_id": update_id, "message": message}, context={"bot": shop.bot}
    )


async def test_two_credits_under_a_reused_update_id_both_apply(
    shop: Shop, owner: TelegramUser
) -> None:
    # Telegram numbers updates afresh after a week without any: the id alone is not unique.
    await shop.customer(1)
    await owner.send_update(command_update(owner, shop, 777, 5000))
    await owner.send_update(command_update(owner, shop, 777, 6000))
    assert await shop.balance(1) == 1000
    assert "now has $10.00" in owner.last_text()
    await owner.send_update(command_update(owner, shop, 778, 6000))  # the same message again
    assert await shop.balance(1) == 1000
    assert "already applied" in owner.last_text()
    assert (await audit(shop.db)).ok


@pytest.mark.parametrize("closed", ["/ban 1", "/maintenance on"])
async def test_a_refused_customer_gets_no_answer_in_a_group(
    shop: Shop, owner: TelegramUser, closed: str
) -> None:
    person = await shop.customer(1)
    await owner.send(closed)
    person.chat_id = GROUP
    before = shop.session.request_count
    await person.send("hello")
    await person.send("/start")
    assert shop.session.requests_since(before) == []  # nothing said in the group
    person.chat_id = person.user_id
    await person.send("/start")  # in the private chat they are told why
    assert "suspended" in person.last_text() or "maintenance" in person.last_text()
