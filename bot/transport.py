"""How the shop's calls travel to Telegram: answers nobody reads left unparsed, a shared keyboard
serialised once, and an update's last call sent back as the answer to Telegram's webhook POST.

Each goes through an extension point aiogram supports: a method class with its own
`__returning__`, a session subclass building the form, and a method returned in the webhook
answer (`SimpleRequestHandler` does that with what a handler returns).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from contextvars import ContextVar
from http import HTTPStatus
from typing import Any, cast

from aiogram import Bot, Dispatcher
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.session.base import BaseSession
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.methods import EditMessageText, SendMessage, TelegramMethod
from aiogram.methods.base import Response, TelegramType
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Message
from aiohttp import FormData
from pydantic import PrivateAttr

# -- answers nobody reads ------------------------------------------------------------------


class UnreadEdit(EditMessageText):
    """An edit whose result nobody reads. Telegram's answer is still checked (a refusal raises
    as usual) but not parsed: the edited Message is about a hundred pydantic objects (its chat,
    sender, keyboard), built for nothing. Through a session with `UnreadAnswers` (the shop's),
    a success is not even decoded from JSON, and gives None; otherwise Telegram's JSON."""

    __returning__ = Any  # type: ignore[assignment]  # the answer stays JSON


class UnreadSend(SendMessage):
    """A message sent without reading what comes back (see UnreadEdit)."""

    __returning__ = Any  # type: ignore[assignment]  # the answer stays JSON


def edit(message: Message, text: str, markup: InlineKeyboardMarkup | None) -> UnreadEdit:
    """`message.edit_text(text, reply_markup=markup)` built as an UnreadEdit at once (validated
    once, instead of built as aiogram's and copied by `unread`)."""
    return UnreadEdit(
        chat_id=message.chat.id,
        message_id=message.message_id,
        business_connection_id=message.business_connection_id,
        text=text,
        reply_markup=markup,
    ).as_(message.bot)


def unread(method: TelegramMethod[TelegramType]) -> TelegramMethod[Any]:
    """`method` (as an aiogram shortcut built it) as a call whose result is not parsed: a
    message sent as an UnreadSend; other kinds of call as they are (an edit is built unread
    at once: `edit`)."""
    if type(method) is not SendMessage:
        return method
    # The fields were validated when `method` was built: copied, not validated again.
    return UnreadSend.model_construct(**dict(method)).as_(method.bot)


_UNREAD = (UnreadEdit, UnreadSend)
# How Telegram's every success starts: `ok` first (its JSON has no spaces; a test's may).
_SUCCESS = re.compile(r'\{\s*"ok"\s*:\s*true\b')
_DONE: Response[Any] = Response[Any](ok=True)  # what an unread call's success gives: nothing


class UnreadAnswers(BaseSession):
    """A session's `check_response` that leaves a success of an unread call undecoded: the
    edited or sent message's JSON, a kilobyte or two, read by nobody. Any other answer (a
    refusal, a flood wait, a body of another shape) is checked as aiogram checks it."""

    def check_response(
        self, bot: Bot, method: TelegramMethod[TelegramType], status_code: int, content: str
    ) -> Response[TelegramType]:
        if status_code == HTTPStatus.OK and isinstance(method, _UNREAD) and _SUCCESS.match(content):
            return cast("Response[TelegramType]", _DONE)
        return super().check_response(bot, method, status_code, content)


# -- keyboards serialised once -------------------------------------------------------------


class Keyboard(InlineKeyboardMarkup):
    """An inline keyboard shown to many chats (a cached screen, the main menu): the session
    serialises it once, the first time it is sent, and reuses that JSON for every later call.
    It must not change once sent (like any keyboard a cache shares between customers)."""

    inline_keyboard: list[list[InlineKeyboardButton]]  # as aiogram's, resolvable from here
    _wire: str | None = PrivateAttr(default=None)

    def wire(self, session: BaseSession, bot: Bot) -> str:
        if self._wire is None:
            self._wire = cast(str, session.prepare_value(self, bot=bot, files={}))
        return self._wire


def form_fields(
    session: BaseSession, bot: Bot, method: TelegramMethod[Any], files: dict[str, InputFile]
) -> dict[str, Any]:
    """The form fields of `method` as aiogram's session posts them (defaults resolved, objects
    as JSON, files put in `files`), a Keyboard's from its kept JSON."""
    kept = {name: value for name, value in method if isinstance(value, Keyboard)}
    fields: dict[str, Any] = {}
    for key, value in method.model_dump(warnings=False, exclude=set(kept) or None).items():
        prepared = session.prepare_value(value, bot=bot, files=files)
        if prepared:
            fields[key] = prepared
    for key, keyboard in kept.items():
        fields[key] = keyboard.wire(session, bot)
    return fields


class ShopSession(UnreadAnswers, AiohttpSession):
    """aiogram's HTTP session, building each request's form with `form_fields`, leaving the
    answers of unread calls undecoded (`UnreadAnswers`)."""

    def build_form_data(self, bot: Bot, method: TelegramMethod[TelegramType]) -> FormData:
        form = FormData(quote_fields=False)
        files: dict[str, InputFile] = {}
        for key, value in form_fields(self, bot, method, files).items():
            form.add_field(key, value)
        for key, upload in files.items():
            form.add_field(key, upload.read(bot), filename=upload.filename or key)
        return form


# -- the last call as the webhook answer ---------------------------------------------------


class _Answer:
    """The one call an update being handled for a webhook POST may give back in its answer."""

    def __init__(self) -> None:
        self.method: TelegramMethod[Any] | None = None
        self.open = True


_ANSWER: ContextVar[_Answer | None] = ContextVar("webhook_answer", default=None)


async def reply(method: TelegramMethod[Any]) -> None:
    """Make `method` the update's last call, whose result nobody reads.

    For an update Telegram POSTed to the webhook it goes back in the answer to that POST once
    the update is handled: one request fewer, and Telegram reports no error for it (so only a
    call whose failure changes nothing for the customer, such as a button's answer or a screen
    of fixed texts). Otherwise it is sent now, its answer not parsed (`unread`). A call made
    after it sends it first, so the order holds (see `SendHeldFirst`).
    """
    answer = _ANSWER.get()
    if answer is None or not answer.open:
        await unread(method)
        return
    held, answer.method = answer.method, method
    if held is not None and held.bot is not None:  # two: the first goes now, before this one
        await Dispatcher.silent_call_request(bot=held.bot, result=held)


class SendHeldFirst(BaseRequestMiddleware):
    """A session middleware: a call made while the update holds its webhook answer sends that
    answer first, so Telegram sees the update's calls in the order they were made."""

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        answer = _ANSWER.get()
        if answer is not None and answer.method is not None and answer.method is not method:
            held, answer.method = answer.method, None
            await Dispatcher.silent_call_request(bot=bot, result=held)  # errors: as in an answer
        return await make_request(bot, method)


def send_held_first(bot: Bot) -> None:
    """Install SendHeldFirst on the bot's session (once)."""
    if not any(isinstance(each, SendHeldFirst) for each in bot.session.middleware):
        bot.session.middleware(SendHeldFirst())


# What Telegram sends back of the message a button was pressed on that no handler reads: its
# keyboard and its formatting are most of the objects such an update is parsed into (a page of
# ten categories: 156 -> 69 us to parse).
_UNREAD_PARTS = ("reply_markup", "entities", "caption_entities")


def lean(update: Mapping[str, Any]) -> dict[str, Any]:
    """`update` as the shop's handlers read it: a button's message without `_UNREAD_PARTS`
    (its id, chat, date and text are kept: what an edit or a reply needs)."""
    query = update.get("callback_query")
    if not isinstance(query, Mapping):
        return dict(update)
    shown = query.get("message")
    if not isinstance(shown, Mapping) or not any(part in shown for part in _UNREAD_PARTS):
        return dict(update)
    message = {key: value for key, value in shown.items() if key not in _UNREAD_PARTS}
    return {**update, "callback_query": {**query, "message": message}}


async def handle_for_webhook(
    dp: Dispatcher, bot: Bot, update: Mapping[str, Any], **data: Any
) -> TelegramMethod[Any] | None:
    """Handle a POSTed update; the call to give back in the answer to the POST, if any.

    That call has been through the session's middlewares (as if sent), so what it carries is
    what a request would have carried; one a middleware kept from being sent is not given back.
    """
    answer = _Answer()
    token = _ANSWER.set(answer)
    try:
        result = await dp.feed_raw_update(bot, lean(update), **data)
    finally:
        # Closed: a task the update started sends its calls itself from now on. A failed
        # update's held call is dropped: Telegram delivers the update again.
        held, answer.method, answer.open = answer.method, None, False
        _ANSWER.reset(token)
    if isinstance(result, TelegramMethod):  # a handler returned it, as aiogram allows
        if held is not None:
            await Dispatcher.silent_call_request(bot=bot, result=held)
        held = result
    if held is None:
        return None
    return await _through_middlewares(bot, held)


async def _through_middlewares(bot: Bot, method: TelegramMethod[Any]) -> TelegramMethod[Any] | None:
    """`method` as the session's middlewares pass it on (they may change it, as the sandbox
    banner does) without sending it; None when none passed it on."""
    passed: list[TelegramMethod[Any]] = []

    async def keep(bot: Bot, method: TelegramMethod[Any], timeout: int | None = None) -> Any:  # noqa: ASYNC109
        passed.append(method)
        return True

    await bot.session.middleware.wrap_middlewares(keep)(bot, method)
    return passed[0] if passed else None
