"""Top-ups: amount bounds, the Stars price, and crediting or refunding each payment exactly once."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal
from enum import StrEnum
from typing import Any

from bot.shop.admin import MAINTENANCE_KEY
from bot.shop.checkout import alert_admins
from bot.shop.config import ShopConfig
from bot.shop.money import MINOR
from storage import kv, ledger, outbox, payments, users
from storage.db import Database
from storage.ledger import InsufficientFunds
from storage.payments import Method, Payment, State
from storage.users import User

log = logging.getLogger(__name__)

STARS = "XTR"  # Telegram's currency code for Stars
NOTE_MAX = 500  # characters of a manual request's note
CHARGE_ID_MAX = 256
KIND = "topup"  # every ledger row of a top-up, its refund (negative) and the refund's undo
_PAYLOAD = "topup:"


class Refusal(StrEnum):
    """Why a top-up cannot start or go on; each names the locale message `topup-refused-<value>`."""

    BANNED = "banned"
    MAINTENANCE = "maintenance"
    UNKNOWN = "unknown"  # no pending payment of this user at this price
    BOUNDS = "bounds"  # the amount is outside TOPUP_MIN..TOPUP_MAX
    OFF = "off"  # this method is switched off


class Refused(Exception):
    def __init__(self, reason: Refusal) -> None:
        super().__init__(reason.value)
        self.reason = reason


class InvalidNote(Exception):
    """A manual request's note asked for again; `message` is a locale id, `args_` its arguments."""

    def __init__(self, message: str, **args: Any) -> None:
        super().__init__(message)
        self.message = message
        self.args_ = args


# -- amounts and methods ------------------------------------------------------------------


def in_bounds(shop: ShopConfig, amount: int) -> bool:
    return shop.topup_min <= amount <= shop.topup_max


def check_amount(shop: ShopConfig, amount: int) -> None:
    if not in_bounds(shop, amount):
        raise Refused(Refusal.BOUNDS)


def presets(shop: ShopConfig) -> list[int]:
    return [amount for amount in shop.topup_presets if in_bounds(shop, amount)]


def stars_enabled(shop: ShopConfig) -> bool:
    """A sandbox shop sells nothing real, so it takes real Stars only when told to."""
    return shop.stars_per_unit > 0 and (not shop.sandbox or shop.stars_in_sandbox)


def methods(shop: ShopConfig) -> list[Method]:
    """Manual requests need somebody to decide them: they are offered only with admins."""
    found = [Method.STARS] if stars_enabled(shop) else []
    if shop.admin_ids:
        found.append(Method.MANUAL)
    return found


def stars_for(shop: ShopConfig, amount: int) -> int:
    """Stars for `amount` minor units, rounded up: a top-up never costs less than its rate."""
    stars = (Decimal(amount) * shop.stars_per_unit / MINOR).to_integral_value(ROUND_CEILING)
    return max(int(stars), 1)


def payload(payment_id: int) -> str:
    """What the invoice carries: only the payment's id, checked against the row on every step."""
    return f"{_PAYLOAD}{payment_id}"


def payment_id_of(text: str) -> int | None:
    digits = text.removeprefix(_PAYLOAD) if text.startswith(_PAYLOAD) else ""
    if not (digits.isascii() and digits.isdigit()) or len(digits) > 18:
        return None
    return int(digits)


def charge_id_of(text: str | None) -> str | None:
    """A Telegram charge id typed after /refund_stars: one word, else None."""
    words = (text or "").split()
    if len(words) != 1 or len(words[0]) > CHARGE_ID_MAX:
        return None
    return words[0]


def check_note(text: str) -> str:
    note = text.strip()
    if not note:
        raise InvalidNote("topup-note-empty")
    if len(note) > NOTE_MAX:
        raise InvalidNote("topup-note-too-long", length=len(note), max=NOTE_MAX)
    return note


async def refusal(db: Database, user: User) -> Refusal | None:
    """Whether this user may pay right now at all, whatever the method."""
    if user.banned:
        return Refusal.BANNED
    if await kv.get(db, MAINTENANCE_KEY) == "on":
        return Refusal.MAINTENANCE
    return None


async def _check_start(
    db: Database, shop: ShopConfig, user: User, method: Method, amount: int
) -> None:
    reason = await refusal(db, user)
    if reason is not None:
        raise Refused(reason)
    if method not in methods(shop):
        raise Refused(Refusal.OFF)
    check_amount(shop, amount)


# -- Telegram Stars -------------------------------------------------------------------------


async def open_stars(db: Database, shop: ShopConfig, user: User, amount: int) -> Payment:
    """A `pending` Stars payment whose id goes into the invoice; raises `Refused`."""
    await _check_start(db, shop, user, Method.STARS, amount)
    async with db.transaction() as conn:
        return await payments.create(conn, user_id=user.id, method=Method.STARS, amount=amount)


