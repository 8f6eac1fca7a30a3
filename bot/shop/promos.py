"""Promo codes: what an admin types to make one, redeeming it, and the discount an order gets."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from enum import StrEnum

from bot.numbers import parse_id
from bot.shop.money import from_cost, parse_amount, to_minor
from bot.shop.order_types import parse_day
from bot.shop.pricing import Quote
from storage import ledger
from storage import promos as store
from storage.clock import now
from storage.db import Database
from storage.promos import Kind

KIND = "promo"  # the ledger kind of a gift
_CODE = re.compile(r"[A-Za-z0-9]{3,32}")  # ASCII only: `\w` would take every script's letters
RESERVED = frozenset({"ADD", "LIST", "OFF"})  # the admin's verbs can never be codes


def code_of(text: str) -> str | None:
    """The code as stored (upper case), or None when it cannot be one."""
    cleaned = text.strip()
    return cleaned.upper() if _CODE.fullmatch(cleaned) else None


def ledger_key(code: str, user_id: int) -> str:
    return f"promo:{code}:{user_id}"


@dataclass(frozen=True, slots=True)
class NewPromo:
    code: str
    kind: Kind
    amount: int  # gift: minor units; discount: percent
    max_uses: int | None = None
    until: int | None = None  # the first second it no longer redeems
    new_only: bool = False


def parse_new(words: list[str], today: date) -> NewPromo | None:
    """`CODE gift <amount>|discount <percent> [uses <n>] [until <date>] [new]`, else None."""
    if len(words) < 3:
        return None
    code = code_of(words[0])
    kind = words[1].lower()
    if code is None or code in RESERVED or kind not in (Kind.GIFT, Kind.DISCOUNT):
        return None
    amount = parse_amount(words[2]) if kind == Kind.GIFT else _percent(words[2])
    if amount is None:
        return None
    promo = NewPromo(code, Kind(kind), amount)
    options = words[3:]
    while options:
        name = options.pop(0).lower()
        if name == "new" and not promo.new_only:
            promo = replace(promo, new_only=True)
            continue
        value = options.pop(0) if options else ""
        if name == "uses" and promo.max_uses is None and (uses := parse_id(value)):
            promo = replace(promo, max_uses=uses)
        elif name == "until" and promo.until is None and (until := _end_of(value, today)):
            promo = replace(promo, until=until)
        else:
            return None
    return promo


def _percent(text: str) -> int | None:
    number = parse_id(text.removesuffix("%"))
    return number if number is not None and number <= 100 else None


def _end_of(text: str, today: date) -> int | None:
    """The end of that day in UTC, for a day from today on; None for anything else."""
    day = parse_day(text)
    if day is None or day < today:
        return None
    return int(datetime.combine(day + timedelta(days=1), time(), UTC).timestamp())


async def create(db: Database, promo: NewPromo) -> bool:
    """False when the code exists already."""
    return await store.create(
        db, code=promo.code, kind=promo.kind, amount=promo.amount, max_uses=promo.max_uses,
        until=promo.until, new_only=promo.new_only,
    )  # fmt: skip


class Redeemed(StrEnum):
    GIFT = "gift"  # credited now
    DISCOUNT = "discount"  # waits for the next order
    UNKNOWN = "unknown"  # no such code, or switched off
    EXPIRED = "expired"
    USED_UP = "used-up"
    ALREADY = "already"  # this customer redeemed it before
    NOT_NEW = "not-new"  # for new customers only


@dataclass(frozen=True, slots=True)
class Redemption:
    outcome: Redeemed
    code: str = ""
    amount: int = 0  # the gift in minor units, or the discount's percent


class _UsedUp(Exception):
    """The last use went to someone else: roll the redemption back."""


async def redeem(db: Database, user_id: int, text: str) -> Redemption:
    """Once per customer and code; the uses limit holds however many redeem at once, because
    the redemption row, the conditional use and the gift's credit commit together or not at all.
    """
    code = code_of(text)
    if code is None:
        return Redemption(Redeemed.UNKNOWN)
    try:
        async with db.transaction() as conn:
            promo = await store.get_in(conn, code)
            if promo is None or not promo.active:
                return Redemption(Redeemed.UNKNOWN, code)
            if promo.until is not None and now() >= promo.until:
                return Redemption(Redeemed.EXPIRED, code)
            if promo.new_only and await store.has_paid_order(conn, user_id):
                return Redemption(Redeemed.NOT_NEW, code)
            if not await store.add_redemption(conn, promo.id, user_id):
                return Redemption(Redeemed.ALREADY, code)
            if not await store.take_use(conn, promo.id):
                raise _UsedUp
            if promo.kind is Kind.GIFT:
                await ledger.post(
                    conn, user_id=user_id, amount=promo.amount, key=ledger_key(code, user_id),
                    kind=KIND, note=code,
                )  # fmt: skip
    except _UsedUp:
        return Redemption(Redeemed.USED_UP, code)
    outcome = Redeemed.GIFT if promo.kind is Kind.GIFT else Redeemed.DISCOUNT
    return Redemption(outcome, code, promo.amount)


@dataclass(frozen=True, slots=True)
class Discount:
    """What a pending promo code takes off one price."""

    redemption: int | None = None
    code: str = ""
    amount: int = 0  # minor units off
    capped: bool = False  # less than the code's percent: more would sell under cost


NO_DISCOUNT = Discount()


async def discount_for(db: Database, user_id: int, quote: Quote, fx: Decimal) -> Discount:
    """The customer's oldest pending discount on this price, never below the upstream cost
    (converted as the price is: rounded up). Nothing when it could take nothing off: the
    code then waits for another order."""
    pending = await store.pending(db, user_id)
    if pending is None:
        return NO_DISCOUNT
    full = quote.charge * pending.percent // 100  # rounded down, like every credit
    floor = to_minor(from_cost(quote.cost) * fx, up=True)
    amount = max(0, min(full, quote.charge - floor))
    if amount == 0:
        return NO_DISCOUNT
    return Discount(pending.redemption, pending.code, amount, amount < full)
