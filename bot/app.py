"""The Dispatcher with every router and middleware: one builder for production and tests."""

from __future__ import annotations

from dataclasses import dataclass

from aiogram import Dispatcher
from aiogram.methods import (
    AnswerCallbackQuery,
    AnswerPreCheckoutQuery,
    CopyMessage,
    DeleteMessage,
    GetMe,
    GetUpdates,
    RefundStarPayment,
    SendInvoice,
    SendMessage,
    SetMyCommands,
)
from aiogram.methods.base import Response

from bot.i18n import Translator
from bot.panel.panels import Panels
from bot.sessions import Sessions
from bot.shop.config import ShopConfig
from bot.shutdown import InFlight
from bot.transport import UnreadEdit, UnreadSend
from handlers import build_tree
from handlers.middleware import UserMiddleware
from handlers.screens import ScreenCache
from storage.db import Database

# aiogram validates every answer as `Response[T]`; pydantic keeps those generic classes only
# weakly, so after a garbage collection each one is built again (milliseconds per reply). Held
# here for the methods the shop calls and reads the answer of, they are built once. (Edits go
# out unread, bot.transport.UnreadEdit: the Message-or-True answer's validator, some 3 MB, is
# never needed; an unread call's refusal is checked as `Response[Any]`, held here like the
# others: a young class, it went with the next collection of the youngest generation, and cost
# 2-4 ms to build again.)
_ANSWER_TYPES = tuple(
    Response[method.__returning__]  # type: ignore[name-defined]
    for method in (
        AnswerCallbackQuery, AnswerPreCheckoutQuery, CopyMessage, DeleteMessage, GetMe,
        GetUpdates, RefundStarPayment, SendInvoice, SendMessage, SetMyCommands, UnreadEdit,
        UnreadSend,
    )
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Deps:
    """Long-lived dependencies; handlers receive each one by its field name."""

    db: Database
    panels: Panels
    shop: ShopConfig
    translator: Translator
    sessions: Sessions | None = None  # REDIS_URL's; None: drafts in `db`, locks in this process


def build_dispatcher(
    deps: Deps,
    *,
    catch_errors: bool = True,
    in_flight: InFlight | None = None,
) -> Dispatcher:
    """`catch_errors=False` lets a test fail on a bug instead of seeing a polite message;
    `in_flight` counts the updates being handled, so that a shutdown can wait for them."""
    dp = shop_dispatcher(deps, in_flight=in_flight)
    build_tree(dp, catch_errors=catch_errors)
    return dp


def shop_dispatcher(deps: Deps, *, in_flight: InFlight | None = None) -> Dispatcher:
    """The Dispatcher with what every update goes through before any router: the per-user
    lock, the conversation's state and the stored user. No router yet (`build_dispatcher`
    adds the shop's; the bench's floor, a replay of its own)."""
    sessions = deps.sessions or Sessions.in_database(deps.db)
    dp = Dispatcher(
        storage=sessions.storage,  # a wizard survives a restart
        events_isolation=sessions.isolation,  # one update of a customer at a time
        disable_fsm=True,  # registered below, after `in_flight`
        db=deps.db,
        panels=deps.panels,
        shop=deps.shop,
        translator=deps.translator,
        screens=ScreenCache(),
    )
    if in_flight is not None:  # an update counts while it waits for its user's lock, too
        dp.update.outer_middleware(in_flight)
    dp.update.outer_middleware(dp.fsm)  # the per-user lock and the conversation's state
    dp.update.outer_middleware(UserMiddleware(deps.db, deps.translator, deps.shop))
    return dp
