"""`python -m bot audit`: the ledger, the balances and the refunds must agree."""

from __future__ import annotations

from dataclasses import dataclass, field

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


async def audit(db: Database) -> Report:
    report = Report(users_checked=int(await db.scalar("SELECT COUNT(*) FROM users")))
    for user_id, cached, total in await ledger.balance_mismatches(db):
        report.problems.append(f"user {user_id}: balance {cached} but ledger sums to {total}")
    for user_id in await ledger.negative_balances(db):
        report.problems.append(f"user {user_id}: negative balance")
    for payment_id, state in await payments.credit_mismatches(db):
        report.problems.append(f"top-up {payment_id} ({state}): its ledger credit disagrees")
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
