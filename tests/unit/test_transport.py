"""How calls travel to Telegram: a button's answer in the webhook's HTTP answer, calls kept in
order, shared keyboards posted as the same JSON, unread answers still checked."""

from __future__ import annotations

import gc
import json
import weakref
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl

import aiohttp
import pytest
from aiogram import Bot, Dispatcher
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import (
    ClientDecodeError,
    TelegramAPIError,
    TelegramBadRequest,
    TelegramRetryAfter,
)
from aiogram.methods import (
    AnswerCallbackQuery,
    EditMessageText,
    SendDocument,
    SendMessage,
    TelegramMethod,
)
from aiogram.methods.base import Response, TelegramType
from aiogram.types import (
    BufferedInputFile,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
)
from aiohttp import web

from bot.app import _ANSWER_TYPES, Deps, build_dispatcher
from bot.i18n import Translator
from bot.panel.client import PanelClient
from bot.panel.panels import Panels
from bot.shop.config import ShopConfig
from bot.transport import (
    Keyboard,
    ShopSession,
    UnreadEdit,
    UnreadSend,
    edit,
    form_fields,
    handle_for_webhook,
    reply,
)
from bot.webhook import SECRET_HEADER, answer_body, build_app
from storage.db import Database
from tests.e2e.telegram_emulator import read_webhook_answer
from tests.fakes.telegram import BOT_TOKEN, FakeSession, TelegramUser, make_bot

SECRET = "webhook-secret-for-tests"
PATH = "/tg/hook"
USER_ID = 77


async def healthy() -> bool:
    return True


async def post(url: str, update: dict[str, Any]) -> tuple[int, dict[str, str]]:
    """POST an update as Telegram does; the HTTP status and the form of the answer, if any."""
    async with (
        aiohttp.ClientSession() as http,
        http.post(url, json=update, headers={SECRET_HEADER: SECRET}) as response,
    ):
        return response.status, await read_webhook_answer(response)


def press(session: FakeSession, data: str, update_id: int) -> dict[str, Any]:
    """A press of a button carrying `data` on the bot's last message to the user."""
    message_id = session.last_bot_message_id(USER_ID)
    assert message_id is not None
    return {
        "update_id": update_id,
        "callback_query": {
            "id": f"press-{update_id}",
            "from": {"id": USER_ID, "is_bot": False, "first_name": "Cy", "language_code": "en"},
            "chat_instance": "cy",
            "message": session.message_payload(USER_ID, message_id),
            "data": data,
        },
    }


async def test_a_button_pressed_through_the_webhook_is_answered_in_the_http_answer(
    serve_app: Callable[[web.Application], Any],
    db: Database,
    panel: PanelClient,
    shop_config: ShopConfig,
    translator: Translator,
    catalog: None,
) -> None:
    """Browsing: the screen is edited by a request and the button's answer rides back on the
    answer to Telegram's POST (one request fewer per press)."""
    deps = Deps(db=db, panels=Panels.single(panel), shop=shop_config, translator=translator)
    dp = build_dispatcher(deps, catch_errors=False)
    session = FakeSession()
    bot = make_bot(session)
    cy = TelegramUser(dp, bot, session, user_id=USER_ID, first_name="Cy")
    await cy.send("/start")
    [new_order] = [b for row in cy.last_message().reply_markup.inline_keyboard for b in row  # type: ignore[union-attr]
                   if "New order" in b.text]  # fmt: skip
    base = await serve_app(build_app(dp, bot, secret=SECRET, path=PATH, health=healthy))
    session.clear()

    status, answer = await post(base + PATH, press(session, str(new_order.callback_data), 900))

    assert status == 200
    assert answer == {"method": "answerCallbackQuery", "callback_query_id": "press-900"}
    assert [call.__api_method__ for call in session.requests] == ["editMessageText"]
    assert "categor" in cy.last_text().lower()
    await bot.session.close()


