"""Top-ups: amount bounds, the Stars price, and crediting or refunding each payment exactly once."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, Decimal
from enum import StrEnum
from typing import Any

from bot.shop.access import Barred, barred
from bot.shop.alerts import alert_admins, queue_alert
from bot.shop.config import ShopConfig
from bot.shop.money import MINOR
from storage import ledger, outbox, payments, users
from storage.clock import now
from storage.db import Connection, Database
from storage.ledger import InsufficientFunds
from storage.payments import Method, Payment, State
from storage.users import User

log = logging.getLogger(__name__)

STARS = "XTR"  # Telegram's currency code for Stars
NOTE_MAX = 500  # characters of a manual request's note
CHARGE_ID_MAX = 256
KIND = "topup"  # every ledger row of a top-up, its refund (negative) and the refund's undo
_PAYLOAD = "topup:"
MANUAL_WAITING_MAX = 3  # manual requests of one customer waiting for an admin at once
MANUAL_PER_HOUR = 5  # manual requests one customer may send in an hour, decided or not
_HOUR = 3600
# A refund in doubt that Telegram's record still lacks this long after it was asked never
# happened (Telegram answers a refund in seconds): reconciliation gives the top-up back.
DOUBT_SECONDS = 600


class Refusal(StrEnum):
    """Why a top-up cannot start or go on; `handlers.topup.REFUSAL_TEXT` says each one."""

    BANNED = "banned"
    MAINTENANCE = "maintenance"
    UNKNOWN = "unknown"  # no pending payment of this user at this price
    BOUNDS = "bounds"  # the amount is outside TOPUP_MIN..TOPUP_MAX
    OFF = "off"  # this method is switched off
    WAITING = "waiting"  # too many manual requests of this user wait for an admin
    OFTEN = "often"  # too many manual requests of this user in the last hour


_BARRED = {Barred.BANNED: Refusal.BANNED, Barred.MAINTENANCE: Refusal.MAINTENANCE}


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


async def refusal(db: Database, shop: ShopConfig, user: User) -> Refusal | None:
    """Whether this user may pay right now at all, whatever the method."""
    reason = await barred(db, shop, user)
    return None if reason is None else _BARRED[reason]


async def _check_start(
    db: Database, shop: ShopConfig, user: User, method: Method, amount: int
) -> None:
    reason = await refusal(db, shop, user)
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
        return await payments.create(
            conn, user_id=user.id, method=Method.STARS, amount=amount,
            stars=stars_for(shop, amount),
        )  # fmt: skip


async def check_pre_checkout(
    db: Database, shop: ShopConfig, user: User, invoice_payload: str, currency: str, total: int
) -> Refusal | None:
    """None when Telegram may take the Stars; else why not. Reads only: it must answer fast."""
    reason = await refusal(db, shop, user)
    if reason is not None:
        return reason
    payment_id = payment_id_of(invoice_payload)
    payment = None if payment_id is None else await payments.get(db, payment_id)
    if (
        payment is None
        or payment.state is not State.PENDING
        or not _matches(payment, user.id, currency, total, stars_for(shop, payment.amount))
    ):
        return Refusal.UNKNOWN
    if not in_bounds(shop, payment.amount):
        return Refusal.BOUNDS
    if not stars_enabled(shop):
        return Refusal.OFF
    return None


def _matches(payment: Payment, user_id: int, currency: str, total: int, stars: int) -> bool:
    return (
        payment.method is Method.STARS
        and payment.user_id == user_id
        and currency == STARS
        and total == stars
    )


def _invoiced(shop: ShopConfig, payment: Payment) -> int:
    """The Stars the invoice asked for (rows older than the `stars` column: today's price)."""
    return stars_for(shop, payment.amount) if payment.stars is None else payment.stars


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
    async with db.transaction() as conn:
        return await _credit_in(
            conn, shop, user_id=user_id, invoice_payload=invoice_payload, currency=currency,
            total=total, charge_id=charge_id,
        )  # fmt: skip


async def _credit_in(
    conn: Connection, shop: ShopConfig, *, user_id: int, invoice_payload: str,
    currency: str, total: int, charge_id: str,
) -> StarsCredit:  # fmt: skip
    if await ledger.has_key(conn, _stars_key(charge_id)):
        return StarsCredit(Credit.DUPLICATE)
    payment_id = payment_id_of(invoice_payload)
    payment = None if payment_id is None else await payments.get_in(conn, payment_id)
    if (
        payment is None
        or payment.state is not State.PENDING
        or not _matches(payment, user_id, currency, total, _invoiced(shop, payment))
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
    STARTED = "started"  # the top-up is off the balance (now, or by an ask in doubt): ask Telegram
    UNKNOWN = "unknown"  # no paid Stars payment has this charge id
    ALREADY = "already"  # refunded before
    SPENT = "spent"  # the balance no longer covers the top-up: nothing moved


@dataclass(frozen=True, slots=True)
class RefundStart:
    outcome: Refund
    payment: Payment | None = None
    ask: int = 0  # this ask's number: only the last ask's refusal may undo the debit
    balance: int = 0  # the user's, when it no longer covered the top-up


def _attempt_key(kind: str, charge_id: str, attempt: int) -> str:
    """`stars-refund:<charge>` first; a retry after an undone attempt needs a fresh key."""
    return f"{kind}:{charge_id}" if attempt == 1 else f"{kind}:{charge_id}:{attempt}"


async def _attempt(conn: Connection, charge_id: str) -> int:
    """The debit-and-undo round of a charge's refund now open (or next to open)."""
    attempt = 1
    while await ledger.has_key(conn, _attempt_key("stars-refund-undo", charge_id, attempt)):
        attempt += 1
    return attempt


async def start_stars_refund(db: Database, charge_id: str, admin_id: int) -> RefundStart:
    """Take the top-up back from the balance before any Star leaves: spent money stays put.

    A refund in doubt (an earlier ask's answer never came) is asked again without a second
    debit: Telegram answers "already refunded" when the first ask went through.
    """
    payment: Payment | None = None
    try:
        async with db.transaction() as conn:
            payment = await payments.by_external_id_in(conn, charge_id)
            if payment is None or payment.method is not Method.STARS:
                return RefundStart(Refund.UNKNOWN)
            if payment.state is State.REFUNDED:
                return RefundStart(Refund.ALREADY, payment)
            if payment.state is State.PAID:
                await ledger.post(
                    conn, user_id=payment.user_id, amount=-payment.amount,
                    key=_attempt_key("stars-refund", charge_id, await _attempt(conn, charge_id)),
                    kind=KIND, note=f"stars refund, payment #{payment.id}",
                )  # fmt: skip
            ask = await payments.ask_refund(conn, payment.id, admin_id)
            if ask is None:  # not paid (yet): nothing to refund
                return RefundStart(Refund.UNKNOWN)
    except InsufficientFunds:
        assert payment is not None
        owner = await users.get(db, payment.user_id)
        balance = 0 if owner is None else owner.balance
        return RefundStart(Refund.SPENT, payment, balance=balance)
    return RefundStart(Refund.STARTED, payment, ask)


async def finish_stars_refund(db: Database, payment: Payment) -> bool:
    """Telegram gave the Stars back: the payment is `refunded` and its owner told, once.

    False when it was settled before (by another ask, or by reconciliation).
    """
    async with db.transaction() as conn:
        return await _refunded_in(conn, payment)


async def _refunded_in(conn: Connection, payment: Payment) -> bool:
    if not await payments.mark_refunded(conn, payment.id):
        return False
    await outbox.put(
        conn, payment.user_id, "topup-stars-refunded",
        {"payment": payment.id, "amount": payment.amount},
        key=f"refunded:stars-refund:{payment.external_id}",
    )  # fmt: skip
    return True


async def undo_stars_refund(db: Database, start: RefundStart) -> bool:
    """Telegram refused: the balance gets back what `start_stars_refund` took.

    False when a later ask went out meanwhile (its answer decides) or the refund was settled.
    """
    payment = start.payment
    assert start.outcome is Refund.STARTED
    assert payment is not None
    async with db.transaction() as conn:
        if not await payments.refund_refused(conn, payment.id, start.ask):
            return False
        await _undo_in(conn, payment)
    return True


async def _undo_in(conn: Connection, payment: Payment) -> None:
    assert payment.external_id is not None
    attempt = await _attempt(conn, payment.external_id)
    await ledger.post(
        conn, user_id=payment.user_id, amount=payment.amount,
        key=_attempt_key("stars-refund-undo", payment.external_id, attempt), kind=KIND,
        note=f"stars refund failed, payment #{payment.id}",
    )  # fmt: skip


# -- reconciliation with Telegram's record of the bot's Stars ------------------------------


@dataclass(frozen=True, slots=True)
class StarTransaction:
    """One line of Telegram's record (getStarTransactions) between the bot and a user."""

    charge_id: str  # the payment's telegram_payment_charge_id; its refund carries the same id
    user_id: int
    stars: int
    refund: bool = False  # Stars sent back to the user, not paid by them
    invoice_payload: str = ""


@dataclass
class Reconciled:
    """What one pass found and did, by charge id or payment id."""

    credited: list[str] = field(default_factory=list)  # paid, never credited: credited now
    unmatched: list[str] = field(default_factory=list)  # paid for no payment: admins alerted
    refunded: list[int] = field(default_factory=list)  # refunds in doubt that Telegram made
    restored: list[int] = field(default_factory=list)  # refunds in doubt it never made
    outside: list[int] = field(default_factory=list)  # refunded at Telegram, still credited here


def kept_payments(record: Sequence[StarTransaction]) -> list[StarTransaction]:
    """The payments in the record that were not refunded."""
    refunded = {tx.charge_id for tx in record if tx.refund}
    return [tx for tx in record if not tx.refund and tx.charge_id not in refunded]


async def uncredited(db: Database, record: Sequence[StarTransaction]) -> list[StarTransaction]:
    """Stars the bot kept with no credit in the ledger."""
    credited = await payments.credited_charges(db)
    return [tx for tx in kept_payments(record) if tx.charge_id not in credited]


async def refunded_but_credited(db: Database, record: Sequence[StarTransaction]) -> list[Payment]:
    """Top-ups whose Stars went back at Telegram (not through the bot) and are still credited."""
    refunded = sorted({tx.charge_id for tx in record if tx.refund})
    found = await payments.by_external_ids(db, refunded)
    return [payment for payment in found.values() if payment.state is State.PAID]


async def reconcile_stars(
    db: Database, shop: ShopConfig, record: Sequence[StarTransaction], *,
    settle_after: int = DOUBT_SECONDS,
) -> Reconciled:  # fmt: skip
    """Bring the shop in line with Telegram's record; every step happens at most once.

    A paid charge without a credit is credited with the live handler's key `stars:<charge>`
    (whichever comes first wins); one matching no payment is alerted, never credited. A refund
    in doubt is refunded when the record shows it, and undone when it was asked more than
    `settle_after` seconds ago and the record still lacks it.
    """
    done = Reconciled()
    for tx in await uncredited(db, record):
        await _credit_found(db, shop, tx, done)
    refunded = {tx.charge_id for tx in record if tx.refund}
    asked_by = now() - settle_after
    for payment in await payments.in_doubt(db):
        if payment.external_id in refunded:
            await _settle(db, shop, payment, done)
        elif payment.refund_asked_at is None or payment.refund_asked_at <= asked_by:
            await _restore(db, shop, payment, asked_by, done)
    for payment in await refunded_but_credited(db, record):
        log.error("stars charge %s was refunded at Telegram; top-up %s still credited",
                  payment.external_id, payment.id)  # fmt: skip
        await alert_admins(
            db, shop, "admin-stars-refunded-outside", f"stars-outside:{payment.external_id}",
            charge=payment.external_id, payment=payment.id, user=payment.user_id,
        )  # fmt: skip
        done.outside.append(payment.id)
    return done


async def _credit_found(
    db: Database, shop: ShopConfig, tx: StarTransaction, done: Reconciled
) -> None:
    async with db.transaction() as conn:
        credit = await _credit_in(
            conn, shop, user_id=tx.user_id, invoice_payload=tx.invoice_payload, currency=STARS,
            total=tx.stars, charge_id=tx.charge_id,
        )  # fmt: skip
        payment = credit.payment
        if credit.outcome is Credit.CREDITED and payment is not None:
            await outbox.put(
                conn, payment.user_id, "topup-stars-paid",
                {"amount": payment.amount, "balance": credit.balance}, key=f"paid:{tx.charge_id}",
            )  # fmt: skip
            await queue_alert(
                conn, shop, "admin-stars-reconciled", f"stars-reconciled:{tx.charge_id}",
                charge=tx.charge_id, payment=payment.id, user=payment.user_id,
                amount=payment.amount,
            )  # fmt: skip
    if credit.outcome is Credit.CREDITED:
        log.warning("stars charge %s was credited by reconciliation", tx.charge_id)
        done.credited.append(tx.charge_id)
    elif credit.outcome is Credit.UNMATCHED:
        await report_unmatched(
            db, shop, user_id=tx.user_id, charge_id=tx.charge_id, stars=tx.stars, returned=False
        )
        done.unmatched.append(tx.charge_id)


async def _settle(db: Database, shop: ShopConfig, payment: Payment, done: Reconciled) -> None:
    async with db.transaction() as conn:
        if not await _refunded_in(conn, payment):
            return
        await queue_alert(
            conn, shop, "admin-stars-refund-settled", f"stars-settled:{payment.external_id}",
            charge=payment.external_id, payment=payment.id, user=payment.user_id,
        )  # fmt: skip
    log.info("stars refund of %s shows in Telegram's record: refunded", payment.external_id)
    done.refunded.append(payment.id)


async def _restore(
    db: Database, shop: ShopConfig, payment: Payment, asked_by: int, done: Reconciled
) -> None:
    async with db.transaction() as conn:
        if not await payments.refund_refused(conn, payment.id, payment.refund_asks, asked_by):
            return
        await _undo_in(conn, payment)
        await queue_alert(
            conn, shop, "admin-stars-refund-restored",
            f"stars-restored:{payment.external_id}:{payment.refund_asks}",
            charge=payment.external_id, payment=payment.id, user=payment.user_id,
            amount=payment.amount,
        )  # fmt: skip
    log.warning("stars refund of %s never happened at Telegram: undone", payment.external_id)
    done.restored.append(payment.id)


# -- manual requests ------------------------------------------------------------------------


async def check_manual(db: Database, shop: ShopConfig, user: User, amount: int) -> None:
    """Raises `Refused` when this user may not ask for a manual top-up of `amount` now."""
    await _check_start(db, shop, user, Method.MANUAL, amount)
    _check_manual_counts(*await payments.manual_counts(db, user.id, now() - _HOUR))


def _check_manual_counts(waiting: int, last_hour: int) -> None:
    """Every request reaches every admin: one customer may not flood them."""
    if waiting >= MANUAL_WAITING_MAX:
        raise Refused(Refusal.WAITING)
    if last_hour >= MANUAL_PER_HOUR:
        raise Refused(Refusal.OFTEN)


async def request_manual(
    db: Database, shop: ShopConfig, user: User, amount: int, note: str
) -> Payment:
    """A `pending` manual payment for admins to decide; raises `Refused` or `InvalidNote`."""
    await _check_start(db, shop, user, Method.MANUAL, amount)
    text = check_note(note)
    async with db.transaction() as conn:  # counted where it is written: two taps count as two
        _check_manual_counts(*await payments.manual_counts_in(conn, user.id, now() - _HOUR))
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
            conn, payment.user_id, "topup-approved" if approve else "topup-rejected", args,
            key=f"decided:manual:{payment.id}",
        )  # fmt: skip
        decided = await payments.get_in(conn, payment.id)
    return Decision(Decided.DONE, decided)
