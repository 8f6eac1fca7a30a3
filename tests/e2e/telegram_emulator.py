"""A local Bot API emulator over real HTTP (127.0.0.1), with a user's side for tests to drive it.

It serves `/bot<token>/<method>` the way api.telegram.org does for the methods this shop uses,
accepts form (multipart or urlencoded, nested fields JSON-encoded as aiogram posts them) and
JSON bodies, keeps every private chat's messages so edits work, answers getUpdates by long
polling (offset confirms, timeout waits, an injected update wakes it at once) and, once a
webhook is set, POSTs updates to it with the secret token instead, as Telegram does: a POST that
gets no 200 (refused, cut off, an error status) is made again until one does, and a method in
a 200's answer is run like a request (its result going nowhere). With `replicas`
set it plays a reverse proxy too, spreading the POSTs over those addresses in turn.
"""

from __future__ import annotations

import asyncio
import html
import itertools
import json
import re
import time
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

import aiohttp
from aiohttp import web

BOT_ID = 123
BOT_USER = {"id": BOT_ID, "is_bot": True, "first_name": "Shop", "username": "shop_test_bot"}
DEADLINE = 20.0  # seconds any wait may take before the test fails
REDELIVER_SECONDS = 0.2  # before a webhook POST that got no 200 is made again
QUERY_TOO_OLD = "Bad Request: query is too old and response timeout expired or query ID is invalid"
NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a content and reply markup of the current message"
)
# Form fields that stay text even when they look like JSON ("123", "true", "[x]").
_TEXT_FIELDS = frozenset(
    {
        "text", "caption", "callback_query_id", "url", "secret_token", "parse_mode", "title",
        "description", "payload", "currency", "provider_token", "inline_message_id",
        "language_code", "error_message", "start_parameter", "ip_address", "photo_url",
        "pre_checkout_query_id", "business_connection_id", "message_effect_id",
        "telegram_payment_charge_id",
    }
)  # fmt: skip
_TAG = re.compile(r"<[^>]+>")


class ApiError(Exception):
    """What Telegram answers with ok=false."""

    def __init__(self, code: int, description: str) -> None:
        super().__init__(description)
        self.code = code
        self.description = description


@dataclass(frozen=True)
class TgUser:
    id: int
    first_name: str = "Ann"
    username: str | None = None
    language_code: str = "en"

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.id,
            "is_bot": False,
            "first_name": self.first_name,
            "language_code": self.language_code,
        }
        if self.username:
            data["username"] = self.username
        return data

    def chat(self) -> dict[str, Any]:
        return {"id": self.id, "type": "private", "first_name": self.first_name}


@dataclass
class Call:
    """One request the bot made: the method, its decoded parameters, and what it got back."""

    method: str
    params: dict[str, Any]
    ok: bool = True
    result: Any = None
    error: str | None = None
    answered: bool = False  # False while the emulator is still "thinking" (see `delays`)
    quiet: bool = False  # made through TELEGRAM_API_URL=<base_url>/quiet


@dataclass
class Stored:
    message: dict[str, Any]
    from_bot: bool
    touched: int  # order of the last send or edit: the highest is what is on screen


@dataclass
class Said:
    """Something the bot showed a chat: a new message or an edit, as plain text."""

    seq: int
    chat_id: int
    method: str
    text: str
    buttons: list[str] = field(default_factory=list)


def plain(text: str, parse_mode: str | None) -> str:
    """The text as the user sees it (HTML tags stripped, entities decoded)."""
    if parse_mode and parse_mode.upper() == "HTML":
        return html.unescape(_TAG.sub("", text))
    return text


def _decode(name: str, value: str) -> Any:
    if name in _TEXT_FIELDS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


def _buttons(markup: Any) -> list[dict[str, Any]]:
    if not isinstance(markup, dict):
        return []
    return [button for row in markup.get("inline_keyboard", []) for button in row]


