"""A recording fake of aiogram's HTTP session, and a user who talks to a Dispatcher through it.

Only the transport is fake: the real `Bot` builds the real method objects, and every answer is
raw Telegram JSON passed through aiogram's own `check_response`, so refusals arrive as the real
`TelegramBadRequest` / `TelegramForbiddenError` / `TelegramRetryAfter`. The session keeps a
small model of each chat (messages, their text and inline keyboard) so that edits, deletions and
"message is not modified" behave as they do against Telegram.
"""

from __future__ import annotations

import inspect
import itertools
import json
import re
import time
from collections.abc import AsyncGenerator, Callable
from dataclasses import dataclass, field
from types import UnionType
from typing import Any, TypeVar, Union, cast, get_args, get_origin, overload

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.enums import ParseMode
from aiogram.exceptions import TelegramAPIError
from aiogram.methods import (
    AnswerCallbackQuery,
    CopyMessage,
    DeleteMessage,
    DeleteMessages,
    EditMessageCaption,
    EditMessageMedia,
    EditMessageReplyMarkup,
    EditMessageText,
    GetMe,
    SendInvoice,
    SendMediaGroup,
    TelegramMethod,
)
from aiogram.methods.base import TelegramType
from aiogram.types import InlineKeyboardButton, InputFile, Message, TelegramObject, Update

from bot.late_answers import LateAnswers
from bot.transport import UnreadAnswers, form_fields

__all__ = ["BOT_TOKEN", "Exchange", "FakeSession", "TelegramUser", "make_bot"]

BOT_TOKEN = "42:TEST"

M = TypeVar("M", bound=TelegramMethod[Any])
ButtonPredicate = Callable[[InlineKeyboardButton], bool]
Responder = Callable[[Any], Any]

NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a content and reply markup of the current message"
)
QUERY_TOO_OLD = "Bad Request: query is too old and response timeout expired or query ID is invalid"
_DEFAULT_DESCRIPTIONS = {
    400: "Bad Request: injected failure",
    401: "Unauthorized",
    403: "Forbidden: bot was blocked by the user",
    404: "Not Found",
    409: "Conflict: terminated by other getUpdates request",
    500: "Internal Server Error",
}
_DEFAULT_RETRY_AFTER = 3
_TEXT_LIMIT = 4096
_CAPTION_LIMIT = 1024
_ALERT_LIMIT = 200  # the text of answerCallbackQuery
_MEDIA_KINDS = (
    "photo",
    "video",
    "animation",
    "audio",
    "voice",
    "document",
    "sticker",
    "video_note",
)
# Content a message keeps through an edit of its keyboard; compared for "not modified".
_CONTENT_KEYS = ("text", "entities", "caption", "caption_entities", "invoice", *_MEDIA_KINDS)
_BUTTON_ACTIONS = frozenset(
    {
        "url",
        "callback_data",
        "web_app",
        "login_url",
        "switch_inline_query",
        "switch_inline_query_current_chat",
        "switch_inline_query_chosen_chat",
        "copy_text",
        "callback_game",
        "pay",
        "disabled",
    }
)


class _Refusal(Exception):
    """What Telegram would answer with ok=false; turned into JSON for check_response."""

    def __init__(self, error_code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.error_code = error_code
        self.description = description
        self.retry_after = retry_after

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.error_code,
            "description": self.description,
        }
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


@dataclass
class Exchange:
    """One call the bot made: the typed method and what came back (a result or an error)."""

    seq: int
    method: TelegramMethod[Any]
    result: Any = None
    error: TelegramAPIError | None = None
    uploads: dict[str, bytes] = field(default_factory=dict)  # file name -> the bytes sent


@dataclass
class _Fault:
    method_type: type[TelegramMethod[Any]]
    refusal: _Refusal
    chat_id: int | None
    remaining: int | None  # None: every time

    def matches(self, method: TelegramMethod[Any], chat_id: int | None) -> bool:
        if not isinstance(method, self.method_type):
            return False
        return self.chat_id is None or self.chat_id == chat_id


@dataclass
class _StoredMessage:
    payload: dict[str, Any]
    from_bot: bool
    touched: int  # order of the last send or edit, to find what is on screen


