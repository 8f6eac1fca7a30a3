"""What the owner may do to money and orders: adjustments, and settling orders in `unknown`."""

from __future__ import annotations

import sqlite3
from enum import StrEnum

from bot.shop.checkout import fail_and_refund
from storage import ledger, orders, outbox
from storage.db import Database
from storage.orders import State

MAINTENANCE_KEY = "maintenance"


class Settled(StrEnum):
    DONE = "done"
    NOT_UNKNOWN = "not_unknown"  # somebody settled it already, or it never was unknown
    ID_TAKEN = "id_taken"  # that upstream id belongs to another order


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
            await outbox.put(
                conn, user_id, message, {"amount": abs(amount), "reason": reason}, key=key
            )
    return moved


async def attach_upstream(db: Database, order_id: int, upstream_id: int) -> Settled:
    """The owner found the order at the panel: track it from now on."""
    try:
        async with db.transaction() as conn:
            order = await orders.get_in(conn, order_id)
            if order is None or order.state is not State.UNKNOWN:
                return Settled.NOT_UNKNOWN
            await orders.transition(
                conn, order_id, State.UNKNOWN, state=State.ACTIVE, upstream_id=upstream_id
            )
            await outbox.put(
                conn,
                order.user_id,
                "notice-order-confirmed",
                {"order": order_id},
                key=f"settled:{order_id}",
            )
    except sqlite3.IntegrityError:
        return Settled.ID_TAKEN
    return Settled.DONE


async def refund_unknown(db: Database, order_id: int) -> Settled:
    """The order never reached the panel: fail it and give the money back, once."""
    async with db.transaction() as conn:
        order = await orders.get_in(conn, order_id)
        if order is None or order.state is not State.UNKNOWN:
            return Settled.NOT_UNKNOWN
        await fail_and_refund(
            conn, order_id, "settled by an admin: not placed", expected=State.UNKNOWN
        )
        await outbox.put(
            conn,
            order.user_id,
            "notice-order-refunded",
            {"order": order_id, "refund": order.charge},
            key=f"settled:{order_id}",
        )
    return Settled.DONE
