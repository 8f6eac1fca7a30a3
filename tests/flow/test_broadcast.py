"""A broadcast to 1,000 customers: preview, confirm, the rate budget, progress, blocked users."""

from __future__ import annotations

from aiogram.methods import AnswerCallbackQuery, CopyMessage, EditMessageText
from aiogram.types import MessageId, Update

from bot.i18n import Translator
from bot.jobs.broadcast import report_progress
from bot.jobs.sender import Sender
from storage import broadcasts, users
from storage.db import Database
from tests.conftest import ADMIN_ID, FakeClock
from tests.fakes.telegram import TelegramUser
from tests.flow.conftest import Shop

CUSTOMERS = 1000
BLOCKED = {1005, 1050, 1500}  # these customers blocked the bot


async def reply_with_broadcast(shop: Shop, owner: TelegramUser, text: str) -> None:
    source = shop.session.store_incoming(ADMIN_ID, {"from": owner.profile, "text": text})
    command = shop.session.store_incoming(
        ADMIN_ID,
        {
            "from": owner.profile,
            "text": "/broadcast",
            "entities": [{"type": "bot_command", "offset": 0, "length": 10}],
            "reply_to_message": source,
        },
    )
    update = {"update_id": shop.session.next_update_id(), "message": command}
    await owner.send_update(Update.model_validate(update, context={"bot": shop.bot}))


async def add_customers(db: Database) -> None:
    for user_id in range(1001, 1001 + CUSTOMERS):
        await users.touch(db, user_id, None, f"User {user_id}", "en")


async def test_broadcast_to_a_thousand_keeps_the_budget(
    shop: Shop, translator: Translator, clock: FakeClock
) -> None:
    owner = await shop.customer(ADMIN_ID)
    await add_customers(shop.db)
    await reply_with_broadcast(shop, owner, "Big sale today!")
    assert "Send the message above to 1,001 customers?" in owner.last_text()
    assert shop.session.sent(CopyMessage)[-1].chat_id == ADMIN_ID  # the preview
    await owner.click("Send")
    assert "Sending…" in owner.last_text()

    times: list[float] = []

    def copied(method: CopyMessage) -> MessageId:
        times.append(clock.now)
        return MessageId(message_id=len(times))

    shop.session.responder(CopyMessage, copied)
    for chat in BLOCKED:
        shop.session.fail(CopyMessage, 403, "Forbidden: bot was blocked by the user", chat_id=chat)
    shop.session.fail(CopyMessage, 429, "Too Many Requests", retry_after=3)

    async def sleep(seconds: float) -> None:
        clock.advance(seconds)

    sender = Sender(
        shop.bot, shop.db, translator, currency="USD", rate=25, clock=clock, sleep=sleep
    )
    edits_before = len(shop.session.sent(EditMessageText))
    for _ in range(200):
        await sender.send_once()
        await report_progress(shop.bot, shop.db, translator, currency="USD", rate=25)
        if (await broadcasts.progress(shop.db, 1)).pending == 0:
            break
        clock.advance(1)
    await report_progress(shop.bot, shop.db, translator, currency="USD", rate=25)

    assert len(times) == CUSTOMERS + 1 - len(BLOCKED)  # everyone reachable, the admin too
    assert max(_per_second(times)) <= 25
    assert "Broadcast finished: sent 998, blocked the bot 3, failed 0" in owner.last_text()
    assert len(shop.session.sent(EditMessageText)) - edits_before >= 3  # live progress
    for chat in BLOCKED:
        blocked = await users.get(shop.db, chat)
        assert blocked is not None
        assert blocked.blocked


def _per_second(times: list[float]) -> list[int]:
    """How many messages went out in each sliding one-second window."""
    counts = []
    start = 0
    for end, moment in enumerate(times):
        while times[start] <= moment - 1 + 1e-6:  # a window of one second, ends exclusive
            start += 1
        counts.append(end - start + 1)
    return counts


async def test_stop_drops_what_was_not_sent(shop: Shop, translator: Translator) -> None:
    owner = await shop.customer(ADMIN_ID)
    await add_customers(shop.db)
    await reply_with_broadcast(shop, owner, "Oops")
    await owner.click("Send")
    await owner.click("Stop")
    assert "Broadcast stopped. Messages sent: 0." in owner.last_text()
    sender = Sender(shop.bot, shop.db, translator, currency="USD", rate=1000, chat_interval=0)
    await sender.send_once()
    assert [m for m in shop.session.sent(CopyMessage) if m.chat_id != ADMIN_ID] == []


async def test_broadcast_needs_a_reply_and_is_admin_only(shop: Shop) -> None:
    owner = await shop.customer(ADMIN_ID)
    await owner.send("/broadcast")
    assert "Reply to a message" in owner.last_text()
    person = await shop.customer(1)
    await person.send("/broadcast")
    assert "I don't know that command" in person.last_text()


async def test_a_double_tapped_send_queues_once(shop: Shop) -> None:
    owner = await shop.customer(ADMIN_ID)
    await add_customers(shop.db)
    await reply_with_broadcast(shop, owner, "Hello")
    confirm = owner.last_message()
    await owner.click("Send", message=confirm)
    await owner.click_data("z1:send:1", message_id=confirm.message_id)
    assert "already started or cancelled" in str(shop.session.sent(AnswerCallbackQuery)[-1].text)
    found = await broadcasts.get(shop.db, 1)
    assert found is not None
    assert found.total == CUSTOMERS + 1
    assert (await broadcasts.progress(shop.db, 1)).pending == CUSTOMERS + 1