class FakeSession(UnreadAnswers):
    """Records every method the bot calls and answers as Telegram would, through check_response.

    Fault injection: `fail()` queues refusals per method type (optionally per chat);
    `responder()` replaces the default result for a method type.
    """

    def __init__(self, *, parse_html: bool = True) -> None:
        """`parse_html=False` keeps texts as sent: Telegram's parsing is not the bot's cost,
        so a benchmark leaves it out."""
        super().__init__()
        self.parse_html = parse_html
        self.requests: list[TelegramMethod[Any]] = []
        self.exchanges: list[Exchange] = []
        self.answered_callbacks: set[str] = set()
        self.closed = False
        self._faults: list[_Fault] = []
        self._responders: list[tuple[type[TelegramMethod[Any]], Responder]] = []
        self._messages: dict[tuple[int, int], _StoredMessage] = {}
        self._last_message_id: dict[int, int] = {}
        self._profiles: dict[int, dict[str, Any]] = {}
        self._named_chats: dict[str, int] = {}
        self._requests_made = 0
        self._touch_seq = itertools.count(1)
        self._update_seq = itertools.count(1)
        self._callback_seq = itertools.count(1)
        self._file_seq = itertools.count(1)

    # -- the transport ---------------------------------------------------------------------

    async def make_request(
        self,
        bot: Bot,
        method: TelegramMethod[TelegramType],
        timeout: int | None = None,  # noqa: ASYNC109  (BaseSession's signature)
    ) -> TelegramType:
        exchange = Exchange(seq=self._requests_made, method=method)
        self._requests_made += 1
        self.requests.append(method)
        self.exchanges.append(exchange)
        files: dict[str, InputFile] = {}
        params = self._wire_params(bot, method, files)
        for upload in files.values():  # read as a real session streams it, while it exists
            exchange.uploads[upload.filename or ""] = b"".join(
                [chunk async for chunk in upload.read(bot)]
            )
        try:
            body: dict[str, Any] = {"ok": True, "result": await self._answer(bot, method, params)}
            status_code = 200
        except _Refusal as refusal:
            body = refusal.body()
            status_code = refusal.error_code
        try:
            response = self.check_response(
                bot=bot, method=method, status_code=status_code, content=self.json_dumps(body)
            )
        except TelegramAPIError as error:
            exchange.error = error
            raise
        exchange.result = response.result
        return cast(TelegramType, response.result)

    async def deliver(
        self, bot: Bot, method: TelegramMethod[Any], params: dict[str, str] | None = None
    ) -> None:
        """Telegram runs `method`, found in the answer to a webhook POST (its fields as read
        from that answer, if given): nothing goes back to the bot, not even a refusal (recorded
        in `exchanges` all the same)."""
        exchange = Exchange(seq=self._requests_made, method=method)
        self._requests_made += 1
        self.requests.append(method)
        self.exchanges.append(exchange)
        if params is None:
            params = self._wire_params(bot, method, {})
        try:
            exchange.result = await self._answer(bot, method, params)
        except _Refusal as refusal:
            exchange.error = TelegramAPIError(method=method, message=refusal.description)

    async def close(self) -> None:
        self.closed = True

    async def stream_content(
        self,
        url: str,
        headers: dict[str, Any] | None = None,
        timeout: int = 30,  # noqa: ASYNC109  (BaseSession's signature)
        chunk_size: int = 65536,
        raise_for_status: bool = True,
    ) -> AsyncGenerator[bytes, None]:
        raise NotImplementedError("FakeSession does not download files")
        yield b""  # pragma: no cover  (makes this an async generator, like the real one)

    # -- fault injection and custom results -----------------------------------------------

    def fail(
        self,
        method_type: type[TelegramMethod[Any]],
        error_code: int,
        description: str | None = None,
        *,
        chat_id: int | str | None = None,
        retry_after: int | None = None,
        times: int | None = 1,
    ) -> None:
        """Refuse the next `times` calls of `method_type` (to `chat_id` only, if given).

        `times=None` refuses every call. A 429 always carries `retry_after` (3 unless given),
        as Telegram's does. Faults are checked before anything else, in the order queued.
        """
        if times is not None and times < 1:
            raise ValueError("times must be at least 1, or None for every call")
        if error_code == 429:
            retry_after = _DEFAULT_RETRY_AFTER if retry_after is None else retry_after
            description = description or f"Too Many Requests: retry after {retry_after}"
        description = description or _DEFAULT_DESCRIPTIONS.get(error_code, f"Error {error_code}")
        self._faults.append(
            _Fault(
                method_type=method_type,
                refusal=_Refusal(error_code, description, retry_after),
                chat_id=None if chat_id is None else self._resolve_chat(chat_id),
                remaining=times,
            )
        )

    def responder(self, method_type: type[M], fn: Callable[[M], Any]) -> None:
        """Compute results for `method_type` with `fn(method)` (sync or async) from now on.

        `fn` returns a TelegramObject, a list of them, or plain JSON data; it bypasses the chat
        model, so an edit answered by a responder does not change what the user sees.
        """
        self._responders.insert(0, (method_type, cast(Responder, fn)))

    # -- what the bot did ------------------------------------------------------------------

    @overload
    def sent(
        self, type_: None = None, chat_id: int | str | None = None
    ) -> list[TelegramMethod[Any]]: ...

    @overload
    def sent(self, type_: type[M], chat_id: int | str | None = None) -> list[M]: ...

    def sent(
        self, type_: type[TelegramMethod[Any]] | None = None, chat_id: int | str | None = None
    ) -> list[Any]:
        """Recorded methods (refused ones included; see `exchanges` for outcomes), filtered."""
        return [
            method
            for method in self.requests
            if (type_ is None or isinstance(method, type_))
            and (chat_id is None or getattr(method, "chat_id", None) == chat_id)
        ]

    def clear(self) -> None:
        """Forget recorded requests; chats, faults and responders stay."""
        self.requests.clear()
        self.exchanges.clear()

    @property
    def request_count(self) -> int:
        """How many requests were ever made (not reset by `clear`)."""
        return self._requests_made

    def requests_since(self, count: int) -> list[TelegramMethod[Any]]:
        return [exchange.method for exchange in self.exchanges if exchange.seq >= count]

    # -- the chat model, shared with TelegramUser --------------------------------------------

    def register_user(self, profile: dict[str, Any]) -> None:
        """Remember a person's names so their private chat looks right in bot messages."""
        self._profiles[int(profile["id"])] = profile

    def next_update_id(self) -> int:
        return next(self._update_seq)

    def next_callback_id(self) -> str:
        return f"cbq-{next(self._callback_seq)}"

    def chat_payload(self, chat_id: int) -> dict[str, Any]:
        if chat_id > 0:
            profile = self._profiles.get(chat_id, {})
            chat: dict[str, Any] = {"id": chat_id, "type": "private"}
            for key in ("first_name", "last_name", "username"):
                if key in profile:
                    chat[key] = profile[key]
            return chat
        for name, known_id in self._named_chats.items():
            if known_id == chat_id:
                return {"id": chat_id, "type": "channel", "title": name[1:], "username": name[1:]}
        chat_type = "supergroup" if chat_id < -1_000_000_000_000 else "group"
        return {"id": chat_id, "type": chat_type, "title": f"Test {chat_type}"}

    def store_incoming(self, chat_id: int, content: dict[str, Any]) -> dict[str, Any]:
        """Put a message written by a person into the chat and return its Telegram JSON."""
        payload = self._new_message(chat_id, content)
        self._store(chat_id, payload, from_bot=False)
        return payload

    def message_payload(self, chat_id: int, message_id: int) -> dict[str, Any] | None:
        stored = self._messages.get((chat_id, message_id))
        return None if stored is None else stored.payload

    def last_bot_message_id(self, chat_id: int) -> int | None:
        """The bot message in this chat that was sent or edited most recently, if any remain."""
        candidates = [
            (stored.touched, message_id)
            for (chat, message_id), stored in self._messages.items()
            if chat == chat_id and stored.from_bot
        ]
        return max(candidates)[1] if candidates else None

    def bot_messages(self, chat_id: int) -> list[dict[str, Any]]:
        """The bot's messages still in the chat, oldest first, as Telegram JSON."""
        return [
            stored.payload
            for (chat, _), stored in sorted(self._messages.items())
            if chat == chat_id and stored.from_bot
        ]

    # -- answering -----------------------------------------------------------------------

    def _wire_params(
        self, bot: Bot, method: TelegramMethod[Any], files: dict[str, InputFile]
    ) -> dict[str, str]:
        """The form fields the shop's session posts (defaults resolved, objects as JSON);
        the files to upload go into `files`."""
        return form_fields(self, bot, method, files)

    async def _answer(self, bot: Bot, method: TelegramMethod[Any], params: dict[str, str]) -> Any:
        chat_id = self._resolve_chat(params["chat_id"]) if "chat_id" in params else None
        self._raise_fault(method, chat_id)
        for method_type, fn in self._responders:
            if isinstance(method, method_type):
                result = fn(method)
                if inspect.isawaitable(result):
                    result = await result
                return _to_json(result)
        return self._default_result(bot, method, params, chat_id)

    def _raise_fault(self, method: TelegramMethod[Any], chat_id: int | None) -> None:
        for fault in self._faults:
            if fault.matches(method, chat_id):
                if fault.remaining is not None:
                    fault.remaining -= 1
                    if fault.remaining <= 0:
                        self._faults.remove(fault)
                raise fault.refusal

    def _default_result(
        self, bot: Bot, method: TelegramMethod[Any], params: dict[str, str], chat_id: int | None
    ) -> Any:
        if isinstance(method, AnswerCallbackQuery):
            return self._answer_callback(params)
        if isinstance(
            method, EditMessageText | EditMessageCaption | EditMessageReplyMarkup | EditMessageMedia
        ):
            return self._edit(method, params)
        if isinstance(method, DeleteMessage):
            if self._messages.pop((_require(chat_id), int(params["message_id"])), None) is None:
                raise _Refusal(400, "Bad Request: message to delete not found")
            return True
        if isinstance(method, DeleteMessages):
            for message_id in json.loads(params["message_ids"]):
                self._messages.pop((_require(chat_id), int(message_id)), None)
            return True
        if isinstance(method, CopyMessage):
            return self._copy(bot, params, _require(chat_id))
        if isinstance(method, SendMediaGroup):
            return [
                self._bot_message(bot, _require(chat_id), self._media_content(media))
                for media in json.loads(params["media"])
            ]
        if isinstance(method, GetMe):
            return self._me(bot)
        returning = _api_returning(method)
        if returning is bool:
            return True
        if _returns_message(returning) and chat_id is not None:
            return self._bot_message(bot, chat_id, self._content(method, params))
        if get_origin(returning) is list:
            return []
        raise NotImplementedError(
            f"FakeSession has no default result for {type(method).__name__}; "
            f"register one with session.responder({type(method).__name__}, fn)"
        )

    def _answer_callback(self, params: dict[str, str]) -> bool:
        query_id = params["callback_query_id"]
        if query_id in self.answered_callbacks:
            raise _Refusal(400, QUERY_TOO_OLD)
        if _utf16_len(params.get("text", "")) > _ALERT_LIMIT:
            raise _Refusal(400, "Bad Request: MESSAGE_TOO_LONG")
        self.answered_callbacks.add(query_id)
        return True

    def _edit(self, method: TelegramMethod[Any], params: dict[str, str]) -> Any:
        if "inline_message_id" in params:
            return True
        key = (self._resolve_chat(params["chat_id"]), int(params["message_id"]))
        stored = self._messages.get(key)
        if stored is None:
            raise _Refusal(400, "Bad Request: message to edit not found")
        if not stored.from_bot:
            raise _Refusal(400, "Bad Request: message can't be edited")
        payload = dict(stored.payload)
        if isinstance(method, EditMessageText):
            if "text" not in payload:
                raise _Refusal(400, "Bad Request: there is no text in the message to edit")
            payload.pop("entities", None)
            payload.update(
                _formatted(params, "text", "entities", _TEXT_LIMIT, parse=self.parse_html)
            )
        elif isinstance(method, EditMessageCaption):
            payload.pop("caption", None)
            payload.pop("caption_entities", None)
            payload.update(
                _formatted(
                    params, "caption", "caption_entities", _CAPTION_LIMIT, parse=self.parse_html
                )
            )
        elif isinstance(method, EditMessageMedia):
            for kind in (*_MEDIA_KINDS, "caption", "caption_entities"):
                payload.pop(kind, None)
            payload.update(self._media_content(json.loads(params["media"])))
        payload.pop("reply_markup", None)
        markup = _inline_markup(params)
        if markup is not None:
            payload["reply_markup"] = markup
        if _visible(payload) == _visible(stored.payload):
            raise _Refusal(400, NOT_MODIFIED)
        payload["edit_date"] = int(time.time())
        self._store(key[0], payload, from_bot=True)
        return payload

    def _copy(self, bot: Bot, params: dict[str, str], chat_id: int) -> dict[str, Any]:
        source = self._messages.get(
            (self._resolve_chat(params["from_chat_id"]), int(params["message_id"]))
        )
        if source is None:
            raise _Refusal(400, "Bad Request: message to copy not found")
        content = {k: v for k, v in source.payload.items() if k in _CONTENT_KEYS}
        if "caption" in params:
            content.pop("caption_entities", None)
            content.update(
                _formatted(
                    params, "caption", "caption_entities", _CAPTION_LIMIT, parse=self.parse_html
                )
            )
        markup = _inline_markup(params)
        if markup is not None:
            content["reply_markup"] = markup
        return {"message_id": self._bot_message(bot, chat_id, content)["message_id"]}

    def _content(self, method: TelegramMethod[Any], params: dict[str, str]) -> dict[str, Any]:
        """Message fields echoed back for a send*: text, caption, media, invoice, keyboard."""
        content: dict[str, Any] = {}
        if "text" in params:
            content.update(
                _formatted(params, "text", "entities", _TEXT_LIMIT, parse=self.parse_html)
            )
        if "caption" in params:
            content.update(
                _formatted(
                    params, "caption", "caption_entities", _CAPTION_LIMIT, parse=self.parse_html
                )
            )
        for kind in _MEDIA_KINDS:
            if kind in params:
                content[kind] = self._media_stub(kind, params[kind])
        if isinstance(method, SendInvoice):
            content["invoice"] = {
                "title": method.title,
                "description": method.description,
                "start_parameter": method.start_parameter or "",
                "currency": method.currency,
                "total_amount": sum(price.amount for price in method.prices),
            }
        markup = _inline_markup(params)
        if markup is not None:
            content["reply_markup"] = markup
        return content

    def _media_content(self, media: dict[str, Any]) -> dict[str, Any]:
        """Message fields for one InputMedia* (as posted: JSON with `type` and `media`)."""
        content = {media["type"]: self._media_stub(media["type"], str(media["media"]))}
        content.update(
            _formatted(media, "caption", "caption_entities", _CAPTION_LIMIT, parse=self.parse_html)
        )
        return content

    def _bot_message(self, bot: Bot, chat_id: int, content: dict[str, Any]) -> dict[str, Any]:
        payload = self._new_message(chat_id, {"from": self._me(bot), **content})
        self._store(chat_id, payload, from_bot=True)
        return payload

    def _media_stub(self, kind: str, reference: str) -> Any:
        if reference.startswith(("attach://", "http://", "https://")):
            reference = f"file-{next(self._file_seq)}"
        ids = {"file_id": reference, "file_unique_id": f"u-{reference}"}
        if kind == "photo":
            return [{**ids, "width": 640, "height": 480}]
        if kind == "sticker":
            return {
                **ids,
                "type": "regular",
                "width": 512,
                "height": 512,
                "is_animated": False,
                "is_video": False,
            }
        if kind in ("video", "animation"):
            return {**ids, "width": 640, "height": 480, "duration": 1}
        if kind in ("audio", "voice"):
            return {**ids, "duration": 1}
        if kind == "video_note":
            return {**ids, "length": 240, "duration": 1}
        return ids

    def _me(self, bot: Bot) -> dict[str, Any]:
        return {
            "id": bot.id,
            "is_bot": True,
            "first_name": "Test Bot",
            "username": "test_bot",
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    def _new_message(self, chat_id: int, content: dict[str, Any]) -> dict[str, Any]:
        message_id = self._last_message_id.get(chat_id, 0) + 1
        self._last_message_id[chat_id] = message_id
        return {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": self.chat_payload(chat_id),
            **content,
        }

    def _store(self, chat_id: int, payload: dict[str, Any], *, from_bot: bool) -> None:
        self._messages[(chat_id, int(payload["message_id"]))] = _StoredMessage(
            payload=payload, from_bot=from_bot, touched=next(self._touch_seq)
        )

    def _resolve_chat(self, chat_id: int | str) -> int:
        """A numeric chat id; `@channel` names get a stable made-up id."""
        if isinstance(chat_id, int):
            return chat_id
        try:
            return int(chat_id)
        except ValueError:
            return self._named_chats.setdefault(
                chat_id, -1_000_000_000_001 - len(self._named_chats)
            )


def make_bot(session: FakeSession) -> Bot:
    """A real Bot whose only fake part is the session; HTML parse mode and the session's
    middlewares as in production."""
    session.middleware(LateAnswers())
    return Bot(
        token=BOT_TOKEN,
        session=session,
        default=DefaultBotProperties(parse_mode=ParseMode.HTML),
    )


class TelegramUser:
    """A person in a private chat with the bot: types text, presses the buttons drawn for them."""

    def __init__(
        self,
        dp: Dispatcher,
        bot: Bot,
        session: FakeSession,
        *,
        user_id: int,
        first_name: str = "Alice",
        username: str | None = "alice",
        language_code: str = "en",
    ) -> None:
        self.dp = dp
        self.bot = bot
        self.session = session
        self.user_id = user_id
        self.chat_id = user_id
        self.profile: dict[str, Any] = {
            "id": user_id,
            "is_bot": False,
            "first_name": first_name,
            "language_code": language_code,
        }
        if username is not None:
            self.profile["username"] = username
        self._fed_callbacks: list[str] = []
        session.register_user(self.profile)

    # -- talking -------------------------------------------------------------------------

    async def send(self, text: str) -> list[TelegramMethod[Any]]:
        """Type `text` into the chat; returns the methods the bot called while handling it."""
        content: dict[str, Any] = {"from": self.profile, "text": text}
        if text.startswith("/"):
            command = text.split(maxsplit=1)[0]
            content["entities"] = [
                {"type": "bot_command", "offset": 0, "length": _utf16_len(command)}
            ]
        message = self.session.store_incoming(self.chat_id, content)
        return await self._feed({"message": message})

    async def click(
        self, text_or_predicate: str | ButtonPredicate, *, message: Message | None = None
    ) -> list[TelegramMethod[Any]]:
        """Press the one inline button whose text contains the string (or matches the predicate).

        Looks at the bot message sent or edited last in this chat, or at `message` as it is
        now (after any edits). Raises AssertionError listing the buttons on screen otherwise.
        """
        if message is None:
            payload = self._last_payload()
        else:
            found = self.session.message_payload(message.chat.id, message.message_id)
            if found is None:
                raise AssertionError(f"message {message.message_id} is no longer in the chat")
            payload = found
        shown = Message.model_validate(payload, context={"bot": self.bot})
        buttons = [b for row in _keyboard(shown) for b in row]
        if isinstance(text_or_predicate, str):
            needle = text_or_predicate
            matches = [b for b in buttons if needle in b.text]
            exact = [b for b in matches if b.text == needle]
            if len(matches) > 1 and len(exact) == 1:
                matches = exact
            wanted = repr(needle)
        else:
            matches = [b for b in buttons if text_or_predicate(b)]
            wanted = "the predicate"
        if len(matches) != 1:
            problem = "no button matches" if not matches else f"{len(matches)} buttons match"
            raise AssertionError(
                f"{problem} {wanted} on message {shown.message_id} "
                f"({_preview(shown)!r}); buttons on screen: {_texts(shown)}. "
                "Pass message=... to press a button on an older message."
            )
        button = matches[0]
        if button.callback_data is None:
            raise AssertionError(
                f"button {button.text!r} sends no callback data: "
                f"{button.model_dump(exclude_none=True)}"
            )
        return await self._feed(self._callback_body(payload, button.callback_data))

    async def click_data(
        self, data: str, *, message_id: int | None = None
    ) -> list[TelegramMethod[Any]]:
        """Send callback data the keyboard may not offer (a forged or stale button).

        The callback carries the message `message_id` (default: the last bot message); a
        message that is not in the chat arrives as an InaccessibleMessage (date 0).
        """
        if message_id is None:
            message_id = self.session.last_bot_message_id(self.chat_id)
            if message_id is None:
                raise AssertionError(f"the bot has sent nothing to chat {self.chat_id}")
        payload = self.session.message_payload(self.chat_id, message_id) or {
            "chat": self.session.chat_payload(self.chat_id),
            "message_id": message_id,
            "date": 0,
        }
        return await self._feed(self._callback_body(payload, data))

    async def send_update(self, update: Update) -> list[TelegramMethod[Any]]:
        """Feed any update; returns the methods the bot called (refused ones included)."""
        if update.callback_query is not None:
            self._fed_callbacks.append(update.callback_query.id)
        start = self.session.request_count
        await self.dp.feed_update(self.bot, update)
        return self.session.requests_since(start)

    # -- what the person sees -----------------------------------------------------------

    def last_message(self) -> Message:
        """The bot message sent or edited last in this chat, as it is now."""
        return Message.model_validate(self._last_payload(), context={"bot": self.bot})

    def last_text(self) -> str:
        """Text or caption of the last bot message, as displayed (HTML markup parsed away)."""
        return _preview(self.last_message())

    def buttons(self) -> list[list[str]]:
        """Texts of the inline keyboard rows under the last bot message."""
        return _texts(self.last_message())

    @property
    def unanswered_callbacks(self) -> list[str]:
        """Callback queries this user sent that the bot never answered (a spinning button)."""
        answered = self.session.answered_callbacks
        return [query_id for query_id in self._fed_callbacks if query_id not in answered]

    # -- plumbing --------------------------------------------------------------------------

    def _last_payload(self) -> dict[str, Any]:
        message_id = self.session.last_bot_message_id(self.chat_id)
        if message_id is None:
            raise AssertionError(f"the bot has sent nothing to chat {self.chat_id}")
        return _require(self.session.message_payload(self.chat_id, message_id))

    def _callback_body(self, message: dict[str, Any], data: str) -> dict[str, Any]:
        return {
            "callback_query": {
                "id": self.session.next_callback_id(),
                "from": self.profile,
                "chat_instance": f"chat-instance-{self.chat_id}",
                "message": message,
                "data": data,
            }
        }

    async def _feed(self, body: dict[str, Any]) -> list[TelegramMethod[Any]]:
        # Validated from raw JSON with the bot in context, as polling and webhooks do.
        update = Update.model_validate(
            {"update_id": self.session.next_update_id(), **body}, context={"bot": self.bot}
        )
        return await self.send_update(update)


# -- Telegram's side of formatting ---------------------------------------------------------

_HTML_ENTITY_TYPES = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "span": "spoiler",
    "tg-spoiler": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
    "tg-time": "date_time",
}
_HTML_ESCAPE = re.compile(r"&(lt|gt|amp|quot|#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6});")
_HTML_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_HTML_ATTR = re.compile(r"""([A-Za-z-]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?""")