async def check_pre_checkout(
    db: Database, shop: ShopConfig, user: User, invoice_payload: str, currency: str, total: int
) -> Refusal | None:
    """None when Telegram may take the Stars; else why not. Reads only: it must answer fast."""
    reason = await refusal(db, user)
    if reason is not None:
        return reason
    payment_id = payment_id_of(invoice_payload)
    payment = None if payment_id is None else await payments.get(db, payment_id)
    if (
        payment is None
        or payment.state is not State.PENDING
        or not _matches(shop, payment, user.id, currency, total)
    ):
        return Refusal.UNKNOWN
    if not in_bounds(shop, payment.amount):
        return Refusal.BOUNDS
    if not stars_enabled(shop):
        return Refusal.OFF
    return None


def _matches(shop: ShopConfig, payment: Payment, user_id: int, currency: str, total: int) -> bool:
    return (
        payment.method is Method.STARS
        and payment.user_id == user_id
        and currency == STARS
        and total == stars_for(shop, payment.amount)
    )


class Credit(StrEnum):
    CREDITED = "credited"
    DUPLICATE = "duplicate"  # this charge was credited before: a replayed update
    UNMATCHED = "unmatched"  # Stars arrived for no pending payment of this user at this price


@dataclass(frozen=True, slots=True)
class StarsCredit:
    outcome: Credit
    payment: Payment | None = None
    balance: int = 0


async def credit_stars(
    db: Database, shop: ShopConfig, *, user_id: int, invoice_payload: str, currency: str,
    total: int, charge_id: str,
) -> StarsCredit:  # fmt: skip
    """Credit a successful Stars payment once: ledger row and `paid` in one transaction.

    The bounds and the switches are not checked again: the Stars are already taken.
    """
    payment_id = payment_id_of(invoice_payload)
    async with db.transaction() as conn:
        if await ledger.has_key(conn, _stars_key(charge_id)):
            return StarsCredit(Credit.DUPLICATE)
        payment = None if payment_id is None else await payments.get_in(conn, payment_id)
        if (
            payment is None
            or payment.state is not State.PENDING
            or not _matches(shop, payment, user_id, currency, total)
        ):
            return StarsCredit(Credit.UNMATCHED, payment)
        await ledger.post(
            conn, user_id=user_id, amount=payment.amount, key=_stars_key(charge_id), kind=KIND,
            note=f"payment #{payment.id}",
        )  # fmt: skip
        await payments.mark_paid(conn, payment.id, charge_id)
        balance = await payments.balance_in(conn, user_id)
    return StarsCredit(Credit.CREDITED, payment, balance)


async def report_unmatched(
    db: Database, shop: ShopConfig, *, user_id: int, charge_id: str, stars: int, returned: bool
) -> None:
    log.error("stars charge %s (user %s, %s XTR) matched no payment", charge_id, user_id, stars)
    await alert_admins(
        db, shop, "admin-stars-unmatched", f"stars-unmatched:{charge_id}", charge=charge_id,
        stars=stars, user=user_id, returned=str(returned).lower(),
    )  # fmt: skip


def _stars_key(charge_id: str) -> str:
    return f"stars:{charge_id}"


# -- refunding Stars (admins) ---------------------------------------------------------------


class Refund(StrEnum):
    STARTED = "started"  # balance debited: now ask Telegram, then finish or undo
    UNKNOWN = "unknown"  # no paid Stars payment has this charge id
    ALREADY = "already"  # refunded before
    BUSY = "busy"  # another refund of it is under way (or was cut short: see the log)
    SPENT = "spent"  # the balance no longer covers the top-up: nothing moved


@dataclass(frozen=True, slots=True)
class RefundStart:
    outcome: Refund
    payment: Payment | None = None
    charge_id: str = ""
    attempt: int = 1
    balance: int = 0  # the user's, when it no longer covered the top-up

    @property
    def debit_key(self) -> str:
        return _attempt_key("stars-refund", self.charge_id, self.attempt)

    @property
    def undo_key(self) -> str:
        return _attempt_key("stars-refund-undo", self.charge_id, self.attempt)


def _attempt_key(kind: str, charge_id: str, attempt: int) -> str:
    """`stars-refund:<charge>` first; a retry after an undone attempt needs a fresh key."""
    return f"{kind}:{charge_id}" if attempt == 1 else f"{kind}:{charge_id}:{attempt}"


