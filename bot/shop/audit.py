"""`python -m bot audit`: the ledger, the balances and the refunds must agree."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal

from bot.panel.models import ServiceType
from bot.shop.payments import StarTransaction, refunded_but_credited, uncredited
from bot.shop.referrals import EARNING_STATES, PERCENT_RANGE, commission
from bot.shop.refunds import owed
from storage import ledger, orders, payments, promos, referrals
from storage.clock import now
from storage.db import Database

DAY = 86_400
MAX_OPEN_DAYS = 7.0  # an order still open this long after it should have ended is stuck


@dataclass
class Report:
    users_checked: int = 0
    orders_checked: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


async def audit(
    db: Database,
    stars: Sequence[StarTransaction] | None = None,
    *,
    max_open_days: float = MAX_OPEN_DAYS,
    panels: Collection[str] | None = None,
) -> Report:
    """`stars`: Telegram's record of the bot's Stars, when it could be read; `max_open_days`:
    how long past its expected end an order may stay open before it is reported; `panels`:
    the panels configured, when known (open orders on any other are tracked by nobody)."""
    report = Report(users_checked=int(await db.scalar("SELECT COUNT(*) FROM users")))
    for user_id, cached, total in await ledger.balance_mismatches(db):
        report.problems.append(f"user {user_id}: balance {cached} but ledger sums to {total}")
    for user_id in await ledger.negative_balances(db):
        report.problems.append(f"user {user_id}: negative balance")
    for payment_id, state in await payments.credit_mismatches(db):
        report.problems.append(f"top-up {payment_id} ({state}): its ledger credit disagrees")
    report.problems.extend(await stars_problems(db, stars))
    report.problems.extend(await referral_problems(db))
    report.problems.extend(await promo_problems(db))
    await check_orders(db, report, max_open_days)
    if panels is not None:
        for panel, count in sorted((await orders.open_on_panels(db)).items()):
            if panel not in panels:
                report.problems.append(
                    f"{count} open order(s) on panel {panel}, which is not configured (PANELS):"
                    " nobody tracks them"
                )
    return report


async def stars_problems(db: Database, stars: Sequence[StarTransaction] | None) -> list[str]:
    """Refunds in doubt; and, with Telegram's record, the Stars it holds that the shop does not."""
    problems = [
        f"top-up {payment.id}: the refund of Stars charge {payment.external_id} is in doubt"
        f" since {_when(payment.refund_asked_at)} (run /refund_stars {payment.external_id})"
        for payment in await payments.in_doubt(db)
    ]
    if not stars:  # no record read, or an empty one: nothing Telegram holds to compare
        return problems
    problems.extend(
        f"Stars charge {tx.charge_id} ({tx.stars} XTR, user {tx.user_id}) was paid at Telegram"
        " but never credited"
        for tx in await uncredited(db, stars)
    )
    problems.extend(
        f"top-up {payment.id}: Stars charge {payment.external_id} was refunded at Telegram but"
        " is still credited"
        for payment in await refunded_but_credited(db, stars)
    )
    return problems


async def promo_problems(db: Database) -> list[str]:
    """Promo codes: uses within the limit and counted right, each gift exactly its ledger
    credit, each discount on an order of its redeemer, not failed, and at most its percent."""
    problems = [
        f"promo {code}: {uses} uses counted, {count} redemptions, limit {limit or 'none'}"
        for code, uses, limit, count in await promos.uses_mismatches(db)
    ]
    problems.extend(
        f"ledger {key} (user {user}): credited {credited}, the gift is {owed}"
        for key, user, owed, credited in await promos.gift_mismatches(db)
    )
    for used in await promos.used(db):
        where = f"promo {used.code} of user {used.user_id} on order {used.order_id}"
        if used.order_user != used.user_id or used.order_charge is None:
            problems.append(f"{where}: the order is not the redeemer's")
        elif used.order_state == orders.State.FAILED:
            problems.append(f"{where}: the order failed but kept the discount")
        elif used.discount > (used.order_charge + used.discount) * used.percent // 100:
            problems.append(f"{where}: discount {used.discount} is more than {used.percent}%")
    return problems