def _parse_html(source: str) -> tuple[str, list[dict[str, Any]]]:
    """Plain text and entities, or the refusal Telegram gives for markup it cannot parse."""
    out: list[str] = []
    length = 0  # UTF-16 units, the unit of entity offsets
    open_tags: list[tuple[str, dict[str, str], int]] = []
    entities: list[dict[str, Any]] = []
    i = 0
    while i < len(source):
        char = source[i]
        if char == "&" and (escape := _HTML_ESCAPE.match(source, i)):
            decoded = _decode_escape(escape)
            out.append(decoded)
            length += _utf16_len(decoded)
            i = escape.end()
            continue
        if char != "<":
            out.append(char)
            length += _utf16_len(char)
            i += 1
            continue
        offset = len(source[:i].encode())
        end = source.find(">", i)
        if end == -1:
            raise _entities_error(f"Unclosed start tag at byte offset {offset}")
        inner = source[i + 1 : end]
        if inner.startswith("/"):
            name = inner[1:].strip().lower()
            if not open_tags:
                raise _entities_error(f"Unexpected end tag at byte offset {offset}")
            tag, attrs, start = open_tags.pop()
            if name != tag:
                raise _entities_error(
                    f'Unmatched end tag at byte offset {offset}, expected "</{tag}>", '
                    f'found "</{name}>"'
                )
            if (entity := _html_entity(tag, attrs, start, length - start)) is not None:
                inner_code = entities[-1] if entities else None
                if (
                    tag == "pre"
                    and inner_code is not None
                    and inner_code["type"] == "code"
                    and (inner_code["offset"], inner_code["length"]) == (start, length - start)
                ):
                    # <pre><code class="language-x"> is one pre entity with a language.
                    entities.pop()
                    if "language" in inner_code:
                        entity["language"] = inner_code["language"]
                entities.append(entity)
        else:
            name, _, rest = inner.partition(" ")
            name = name.strip().lower()
            if name not in _HTML_ENTITY_TYPES:
                raise _entities_error(f'Unsupported start tag "{name}" at byte offset {offset}')
            attrs = {
                m.group(1).lower(): _unescape(m.group(2) or m.group(3) or m.group(4) or "")
                for m in _HTML_ATTR.finditer(rest)
            }
            if name == "span" and attrs.get("class") != "tg-spoiler":
                raise _entities_error('Tag "span" must have class "tg-spoiler"')
            open_tags.append((name, attrs, length))
        i = end + 1
    if open_tags:
        raise _entities_error(
            f'Can\'t find end tag corresponding to start tag "{open_tags[-1][0]}"'
        )
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(out), entities