async def read_webhook_answer(response: aiohttp.ClientResponse) -> dict[str, str]:
    """The call a bot's answer to a webhook POST carries, as Telegram reads it (JSON, or a
    form, multipart or urlencoded): its fields by name, `method` among them; {} for any other
    answer. In JSON, a string is the field's value and anything else its JSON text, as in the
    Bot API's parser."""
    if response.content_type == "application/json":
        body = await response.json()
        if not isinstance(body, dict):
            return {}
        return {
            str(name): value if isinstance(value, str) else json.dumps(value)
            for name, value in body.items()
        }
    if response.content_type == "application/x-www-form-urlencoded":
        return dict(parse_qsl(await response.text(), keep_blank_values=True))
    fields: dict[str, str] = {}
    if response.content_type == "multipart/form-data":
        reader = aiohttp.MultipartReader.from_response(response)
        while (part := await reader.next()) is not None:
            assert isinstance(part, aiohttp.BodyPartReader)
            fields[str(part.name)] = await part.text()
    else:
        await response.read()
    return fields


class TelegramEmulator:
    """The Bot API at http://127.0.0.1:<port>, one bot token, private chats only."""

    def __init__(self, token: str) -> None:
        self.token = token
        self.calls: list[Call] = []
        self.said: list[Said] = []
        self.callback_answers: dict[str, dict[str, Any]] = {}
        self.commands: dict[str, list[dict[str, Any]]] = {}
        self.webhook: dict[str, Any] | None = None
        self.webhook_deliveries: list[int] = []  # the HTTP status of each webhook POST (0: none)
        self.replicas: list[str] = []  # a reverse proxy's upstreams, each POST to the next one
        self._next_replica = itertools.count()
        self.confirmed_offset = 0  # getUpdates confirmed every update below this id
        self.guards: list[Callable[[], None]] = []  # run while waiting (e.g. "bot still alive")
        self.delays: dict[str, float] = {}  # method -> seconds before answering (a slow Telegram)
        self.delivered: list[dict[str, Any]] = []  # every update the user side produced
        self.stars: list[dict[str, Any]] = []  # the bot's Star transactions, oldest first
        self.invoices: dict[int, dict[str, Any]] = {}  # chat -> the last invoice sent there
        self.pre_checkout_answers: dict[str, dict[str, Any]] = {}
        self._updates: list[dict[str, Any]] = []
        self._messages: dict[int, dict[int, Stored]] = {}
        self._users: dict[int, TgUser] = {}
        self._update_ids = itertools.count(1000)
        self._callback_ids = itertools.count(1)
        self._charge_ids = itertools.count(1)
        self._touch = itertools.count(1)
        self._said_seq = itertools.count(1)
        self._changed = asyncio.Event()
        self._closing = False
        self._runner: web.AppRunner | None = None
        self._client: aiohttp.ClientSession | None = None
        self.port = 0

    # -- lifecycle ---------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._serve)
        # A second process on the same bot that Telegram never hands an update to (another
        # replica got them all): TELEGRAM_API_URL=<base_url>/quiet.
        app.router.add_route("*", "/quiet/bot{token}/{method}", self._serve)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        for address in self._runner.addresses:
            self.port = int(address[1])
            break

    async def close(self) -> None:
        self._closing = True  # long polls still waiting return now
        self._bump()
        if self._client is not None:
            await self._client.close()
        if self._runner is not None:
            await self._runner.cleanup()

    # -- the HTTP side -----------------------------------------------------------------------

    async def _serve(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.json_response(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401
            )
        method = request.match_info["method"]
        params = await self._params(request)
        call = Call(method, params, quiet=request.path.startswith("/quiet/"))
        self.calls.append(call)
        self._bump()
        handler = getattr(self, f"_m_{method.lower()}", None)
        if method.lower() == "getupdates" and request.path.startswith("/quiet/"):
            handler = self._no_updates
        try:
            if method in self.delays:
                await asyncio.sleep(self.delays[method])
            if handler is None:
                raise ApiError(404, "Not Found: method not found")
            result = await handler(params)
        except ApiError as error:
            call.ok, call.error, call.answered = False, error.description, True
            self._bump()
            return web.json_response(
                {"ok": False, "error_code": error.code, "description": error.description},
                status=error.code,
            )
        call.result, call.answered = result, True
        self._bump()
        return web.json_response({"ok": True, "result": result})

    @staticmethod
    async def _params(request: web.Request) -> dict[str, Any]:
        params: dict[str, Any] = {
            name: _decode(name, value) for name, value in request.query.items()
        }
        if request.content_type == "application/json":
            body = await request.json()
            if isinstance(body, dict):
                params.update(body)
        elif request.content_type in ("multipart/form-data", "application/x-www-form-urlencoded"):
            form = await request.post()
            for name, value in form.items():
                params[name] = _decode(name, value) if isinstance(value, str) else "<file>"
        return params

    # -- methods -----------------------------------------------------------------------------

    async def _m_getme(self, params: dict[str, Any]) -> Any:
        return {**BOT_USER, "can_join_groups": True, "supports_inline_queries": False}

    async def _no_updates(self, params: dict[str, Any]) -> Any:
        deadline = time.monotonic() + float(params.get("timeout") or 0)
        while not self._closing and (remaining := deadline - time.monotonic()) > 0:
            changed = self._changed  # set by every call, and by close()
            with suppress(TimeoutError):
                await asyncio.wait_for(changed.wait(), remaining)
        return []

    async def _m_getupdates(self, params: dict[str, Any]) -> Any:
        if self.webhook is not None:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        offset = int(params.get("offset") or 0)
        if offset > 0:
            self.confirmed_offset = max(self.confirmed_offset, offset)
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        limit = max(1, min(100, int(params.get("limit") or 100)))
        deadline = time.monotonic() + float(params.get("timeout") or 0)
        while not self._updates and not self._closing:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            changed = self._changed
            try:
                await asyncio.wait_for(changed.wait(), remaining)
            except TimeoutError:
                break
        return self._updates[:limit]

    async def _m_sendmessage(self, params: dict[str, Any]) -> Any:
        chat_id = self._chat(params)
        text = str(params.get("text", ""))
        if not text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if len(plain(text, params.get("parse_mode"))) > 4096:
            raise ApiError(400, "Bad Request: message is too long")
        message = self._new_message(chat_id, from_bot=True)
        message["text"] = text
        markup = self._markup(params)
        if markup:
            message["reply_markup"] = markup
        self._store(chat_id, message, from_bot=True)
        self._record(chat_id, "sendMessage", message, params.get("parse_mode"))
        return message

    async def _m_sendinvoice(self, params: dict[str, Any]) -> Any:
        chat_id = self._chat(params)
        prices = params.get("prices") or []
        message = self._new_message(chat_id, from_bot=True)
        message["invoice"] = {
            "title": params.get("title", ""),
            "description": params.get("description", ""),
            "start_parameter": params.get("start_parameter", ""),
            "currency": params.get("currency", ""),
            "total_amount": sum(int(price["amount"]) for price in prices),
        }
        markup = self._markup(params)
        if markup:
            message["reply_markup"] = markup
        self._store(chat_id, message, from_bot=True)
        self._record(chat_id, "sendInvoice", message, None)
        self.invoices[chat_id] = {**message["invoice"], "payload": params.get("payload", "")}
        return message

    async def _m_editmessagetext(self, params: dict[str, Any]) -> Any:
        return self._edit(params, "editMessageText")

    async def _m_editmessagereplymarkup(self, params: dict[str, Any]) -> Any:
        return self._edit(params, "editMessageReplyMarkup")

    async def _m_deletemessage(self, params: dict[str, Any]) -> Any:
        chat_id = self._chat(params)
        if self._messages.get(chat_id, {}).pop(int(params["message_id"]), None) is None:
            raise ApiError(400, "Bad Request: message to delete not found")
        return True

    async def _m_answercallbackquery(self, params: dict[str, Any]) -> Any:
        query_id = str(params["callback_query_id"])
        if query_id in self.callback_answers or not query_id.startswith("cb"):
            raise ApiError(400, QUERY_TOO_OLD)
        self.callback_answers[query_id] = params
        return True

    async def _m_answerprecheckoutquery(self, params: dict[str, Any]) -> Any:
        query_id = str(params.get("pre_checkout_query_id", ""))
        if query_id in self.pre_checkout_answers or not query_id.startswith("pcq"):
            raise ApiError(400, "Bad Request: QUERY_ID_INVALID")
        self.pre_checkout_answers[query_id] = params
        return True

    async def _m_getstartransactions(self, params: dict[str, Any]) -> Any:
        offset = int(params.get("offset") or 0)
        limit = int(params.get("limit") or 100)
        if not 1 <= limit <= 100 or offset < 0:
            raise ApiError(400, "Bad Request: LIMIT_INVALID")
        return {"transactions": self.stars[offset : offset + limit]}

    async def _m_refundstarpayment(self, params: dict[str, Any]) -> Any:
        charge_id = str(params.get("telegram_payment_charge_id", ""))
        user_id = int(params.get("user_id") or 0)
        paid = [tx for tx in self.stars if tx["id"] == charge_id and "source" in tx]
        if not paid or paid[0]["source"]["user"]["id"] != user_id:
            raise ApiError(400, "Bad Request: CHARGE_NOT_FOUND")
        if any(tx["id"] == charge_id and "receiver" in tx for tx in self.stars):
            raise ApiError(400, "Bad Request: CHARGE_ALREADY_REFUNDED")
        partner = {key: paid[0]["source"][key] for key in ("type", "transaction_type", "user")}
        self.stars.append(
            {"id": charge_id, "amount": paid[0]["amount"], "date": int(time.time()),
             "receiver": partner}
        )  # fmt: skip
        return True

    async def _m_setmycommands(self, params: dict[str, Any]) -> Any:
        self.commands[self._commands_key(params)] = list(params.get("commands") or [])
        return True

    async def _m_deletemycommands(self, params: dict[str, Any]) -> Any:
        self.commands.pop(self._commands_key(params), None)
        return True

    async def _m_getmycommands(self, params: dict[str, Any]) -> Any:
        return self.commands.get(self._commands_key(params), [])

    async def _m_setwebhook(self, params: dict[str, Any]) -> Any:
        url = str(params.get("url") or "")
        if not url:
            return await self._m_deletewebhook(params)
        if params.get("drop_pending_updates"):
            self._updates.clear()
        self.webhook = params
        return True

    async def _m_deletewebhook(self, params: dict[str, Any]) -> Any:
        if params.get("drop_pending_updates"):
            self._updates.clear()
        self.webhook = None
        return True

    async def _m_getwebhookinfo(self, params: dict[str, Any]) -> Any:
        hook = self.webhook or {}
        return {
            "url": hook.get("url", ""),
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }

    async def _m_close(self, params: dict[str, Any]) -> Any:
        return True

    async def _m_logout(self, params: dict[str, Any]) -> Any:
        return True

    # -- chat model --------------------------------------------------------------------------

    def _chat(self, params: dict[str, Any]) -> int:
        try:
            chat_id = int(params["chat_id"])
        except (KeyError, TypeError, ValueError):
            raise ApiError(400, "Bad Request: chat not found") from None
        if chat_id not in self._users:
            raise ApiError(403, "Forbidden: bot can't initiate conversation with a user")
        return chat_id

    @staticmethod
    def _markup(params: dict[str, Any]) -> dict[str, Any] | None:
        markup = params.get("reply_markup")
        if not isinstance(markup, dict):
            return None
        for button in _buttons(markup):
            data = button.get("callback_data")
            if data is not None and not 1 <= len(str(data).encode()) <= 64:
                raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
        return markup

    @staticmethod
    def _commands_key(params: dict[str, Any]) -> str:
        scope = params.get("scope") or {"type": "default"}
        return json.dumps([scope, params.get("language_code") or ""], sort_keys=True)

    def _new_message(self, chat_id: int, *, from_bot: bool) -> dict[str, Any]:
        chat = self._messages.setdefault(chat_id, {})
        message_id = max(chat, default=0) + 1
        user = self._users[chat_id]
        return {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": user.chat(),
            "from": BOT_USER if from_bot else user.as_json(),
        }

    def _store(self, chat_id: int, message: dict[str, Any], *, from_bot: bool) -> None:
        self._messages.setdefault(chat_id, {})[message["message_id"]] = Stored(
            message, from_bot, next(self._touch)
        )

    def _record(
        self, chat_id: int, method: str, message: dict[str, Any], parse_mode: str | None
    ) -> None:
        text = plain(str(message.get("text", "")), parse_mode)
        labels = [str(button.get("text", "")) for button in _buttons(message.get("reply_markup"))]
        self.said.append(Said(next(self._said_seq), chat_id, method, text, labels))

    def _edit(self, params: dict[str, Any], method: str) -> Any:
        if "inline_message_id" in params:
            return True
        chat_id = self._chat(params)
        stored = self._messages.get(chat_id, {}).get(int(params.get("message_id") or 0))
        if stored is None:
            raise ApiError(400, "Bad Request: message to edit not found")
        if not stored.from_bot:
            raise ApiError(400, "Bad Request: message can't be edited")
        before = dict(stored.message)
        after = dict(before)
        if method == "editMessageText":
            if not str(params.get("text", "")).strip():
                raise ApiError(400, "Bad Request: message text is empty")
            after["text"] = params["text"]
        after.pop("reply_markup", None)
        markup = self._markup(params)
        if markup:
            after["reply_markup"] = markup
        if after == before:
            raise ApiError(400, NOT_MODIFIED)
        after["edit_date"] = int(time.time())
        stored.message = after
        stored.touched = next(self._touch)
        self._record(chat_id, method, after, params.get("parse_mode"))
        return after

    # -- the user's side ---------------------------------------------------------------------

    def known(self, user: TgUser) -> None:
        """A user who talked to the bot before (the bot may write to them first)."""
        self._users.setdefault(user.id, user)

    async def send_text(self, user: TgUser, text: str) -> dict[str, Any]:
        """The user sends `text` (a /command gets its entity); returns the update."""
        self._users.setdefault(user.id, user)
        message = self._new_message(user.id, from_bot=False)
        message["text"] = text
        if text.startswith("/"):
            command = text.split()[0]
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        self._store(user.id, message, from_bot=False)
        return await self._deliver({"message": message})

    async def press(self, user: TgUser, label: str) -> str:
        """The user taps the button whose text contains `label` on the last keyboard shown.

        Returns the callback query id.
        """
        stored = self.keyboard_message(user.id)
        if stored is None:
            raise AssertionError(f"the bot has shown chat {user.id} no keyboard to press {label!r}")
        buttons = _buttons(stored.message.get("reply_markup"))
        found = [button for button in buttons if label in str(button.get("text", ""))]
        if not found:
            labels = [button.get("text") for button in buttons]
            raise AssertionError(f"no button {label!r} on the last keyboard; it has {labels}")
        data = found[0].get("callback_data")
        if data is None:
            raise AssertionError(f"button {found[0].get('text')!r} carries no callback data")
        query_id = f"cb{next(self._callback_ids)}"
        await self._deliver(
            {
                "callback_query": {
                    "id": query_id,
                    "from": user.as_json(),
                    "chat_instance": f"ci{user.id}",
                    "message": dict(stored.message),
                    "data": data,
                }
            }
        )
        return query_id

    async def pre_checkout(self, user: TgUser) -> dict[str, Any]:
        """The user confirms the last invoice sent to them; returns it once the bot said ok."""
        invoice = self.invoices.get(user.id)
        if invoice is None:
            raise AssertionError(f"the bot has sent chat {user.id} no invoice")
        query_id = f"pcq{next(self._callback_ids)}"
        await self._deliver(
            {
                "pre_checkout_query": {
                    "id": query_id, "from": user.as_json(), "currency": invoice["currency"],
                    "total_amount": invoice["total_amount"], "invoice_payload": invoice["payload"],
                }
            }
        )  # fmt: skip
        answer: dict[str, Any] = await self.wait_for(
            lambda: self.pre_checkout_answers.get(query_id), "the bot to answer the pre-checkout"
        )
        if not answer.get("ok"):
            raise AssertionError(f"the bot refused the payment: {answer.get('error_message')}")
        return invoice

    async def pay(self, user: TgUser, invoice: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        """Telegram takes the Stars (a transaction in its record), then tells the bot with a
        successful_payment message; returns the charge id and that update."""
        charge_id = f"stxe{next(self._charge_ids)}"
        self.stars.append(
            {
                "id": charge_id, "amount": invoice["total_amount"], "date": int(time.time()),
                "source": {
                    "type": "user", "transaction_type": "invoice_payment",
                    "user": user.as_json(), "invoice_payload": invoice["payload"],
                },
            }
        )  # fmt: skip
        message = self._new_message(user.id, from_bot=False)
        message["successful_payment"] = {
            "currency": invoice["currency"], "total_amount": invoice["total_amount"],
            "invoice_payload": invoice["payload"], "telegram_payment_charge_id": charge_id,
            "provider_payment_charge_id": "",
        }  # fmt: skip
        self._store(user.id, message, from_bot=False)
        return charge_id, await self._deliver({"message": message})

    def lose_updates(self) -> None:
        """Updates not yet confirmed are gone (Telegram keeps them 24 hours; a bot that
        confirmed too early loses them the same way)."""
        self._updates.clear()

    def fetched(self, update_id: int) -> bool:
        """Whether a getUpdates answer has handed this update to the bot."""
        return any(
            call.method == "getUpdates" and call.answered and isinstance(call.result, list)
            and any(update.get("update_id") == update_id for update in call.result)
            for call in self.calls
        )  # fmt: skip

    def keyboard_message(self, chat_id: int) -> Stored | None:
        """The bot message with an inline keyboard that was sent or edited last."""
        shown = [
            stored
            for stored in self._messages.get(chat_id, {}).values()
            if stored.from_bot and _buttons(stored.message.get("reply_markup"))
        ]
        return max(shown, key=lambda stored: stored.touched, default=None)

    async def _deliver(self, body: dict[str, Any]) -> dict[str, Any]:
        update = {"update_id": next(self._update_ids), **body}
        self.delivered.append(update)
        if self.webhook is None:
            self._updates.append(update)
            self._bump()
            return update
        deadline = time.monotonic() + DEADLINE
        while await self._post(self.webhook, update) != 200:
            if time.monotonic() > deadline:
                raise AssertionError(f"update {update['update_id']}: no 200 in {DEADLINE:.0f}s")
            await asyncio.sleep(REDELIVER_SECONDS)
        return update

    async def _post(self, hook: dict[str, Any], update: dict[str, Any]) -> int:
        """One webhook POST: its HTTP status, 0 when no answer came (recorded either way)."""
        headers = {}
        if hook.get("secret_token"):
            headers["X-Telegram-Bot-Api-Secret-Token"] = str(hook["secret_token"])
        if self._client is None:
            self._client = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=DEADLINE))
        url = str(hook["url"])
        if self.replicas:
            url = self.replicas[next(self._next_replica) % len(self.replicas)]
        status = 0
        answer: dict[str, str] = {}
        with suppress(aiohttp.ClientError, TimeoutError):
            async with self._client.post(url, json=update, headers=headers) as response:
                answer = await read_webhook_answer(response)
                status = response.status
        self.webhook_deliveries.append(status)
        if status == 200 and "method" in answer:  # a call in the answer: run, its result lost
            method = answer.pop("method")
            call = Call(method, {name: _decode(name, value) for name, value in answer.items()})
            self.calls.append(call)
            handler = getattr(self, f"_m_{method.lower()}", None)
            try:
                if handler is None:
                    raise ApiError(404, "Not Found: method not found")
                call.result = await handler(call.params)
            except ApiError as error:
                call.ok, call.error = False, error.description
            call.answered = True
            self._bump()
        return status

    # -- reading what the bot did ------------------------------------------------------------

    def _bump(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    def methods(self) -> list[str]:
        return [call.method for call in self.calls]

    def refused(self) -> list[Call]:
        """Calls answered with ok=false (a bot that works makes none in a plain flow)."""
        return [call for call in self.calls if not call.ok]

    def said_to(self, chat_id: int, *, after: int = 0) -> list[Said]:
        return [said for said in self.said if said.chat_id == chat_id and said.seq > after]

    @property
    def said_seq(self) -> int:
        return self.said[-1].seq if self.said else 0

    def transcript(self, chat_id: int | None = None, last: int = 15) -> str:
        shown = [said for said in self.said if chat_id is None or said.chat_id == chat_id]
        return "\n".join(
            f"  {said.method}: {said.text[:120]!r} {said.buttons}" for said in shown[-last:]
        )

    async def wait_for(
        self, predicate: Callable[[], Any], what: str, within: float = DEADLINE
    ) -> Any:
        """Wait until `predicate()` is truthy (returns it); fail clearly after `within` s."""
        deadline = time.monotonic() + within
        while True:
            for guard in self.guards:
                guard()
            value = predicate()
            if value:
                return value
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                calls = ", ".join(self.methods()[-12:])
                raise AssertionError(
                    f"waited {within:.0f}s for {what}; last calls: {calls}\n"
                    f"last things said:\n{self.transcript()}"
                )
            changed = self._changed
            with suppress(TimeoutError):  # wake on any call, and every 0.2 s for the guards
                await asyncio.wait_for(changed.wait(), min(remaining, 0.2))

    async def wait_for_said(
        self, chat_id: int, needle: str, *, after: int = 0, within: float = DEADLINE
    ) -> Said:
        """The first thing said to the chat after `after` whose text or buttons contain `needle`."""

        def found() -> Said | None:
            for said in self.said_to(chat_id, after=after):
                if needle in said.text or any(needle in label for label in said.buttons):
                    return said
            return None

        result: Said = await self.wait_for(found, f"the bot to say {needle!r} to {chat_id}", within)
        return result


class Person:
    """A Telegram user talking to the bot through the emulator, one settled step at a time."""

    def __init__(self, emulator: TelegramEmulator, user: TgUser) -> None:
        self.emulator = emulator
        self.user = user

    @property
    def id(self) -> int:
        return self.user.id

    async def send(self, text: str, *, expect: str | None = None) -> Said:
        """Send `text`; return what the bot said next (the first reply containing `expect`)."""
        mark = self.emulator.said_seq
        await self.emulator.send_text(self.user, text)
        return await self._reply(mark, expect, f"sending {text!r}")

    async def press(self, label: str, *, expect: str | None = None) -> dict[str, Any]:
        """Tap a button and wait until the bot answered the callback (and said `expect`)."""
        mark = self.emulator.said_seq
        query_id = await self.emulator.press(self.user, label)
        answer: dict[str, Any] = await self.emulator.wait_for(
            lambda: self.emulator.callback_answers.get(query_id),
            f"the bot to answer the press on {label!r}",
        )
        if expect is not None:
            await self._reply(mark, expect, f"pressing {label!r}")
        return answer

    async def _reply(self, mark: int, expect: str | None, doing: str) -> Said:
        if expect is not None:
            return await self.emulator.wait_for_said(self.id, expect, after=mark)
        said: Said = await self.emulator.wait_for(
            lambda: next(iter(self.emulator.said_to(self.id, after=mark)), None),
            f"a reply after {doing}",
        )
        return said

    def screen(self) -> str:
        """The text of the message with the keyboard on screen now."""
        stored = self.emulator.keyboard_message(self.id)
        return "" if stored is None else str(stored.message.get("text", ""))
