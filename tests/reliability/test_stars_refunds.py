"""Stars refunds under every answer Telegram may give: only a definite refusal gives money back."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from decimal import Decimal
from typing import NoReturn

import pytest
from aiogram.exceptions import TelegramNetworkError
from aiogram.methods import RefundStarPayment

from bot.app import Deps, build_dispatcher
from bot.i18n import Translator
from bot.panel.client import PanelClient
from bot.panel.panels import Panels
from bot.panel.sandbox import SandboxPanel
from bot.shop import payments as rules
from bot.shop.audit import audit
from bot.shop.config import ShopConfig
from storage import payments, users
from storage.db import Database
from storage.payments import State
from tests.conftest import ADMIN_ID
from tests.fakes.telegram import FakeSession, TelegramUser, make_bot
from tests.flow.conftest import Shop
from tests.reliability.conftest import Tally

CHARGE = "stx-fault"


@pytest.fixture
async def stars_shop(
    db: Database, panel: PanelClient, sandbox: SandboxPanel, shop_config: ShopConfig,
    translator: Translator, catalog: None,
) -> AsyncIterator[Shop]:  # fmt: skip
    """The production Dispatcher (errors router on) of a shop with one $10.00 Stars top-up paid."""
    config = replace(shop_config, stars_per_unit=Decimal(77), stars_in_sandbox=True)
    dp = build_dispatcher(
        Deps(db=db, panels=Panels.single(panel), shop=config, translator=translator)
    )
    session = FakeSession()
    bot = make_bot(session)
    customer = await users.touch(db, 1, "ann", "Ann", "en")
    payment = await rules.open_stars(db, config, customer, 1000)
    await rules.credit_stars(
        db, config, user_id=1, invoice_payload=rules.payload(payment.id), currency="XTR",
        total=770, charge_id=CHARGE,
    )  # fmt: skip
    yield Shop(dp, bot, session, db, sandbox, panel)
    await bot.session.close()


def _raising(error: Callable[[RefundStarPayment], Exception]) -> Callable[[FakeSession], None]:
    def inject(session: FakeSession) -> None:
        def answer(method: RefundStarPayment) -> NoReturn:
            raise error(method)

        session.responder(RefundStarPayment, answer)

    return inject


def _refusal(code: int, description: str) -> Callable[[FakeSession], None]:
    def inject(session: FakeSession) -> None:
        session.fail(RefundStarPayment, code, description)

    return inject


def _garbage(session: FakeSession) -> None:
    session.responder(RefundStarPayment, lambda method: "not a boolean")


REFUSED = {  # Telegram answered: nothing was refunded
    "bad request": _refusal(400, "Bad Request: BALANCE_TOO_LOW"),
    "charge not found": _refusal(400, "Bad Request: CHARGE_NOT_FOUND"),
    "forbidden": _refusal(403, "Forbidden: bot was blocked by the user"),
    "not found": _refusal(404, "Not Found"),
    "flood wait": _refusal(429, "Too Many Requests: retry after 3"),
    "unauthorized": _refusal(401, "Unauthorized"),
}
IN_DOUBT = {  # the answer was lost or means nothing: the Stars may have gone back
    "timeout": _raising(lambda m: TelegramNetworkError(method=m, message="Request timeout error")),
    "connection reset": _raising(
        lambda m: TelegramNetworkError(method=m, message="ServerDisconnectedError: reset")
    ),
    "internal error": _refusal(500, "Internal Server Error"),
    "bad gateway": _refusal(502, "Bad Gateway"),
    "restarting": _refusal(500, "Internal Server Error: restart"),
    "conflict": _refusal(409, "Conflict: something odd"),
    "undecodable answer": _garbage,
}


async def _refund(shop: Shop, inject: Callable[[FakeSession], None]) -> TelegramUser:
    boss = TelegramUser(shop.dp, shop.bot, shop.session, user_id=ADMIN_ID, first_name="Olga")
    await boss.send("/start")
    inject(shop.session)
    await boss.send(f"/refund_stars {CHARGE}")
    return boss


async def _state(shop: Shop) -> tuple[State, int]:
    payment = await payments.get(shop.db, 1)
    customer = await users.get(shop.db, 1)
    assert payment is not None
    assert customer is not None
    return payment.state, customer.balance


@pytest.mark.parametrize("fault", sorted(REFUSED))
async def test_a_definite_refusal_gives_the_top_up_back(
    stars_shop: Shop, tally: Tally, fault: str
) -> None:
    tally.add()
    boss = await _refund(stars_shop, REFUSED[fault])
    assert "Telegram refused the refund" in boss.last_text()
    assert await _state(stars_shop) == (State.PAID, 1000)
    assert (await audit(stars_shop.db)).ok


@pytest.mark.parametrize("fault", sorted(IN_DOUBT))
async def test_an_answer_that_proves_nothing_leaves_the_refund_in_doubt(
    stars_shop: Shop, tally: Tally, fault: str
) -> None:
    tally.add()
    await _refund(stars_shop, IN_DOUBT[fault])
    assert await _state(stars_shop) == (State.REFUNDING, 0)  # the customer cannot spend it
    problems = (await audit(stars_shop.db)).problems
    assert len(problems) == 1
    assert f"the refund of Stars charge {CHARGE} is in doubt" in problems[0]