def _html_entity(
    tag: str, attrs: dict[str, str], offset: int, length: int
) -> dict[str, Any] | None:
    if length == 0:
        return None
    entity: dict[str, Any] = {"type": _HTML_ENTITY_TYPES[tag], "offset": offset, "length": length}
    if tag == "a":
        if not attrs.get("href"):
            return None
        entity["url"] = attrs["href"]
    elif tag == "code" and attrs.get("class", "").startswith("language-"):
        entity["language"] = attrs["class"].removeprefix("language-")
    elif tag == "blockquote" and "expandable" in attrs:
        entity["type"] = "expandable_blockquote"
    elif tag == "tg-emoji":
        if not attrs.get("emoji-id"):
            return None
        entity["custom_emoji_id"] = attrs["emoji-id"]
    elif tag == "tg-time":
        if not attrs.get("unix", "").isdigit():
            return None
        entity["unix_time"] = int(attrs["unix"])
        if attrs.get("format"):
            entity["date_time_format"] = attrs["format"]
    return entity


def _decode_escape(escape: re.Match[str]) -> str:
    name = escape.group(1)
    if not name.startswith("#"):
        return _HTML_NAMED[name]
    code = int(name[2:], 16) if name[1] in "xX" else int(name[1:])
    return chr(code) if 0 < code <= 0x10FFFF else ""