async def test_a_call_after_the_held_answer_sends_that_answer_first(
    serve_app: Callable[[web.Application], Any],
) -> None:
    """Telegram sees an update's calls in the order they were made, whatever goes back in
    the answer to its POST."""
    dp = Dispatcher()

    @dp.callback_query()
    async def both(query: CallbackQuery) -> None:
        await reply(query.answer("saved"))
        assert isinstance(query.message, Message)
        await query.message.answer("and one more thing")

    session = FakeSession()
    bot = make_bot(session)
    session.register_user({"id": USER_ID, "is_bot": False, "first_name": "Cy"})
    await bot.send_message(USER_ID, "menu")
    session.clear()
    base = await serve_app(build_app(dp, bot, secret=SECRET, path=PATH, health=healthy))

    status, answer = await post(base + PATH, press(session, "x", 901))

    assert (status, answer) == (200, {})
    assert [call.__api_method__ for call in session.requests] == [
        "answerCallbackQuery",
        "sendMessage",
    ]
    await bot.session.close()


async def test_the_answer_in_the_webhook_answer_went_through_the_session_middlewares(
    serve_app: Callable[[web.Application], Any],
) -> None:
    """What a request would have carried (the sandbox banner is such a middleware)."""

    class Stamp(BaseRequestMiddleware):
        async def __call__(
            self,
            make_request: NextRequestMiddlewareType[TelegramType],
            bot: Bot,
            method: TelegramMethod[TelegramType],
        ) -> Response[TelegramType]:
            if isinstance(method, AnswerCallbackQuery):
                method.text = f"[stamped] {method.text}"
            return await make_request(bot, method)

    dp = Dispatcher()

    @dp.callback_query()
    async def answer(query: CallbackQuery) -> None:
        await reply(query.answer("saved"))

    session = FakeSession()
    bot = make_bot(session)
    session.middleware(Stamp())
    session.register_user({"id": USER_ID, "is_bot": False, "first_name": "Cy"})
    await bot.send_message(USER_ID, "menu")
    base = await serve_app(build_app(dp, bot, secret=SECRET, path=PATH, health=healthy))

    _, answer_form = await post(base + PATH, press(session, "x", 902))

    assert answer_form["text"] == "[stamped] saved"
    await bot.session.close()


async def test_without_a_webhook_the_answer_is_sent_at_once() -> None:
    dp = Dispatcher()

    @dp.callback_query()
    async def answer(query: CallbackQuery) -> None:
        await reply(query.answer())

    session = FakeSession()
    bot = make_bot(session)
    cy = TelegramUser(dp, bot, session, user_id=USER_ID)
    await bot.send_message(USER_ID, "menu", reply_markup=_markup(InlineKeyboardMarkup))

    await cy.click("One")

    assert cy.unanswered_callbacks == []
    assert [type(call) for call in session.requests][-1] is AnswerCallbackQuery


def _markup(kind: type[InlineKeyboardMarkup]) -> InlineKeyboardMarkup:
    return kind(
        inline_keyboard=[
            [InlineKeyboardButton(text="One", callback_data="c:1")],
            [InlineKeyboardButton(text="Site", url="https://example.com/"), InlineKeyboardButton(text="Ünï", callback_data="c:2")],
        ]
    )  # fmt: skip


async def test_a_shared_keyboard_is_posted_as_aiogram_posts_any_keyboard(
    serve_app: Callable[[web.Application], Any],
) -> None:
    """Serialised once and reused, the keyboard Telegram receives is the one aiogram's own
    session would have posted, each time."""
    posted: list[dict[str, str]] = []

    async def telegram(request: web.Request) -> web.Response:
        posted.append({name: str(value) for name, value in (await request.post()).items()})
        result = {"message_id": 1, "date": 0, "chat": {"id": USER_ID, "type": "private"}}
        return web.json_response({"ok": True, "result": result})

    app = web.Application()
    app.router.add_post("/bot{token}/{method}", telegram)
    base = await serve_app(app)
    keyboard = _markup(Keyboard)
    expected = AiohttpSession().prepare_value(
        _markup(InlineKeyboardMarkup), bot=Bot(BOT_TOKEN), files={}
    )
    bot = Bot(BOT_TOKEN, session=ShopSession(api=TelegramAPIServer.from_base(base)))

    await bot.send_message(USER_ID, "first", reply_markup=keyboard)
    await bot.send_message(USER_ID, "second", reply_markup=keyboard)
    await bot.send_message(USER_ID, "plain", reply_markup=_markup(InlineKeyboardMarkup))

    assert [form["reply_markup"] for form in posted] == [expected] * 3
    assert json.loads(expected)["inline_keyboard"][1][1]["text"] == "Ünï"
    assert [form["text"] for form in posted] == ["first", "second", "plain"]
    await bot.session.close()


