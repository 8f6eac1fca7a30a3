"""`python -m bot audit`: the ledger, the balances and the refunds must agree."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from bot.shop.payments import StarTransaction, refunded_but_credited, uncredited
from bot.shop.refunds import owed
from storage import ledger, orders, payments
from storage.db import Database


@dataclass
class Report:
    users_checked: int = 0
    orders_checked: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


async def audit(db: Database, stars: Sequence[StarTransaction] | None = None) -> Report:
    """`stars`: Telegram's record of the bot's Stars, when it could be read."""
    report = Report(users_checked=int(await db.scalar("SELECT COUNT(*) FROM users")))
    for user_id, cached, total in await ledger.balance_mismatches(db):
        report.problems.append(f"user {user_id}: balance {cached} but ledger sums to {total}")
    for user_id in await ledger.negative_balances(db):
        report.problems.append(f"user {user_id}: negative balance")
    for payment_id, state in await payments.credit_mismatches(db):
        report.problems.append(f"top-up {payment_id} ({state}): its ledger credit disagrees")
    report.problems.extend(await stars_problems(db, stars))
    refunded = await ledger.refunded_per_order(db)
    for order in await orders.in_states(db, list(orders.State)):
        report.orders_checked += 1
        given = refunded.get(order.id, 0)
        if order.state in orders.FINAL_STATES and given != owed(order):
            report.problems.append(
                f"order {order.id} ({order.state}): refunded {given}, owed {owed(order)}"
            )
        elif order.state not in orders.FINAL_STATES and given:
            report.problems.append(f"order {order.id} ({order.state}): refunded {given} early")
    return report


async def stars_problems(db: Database, stars: Sequence[StarTransaction] | None) -> list[str]:
    """Refunds in doubt; and, with Telegram's record, the Stars it holds that the shop does not."""
    problems = [
        f"top-up {payment.id}: the refund of Stars charge {payment.external_id} is in doubt"
        f" since {_when(payment.refund_asked_at)} (run /refund_stars {payment.external_id})"
        for payment in await payments.in_doubt(db)
    ]
    if stars is None:
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


def _when(timestamp: int | None) -> str:
    if timestamp is None:
        return "?"
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d %H:%M UTC")
