"""Every aiogram object gets its bot from one post-init (bot.post_init), as it did from
pydantic's chain: nested objects, objects built in Python, a copy, a subclass of our own."""

from __future__ import annotations

from typing import Any

import pytest
from aiogram import Bot
from aiogram.methods import SendMessage
from aiogram.types import CallbackQuery, InlineKeyboardButton, Message, TelegramObject, Update
from pydantic import BaseModel, PrivateAttr

from bot import post_init
from bot.transport import Keyboard, UnreadSend, unread
from tests.fakes.telegram import BOT_TOKEN

PRESS = {
    "update_id": 3,
    "callback_query": {
        "id": "q",
        "from": {"id": 5, "is_bot": False, "first_name": "Cy"},
        "chat_instance": "c",
        "data": "s1:0",
        "message": {
            "message_id": 9,
            "date": 0,
            "chat": {"id": 5, "type": "private"},
            "text": "Pick one",
            "reply_markup": {"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]},
        },
    },
}


def _objects(model: BaseModel) -> list[BaseModel]:
    """`model` and every model inside it."""
    found = [model]
    for _, value in model:
        items = value if isinstance(value, list) else [value]
        for item in items:
            for each in item if isinstance(item, list) else [item]:
                if isinstance(each, BaseModel):
                    found += _objects(each)
    return found


@pytest.fixture
def bot() -> Bot:
    return Bot(BOT_TOKEN)


def test_every_aiogram_class_has_the_one_post_init() -> None:
    """Installed when `bot` was imported: the types of an update and of a call among them."""
    for cls in (TelegramObject, Update, Message, CallbackQuery, InlineKeyboardButton, SendMessage):
        assert cls.model_post_init is post_init.bind_bot, cls


def test_every_object_of_a_parsed_update_knows_its_bot(bot: Bot) -> None:
    update = Update.model_validate(PRESS, context={"bot": bot})

    objects = _objects(update)

    assert len(objects) >= 7  # update, query, sender, message, chat, keyboard, button
    assert all(isinstance(each, TelegramObject) and each.bot is bot for each in objects)


def test_pydantic_calls_the_post_init_hook_of_every_object(
    bot: Bot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """pydantic looks the hook up by name on every object it validates: what makes one
    function per object enough (and what a pydantic release could change). A union tried
    member by member may call it for an object it then drops: at least once each."""
    called: list[str] = []

    def counting(model: BaseModel, context: Any, /) -> None:
        called.append(type(model).__name__)
        post_init.bind_bot(model, context)

    for cls in {type(each) for each in _objects(Update.model_validate(PRESS))}:
        monkeypatch.setattr(cls, "model_post_init", counting)

    update = Update.model_validate(PRESS, context={"bot": bot})

    assert set(called) == {type(each).__name__ for each in _objects(update)}
    assert len(called) >= len(_objects(update))


def test_without_a_bot_in_the_context_objects_have_none() -> None:
    message = Message.model_validate(PRESS["callback_query"]["message"])  # type: ignore[index]

    assert message.bot is None and message.chat.bot is None


def test_objects_built_in_python_and_copies_keep_their_bot(bot: Bot) -> None:
    call = SendMessage(chat_id=5, text="hi").as_(bot)

    copied = unread(call)

    assert call.bot is bot and isinstance(copied, UnreadSend) and copied.bot is bot
    assert call.model_copy().bot is bot
    assert SendMessage.model_construct(chat_id=5, text="hi").bot is None


def test_a_subclass_with_private_attributes_of_its_own_keeps_them(bot: Bot) -> None:
    """Defined after the install, it gets pydantic's wrapper around the one post-init: its own
    defaults are set, and its bot too."""

    class Tagged(Keyboard):
        _tag: str = PrivateAttr(default="fresh")

    keyboard = Tagged.model_validate({"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]},
                                     context={"bot": bot})  # fmt: skip

    assert keyboard.bot is bot and keyboard._tag == "fresh" and keyboard._wire is None
    assert keyboard.inline_keyboard[0][0].bot is bot
