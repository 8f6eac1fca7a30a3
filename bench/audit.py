"""`python -m bot audit`'s work at 1k / 10k / 100k orders, on SQLite, beside the audit of before.

A shop of `count` customers and orders as a healthy shop keeps its books (a year of orders, most
delivered, some partial, canceled or failed with the refund the rule owes, the last week's still
open, top-ups, referral credits and promo codes), with a few deliberate faults so that the
findings are not empty. Each size is audited by `bot.shop.audit.audit` and by the audit as it
was before issue 18, kept below: every order read whole and judged in Python, the ledger's
paid-per-order read twice, every open order's fields parsed, each referral credit without
figures looked for by a scan of every referral. Both must give the same findings. Times: the
median of a few runs after a warm one, on an open database (the import and the opening are not
the audit's work).
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from bench.report import Row
from bot.panel.models import ServiceType
from bot.shop import audit as current
from bot.shop.money import COST_SCALE
from bot.shop.payments import StarTransaction, refunded_but_credited, uncredited
from bot.shop.referrals import commission
from bot.shop.refunds import owed
from storage import ledger, orders, payments, referrals
from storage.clock import now
from storage.db import Database
from storage.orders import FINAL_STATES, State

SIZES = (1_000, 10_000, 100_000)
QUICK_SIZES = (1_000, 10_000)
RUNS = 5
BUDGET_S = 15.0  # a side's timed runs stop past this (the audit of before takes seconds)
TARGET_S = 1.0
DAY = 86_400
YEAR = 365 * DAY
PANELS = ("main",)
REFERRAL_PERCENT = Decimal(5)
GIFT, DISCOUNT = "WELCOME", "TENOFF"
GIFT_AMOUNT, DISCOUNT_PERCENT = 100, 10


@dataclass(frozen=True, slots=True)
class _Figures:
    """An order's figures as the refund rule reads them (`refunds.Settled`)."""

    state: State
    charge: int
    cost: int
    quantity: int
    remains: int | None
    service_type: str
    settled_refund: int | None
    upstream_charge: str | None
    placed_charge: str | None


