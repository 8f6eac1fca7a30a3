"""The world moves between the summary and Confirm: the customer pays what they saw, or nothing.

Every service type, against every change a sync or an owner can make in between: a rate up or
down, a markup up or down, a new type, hidden, gone upstream. Whatever happens the bot answers,
never charges a price it did not show, and the books stay right.
"""

from __future__ import annotations

import re

import pytest

from bot.panel.sandbox import SERVICES
from bot.shop.audit import audit
from storage import kv, orders
from storage.orders import State
from tests.flow.chat import open_service
from tests.flow.conftest import Shop
from tests.flow.test_purchase import CASES, fill
from tests.reliability.conftest import Tally

BALANCE = 1_000_000
CHANGES: dict[str, str] = {
    "rate x10": "UPDATE services SET rate = CAST(rate AS REAL) * 10 WHERE id = :id",
    "rate /2": "UPDATE services SET rate = CAST(rate AS REAL) / 2 WHERE id = :id",
    "same rate": "UPDATE services SET rate = rate WHERE id = :id",
    "hidden": "UPDATE services SET hidden = 1 WHERE id = :id",
    "gone upstream": "UPDATE services SET available = 0 WHERE id = :id",
    "unknown type": "UPDATE services SET type = NULL, raw_type = 'Custom Data' WHERE id = :id",
    "drip-feed toggled": "UPDATE services SET dripfeed = 1 - dripfeed WHERE id = :id",
    "min above the answer": "UPDATE services SET min = max WHERE id = :id",
    **{
        f"type {name}": f"UPDATE services SET type = '{name}', raw_type = '{name}' WHERE id = :id"
        for name in ("Default", "Package", "Custom Comments", "Subscriptions")
    },
}
MARKUPS = {"markup 500": "500", "markup 0": "0"}
_MONEY = re.compile(r"\$([\d,]+\.\d\d)")


def _prices(text: str) -> list[int]:
    return [int(found.replace(",", "").replace(".", "")) for found in _MONEY.findall(text)]


def _cases() -> list[tuple[int, list[str], str]]:
    seen: set[int] = set()
    picked = []
    for service_id, answers, _, _ in CASES:
        if service_id not in seen:  # one way through each service
            seen.add(service_id)
            picked.extend((service_id, answers, change) for change in [*CHANGES, *MARKUPS])
    return picked


@pytest.mark.parametrize(("service_id", "answers", "change"), _cases())
async def test_confirm_after_the_world_moved(
    shop: Shop, tally: Tally, service_id: int, answers: list[str], change: str
) -> None:
    tally.add()
    person = await shop.customer(balance=BALANCE)
    await open_service(person, service_id)
    await person.click("Order this")
    await fill(person, answers)
    summary = person.last_text()
    assert "Please check your order" in summary
    shown = _prices(summary)[0]
    if change in MARKUPS:
        await kv.put(shop.db, "markup", MARKUPS[change])
    else:
        async with shop.db.transaction() as conn:
            await conn.execute(CHANGES[change], {"id": service_id})
    await person.click("Confirm")

    placed = await orders.get(shop.db, 1)
    if placed is not None:  # charged only ever the price on the summary the customer saw
        assert placed.charge == shown
        kept = 0 if placed.state is State.FAILED else shown  # refused upstream: refunded
        assert await shop.balance(person.user_id) == BALANCE - kept
    else:
        assert shop.adds() == []
        assert await shop.balance(person.user_id) == BALANCE
        after = person.last_text()
        spec = next(spec for spec in SERVICES if spec.service == service_id)
        assert "Nothing was charged" in after or "not available" in after, (spec.type, after)
    assert person.unanswered_callbacks == []
    assert (await audit(shop.db)).ok
