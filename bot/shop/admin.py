"""What the owner may do to money and orders: adjustments, and settling orders in `unknown`."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from bot.limits import shorten
from bot.shop.checkout import fail_and_refund
from bot.shop.config import ShopConfig
from bot.shop.referrals import credit_referrer
from storage import ledger, orders, outbox, promos, users
from storage.db import Connection, Database, IntegrityError
from storage.ledger import InsufficientFunds
from storage.orders import Order, State

MAINTENANCE_KEY = "maintenance"
REASON_SHOWN = 1000  # UTF-16 units of an adjustment's reason in the customer's notice


class Settled(StrEnum):
    DONE = "done"
    NOT_UNKNOWN = "not_unknown"  # somebody settled it already, or it never was unknown
    ID_TAKEN = "id_taken"  # that upstream id belongs to another order
    NOT_OPEN = "not_open"  # it is final (or still being placed): nothing to settle
    SHORTFALL = "shortfall"  # attaching a refunded order: the balance no longer covers it
    TOO_MUCH = "too_much"  # a refund larger than the order's charge
    DISCOUNT_SPENT = "discount_spent"  # its promo discount, given back, went to another order


class Verdict(StrEnum):
    """How an admin settles an order the panel's answers left open (any non-final state)."""

    COMPLETED = "completed"  # delivered: nothing back
    REFUNDED = "refunded"  # not delivered: the whole charge back
    PARTIAL = "partial"  # partly delivered: the amount the admin names back
    RESUME = "resume"  # the panel reports it after all: track it again


# Orders an admin may settle with a verdict: placed upstream, still open.
SETTLEABLE = frozenset({State.ACTIVE, State.REVIEW})
_PUSHES = {
    Verdict.COMPLETED: "push-completed",
    Verdict.REFUNDED: "push-canceled",
    Verdict.PARTIAL: "push-partial",
}


@dataclass(frozen=True, slots=True)
class Attached:
    outcome: Settled
    charged: int = 0  # a refunded order charged again
    balance: int = 0  # with SHORTFALL: what the customer has


async def adjust_balance(db: Database, user_id: int, amount: int, *, key: str, reason: str) -> bool:
    """Credit (positive) or debit (negative) once per `key`, and tell the user in the same
    transaction. False when the key was used before; a debit too big raises InsufficientFunds.
    """
    async with db.transaction() as conn:
        moved = await ledger.post(
            conn, user_id=user_id, amount=amount, key=key, kind="admin", note=reason
        )
        if moved:
            message = "notice-credited" if amount > 0 else "notice-debited"
            shown = shorten(reason, REASON_SHOWN)  # the ledger keeps it whole
            await outbox.put(
                conn, user_id, message, {"amount": abs(amount), "reason": shown}, key=key
            )
    return moved


async def attach_upstream(db: Database, order_id: int, upstream_id: int) -> Attached:
    """The owner found the order at the panel: track it from now on.

    An `unknown` order was charged and never refunded: it simply becomes active. A `failed` one
    (refused, or refunded in /review) turned out to run upstream after all: its customer is
    charged again, in a new round of ledger keys, when the balance covers it; otherwise nothing
    moves and the admin learns the shortfall.
    """
    order: Order | None = None
    try:
        async with db.transaction() as conn:
            order = await orders.get_in(conn, order_id)
            if order is None or order.state not in (State.UNKNOWN, State.FAILED):
                return Attached(Settled.NOT_UNKNOWN)
            if order.state is State.UNKNOWN:
                await orders.transition(
                    conn, order_id, State.UNKNOWN, state=State.ACTIVE, upstream_id=upstream_id
                )
                await _tell(conn, order, "notice-order-confirmed", {"order": order_id}, "attached")
                return Attached(Settled.DONE)
            if not await promos.take_back(conn, order_id):
                return Attached(Settled.DISCOUNT_SPENT)
            again = dataclasses.replace(order, round=order.round + 1)
            await ledger.post(
                conn, user_id=order.user_id, amount=-order.charge, key=again.charge_key,
                kind="order", order_id=order_id, note="attached after a refund",
            )  # fmt: skip
            await orders.transition(
                conn, order_id, State.FAILED, state=State.ACTIVE, upstream_id=upstream_id,
                round=again.round, error="", settled_refund=None,
            )  # fmt: skip
            args = {"order": order_id, "amount": order.charge}
            await _tell(conn, again, "notice-order-recharged", args, "attached")
    except IntegrityError:
        return Attached(Settled.ID_TAKEN)
    except InsufficientFunds:
        assert order is not None
        owner = await users.get(db, order.user_id)
        return Attached(Settled.SHORTFALL, order.charge, owner.balance if owner else 0)
    return Attached(Settled.DONE, order.charge)


async def refund_unknown(db: Database, order_id: int) -> Settled:
    """The order never reached the panel: fail it and give the money back, once."""
    async with db.transaction() as conn:
        order = await orders.get_in(conn, order_id)
        if order is None or order.state is not State.UNKNOWN:
            return Settled.NOT_UNKNOWN
        await fail_and_refund(
            conn, order_id, "settled by an admin: not placed", expected=State.UNKNOWN
        )
        args = {"order": order_id, "refund": order.charge}
        await _tell(conn, order, "notice-order-refunded", args, "refunded")
    return Settled.DONE


async def settle(
    db: Database, config: ShopConfig, order_id: int, verdict: Verdict, refund: int = 0
) -> Settled:
    """Close (or resume) an order left open upstream, by an admin's verdict, in one transaction.

    The refund a verdict gives is recorded on the order (`settled_refund`), so the audit holds
    it to exactly that; `refund` is only read for PARTIAL. A delivered order pays its customer's
    referrer (`config` holds the default percent).
    """
    async with db.transaction() as conn:
        order = await orders.get_in(conn, order_id)
        if order is None or order.state not in SETTLEABLE:
            return Settled.NOT_OPEN
        if verdict is Verdict.RESUME:
            if order.upstream_id is None:
                return Settled.NOT_OPEN
            await orders.transition(conn, order_id, SETTLEABLE, state=State.ACTIVE, odd_polls=0)
            return Settled.DONE
        given = {Verdict.COMPLETED: 0, Verdict.REFUNDED: order.charge}.get(verdict, refund)
        if not 0 <= given <= order.charge:
            return Settled.TOO_MUCH
        state = {Verdict.COMPLETED: State.COMPLETED, Verdict.REFUNDED: State.CANCELED}.get(
            verdict, State.PARTIAL
        )
        await orders.transition(
            conn, order_id, SETTLEABLE, state=state, settled_refund=given,
            error=f"settled by an admin: {verdict.value}",
        )  # fmt: skip
        if given:
            await ledger.post(
                conn, user_id=order.user_id, amount=given, key=order.refund_key, kind="refund",
                order_id=order_id, note=f"settled by an admin: {verdict.value}",
            )  # fmt: skip
        await credit_referrer(conn, config, dataclasses.replace(order, state=state))
        args = {"order": str(order_id), "service": order.service_name, "refund": given}
        await _tell(conn, order, _PUSHES[verdict], args, verdict.value)
    return Settled.DONE


async def _tell(
    conn: Connection, order: Order, message: str, args: Mapping[str, object], what: str
) -> None:
    """The customer hears how an admin settled their order, once per round and verdict."""
    key = f"settled:{order.id}" if order.round == 1 else f"settled:{order.id}:{order.round}"
    await outbox.put(conn, order.user_id, message, dict(args), key=f"{key}:{what}")