def _order(number: int, count: int, now: int) -> dict[str, Any]:
    """Order `number`'s row: placed in time order over the year before `now`; delivered mostly,
    the rest partial, given back or settled by an admin; open in its last week."""
    placed = now - YEAR + number * YEAR // count
    base = 100 + number % 9_900
    row: dict[str, Any] = {
        "id": number, "user_id": 1 + number % count, "service_type": ServiceType.DEFAULT.value,
        "quantity": 1000, "fields": "{}", "charge": base, "cost": base * 450,
        "state": State.COMPLETED, "upstream_charge": None, "remains": None,
        "placed_charge": None, "settled_refund": None, "created_at": placed, "discount": 0,
    }  # fmt: skip
    kind = number % 100
    if placed >= now - 7 * DAY:
        row["state"] = (
            State.ACTIVE if kind < 70 else State.REVIEW if kind < 75
            else State.UNKNOWN if kind < 77 else State.COMPLETED
        )  # fmt: skip
    elif number % 500 == 250:  # a subscription with no expiry: it runs until its posts are made
        row |= {"state": State.ACTIVE, "service_type": ServiceType.SUBSCRIPTIONS.value,
                "fields": '{"username": "bench", "min": "10", "max": "20"}'}  # fmt: skip
    elif number % 500 == 499:  # a drip-feed of a thousand daily runs
        row |= {"state": State.ACTIVE, "fields": '{"runs": "1000", "interval": "1440"}'}
    elif kind < 5:  # the panel's final charge says how much of it was delivered
        cost = Decimal(row["cost"]) / COST_SCALE
        row |= {"state": State.PARTIAL, "placed_charge": str(cost),
                "upstream_charge": str(cost * (number % 7 + 1) / 8)}  # fmt: skip
    elif kind < 7:  # no charge figures: the units not delivered
        row |= {"state": State.PARTIAL, "remains": number % 1000}
    elif kind < 10:
        row["state"] = State.CANCELED
    elif kind == 10:
        row["state"] = State.REFUNDED
    elif kind == 11:
        row["state"] = State.FAILED
    elif kind == 12:  # an admin decided the refund
        row |= {"state": State.PARTIAL, "settled_refund": base // 3}
    elif kind == 13:
        row["discount"] = base // 10  # TENOFF: the charge is the price less the discount
        row["charge"] = base - row["discount"]
    return row


async def fill(db: Database, count: int, now: int) -> None:
    """`count` customers and orders, their ledger, payments, referrals and promo codes."""
    rows = [_order(number, count, now) for number in range(1, count + 1)]
    faults = range(1, count + 1, max(count // 5, 1))  # a few of each, wherever they fall
    spent = dict.fromkeys(range(1, count + 1), 0)
    entries: list[tuple[Any, ...]] = []
    for row in rows:
        number, user = row["id"], row["user_id"]
        charge = row["charge"]
        entries.append((user, -charge, f"order:{number}", "order", number, row["created_at"]))
        refund = owed(_Figures(**{name: row[name] for name in _Figures.__slots__}))
        if refund is None:  # the rule cannot tell: an admin's refund
            refund = charge // 2
        if number in faults:  # refunded in full whatever the rule says, or charged twice
            refund = charge if row["state"] in FINAL_STATES else -charge
        if refund:
            key = f"refund:{number}" if refund > 0 else f"order:{number}:x"
            kind = "refund" if refund > 0 else "order"
            entries.append((user, refund, key, kind, number, row["created_at"]))
        spent[user] += charge - refund
    referred = {user: user - 1 for user in range(2, count + 1, 10)}
    earnings = []
    for row in rows:
        referrer = referred.get(row["user_id"])
        if referrer is None or row["state"] not in (State.COMPLETED, State.PARTIAL):
            continue
        net = row["charge"] - (owed(_Figures(**{n: row[n] for n in _Figures.__slots__})) or 0)
        amount = commission(REFERRAL_PERCENT, net)
        if amount > 0:
            earnings.append((row["id"], referrer, str(REFERRAL_PERCENT), net, amount, now))
            entries.append((referrer, amount, f"referral:{row['id']}", "referral", row["id"], now))
            spent[referrer] -= amount
    gifted = range(5, count + 1, 50)
    for user in gifted:
        entries.append((user, GIFT_AMOUNT, f"promo:{GIFT}:{user}", "promo", None, now))
        spent[user] -= GIFT_AMOUNT
    # Each customer topped up what they spent and a little more (paid manual payments).
    topups = {user: max(total, 0) + user % 1000 + 1 for user, total in spent.items()}
    balances = {user: topups[user] - total for user, total in spent.items()}
    for user in faults:  # a cached balance off by one
        balances[user] += 1
    entries.extend(
        (user, amount, f"manual:{user}", "topup", None, now - YEAR)
        for user, amount in topups.items()
    )
    discounted = [row for row in rows if row["discount"]]
    async with db.transaction() as conn:
        await conn.executemany(
            "INSERT INTO users (id, first_name, balance, created_at, last_seen_at)"
            " VALUES (?, 'Bench', ?, ?, ?)",
            [(user, balance, now - YEAR, now) for user, balance in balances.items()],
        )
        await conn.executemany(
            "INSERT INTO orders (id, user_id, service_id, service_name, service_type, quantity,"
            " fields, charge, cost, token, state, upstream_id, upstream_charge, remains,"
            " placed_charge, settled_refund, created_at, updated_at)"
            " VALUES (?, ?, 1, 'Followers', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (row["id"], row["user_id"], row["service_type"], row["quantity"], row["fields"],
                 row["charge"], row["cost"], f"bench-{row['id']}", row["state"].value, row["id"],
                 row["upstream_charge"], row["remains"], row["placed_charge"],
                 row["settled_refund"], row["created_at"], row["created_at"])
                for row in rows
            ],
        )  # fmt: skip
        await conn.executemany(
            "INSERT INTO ledger (user_id, amount, key, kind, order_id, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            entries,
        )
        await conn.executemany(
            "INSERT INTO payments (id, user_id, method, amount, state, created_at)"
            " VALUES (?, ?, 'manual', ?, 'paid', ?)",
            [(user, user, amount, now - YEAR) for user, amount in topups.items()],
        )
        await conn.executemany(
            "INSERT INTO referrals (user_id, referrer_id, created_at) VALUES (?, ?, ?)",
            [(user, referrer, now - YEAR) for user, referrer in referred.items()],
        )
        await conn.executemany(
            "INSERT INTO referral_earnings (order_id, referrer_id, percent, paid, amount,"
            " created_at) VALUES (?, ?, ?, ?, ?, ?)",
            earnings,
        )
        await conn.execute(
            "INSERT INTO promos (id, code, kind, amount, uses, created_at)"
            " VALUES (1, ?, 'gift', ?, ?, ?), (2, ?, 'discount', ?, ?, ?)",
            (GIFT, GIFT_AMOUNT, len(gifted), now, DISCOUNT, DISCOUNT_PERCENT, len(discounted), now),
        )
        await conn.executemany(
            "INSERT INTO promo_redemptions (promo_id, user_id, created_at, order_id, discount)"
            " VALUES (?, ?, ?, ?, ?)",
            [(1, user, now, None, None) for user in gifted]
            + [(2, row["user_id"], now, row["id"], row["discount"]) for row in discounted],
        )


# -- the audit of before (issue 18), kept as the baseline ------------------------------------------


async def audit_before(
    db: Database,
    stars: Sequence[StarTransaction] | None = None,
    *,
    max_open_days: float = current.MAX_OPEN_DAYS,
    panels: Collection[str] | None = None,
) -> current.Report:
    """`bot.shop.audit.audit` as it was before issue 18: its order check read every order whole
    (`orders.in_states`), and it and the referral check each read the ledger's paid-per-order."""
    report = current.Report(users_checked=int(await db.scalar("SELECT COUNT(*) FROM users")))
    for user_id, cached, total in await ledger.balance_mismatches(db):
        report.problems.append(f"user {user_id}: balance {cached} but ledger sums to {total}")
    for user_id in await ledger.negative_balances(db):
        report.problems.append(f"user {user_id}: negative balance")
    for payment_id, state in await payments.credit_mismatches(db):
        report.problems.append(f"top-up {payment_id} ({state}): its ledger credit disagrees")
    report.problems.extend(await current.stars_problems(db, None))
    if stars is not None:  # before, an empty record was compared too (the ledger read for it)
        report.problems.extend(
            f"Stars charge {tx.charge_id} ({tx.stars} XTR, user {tx.user_id}) was paid at"
            " Telegram but never credited"
            for tx in await uncredited(db, stars)
        )
        report.problems.extend(
            f"top-up {payment.id}: Stars charge {payment.external_id} was refunded at Telegram"
            " but is still credited"
            for payment in await refunded_but_credited(db, stars)
        )
    report.problems.extend(await _referral_problems_before(db))
    report.problems.extend(await current.promo_problems(db))
    await _check_orders_before(db, report, max_open_days)
    if panels is not None:
        for panel, count in sorted((await orders.open_on_panels(db)).items()):
            if panel not in panels:
                report.problems.append(
                    f"{count} open order(s) on panel {panel}, which is not configured (PANELS):"
                    " nobody tracks them"
                )
    return report


# referrals.credits's SQL of before: each ledger credit without figures looked for by scanning
# every referral's key (a scan of referral_earnings per referral credit).
_CREDITS_BEFORE = (
    "SELECT e.order_id, e.referrer_id, e.percent, e.paid, e.amount, o.state, r.referrer_id,"
    " l.user_id, l.amount FROM referral_earnings e"
    " JOIN orders o ON o.id = e.order_id"
    " LEFT JOIN referrals r ON r.user_id = o.user_id"
    " LEFT JOIN ledger l ON l.key = 'referral:' || e.order_id"
    " UNION ALL"
    " SELECT -1, l.user_id, '', 0, 0, '', NULL, l.user_id, l.amount FROM ledger l"
    " WHERE l.kind = 'referral' AND NOT EXISTS"
    " (SELECT 1 FROM referral_earnings e WHERE l.key = 'referral:' || e.order_id)"
)


async def _referral_problems_before(db: Database) -> list[str]:
    paid = await ledger.paid_per_order(db)
    credits = [referrals.Credit(*row) for row in await db.fetchall(_CREDITS_BEFORE)]
    return current.credit_problems(credits, paid)  # the same judgement, on what was read before


async def _check_orders_before(db: Database, report: current.Report, max_open_days: float) -> None:
    paid = await ledger.paid_per_order(db)
    stamp = now()
    oldest = stamp - int(max_open_days * DAY)
    for order in await orders.in_states(db, list(State)):
        report.orders_checked += 1
        net = paid.get(order.id, 0)
        where = f"order {order.id} ({order.state})"
        if order.state in FINAL_STATES:
            refund = owed(order)
            if refund is None:
                report.problems.append(f"{where}: the refund rule cannot tell what it owes")
            elif net != order.charge - refund:
                report.problems.append(f"{where}: refunded {order.charge - net}, owed {refund}")
            continue
        if net != order.charge:
            report.problems.append(f"{where}: paid {net} net while open, charge {order.charge}")
        end = _expected_end_before(order)
        if end is not None and end < oldest:
            days = f"{(stamp - order.created_at) / DAY:.1f}"
            report.problems.append(f"{where}: still open, placed {days} days ago")


def _expected_end_before(order: orders.Order) -> int | None:
    if order.state is not State.ACTIVE:
        return order.created_at
    if order.service_type == ServiceType.SUBSCRIPTIONS:
        try:
            expiry = datetime.strptime(order.fields.get("expiry", ""), "%d/%m/%Y")
        except ValueError:
            return None
        return int(expiry.replace(tzinfo=UTC).timestamp()) + DAY
    runs, interval = order.fields.get("runs", ""), order.fields.get("interval", "")
    if runs.isascii() and runs.isdigit() and interval.isascii() and interval.isdigit():
        return order.created_at + int(runs) * int(interval) * 60
    return order.created_at


# -- the measurement -------------------------------------------------------------------------------


async def timed(action: Callable[[], Awaitable[current.Report]]) -> dict[str, Any]:
    """The report and the median wall and CPU seconds (every thread of the process: the
    database's too) over RUNS runs after a warm one, fewer once BUDGET_S is spent."""
    report = await action()
    walls, cpus = [], []
    for _ in range(RUNS):
        started, cpu = time.perf_counter(), time.process_time()
        await action()
        walls.append(time.perf_counter() - started)
        cpus.append(time.process_time() - cpu)
        if sum(walls) > BUDGET_S:
            break
    return {
        "report": report,
        "seconds": statistics.median(walls),
        "cpu_seconds": statistics.median(cpus),
        "runs": len(walls),
    }


async def measure_size(folder: Path, count: int) -> dict[str, Any]:
    db = await Database.open(folder / f"audit-{count}.sqlite3")
    try:
        await fill(db, count, int(time.time()))
        after = await timed(lambda: current.audit(db, [], panels=PANELS))
        before = await timed(lambda: audit_before(db, [], panels=PANELS))
    finally:
        await db.close()
    report = after.pop("report")
    if report != before.pop("report"):
        raise RuntimeError(f"the audit's findings at {count:,} orders differ from before")
    return {
        "orders": count,
        "now": after,
        "before": before,
        "orders_checked": report.orders_checked,
        "problems": len(report.problems),
        "first_problems": report.problems[:3],
    }


async def measure(quick: bool) -> tuple[list[Row], dict[str, Any]]:
    details: dict[str, Any] = {}
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as folder:
        for count in QUICK_SIZES if quick else SIZES:
            print(f"bench: audit at {count:,} orders...", file=sys.stderr, flush=True)
            found = await measure_size(Path(folder), count)
            details[str(count)] = found
            rows.append(
                Row(
                    f"audit: its work at {count:,} orders",
                    found["now"]["seconds"], "s", found["before"]["seconds"], "s (before)",
                    target=f"<= {TARGET_S:g} s" if count == SIZES[-1] else "",
                    met=found["now"]["seconds"] <= TARGET_S if count == SIZES[-1] else None,
                    ratio_digits=3,
                )
            )  # fmt: skip
    return rows, details
