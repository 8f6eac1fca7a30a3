"""Referral rules: who counts as referred, the percent in force, and the credit per final order."""

from __future__ import annotations

from decimal import ROUND_FLOOR, Decimal

from bot.shop.config import ShopConfig
from storage import kv, ledger, outbox, referrals
from storage.db import Connection, Database
from storage.orders import Order, State

PERCENT_KEY = "referral_percent"
PERCENT_RANGE = (Decimal(0), Decimal(50))
# Only a delivered order earns: failed, canceled and refunded ones gave the customer's money back.
EARNING_STATES = frozenset({State.COMPLETED, State.PARTIAL})


def commission(percent: Decimal, paid: int) -> int:
    """`percent` of `paid` minor units, rounded down to the minor unit."""
    if paid <= 0 or percent <= 0:
        return 0
    return int((Decimal(paid) * percent / 100).to_integral_value(rounding=ROUND_FLOOR))


async def percent(db: Database, default: Decimal) -> Decimal:
    """The percent in force: the owner's `/referral`, else the `REFERRAL_PERCENT` setting."""
    stored = await kv.get(db, PERCENT_KEY)
    return default if stored is None else Decimal(stored)


async def _percent_in(conn: Connection, default: Decimal) -> Decimal:
    """The percent read in the crediting transaction itself: a change just made counts."""
    async with conn.execute("SELECT value FROM kv WHERE key = ?", (PERCENT_KEY,)) as cursor:
        row = await cursor.fetchone()
    return default if row is None else Decimal(row[0])


async def set_percent(db: Database, value: Decimal) -> None:
    await kv.put(db, PERCENT_KEY, str(value))


async def attribute(db: Database, user_id: int, code: str, *, newcomer: bool) -> int | None:
    """A first /start carried `code`: its owner referred this user, for good; the referrer.

    None for a customer who was here before this /start (only newcomers are brought by
    someone), an unknown code, or the user's own.
    """
    if not newcomer or not code:
        return None
    return await referrals.attribute(db, user_id, code)


async def credit_referrer(conn: Connection, config: ShopConfig, order: Order) -> int:
    """Credit the referrer of the order's customer once the order is final; the amount, or 0.

    Call in the transaction that makes the order final, after its refund is posted: the credit
    is on what the customer paid net of every refund of every round. Keyed by order, so a
    replayed status or a second poller credits nothing twice.
    """
    if order.state not in EARNING_STATES:
        return 0
    referrer = await referrals.referrer_in(conn, order.user_id)
    if referrer is None:
        return 0
    rate = await _percent_in(conn, config.referral_percent)
    paid = await referrals.paid_in(conn, order.id)
    amount = commission(rate, paid)
    if amount == 0:
        return 0
    recorded = await referrals.record(
        conn, order_id=order.id, referrer_id=referrer, percent=str(rate), paid=paid, amount=amount
    )
    if not recorded:
        return 0
    key = referrals.ledger_key(order.id)
    await ledger.post(
        conn, user_id=referrer, amount=amount, key=key, kind=referrals.KIND, note=f"{rate}%"
    )
    await outbox.put(conn, referrer, "push-referral-earned", {"amount": amount}, key=key)
    return amount