async def test_the_form_of_a_call_with_a_shared_keyboard_is_aiograms_form() -> None:
    session = FakeSession()
    bot = make_bot(session)
    plain = SendMessage(chat_id=USER_ID, text="hi", reply_markup=_markup(InlineKeyboardMarkup))
    shared = SendMessage(chat_id=USER_ID, text="hi", reply_markup=_markup(Keyboard))
    aiogram = {
        key: prepared
        for key, value in plain.model_dump(warnings=False).items()
        if (prepared := session.prepare_value(value, bot=bot, files={}))
    }
    assert form_fields(session, bot, shared, {}) == aiogram
    assert form_fields(session, bot, plain, {}) == aiogram


async def test_an_unread_edit_is_still_refused_as_telegram_refuses_it() -> None:
    session = FakeSession()
    bot = make_bot(session)
    session.register_user({"id": USER_ID, "is_bot": False, "first_name": "Cy"})
    sent = await bot.send_message(USER_ID, "menu")
    session.fail(EditMessageText, 400, "Bad Request: message to edit not found")

    with pytest.raises(TelegramBadRequest, match="message to edit not found"):
        await edit(sent, "next", None)

    await edit(sent, "next", None)
    assert session.bot_messages(USER_ID)[-1]["text"] == "next"


SENT = json.dumps(
    {"message_id": 5, "date": 0, "chat": {"id": USER_ID, "type": "private"}, "text": "next"}
)


@pytest.mark.parametrize("method", [UnreadEdit, UnreadSend])
def test_the_success_of_an_unread_call_is_not_decoded(method: type[TelegramMethod[Any]]) -> None:
    """The message Telegram gives back for an edit or a send nobody reads is left as text:
    even a result that would not parse passes, when Telegram said ok."""
    bot = Bot(BOT_TOKEN, session=ShopSession())
    call = method(chat_id=USER_ID, text="next")

    for content in ('{"ok":true,"result":{"message_id": 5, "chat": ', '{ "ok": true }'):
        response = bot.session.check_response(bot, call, 200, content)
        assert response.ok and response.result is None


@pytest.mark.parametrize(
    ("status", "content", "error"),
    [
        (400, '{"ok":false,"error_code":400,"description":"Bad Request: message to edit not found"}',
         TelegramBadRequest),
        (429, '{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 3",'
         '"parameters":{"retry_after":3}}', TelegramRetryAfter),
        (200, '{"ok":false,"error_code":400,"description":"Bad Request: odd"}', TelegramAPIError),
        (200, "<html>bad gateway</html>", ClientDecodeError),
    ],
)  # fmt: skip
def test_an_unread_call_is_still_refused_as_aiogram_refuses_it(
    status: int, content: str, error: type[Exception]
) -> None:
    bot = Bot(BOT_TOKEN, session=ShopSession())
    call = UnreadEdit(chat_id=USER_ID, message_id=5, text="next")

    with pytest.raises(error):
        bot.session.check_response(bot, call, status, content)


def test_a_call_whose_answer_is_read_is_parsed_as_aiogram_parses_it() -> None:
    bot = Bot(BOT_TOKEN, session=ShopSession())
    call = EditMessageText(chat_id=USER_ID, message_id=5, text="next")

    response = bot.session.check_response(bot, call, 200, f'{{"ok":true,"result":{SENT}}}')

    assert isinstance(response.result, Message) and response.result.text == "next"
    assert response.result.bot is bot


