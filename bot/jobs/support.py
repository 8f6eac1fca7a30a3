"""Support messages from the outbox: drawn in the reader's language, with their buttons, and
remembered where they landed so that an admin's reply in Telegram finds the ticket."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from aiogram import Bot
from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot import callback_prefixes
from bot.callback_types import Id
from bot.i18n import Markup, Texts, lines
from bot.labels import STATE_TEXT
from bot.limits import CAPTION, MESSAGE_TEXT, fit, shorten
from bot.shop.support import TO_ADMIN
from storage import support as tickets
from storage.db import Database
from storage.orders import State
from storage.outbox import Message

NAME_SHOWN = 40  # a service's name in the header (UTF-16 units)
WHO_SHOWN = 100  # the customer's name and username


class TicketAct(StrEnum):
    ANSWER = "answer"  # an admin answers
    CLOSE = "close"  # an admin closes
    REPLY = "reply"  # the customer writes again


class TicketAction(CallbackData, prefix=callback_prefixes.TICKET_ACTION):
    act: TicketAct
    ticket: Id


def _button(t: Texts, label: str, act: TicketAct, ticket: int) -> InlineKeyboardButton:
    return InlineKeyboardButton(
        text=t.plain(label), callback_data=TicketAction(act=act, ticket=ticket).pack()
    )


def buttons(t: Texts, row: Message) -> InlineKeyboardMarkup:
    ticket = int(row.args["ticket"])
    if row.message == TO_ADMIN:
        keyboard = [
            _button(t, "btn-support-reply", TicketAct.ANSWER, ticket),
            _button(t, "btn-support-close", TicketAct.CLOSE, ticket),
        ]
    else:
        keyboard = [_button(t, "btn-support-reply", TicketAct.REPLY, ticket)]
    return InlineKeyboardMarkup(inline_keyboard=[keyboard])


def _order_line(t: Texts, order: dict[str, Any]) -> Markup:
    return t(
        "support-admin-order",
        order=order["order"],
        service=shorten(order["service"], NAME_SHOWN),
        state=t(STATE_TEXT[State(order["state"])]),
        charge=t.money(order["charge"]),
    )


def _header(t: Texts, args: dict[str, Any]) -> dict[str, Any]:
    """The admin's view of who wrote: the last orders, and the one asked about (if any)."""
    context = [_order_line(t, order) for order in args["orders"]]
    if not context:
        context.append(t("support-admin-no-orders"))
    about = args["about"]
    if about:
        upstream = about["upstream"] or "-"
        line = _order_line(t, about)
        context.append(t("support-admin-about", order=about["order"], upstream=upstream, line=line))
    return {
        "ticket": args["ticket"],
        "user": args["user"],
        "language": args["language"] or "-",
        "balance": t.money(args["balance"]),
        "context": lines(context),
    }


def compose(t: Texts, row: Message, units: int) -> str:
    """The text (or caption) of a support message, within `units`: what people typed is
    shortened on screen only (the ticket keeps it whole)."""
    args = row.args
    if row.message != TO_ADMIN:
        return fit(lambda shown: t(row.message, **shown), {"text": args["text"]}, units)
    fixed = _header(t, args)
    username = f" @{args['username']}" if args["username"] else ""
    values = {"who": shorten(args["name"] + username, WHO_SHOWN), "text": args["text"]}
    return fit(lambda shown: t(TO_ADMIN, **fixed, **shown), values, units)


async def deliver(bot: Bot, db: Database, row: Message, t: Texts) -> None:
    """Send one support row; the message it became is remembered for replies to it."""
    assert row.ticket_id is not None
    photo = row.args.get("photo")
    markup = buttons(t, row)
    if photo:
        caption = compose(t, row, CAPTION)
        sent = await bot.send_photo(row.chat_id, photo, caption=caption, reply_markup=markup)
    else:
        text = compose(t, row, MESSAGE_TEXT)
        sent = await bot.send_message(row.chat_id, text, reply_markup=markup)
    await tickets.remember_copy(db, row.chat_id, sent.message_id, row.ticket_id)
