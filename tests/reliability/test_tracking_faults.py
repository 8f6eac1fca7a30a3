"""What a panel reports about its orders, however odd, never refunds more than we charged, never
guesses a package's share, and never leaves an order it stopped reporting active for ever."""

from __future__ import annotations

import asyncio
import itertools
import random

import pytest

from bot.jobs.poller import poll_once
from bot.panel.client import PanelClient
from bot.panel.panels import Panels
from bot.shop.audit import audit
from bot.shop.config import ShopConfig
from bot.shop.tracking import ODD_POLLS_MAX
from storage import orders
from storage.db import Database
from storage.orders import State
from tests.reliability.conftest import Tally
from tests.unit.tracking_fixtures import (
    ScriptedPanel,
    add_order,
    add_orders,
    add_user,
    queued,
)

# type, units, our charge, expected cost (1e-5): one of each kind of quantity
TYPES = {"Default": (1000, 1350, 90_000), "Package": (1, 1000, 125_000),
         "Subscriptions": (2000, 1100, 110_000)}  # fmt: skip
RUNNING_CHARGES = [None, "0", "1.25", "1e-99999999"]
FINAL_TEXTS = ["Partial", "Expired", "Canceled", "Completed", "Refunded"]
FINAL_CHARGES = [None, "0", "0.60", "-3", "1e-99999999", "99999", "abc"]
REMAINS = [None, "-5", "10", "999999999"]
UNUSABLE = {None, "-3", "abc"}  # a charge the refund cannot follow


def _entry(text: str, charge: str | None, remains: str | None) -> dict[str, str]:
    entry = {"status": text}
    if charge is not None:
        entry["charge"] = charge
    if remains is not None:
        entry["remains"] = remains
    return entry


async def test_odd_figures_in_final_statuses(
    db: Database, client: PanelClient, scripted: ScriptedPanel, shop_config: ShopConfig,
    tally: Tally,
) -> None:  # fmt: skip
    await add_user(db, balance=10**9)
    cases = dict(
        enumerate(itertools.product(TYPES, RUNNING_CHARGES, FINAL_TEXTS, FINAL_CHARGES, REMAINS), 1)
    )
    tally.add(len(cases))
    for service_type, (quantity, charge, cost) in TYPES.items():
        mine = [upstream_id for upstream_id, case in cases.items() if case[0] == service_type]
        await add_orders(
            db, mine, charge=charge, quantity=quantity, cost=cost, service_type=service_type
        )
    for upstream_id, (_, running, _, _, _) in cases.items():
        scripted.statuses[upstream_id] = _entry("In progress", running, "5")
    assert (await poll_once(db, Panels.single(client), shop_config)).errors == 0
    for upstream_id, (_, _, text, charge, remains) in cases.items():
        scripted.statuses[upstream_id] = _entry(text, charge, remains)
    assert (await poll_once(db, Panels.single(client), shop_config)).errors == 0

    queue = await queued(db)
    alerts = {args["order"] for _, message, _, args in queue if message.startswith("admin-review")}
    after = {order.upstream_id: order for order in await orders.in_states(db, list(State))}
    refunded: dict[int, list[int]] = {}
    for order_id, amount in await db.fetchall(
        "SELECT order_id, amount FROM ledger WHERE kind = 'refund'"
    ):
        refunded.setdefault(order_id, []).append(amount)
    for upstream_id, (service_type, _, text, charge, remains) in cases.items():
        order = after[upstream_id]
        case = (service_type, text, charge, remains)
        refunds = refunded.get(order.id, [])
        assert order.state is not State.ACTIVE, case
        assert len(refunds) <= 1 and 0 <= sum(refunds) <= order.charge, case
        if order.state is State.REVIEW:
            assert refunds == [] and str(order.id) in alerts, case
        if service_type == "Package" and text in ("Partial", "Expired") and charge in UNUSABLE:
            assert order.state is State.REVIEW, case  # never a guess
        if text == "Refunded" or (text == "Canceled" and service_type != "Subscriptions"):
            assert refunds == [order.charge], case
    report = await audit(db)
    assert report.ok, report.problems[:5]


@pytest.mark.parametrize("seed", range(4))
async def test_runs_of_unreported_polls(
    db: Database, client: PanelClient, scripted: ScriptedPanel, shop_config: ShopConfig,
    tally: Tally, seed: int,
) -> None:  # fmt: skip
    """Refused, left out or unknown text, mixed with good answers: an order goes to review at
    the first run of ODD_POLLS_MAX odd polls in a row, with one alert, and never before."""
    await add_user(db)
    picks = random.Random(seed)
    count, polls = 60, 12
    tally.add(count)
    answers = {
        upstream_id: [picks.choice(["ok", "refused", "missing", "unknown", "refused"])
                      for _ in range(polls)]
        for upstream_id in range(1, count + 1)
    }  # fmt: skip
    ids = {}
    for upstream_id in answers:
        ids[upstream_id] = (await add_order(db, upstream_id=upstream_id)).id
    for poll in range(polls):
        scripted.statuses = {}
        for upstream_id, script in answers.items():
            kind = script[poll]
            if kind == "ok":
                scripted.statuses[upstream_id] = {"status": "In progress", "remains": "5"}
            elif kind == "refused":
                scripted.statuses[upstream_id] = {"error": "Incorrect order ID"}
            elif kind == "unknown":
                scripted.statuses[upstream_id] = {"status": "Queued at partner", "remains": "5"}
        assert (await poll_once(db, Panels.single(client), shop_config)).errors == 0
    alerts = [
        args["order"]
        for _, message, _, args in await queued(db)
        if message.startswith("admin-review")
    ]
    for upstream_id, script in answers.items():
        run, reviewed = 0, False
        for kind in script:
            run = 0 if kind == "ok" else run + 1
            if run >= ODD_POLLS_MAX:
                reviewed = True
                break
        order = await orders.get(db, ids[upstream_id])
        assert order is not None
        assert order.state is (State.REVIEW if reviewed else State.ACTIVE), script
        assert alerts.count(str(order.id)) == int(reviewed)
    assert (await audit(db)).ok


async def test_two_pollers_at_once_alert_once(
    db: Database, client: PanelClient, scripted: ScriptedPanel, shop_config: ShopConfig,
    tally: Tally,
) -> None:  # fmt: skip
    """A second process polling on the same file (its lease lost) reviews each order once."""
    await add_user(db)
    count = 30
    tally.add(count)
    for upstream_id in range(1, count + 1):
        await add_order(db, upstream_id=upstream_id)
        scripted.statuses[upstream_id] = {"error": "Incorrect order ID"}
    for _ in range(ODD_POLLS_MAX):
        await asyncio.gather(*(poll_once(db, Panels.single(client), shop_config) for _ in range(2)))
    assert await orders.counts_by_state(db) == {"review": count}
    assert len([row for row in await queued(db) if row[1] == "admin-review-refused"]) == count
    assert (await audit(db)).ok