async def referral_problems(db: Database) -> list[str]:
    """Each referral credit: one ledger row of its amount to the referrer of the order's
    customer, for a delivered order, equal to floor(percent x what the customer paid net)."""
    credits = await referrals.credits(db)
    return credit_problems(credits, await orders.paid_net(db, {c.order_id for c in credits}))


def credit_problems(credits: Sequence[referrals.Credit], paid: Mapping[int, int]) -> list[str]:
    """What is wrong with these referral credits, given what each order's customer paid net."""
    problems = []
    for credit in credits:
        where = f"referral credit for order {credit.order_id}"
        if credit.order_id < 0:
            problems.append(f"ledger referral credit to user {credit.referrer_id} has no order")
            continue
        if credit.order_state not in EARNING_STATES:
            problems.append(f"{where}: the order is {credit.order_state}")
        if credit.customer_referrer != credit.referrer_id:
            problems.append(f"{where}: user {credit.referrer_id} did not refer its customer")
        if (credit.ledger_user, credit.ledger_amount) != (credit.referrer_id, credit.amount):
            problems.append(f"{where}: its ledger row disagrees")
        rate = Decimal(credit.percent)
        low, high = PERCENT_RANGE
        net = paid.get(credit.order_id, 0)
        if not low <= rate <= high or credit.amount != commission(rate, net):
            problems.append(f"{where}: {credit.amount} at {rate}% of {net} paid net")
    return problems


def _when(timestamp: int | None) -> str:
    if timestamp is None:
        return "?"
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d %H:%M UTC")


async def check_orders(db: Database, report: Report, max_open_days: float) -> None:
    """Per order: what the customer paid net against its charge less what the refund rule
    owes (the whole charge while it is open), and orders open too long past their expected
    end. The database leaves out the orders whose figures plainly agree (`orders.for_audit`):
    what comes back is judged here by the rule itself."""
    stamp = now()
    oldest = stamp - int(max_open_days * DAY)
    report.orders_checked = int(await db.scalar("SELECT COUNT(*) FROM orders"))
    for order in await orders.for_audit(db, oldest):
        net = order.paid
        where = f"order {order.id} ({order.state})"
        if order.state in orders.FINAL_STATES:
            refund = owed(order)
            if refund is None:
                report.problems.append(f"{where}: the refund rule cannot tell what it owes")
            elif net != order.charge - refund:
                report.problems.append(f"{where}: refunded {order.charge - net}, owed {refund}")
            continue
        if net != order.charge:
            report.problems.append(f"{where}: paid {net} net while open, charge {order.charge}")
        if order.created_at >= oldest:
            continue  # its expected end is no earlier than its placing (an expiry is after it)
        end = _expected_end(order)
        if end is not None and end < oldest:
            days = f"{(stamp - order.created_at) / DAY:.1f}"
            report.problems.append(f"{where}: still open, placed {days} days ago")


def _expected_end(order: orders.Audited) -> int | None:
    """When an open order should be final: when placed, plus its drip-feed runs while it runs;
    a running subscription at its expiry (None without one: it runs until its posts are made)."""
    if order.state is not orders.State.ACTIVE:
        return order.created_at  # waiting for a person or a process, not for the panel
    fields = order.fields
    if order.service_type == ServiceType.SUBSCRIPTIONS:
        try:
            expiry = datetime.strptime(fields.get("expiry", ""), "%d/%m/%Y")
        except ValueError:
            return None
        return int(expiry.replace(tzinfo=UTC).timestamp()) + DAY
    runs, interval = fields.get("runs", ""), fields.get("interval", "")
    if runs.isascii() and runs.isdigit() and interval.isascii() and interval.isdigit():
        return order.created_at + int(runs) * int(interval) * 60
    return order.created_at
