"""A complete purchase for every service type, as a customer does it in the chat."""

from __future__ import annotations

from decimal import ROUND_CEILING, Decimal

import pytest

from bot.panel.sandbox import SERVICES
from storage import ledger, orders
from storage.orders import State
from tests.fakes.telegram import TelegramUser
from tests.flow.chat import LINK, open_service
from tests.flow.conftest import Shop

TEN = "\n".join(f"comment {n}" for n in range(10))
FIVE = "\n".join(f"reply {n}" for n in range(5))
CASES = [
    # service, what the customer answers ("click:" presses a button), the `add` form, units
    (101, [LINK, "1000"], {"link": LINK, "quantity": "1000"}, 1000),
    (102, [LINK, "100", "3", "10"], {"link": LINK, "quantity": "100", "runs": "3", "interval": "10"}, 300),
    (102, [LINK, "100", "click:Skip"], {"link": LINK, "quantity": "100"}, 100),
    (103, [LINK], {"link": LINK}, 1),
    (142, [LINK, "1000", "smm panel\n cheap  followers "], {"link": LINK, "quantity": "1000", "keywords": "smm panel\ncheap  followers"}, 1000),
    (121, [LINK, TEN], {"link": LINK, "comments": TEN}, 10),
    (122, [LINK, "nice\ngreat"], {"link": LINK, "comments": "nice\ngreat"}, 1),
    (131, [LINK, "100", "@a\n@b"], {"link": LINK, "quantity": "100", "usernames": "@a\n@b"}, 100),
    (132, [LINK, "100", "@a\n@b", "#x\n#y"], {"link": LINK, "quantity": "100", "usernames": "@a\n@b", "hashtags": "#x\n#y"}, 100),
    (133, [LINK, TEN], {"link": LINK, "usernames": TEN}, 10),
    (134, [LINK, "100", "travel"], {"link": LINK, "quantity": "100", "hashtag": "#travel"}, 100),
    (135, [LINK, "100", "@someone"], {"link": LINK, "quantity": "100", "username": "@someone"}, 100),
    (136, [LINK, "100", "https://instagram.com/p/xyz"], {"link": LINK, "quantity": "100", "media": "https://instagram.com/p/xyz"}, 100),
    (112, [LINK, "20", "@commenter"], {"link": LINK, "quantity": "20", "username": "@commenter"}, 20),
    (123, [LINK, "@commenter", FIVE], {"link": LINK, "username": "@commenter", "comments": FIVE}, 5),
    (153, [LINK, "50", "2"], {"link": LINK, "quantity": "50", "answer_number": "2"}, 50),
    (152, [LINK, "100", "t.me/a\nt.me/b"], {"link": LINK, "quantity": "100", "groups": "t.me/a\nt.me/b"}, 100),
    (113, ["@brand", "50", "100", "5", "click:Skip", "click:30", "click:Skip"], {"username": "@brand", "min": "50", "max": "100", "posts": "5", "delay": "30"}, 500),
    (113, ["@brand", "50", "100", "5", "2", "click:0", "31/12/2099"], {"username": "@brand", "min": "50", "max": "100", "posts": "5", "old_posts": "2", "delay": "0", "expiry": "31/12/2099"}, 500),
]  # fmt: skip
PER_PACKAGE = {"Package", "Custom Comments Package"}


def expected_charge(service_id: int, units: int) -> int:
    """50% markup, FX 1, rounded up to the cent: worked out here independently of the shop."""
    spec = next(spec for spec in SERVICES if spec.service == service_id)
    rate = Decimal(spec.rate)
    cost = rate if spec.type in PER_PACKAGE else rate * units / 1000
    return int((cost * Decimal("1.5") * 100).to_integral_value(ROUND_CEILING))


async def fill(person: TelegramUser, answers: list[str]) -> None:
    for answer in answers:
        if answer.startswith("click:"):
            await person.click(answer.removeprefix("click:"))
        else:
            await person.send(answer)


@pytest.mark.parametrize(("service_id", "answers", "form", "units"), CASES)
async def test_purchase_of_every_type(
    shop: Shop, service_id: int, answers: list[str], form: dict[str, str], units: int
) -> None:
    person = await shop.customer(balance=100_000)
    await open_service(person, service_id)
    await person.click("Order this")
    await fill(person, answers)
    charge = expected_charge(service_id, units)
    summary = person.last_text()
    assert "Please check your order" in summary
    assert f"${charge / 100:,.2f}" in summary
    await person.click("Confirm")

    assert shop.adds() == [{"action": "add", "service": str(service_id), **form}]
    assert "Order #1 is placed" in person.last_text()
    order = await orders.get(shop.db, 1)
    assert order is not None
    assert (order.state, order.charge, order.quantity) == (State.ACTIVE, charge, units)
    assert order.upstream_id == next(iter(shop.sandbox.orders))
    entries = await ledger.recent(shop.db, person.user_id)
    assert [(entry.kind, entry.amount) for entry in entries] == [
        ("order", -charge),
        ("topup", 100_000),
    ]
    assert await shop.balance(person.user_id) == 100_000 - charge
    assert person.unanswered_callbacks == []
