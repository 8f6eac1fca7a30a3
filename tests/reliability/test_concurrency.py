"""Many people pressing at once: exact counts, no negative balance, the audit green."""

from __future__ import annotations

import asyncio

from bot.shop.audit import audit
from storage import orders
from tests.fakes.telegram import TelegramUser
from tests.flow.chat import to_summary
from tests.flow.conftest import Shop
from tests.reliability.conftest import Tally

USERS = 50
TAPS = 20


async def _ready(shop: Shop, user_id: int) -> TelegramUser:
    person = await shop.customer(user_id, balance=10_000)
    await to_summary(person)
    return person


async def test_fifty_users_each_tapping_confirm_twenty_times(shop: Shop, tally: Tally) -> None:
    tally.add(USERS * TAPS)
    people = [await _ready(shop, user_id) for user_id in range(1, USERS + 1)]
    summaries = [person.last_message() for person in people]
    await asyncio.gather(
        *(
            person.click("Confirm", message=summary)
            for person, summary in zip(people, summaries, strict=True)
            for _ in range(TAPS)
        )
    )
    assert len(shop.adds()) == USERS
    for person in people:
        assert await shop.balance(person.user_id) == 10_000 - 135
        assert person.unanswered_callbacks == []
    placed, total = await orders.page_for_user(shop.db, 1, 0, 100)
    assert total == 1
    assert placed[0].state.value == "active"
    assert (await audit(shop.db)).ok


async def test_two_confirms_racing_against_a_balance_for_one(shop: Shop, tally: Tally) -> None:
    """Two drafts of one user, confirmed at once, with money for only one of them."""
    tally.add(2)
    person = await shop.customer(1, balance=200)
    drafts = []
    for _ in range(2):
        await person.send("/start")
        await to_summary(person)
        drafts.append(person.last_message())
    # The second draft replaced the first one's token: the stale summary must not place anything.
    await asyncio.gather(*(person.click("Confirm", message=draft) for draft in drafts))
    assert len(shop.adds()) == 1
    assert await shop.balance(1) == 200 - 135
    assert (await audit(shop.db)).ok