async def test_the_webhook_answer_is_the_form_aiograms_session_would_post() -> None:
    """Telegram takes a webhook answer as JSON: the very fields aiogram's session posts for
    the call, each a string as in its form, with the method's name first (HTML, symbols of
    the form, a character outside ASCII and a shared keyboard)."""
    bot = Bot(BOT_TOKEN, session=ShopSession())
    call = SendMessage(
        chat_id=USER_ID, text="<b>5 & 6</b> = 11 +1% ü", reply_markup=_markup(Keyboard)
    )
    aiogram = AiohttpSession().build_form_data(bot, call)()

    body = answer_body(bot, call)

    assert body.content_type == "application/json"
    fields = json.loads(body.decode())
    assert list(fields.items()) == [("method", "sendMessage"), *parse_qsl(aiogram.decode())]
    await bot.session.close()


async def test_a_webhook_answer_with_a_file_is_multipart() -> None:
    bot = Bot(BOT_TOKEN, session=ShopSession())
    call = SendDocument(chat_id=USER_ID, document=BufferedInputFile(b"a,b\n", "orders.csv"))

    body = answer_body(bot, call)

    assert body.content_type.startswith("multipart/form-data; boundary=")
    await bot.session.close()


async def test_a_button_reaches_its_handler_without_the_keyboard_it_was_pressed_on() -> None:
    """What no handler reads of the pressed message (its keyboard, its formatting) is not
    parsed; what an edit or a reply needs is there, and the posted update is left as it was."""
    seen: list[Message] = []
    dp = Dispatcher()

    @dp.callback_query()
    async def pressed(query: CallbackQuery) -> None:
        assert isinstance(query.message, Message)
        seen.append(query.message)

    session = FakeSession()
    bot = make_bot(session)
    session.register_user({"id": USER_ID, "is_bot": False, "first_name": "Cy"})
    await bot.send_message(USER_ID, "menu", reply_markup=_markup(InlineKeyboardMarkup))
    update = press(session, "c:1", 902)
    update["callback_query"]["message"]["entities"] = [{"type": "bold", "offset": 0, "length": 4}]
    posted = json.dumps(update)

    await handle_for_webhook(dp, bot, update)

    [message] = seen
    assert (message.message_id, message.chat.id, message.text) == (
        session.last_bot_message_id(USER_ID), USER_ID, "menu",
    )  # fmt: skip
    assert (message.reply_markup, message.entities) == (None, None)
    assert json.dumps(update) == posted
    await bot.session.close()


async def test_an_edit_built_at_once_is_the_edit_aiogram_builds() -> None:
    session = FakeSession()
    bot = make_bot(session)
    session.register_user({"id": USER_ID, "is_bot": False, "first_name": "Cy"})
    sent = await bot.send_message(USER_ID, "menu")
    markup = _markup(Keyboard)

    built = edit(sent, "next <b>page</b>", markup)

    aiogram = sent.edit_text("next <b>page</b>", reply_markup=markup)
    assert form_fields(session, bot, built, {}) == form_fields(session, bot, aiogram, {})
    await built
    assert session.bot_messages(USER_ID)[-1]["text"] == "next page"


@pytest.mark.parametrize("method", [UnreadEdit, UnreadSend, AnswerCallbackQuery, SendMessage])
def test_the_answer_types_the_shop_checks_outlive_a_collection(
    method: type[TelegramMethod[Any]],
) -> None:
    """aiogram checks each answer as `Response[T]`, which pydantic keeps only weakly: one
    the shop does not hold is built again (milliseconds) after the next garbage collection."""
    assert len(_ANSWER_TYPES) > 0  # the shop's app holds them
    built = weakref.ref(Response[method.__returning__])  # type: ignore[name-defined]

    gc.collect()

    assert built() is not None
