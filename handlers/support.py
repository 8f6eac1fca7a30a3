"""Support: customers write (from the menu or an order card), admins answer, close and list."""

from __future__ import annotations

from typing import Any

from aiogram import F, Router
from aiogram.filters import Command, Filter, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.drafts import clear
from bot.i18n import Texts, lines
from bot.jobs.support import TicketAct, TicketAction
from bot.limits import fit, shorten
from bot.shop import support
from bot.shop.config import ShopConfig
from bot.shop.support import Content, Outcome
from handlers.callbacks import AskSupport, Detail, Nav, Screen
from handlers.filters import IsAdmin, When
from handlers.history import own_order
from handlers.keyboards import button, home_button, main_menu
from handlers.screens import show
from storage import orders
from storage import support as tickets
from storage.db import Database
from storage.support import Ticket
from storage.users import User

TICKETS_SHOWN = 30  # open tickets listed by /tickets
LAST_SHOWN = 80  # the latest message of each, in UTF-16 units
NAME_SHOWN = 40


class SupportForm(StatesGroup):
    writing = State()  # a customer writes to support


class AnswerForm(StatesGroup):
    writing = State()  # an admin writes the answer to one ticket


def content(message: Message) -> Content | None:
    """Text, or a photo with its caption; None for anything else (and for commands)."""
    source = f"{message.chat.id}:{message.message_id}"
    if message.photo:
        return Content(message.caption or "", message.photo[-1].file_id, source)
    if message.text and not message.text.startswith("/"):
        return Content(message.text, None, source)
    return None


class RepliesToTicket(Filter):
    """A reply to a ticket's message the bot delivered to this chat: passes the ticket on."""

    async def __call__(self, message: Message, db: Database) -> bool | dict[str, Any]:
        source = message.reply_to_message
        if source is None:
            return False
        ticket = await tickets.by_copy(db, message.chat.id, source.message_id)
        return False if ticket is None else {"ticket": ticket}


def create_admin_router() -> Router:
    """Before the catalog: an admin's reply to a ticket is an answer, never a search."""
    router = Router(name="support-admin")
    router.message.filter(IsAdmin())
    router.callback_query.filter(IsAdmin())
    router.message.register(list_open, Command("tickets"))
    router.message.register(close_command, Command("close"), RepliesToTicket())
    router.message.register(close_usage, Command("close"))
    router.message.register(answer_reply, RepliesToTicket(), When(F.func(content)))
    router.message.register(answer_typed, StateFilter(AnswerForm.writing), When(F.func(content)))
    router.message.register(
        not_content, StateFilter(AnswerForm.writing), When(~F.text.startswith("/"))
    )
    router.callback_query.register(ask_answer, TicketAction.filter(F.act == TicketAct.ANSWER))
    router.callback_query.register(close_button, TicketAction.filter(F.act == TicketAct.CLOSE))
    return router


def create_router() -> Router:
    router = Router(name="support")
    router.callback_query.register(open_support, Nav.filter(F.screen == Screen.SUPPORT))
    router.message.register(open_support, Command("support"))
    router.callback_query.register(ask_about_order, AskSupport.filter())
    router.callback_query.register(reply_again, TicketAction.filter(F.act == TicketAct.REPLY))
    router.message.register(write, StateFilter(SupportForm.writing), When(F.func(content)))
    router.message.register(
        not_content, StateFilter(SupportForm.writing), When(~F.text.startswith("/"))
    )
    return router


# -- customers ------------------------------------------------------------------------------


async def open_support(event: Message | CallbackQuery, state: FSMContext, t: Texts) -> None:
    await state.set_state(SupportForm.writing)
    await state.set_data({})
    await show(event, t("support-write"), _home(t))


async def ask_about_order(
    query: CallbackQuery,
    state: FSMContext,
    db: Database,
    t: Texts,
    user: User,
    callback_data: AskSupport,
) -> None:
    order = await own_order(query, db, t, user, callback_data.order)
    if order is None:
        return
    await state.set_state(SupportForm.writing)
    await state.set_data({"order": order.id})
    builder = InlineKeyboardBuilder()
    builder.row(button(t("btn-back"), Detail(order=order.id)), home_button(t))
    await show(query, t("support-write-order", order=order.id), builder.as_markup())


async def reply_again(
    query: CallbackQuery,
    state: FSMContext,
    db: Database,
    t: Texts,
    user: User,
    callback_data: TicketAction,
) -> None:
    ticket = await tickets.get(db, callback_data.ticket)
    if ticket is None or ticket.user_id != user.id:
        await query.answer(t.plain("not-available"), show_alert=True)
        return
    if ticket.state != tickets.OPEN:
        await query.answer(t.plain("support-reply-closed"), show_alert=True)
        return
    await state.set_state(SupportForm.writing)
    await state.set_data({"order": ticket.order_id, "ticket": ticket.id})
    await query.answer()
    assert query.message is not None
    await query.message.answer(t("support-write"), reply_markup=_home(t))