def _unescape(value: str) -> str:
    return _HTML_ESCAPE.sub(_decode_escape, value)


def _entities_error(detail: str) -> _Refusal:
    return _Refusal(400, f"Bad Request: can't parse entities: {detail}")


def _formatted(
    params: dict[str, Any], text_key: str, entities_key: str, limit: int, *, parse: bool = True
) -> dict[str, Any]:
    """`text`/`caption` as Telegram stores it: markup parsed into entities, limits enforced."""
    if text_key not in params:
        return {}
    source = str(params[text_key])
    if parse and params.get("parse_mode") == ParseMode.HTML:
        text, entities = _parse_html(source)
    else:
        # Markdown is not parsed here: the text is kept as sent, without entities.
        raw = params.get(entities_key)
        text = source
        entities = json.loads(raw) if isinstance(raw, str) else list(raw or [])
    if text_key == "text" and not text.strip():
        raise _Refusal(400, "Bad Request: message text is empty")
    if _utf16_len(text) > limit:
        what = "message is too long" if text_key == "text" else "message caption is too long"
        raise _Refusal(400, f"Bad Request: {what}")
    if not text:
        return {}
    return {text_key: text, entities_key: entities} if entities else {text_key: text}


def _inline_markup(params: dict[str, str]) -> dict[str, Any] | None:
    """The inline keyboard a message will carry (reply keyboards are not part of a message)."""
    raw = params.get("reply_markup")
    if raw is None:
        return None
    markup = json.loads(raw)
    rows = markup.get("inline_keyboard")
    if rows is None:
        return None
    for row in rows:
        for button in row:
            data = button.get("callback_data")
            if data is not None and not 1 <= len(data.encode()) <= 64:
                raise _Refusal(400, "Bad Request: BUTTON_DATA_INVALID")
            if not _BUTTON_ACTIONS & button.keys():
                raise _Refusal(
                    400, "Bad Request: text buttons are unallowed in the inline keyboard"
                )
    return {"inline_keyboard": rows}


