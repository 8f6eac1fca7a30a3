"""Support conversations: a customer writes, every admin sees who, an admin answers or closes."""

from __future__ import annotations

import dataclasses
import itertools
from typing import Any

import pytest
from aiogram.methods import SendMessage, SendPhoto
from aiogram.types import Message, Update

from bot.i18n import Translator
from bot.jobs.sender import Sender
from bot.jobs.support import TicketAct, TicketAction
from bot.shop.config import ShopConfig
from handlers.callbacks import AskSupport
from storage import orders
from storage import support as tickets
from tests.conftest import ADMIN_ID
from tests.fakes.telegram import TelegramUser
from tests.flow.chat import to_summary
from tests.flow.conftest import Shop

SECOND_ADMIN = 901
_photos = itertools.count(1)


@pytest.fixture
def shop_config(shop_config: ShopConfig) -> ShopConfig:
    return dataclasses.replace(shop_config, admin_ids=frozenset({ADMIN_ID, SECOND_ADMIN}))


@pytest.fixture
async def second(shop: Shop) -> TelegramUser:
    person = TelegramUser(
        shop.dp, shop.bot, shop.session, user_id=SECOND_ADMIN, first_name="Ivan", username="ivan"
    )
    await person.send("/start")
    return person


async def deliver(shop: Shop) -> None:
    sender = Sender(
        shop.bot, shop.dp["db"], shop.dp["translator"], currency="USD", rate=1000, chat_interval=0
    )
    while (await sender.send_once()).sent:
        pass


def texts(shop: Shop, chat_id: int) -> list[str]:
    """What the bot sent to one chat: texts and captions, oldest first."""
    return [
        str(message.get("text") or message.get("caption") or "")
        for message in shop.session.bot_messages(chat_id)
    ]


def last_copy(shop: Shop, chat_id: int) -> dict[str, Any]:
    """The latest support message delivered to this chat (it carries the ticket's buttons)."""
    found = [
        message
        for message in shop.session.bot_messages(chat_id)
        if "k1:" in str(message.get("reply_markup", ""))
    ]
    assert found, f"no support message in chat {chat_id}"
    return found[-1]


