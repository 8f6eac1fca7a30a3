"""Support conversations: a customer's messages reach every admin, their answers the customer."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from storage import orders, outbox
from storage import support as tickets
from storage.clock import now
from storage.db import Database
from storage.orders import Order
from storage.support import Ticket
from storage.users import User

# Outbox messages of a ticket, drawn by bot.jobs.support in the reader's language.
TO_ADMIN = "support-to-admin"
ANSWER = "support-answer"
CLOSED = "support-closed"

RATE_LIMIT = 5  # a customer's messages to support ...
RATE_WINDOW = 60  # ... within this many seconds
RECENT_ORDERS = 3  # shown to admins above each message


class Outcome(StrEnum):
    SENT = "sent"
    DUPLICATE = "duplicate"  # a replayed update: queued the first time
    TOO_FAST = "too-fast"
    CLOSED = "closed"  # the admin answered a ticket closed meanwhile
    MISSING = "missing"


@dataclass(frozen=True, slots=True)
class Written:
    outcome: Outcome
    ticket: Ticket | None = None


@dataclass(frozen=True, slots=True)
class Content:
    """What somebody wrote: text (or a photo's caption) and the photo's file_id."""

    text: str
    photo: str | None
    source: str  # "<chat>:<message id>", unique per Telegram message


def _order_args(order: Order) -> dict[str, Any]:
    return {
        "order": order.id,
        "service": order.service_name,
        "state": order.state.value,
        "charge": order.charge,
        "upstream": order.upstream_id,
    }


async def write(
    db: Database,
    user: User,
    admin_ids: Iterable[int],
    content: Content,
    about: Order | None = None,
    continuing: int | None = None,
) -> Written:
    """Add the customer's message to their open ticket (opened now if none) and queue a copy to
    every admin, with who wrote it and `about` (an order of theirs, checked by the caller).

    `continuing` is the ticket the customer was writing in: once an admin closed it, a message
    meant for it opens nothing (the customer is told, and starts anew from the menu)."""
    recent, _ = await orders.page_for_user(db, user.id, 0, RECENT_ORDERS)
    async with db.transaction() as conn:
        if continuing is not None:
            current = await tickets.open_of(conn, user.id)
            if current is None or current.id != continuing:
                return Written(Outcome.CLOSED)
        if await tickets.recent_from(conn, user.id, now() - RATE_WINDOW) >= RATE_LIMIT:
            return Written(Outcome.TOO_FAST)
        ticket = await tickets.open_ticket(conn, user.id, about.id if about else None)
        added = await tickets.add_message(
            conn, ticket.id, user.id, from_admin=False, text=content.text,
            photo=content.photo, source=content.source,
        )  # fmt: skip
        if not added:
            return Written(Outcome.DUPLICATE, ticket)
        args = {
            "ticket": ticket.id,
            "name": user.first_name,
            "username": user.username or "",
            "user": user.id,
            "language": user.locale or "",
            "balance": user.balance,
            "orders": [_order_args(order) for order in recent],
            "about": _order_args(about) if about else None,
            "text": content.text,
            "photo": content.photo,
        }
        for admin in sorted(set(admin_ids)):
            await outbox.put(conn, admin, TO_ADMIN, args, ticket_id=ticket.id)
    return Written(Outcome.SENT, ticket)


async def answer(db: Database, ticket_id: int, admin_id: int, content: Content) -> Written:
    """Queue an admin's answer to the customer under the Support header."""
    async with db.transaction() as conn:
        ticket = await tickets.get_in(conn, ticket_id)
        if ticket is None:
            return Written(Outcome.MISSING)
        if ticket.state != tickets.OPEN:
            return Written(Outcome.CLOSED, ticket)
        added = await tickets.add_message(
            conn, ticket.id, admin_id, from_admin=True, text=content.text,
            photo=content.photo, source=content.source,
        )  # fmt: skip
        if not added:
            return Written(Outcome.DUPLICATE, ticket)
        args = {"ticket": ticket.id, "text": content.text, "photo": content.photo}
        await outbox.put(conn, ticket.user_id, ANSWER, args, ticket_id=ticket.id)
    return Written(Outcome.SENT, ticket)


async def close(db: Database, ticket_id: int, admin_id: int) -> Written:
    """Close the conversation and tell the customer, once."""
    async with db.transaction() as conn:
        ticket = await tickets.get_in(conn, ticket_id)
        if ticket is None:
            return Written(Outcome.MISSING)
        if not await tickets.close(conn, ticket.id, admin_id):
            return Written(Outcome.CLOSED, ticket)
        await outbox.put(
            conn, ticket.user_id, CLOSED, {"ticket": ticket.id}, key=f"support-closed:{ticket.id}"
        )
    return Written(Outcome.SENT, ticket)