def _visible(payload: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(payload.get(key) for key in (*_CONTENT_KEYS, "reply_markup"))


def _api_returning(method: TelegramMethod[Any]) -> Any:
    """What the Bot API method returns, as aiogram's own class declares it (a subclass, such
    as bot.transport's unread ones, may ask for less parsing)."""
    for kind in type(method).__mro__:
        if kind.__module__.startswith("aiogram.methods.") and "__returning__" in vars(kind):
            return vars(kind)["__returning__"]
    return method.__returning__


def _returns_message(returning: Any) -> bool:
    if returning is Message:
        return True
    if get_origin(returning) in (Union, UnionType):
        return Message in get_args(returning)
    return False


def _to_json(result: Any) -> Any:
    if isinstance(result, TelegramObject):
        return result.model_dump(mode="json", by_alias=True, exclude_none=True)
    if isinstance(result, list | tuple):
        return [_to_json(item) for item in result]
    return result


def _keyboard(message: Message) -> list[list[InlineKeyboardButton]]:
    markup = message.reply_markup
    return [] if markup is None else markup.inline_keyboard


def _texts(message: Message) -> list[list[str]]:
    return [[button.text for button in row] for row in _keyboard(message)]


def _preview(message: Message) -> str:
    return message.text or message.caption or ""


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


T = TypeVar("T")


def _require(value: T | None) -> T:
    assert value is not None
    return value