async def reply(person: TelegramUser, to: dict[str, Any], text: str) -> None:
    """`text` sent as a Telegram reply to the message `to`."""
    content: dict[str, Any] = {"from": person.profile, "text": text, "reply_to_message": to}
    if text.startswith("/"):
        content["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text)}]
    await feed(person, content)


async def feed(person: TelegramUser, content: dict[str, Any]) -> None:
    message = person.session.store_incoming(person.chat_id, content)
    update = {"update_id": person.session.next_update_id(), "message": message}
    await person.send_update(Update.model_validate(update, context={"bot": person.bot}))


async def send_photo(person: TelegramUser, caption: str) -> str:
    file_id = f"customer-photo-{next(_photos)}"
    photo = [{"file_id": file_id, "file_unique_id": f"u-{file_id}", "width": 90, "height": 90}]
    await feed(person, {"from": person.profile, "photo": photo, "caption": caption})
    return file_id


def _message(shop: Shop, payload: dict[str, Any]) -> Message:
    return Message.model_validate(payload, context={"bot": shop.bot})


async def write(shop: Shop, person: TelegramUser, text: str) -> None:
    await person.click("Support")
    assert "Write your message to support" in person.last_text()
    await person.send(text)


async def test_a_message_from_the_menu_reaches_every_admin_with_who_wrote(
    shop: Shop, owner: TelegramUser, second: TelegramUser
) -> None:
    person = await shop.customer(1, balance=1234)
    await write(shop, person, "Hello, <b>is</b> anyone there?")
    assert "Sent to support" in person.last_text()
    await deliver(shop)
    for admin in (ADMIN_ID, SECOND_ADMIN):
        header = texts(shop, admin)[-1]
        assert "Ticket #1 from Alice @alice" in header
        assert "ID 1 · language en · balance $12.34" in header
        assert "No orders yet." in header
        assert header.endswith("Hello, <b>is</b> anyone there?")  # shown as typed


async def test_support_command_opens_the_same_conversation(shop: Shop, owner: TelegramUser) -> None:
    person = await shop.customer(1)
    await person.send("/support")
    await person.send("Hi")
    await deliver(shop)
    assert texts(shop, ADMIN_ID)[-1].endswith("Hi")


async def test_asked_from_an_order_card_the_header_names_the_order_and_its_upstream_id(
    shop: Shop, owner: TelegramUser
) -> None:
    person = await shop.customer(1, balance=10_000)
    await to_summary(person)
    await person.click("Confirm")
    await person.click("View order")
    await person.click("Ask about this order")
    assert "question about order #1" in person.last_text()
    await person.send("It has not started")
    await deliver(shop)
    order = await orders.get(shop.db, 1)
    assert order is not None
    assert order.upstream_id is not None
    header = texts(shop, ADMIN_ID)[-1]
    assert f"About order #1 (upstream {order.upstream_id})" in header
    assert "#1 " in header.split("About order")[0]  # among the last orders too
    assert header.endswith("It has not started")


async def test_somebody_elses_order_id_is_refused(shop: Shop, owner: TelegramUser) -> None:
    buyer = await shop.customer(1, balance=10_000)
    await to_summary(buyer)
    await buyer.click("Confirm")
    other = await shop.customer(2)
    await other.click_data(AskSupport(order=1).pack())
    assert shop.alerts()[-1] == "This is no longer available."
    await other.send("Tell me about order 1")  # not a support message: a search
    await deliver(shop)
    assert await tickets.open_list(shop.db, 10) == ([], 0)
    assert not other.unanswered_callbacks


async def test_an_admin_answers_by_replying_and_the_customer_writes_back(
    shop: Shop, owner: TelegramUser, second: TelegramUser
) -> None:
    person = await shop.customer(1, language_code="ru")
    await person.click("Поддержка")
    await person.send("Где мой заказ?")
    await deliver(shop)
    await reply(owner, last_copy(shop, ADMIN_ID), "It starts <soon>")
    assert "Answer sent (ticket #1)" in owner.last_text()
    await deliver(shop)
    assert person.last_text() == "💬 Поддержка\n\nIt starts <soon>"  # in the customer's language

    await person.click("Ответить")
    await person.send("Спасибо!")
    await deliver(shop)
    assert texts(shop, SECOND_ADMIN)[-1].endswith("Спасибо!")
    assert "Ticket #1" in texts(shop, SECOND_ADMIN)[-1]
    # the second admin answers the follow-up with a reply of their own
    await reply(second, last_copy(shop, SECOND_ADMIN), "You are welcome")
    await deliver(shop)
    assert person.last_text().endswith("You are welcome")


async def test_an_admin_answers_with_the_reply_button(shop: Shop, owner: TelegramUser) -> None:
    person = await shop.customer(1)
    await write(shop, person, "Question")
    await deliver(shop)
    await owner.click("Reply", message=_message(shop, last_copy(shop, ADMIN_ID)))
    assert "Write your answer to ticket #1" in owner.last_text()
    await owner.send("Answer by button")
    assert "Answer sent (ticket #1)" in owner.last_text()
    await deliver(shop)
    assert person.last_text() == "💬 Support\n\nAnswer by button"
    await owner.send("just a search now")  # the form is over: nothing more goes to the customer
    await deliver(shop)
    assert person.last_text() == "💬 Support\n\nAnswer by button"


async def test_close_in_reply_tells_the_customer_and_the_next_message_opens_a_new_ticket(
    shop: Shop, owner: TelegramUser
) -> None:
    person = await shop.customer(1)
    await write(shop, person, "First")
    await deliver(shop)
    await reply(owner, last_copy(shop, ADMIN_ID), "/close")
    assert "Ticket #1 closed" in owner.last_text()
    await deliver(shop)
    assert "conversation #1 is closed" in person.last_text()
    await reply(owner, last_copy(shop, ADMIN_ID), "too late")
    assert "Ticket #1 is closed: nothing was sent" in owner.last_text()

    await person.send("Another question")  # meant for the closed conversation
    assert "This conversation is closed" in person.last_text()
    await write(shop, person, "Another question")  # from the menu under that answer
    await deliver(shop)
    assert "Ticket #2" in texts(shop, ADMIN_ID)[-1]
    assert sum("Another question" in text for text in texts(shop, ADMIN_ID)) == 1


async def test_close_by_button_and_the_customers_reply_button_then_says_closed(
    shop: Shop, owner: TelegramUser
) -> None:
    person = await shop.customer(1)
    await write(shop, person, "Question")
    await deliver(shop)
    await reply(owner, last_copy(shop, ADMIN_ID), "Answer")
    await deliver(shop)
    await owner.click("Close", message=_message(shop, last_copy(shop, ADMIN_ID)))
    assert "Ticket #1 closed" in shop.alerts()[-1]
    await owner.click("Close", message=_message(shop, last_copy(shop, ADMIN_ID)))
    assert "Ticket #1 was already closed" in shop.alerts()[-1]
    await deliver(shop)
    assert "conversation #1 is closed" in person.last_text()
    await person.click("Reply", message=_message(shop, last_copy(shop, 1)))
    assert "This conversation is closed" in shop.alerts()[-1]
    assert not person.unanswered_callbacks
    assert not owner.unanswered_callbacks


async def test_the_reply_button_of_somebody_elses_ticket_is_refused(
    shop: Shop, owner: TelegramUser
) -> None:
    person = await shop.customer(1)
    await write(shop, person, "Mine")
    other = await shop.customer(2)
    await other.click_data(TicketAction(act=TicketAct.REPLY, ticket=1).pack())
    assert shop.alerts()[-1] == "This is no longer available."
    await other.click_data(TicketAction(act=TicketAct.CLOSE, ticket=1).pack())  # admins only
    assert shop.alerts()[-1] == "This is no longer available."
    assert (await tickets.open_list(shop.db, 10))[1] == 1


async def test_close_without_a_reply_explains_itself(shop: Shop, owner: TelegramUser) -> None:
    await owner.send("/close")
    assert "Reply /close to a customer's support message" in owner.last_text()


async def test_tickets_lists_the_open_ones_oldest_first(shop: Shop, owner: TelegramUser) -> None:
    await owner.send("/tickets")
    assert "No open support conversations" in owner.last_text()
    for user_id in (3, 1, 2):
        person = await shop.customer(user_id)
        await write(shop, person, f"from {user_id}")
    await deliver(shop)
    copy_of_1 = next(m for m in shop.session.bot_messages(ADMIN_ID) if "from 1" in m["text"])
    await reply(owner, copy_of_1, "/close")
    await owner.send("/tickets")
    listing = owner.last_text()
    assert "Open support conversations (2)" in listing
    assert listing.index("#1 · Alice (3)") < listing.index("#3 · Alice (2)")
    assert "#2 " not in listing  # closed
    assert "1 msg: from 3" in listing


async def test_one_open_conversation_per_customer(shop: Shop, owner: TelegramUser) -> None:
    person = await shop.customer(1)
    await write(shop, person, "one")
    await person.click("Menu")
    await write(shop, person, "two")
    await deliver(shop)
    found, total = await tickets.open_list(shop.db, 10)
    assert total == 1
    assert found[0].messages == 2
    assert "Ticket #1" in texts(shop, ADMIN_ID)[-1]


async def test_at_most_five_messages_a_minute(
    shop: Shop, owner: TelegramUser, monkeypatch: pytest.MonkeyPatch
) -> None:
    stamp = [10_000]
    monkeypatch.setattr("bot.shop.support.now", lambda: stamp[0])
    monkeypatch.setattr("storage.support.now", lambda: stamp[0])
    person = await shop.customer(1)
    await person.click("Support")
    for number in range(5):
        await person.send(f"message {number}")
        assert "Sent to support" in person.last_text()
    await person.send("message 5")
    assert "You are writing too fast: at most 5 messages a minute" in person.last_text()
    stamp[0] += 61
    await person.send("message 5 again")
    assert "Sent to support" in person.last_text()
    await deliver(shop)
    shown = [text for text in texts(shop, ADMIN_ID) if "Ticket #1" in text]
    assert [text.rsplit("\n", 1)[-1] for text in shown] == [
        *(f"message {number}" for number in range(5)),
        "message 5 again",
    ]


async def test_a_banned_customer_cannot_open_a_conversation(
    shop: Shop, owner: TelegramUser
) -> None:
    person = await shop.customer(1)
    await owner.send("/ban 1")
    await person.click("Support")
    assert "suspended" in shop.alerts()[-1]
    await person.send("/support")
    assert "suspended" in person.last_text()
    assert await tickets.open_list(shop.db, 10) == ([], 0)
    assert not person.unanswered_callbacks


async def test_a_banned_customer_in_the_middle_of_writing_is_stopped(
    shop: Shop, owner: TelegramUser
) -> None:
    person = await shop.customer(1)
    await person.click("Support")
    await owner.send("/ban 1")
    await person.send("let me in")
    assert "suspended" in person.last_text()
    assert await tickets.open_list(shop.db, 10) == ([], 0)


async def test_a_photo_with_a_caption_reaches_admins_and_an_answer_can_be_a_photo(
    shop: Shop, owner: TelegramUser
) -> None:
    person = await shop.customer(1)
    await person.click("Support")
    file_id = await send_photo(person, "The counter is stuck")
    assert "Sent to support" in person.last_text()
    await deliver(shop)
    photo = shop.session.sent(SendPhoto, ADMIN_ID)[-1]
    assert photo.photo == file_id
    copy = last_copy(shop, ADMIN_ID)
    assert "Ticket #1 from Alice" in copy["caption"]
    assert copy["caption"].endswith("The counter is stuck")

    await feed(
        owner,
        {
            "from": owner.profile,
            "photo": [{"file_id": "admin-shot", "file_unique_id": "u-a", "width": 9, "height": 9}],
            "caption": "Look here",
            "reply_to_message": copy,
        },
    )
    await deliver(shop)
    answer = shop.session.sent(SendPhoto, 1)[-1]
    assert answer.photo == "admin-shot"
    assert person.last_text() == "💬 Support\n\nLook here"


async def test_stickers_are_not_support_messages(shop: Shop, owner: TelegramUser) -> None:
    person = await shop.customer(1)
    await person.click("Support")
    sticker = {
        "file_id": "s", "file_unique_id": "us", "type": "regular", "width": 1, "height": 1,
        "is_animated": False, "is_video": False,
    }  # fmt: skip
    await feed(person, {"from": person.profile, "sticker": sticker})
    assert "send text, or a photo with a caption" in person.last_text()


async def test_long_texts_fit_telegrams_limits(shop: Shop, owner: TelegramUser) -> None:
    person = await shop.customer(1)
    await person.click("Support")
    await person.send("x" * 4096)
    await send_photo(person, "y" * 1024)
    await deliver(shop)  # the fake session refuses what Telegram would
    shown = texts(shop, ADMIN_ID)
    assert shown[-2].startswith("💬 Ticket #1") and shown[-2].endswith("x…")
    assert shown[-1].startswith("💬 Ticket #1") and shown[-1].endswith("y…")
    await reply(owner, last_copy(shop, ADMIN_ID), "z" * 4096)
    await deliver(shop)
    assert person.last_text().endswith("z…")


async def test_nothing_is_lost_when_telegram_refuses_a_send_once(
    shop: Shop, owner: TelegramUser, monkeypatch: pytest.MonkeyPatch, translator: Translator
) -> None:
    person = await shop.customer(1)
    await write(shop, person, "Are you there?")
    shop.session.fail(SendMessage, 500, chat_id=ADMIN_ID)
    sender = Sender(shop.bot, shop.db, translator, currency="USD", rate=1000, chat_interval=0)
    assert (await sender.send_once()).retried == 1
    assert "Are you there?" not in str(texts(shop, ADMIN_ID))
    later = tickets.now() + 600
    monkeypatch.setattr("storage.outbox.now", lambda: later)
    assert (await sender.send_once()).sent >= 1
    copy = last_copy(shop, ADMIN_ID)
    assert copy["text"].endswith("Are you there?")
    await reply(owner, copy, "Yes")  # the copy delivered on the second try answers too
    assert "Answer sent (ticket #1)" in owner.last_text()


async def test_a_replayed_update_is_sent_once(shop: Shop, owner: TelegramUser) -> None:
    person = await shop.customer(1)
    await person.click("Support")
    message = shop.session.store_incoming(1, {"from": person.profile, "text": "only once"})
    for _ in range(2):
        update = {"update_id": shop.session.next_update_id(), "message": message}
        await person.send_update(Update.model_validate(update, context={"bot": shop.bot}))
    await deliver(shop)
    assert texts(shop, ADMIN_ID).count(texts(shop, ADMIN_ID)[-1]) == 1