async def start_stars_refund(db: Database, charge_id: str) -> RefundStart:
    """Take the top-up back from the balance before any Star leaves: spent money stays put."""
    payment: Payment | None = None
    try:
        async with db.transaction() as conn:
            payment = await payments.by_external_id_in(conn, charge_id)
            if payment is None or payment.method is not Method.STARS:
                return RefundStart(Refund.UNKNOWN)
            if payment.state is State.REFUNDED:
                return RefundStart(Refund.ALREADY, payment)
            if payment.state is not State.PAID:
                return RefundStart(Refund.UNKNOWN)
            attempt = 1
            while await ledger.has_key(conn, _attempt_key("stars-refund-undo", charge_id, attempt)):
                attempt += 1
            start = RefundStart(Refund.STARTED, payment, charge_id, attempt)
            posted = await ledger.post(
                conn, user_id=payment.user_id, amount=-payment.amount, key=start.debit_key,
                kind=KIND, note=f"stars refund, payment #{payment.id}",
            )  # fmt: skip
            if not posted:
                return RefundStart(Refund.BUSY, payment)
    except InsufficientFunds:
        assert payment is not None
        owner = await users.get(db, payment.user_id)
        balance = 0 if owner is None else owner.balance
        return RefundStart(Refund.SPENT, payment, charge_id, balance=balance)
    return start


async def finish_stars_refund(db: Database, start: RefundStart, admin_id: int) -> None:
    """Telegram gave the Stars back: the payment is `refunded` and its owner told, once."""
    payment = start.payment
    assert start.outcome is Refund.STARTED
    assert payment is not None
    async with db.transaction() as conn:
        await payments.mark_refunded(conn, payment.id, admin_id)
        await outbox.put(
            conn, payment.user_id, "topup-stars-refunded",
            {"payment": payment.id, "amount": payment.amount}, key=f"refunded:{start.debit_key}",
        )  # fmt: skip


async def undo_stars_refund(db: Database, start: RefundStart) -> None:
    """Telegram refused: the balance gets back what `start_stars_refund` took."""
    payment = start.payment
    assert start.outcome is Refund.STARTED
    assert payment is not None
    async with db.transaction() as conn:
        await ledger.post(
            conn, user_id=payment.user_id, amount=payment.amount, key=start.undo_key, kind=KIND,
            note=f"stars refund failed, payment #{payment.id}",
        )  # fmt: skip


# -- manual requests ------------------------------------------------------------------------


async def check_manual(db: Database, shop: ShopConfig, user: User, amount: int) -> None:
    """Raises `Refused` when this user may not ask for a manual top-up of `amount` now."""
    await _check_start(db, shop, user, Method.MANUAL, amount)


async def request_manual(
    db: Database, shop: ShopConfig, user: User, amount: int, note: str
) -> Payment:
    """A `pending` manual payment for admins to decide; raises `Refused` or `InvalidNote`."""
    await check_manual(db, shop, user, amount)
    text = check_note(note)
    async with db.transaction() as conn:
        return await payments.create(
            conn, user_id=user.id, method=Method.MANUAL, amount=amount, note=text
        )


async def waiting_manual(db: Database, limit: int) -> list[Payment]:
    return await payments.pending(db, Method.MANUAL, limit)


class Decided(StrEnum):
    DONE = "done"
    ALREADY = "already"  # somebody decided first: `payment` says who and what
    MISSING = "missing"


@dataclass(frozen=True, slots=True)
class Decision:
    outcome: Decided
    payment: Payment | None = None


async def decide_manual(db: Database, payment_id: int, *, admin_id: int, approve: bool) -> Decision:
    """Approve (credit once) or reject a manual request; the first admin to decide wins.

    The conditional state change, the credit and the customer's notice share one transaction,
    so however many admins press however often, the money moves and the notice goes once.
    """
    async with db.transaction() as conn:
        payment = await payments.get_in(conn, payment_id)
        if payment is None or payment.method is not Method.MANUAL:
            return Decision(Decided.MISSING)
        state = State.PAID if approve else State.REJECTED
        if not await payments.decide(conn, payment.id, state, admin_id):
            return Decision(Decided.ALREADY, payment)
        args: dict[str, Any] = {"payment": payment.id, "amount": payment.amount}
        if approve:
            await ledger.post(
                conn, user_id=payment.user_id, amount=payment.amount,
                key=f"manual:{payment.id}", kind=KIND, note=f"payment #{payment.id}",
            )  # fmt: skip
            args["balance"] = await payments.balance_in(conn, payment.user_id)
        await outbox.put(
            conn, payment.user_id, f"topup-{'approved' if approve else 'rejected'}", args,
            key=f"decided:manual:{payment.id}",
        )  # fmt: skip
        decided = await payments.get_in(conn, payment.id)
    return Decision(Decided.DONE, decided)