async def write(
    message: Message, state: FSMContext, db: Database, shop: ShopConfig, t: Texts, user: User
) -> None:
    written = content(message)
    assert written is not None  # the filter let only text and photos through
    data = await state.get_data()
    order_id = data.get("order")
    about = None if order_id is None else await orders.get_for_user(db, order_id, user.id)
    result = await support.write(db, user, shop.admin_ids, written, about, data.get("ticket"))
    if result.outcome is Outcome.CLOSED:
        await clear(state)
        await message.answer(t("support-reply-closed"), reply_markup=main_menu(t))
        return
    if result.outcome is Outcome.TOO_FAST:
        await message.answer(t("support-too-fast", limit=support.RATE_LIMIT))
        return
    assert result.ticket is not None
    await state.update_data(ticket=result.ticket.id)  # what follows belongs to this ticket
    await message.answer(t("support-sent"), reply_markup=_home(t))


async def not_content(message: Message, t: Texts) -> None:
    await message.answer(t("support-only-text-photo"))


def _home(t: Texts) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.row(home_button(t))
    return builder.as_markup()


# -- admins ---------------------------------------------------------------------------------


async def list_open(message: Message, db: Database, t: Texts) -> None:
    found, total = await tickets.open_list(db, TICKETS_SHOWN)
    if not found:
        await message.answer(t("support-tickets-none"))
        return

    def render(shown: dict[str, str]) -> str:
        rows = [
            t(
                "support-tickets-line",
                ticket=item.ticket.id,
                name=shorten(item.first_name, NAME_SHOWN),
                user=item.ticket.user_id,
                opened=t.time(item.ticket.created_at),
                messages=item.messages,
                last=shown[str(item.ticket.id)],
            )
            for item in found
        ]
        return t("support-tickets", count=total, lines=lines(rows))

    values = {str(item.ticket.id): shorten(item.last_text, LAST_SHOWN) for item in found}
    await message.answer(fit(render, values))


async def answer_reply(message: Message, db: Database, t: Texts, ticket: Ticket) -> None:
    await _answer(message, db, t, ticket.id)


async def answer_typed(message: Message, state: FSMContext, db: Database, t: Texts) -> None:
    ticket_id = int((await state.get_data())["ticket"])
    await clear(state)
    await _answer(message, db, t, ticket_id)


async def _answer(message: Message, db: Database, t: Texts, ticket_id: int) -> None:
    written = content(message)
    assert written is not None
    assert message.from_user is not None
    result = await support.answer(db, ticket_id, message.from_user.id, written)
    await message.answer(t(_ANSWERED[result.outcome], ticket=ticket_id))


_ANSWERED = {
    Outcome.SENT: "support-answer-sent",
    Outcome.DUPLICATE: "support-answer-sent",
    Outcome.CLOSED: "support-ticket-closed",
    Outcome.MISSING: "support-ticket-missing",
}


async def ask_answer(
    query: CallbackQuery, state: FSMContext, db: Database, t: Texts, callback_data: TicketAction
) -> None:
    ticket = await tickets.get(db, callback_data.ticket)
    if ticket is None or ticket.state != tickets.OPEN:
        await query.answer(t.plain("support-ticket-closed", ticket=callback_data.ticket))
        return
    await state.set_state(AnswerForm.writing)
    await state.set_data({"ticket": ticket.id})
    await query.answer()
    assert query.message is not None
    await query.message.answer(t("support-answer-prompt", ticket=ticket.id), reply_markup=_home(t))


async def close_command(message: Message, db: Database, t: Texts, ticket: Ticket) -> None:
    assert message.from_user is not None
    result = await support.close(db, ticket.id, message.from_user.id)
    await message.answer(t(_CLOSED[result.outcome], ticket=ticket.id))


async def close_usage(message: Message, t: Texts) -> None:
    await message.answer(t("support-close-usage"))


async def close_button(
    query: CallbackQuery, db: Database, t: Texts, callback_data: TicketAction
) -> None:
    result = await support.close(db, callback_data.ticket, query.from_user.id)
    text = t.plain(_CLOSED[result.outcome], ticket=callback_data.ticket)
    await query.answer(text, show_alert=True)


_CLOSED = {
    Outcome.SENT: "support-closed-done",
    Outcome.CLOSED: "support-ticket-already-closed",
    Outcome.MISSING: "support-ticket-missing",
}
