"""Top-ups as customers and admins meet them: Stars invoices, manual requests, refunds."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import suppress
from dataclasses import replace
from decimal import Decimal
from typing import Any, NoReturn

import pytest
from aiogram.exceptions import TelegramNetworkError
from aiogram.methods import (
    AnswerCallbackQuery,
    AnswerPreCheckoutQuery,
    GetStarTransactions,
    RefundStarPayment,
    SendInvoice,
    SendMessage,
)
from aiogram.types import Update

from bot.app import Deps, build_dispatcher
from bot.i18n import Translator
from bot.jobs.sender import Sender
from bot.jobs.stars import reconcile, star_transactions
from bot.panel.client import PanelClient
from bot.panel.panels import Panels
from bot.panel.sandbox import SandboxPanel
from bot.shop.audit import audit
from bot.shop.config import ShopConfig
from handlers.topup import Topup, TopupDecision, TopupStep, Verdict
from storage import kv, ledger, outbox, payments, users
from storage.db import Database
from storage.payments import Method, State
from tests.conftest import ADMIN_ID
from tests.fakes.telegram import FakeSession, TelegramUser, make_bot
from tests.flow.conftest import Shop

SECOND_ADMIN = 901
STARS_PER_UNIT = Decimal(77)  # $10.00 -> 770 stars


# -- a shop with Stars on (sandbox panel, STARS_IN_SANDBOX=true) and two admins -------------


@pytest.fixture
def shop_config(shop_config: ShopConfig, request: pytest.FixtureRequest) -> ShopConfig:
    """Tests pass other values with `@pytest.mark.parametrize("shop_config", [{...}], indirect=True)`."""
    base = replace(
        shop_config, admin_ids=frozenset({ADMIN_ID, SECOND_ADMIN}), stars_per_unit=STARS_PER_UNIT,
        stars_in_sandbox=True, topup_presets=(500, 1000, 2500, 5000), topup_min=100,
        topup_max=100_000,
    )  # fmt: skip
    return replace(base, **getattr(request, "param", {}))


@pytest.fixture
async def shop(
    db: Database, panel: PanelClient, sandbox: SandboxPanel, shop_config: ShopConfig,
    translator: Translator, catalog: None,
) -> AsyncIterator[Shop]:  # fmt: skip
    deps = Deps(db=db, panels=Panels.single(panel), shop=shop_config, translator=translator)
    dp = build_dispatcher(deps, catch_errors=False)
    session = FakeSession()
    bot = make_bot(session)
    yield Shop(dp, bot, session, db, sandbox, panel)
    await bot.session.close()


# -- helpers ------------------------------------------------------------------------------------


async def admin(shop: Shop, user_id: int, name: str) -> TelegramUser:
    person = TelegramUser(
        shop.dp, shop.bot, shop.session, user_id=user_id, first_name=name, username=name.lower()
    )
    await person.send("/start")
    return person


async def invoice_for(person: TelegramUser, amount: str) -> SendInvoice:
    """Balance -> Top up -> a preset amount -> Stars: the invoice the bot sent."""
    await person.click("Balance")
    await person.click("Top up")
    await person.click(amount)
    sent = await person.click("Telegram Stars")
    invoices = [method for method in sent if isinstance(method, SendInvoice)]
    assert len(invoices) == 1
    return invoices[0]


def _update(shop: Shop, body: dict[str, Any]) -> Update:
    return Update.model_validate(
        {"update_id": shop.session.next_update_id(), **body}, context={"bot": shop.bot}
    )


async def pre_checkout(
    shop: Shop, person: TelegramUser, payload: str, total: int, currency: str = "XTR"
) -> AnswerPreCheckoutQuery:
    query = {
        "id": f"pcq-{shop.session.next_update_id()}", "from": person.profile,
        "currency": currency, "total_amount": total, "invoice_payload": payload,
    }  # fmt: skip
    sent = await person.send_update(_update(shop, {"pre_checkout_query": query}))
    answers = [method for method in sent if isinstance(method, AnswerPreCheckoutQuery)]
    assert len(answers) == 1
    return answers[0]


def payment_update(
    shop: Shop, person: TelegramUser, payload: str, total: int, charge_id: str
) -> Update:
    success = {
        "currency": "XTR", "total_amount": total, "invoice_payload": payload,
        "telegram_payment_charge_id": charge_id, "provider_payment_charge_id": "",
    }  # fmt: skip
    message = shop.session.store_incoming(
        person.chat_id, {"from": person.profile, "successful_payment": success}
    )
    return _update(shop, {"message": message})


async def paid_with_stars(
    shop: Shop, person: TelegramUser, amount: str = "$10.00", charge_id: str = "stx-1"
) -> SendInvoice:
    invoice = await invoice_for(person, amount)
    total = invoice.prices[0].amount
    assert (await pre_checkout(shop, person, invoice.payload, total)).ok
    await person.send_update(payment_update(shop, person, invoice.payload, total, charge_id))
    return invoice


async def deliver_outbox(shop: Shop, translator: Translator) -> None:
    async def no_wait(_: float) -> None:
        return None

    await Sender(shop.bot, shop.db, translator, currency="USD", sleep=no_wait).send_once()


def alerts(shop: Shop) -> list[str]:
    return [call.text for call in shop.session.sent(AnswerCallbackQuery) if call.text]


def texts_to(shop: Shop, chat_id: int) -> list[str]:
    return [method.text for method in shop.session.sent(SendMessage, chat_id=chat_id)]


async def ledger_keys(shop: Shop, user_id: int) -> dict[str, int]:
    rows = await shop.db.fetchall("SELECT key, amount FROM ledger WHERE user_id = ?", (user_id,))
    return {row[0]: row[1] for row in rows}


async def books_balance(shop: Shop) -> None:
    report = await audit(shop.db)
    assert report.ok, report.problems


# -- Telegram Stars -----------------------------------------------------------------------------


async def test_stars_top_up_from_invoice_to_balance_screen(shop: Shop) -> None:
    person = await shop.customer()
    await person.click("Balance")
    await person.click("Top up")
    assert person.buttons()[0] == ["$5.00", "$10.00", "$25.00", "$50.00"]
    await person.click("$10.00")
    assert "Top up $10.00" in person.last_text()
    assert person.buttons()[0] == ["⭐ Telegram Stars (770 ⭐)"]
    sent = await person.click("Telegram Stars")
    invoice = next(method for method in sent if isinstance(method, SendInvoice))
    assert invoice.currency == "XTR"
    assert invoice.provider_token == ""
    assert [(price.amount) for price in invoice.prices] == [770]
    assert invoice.payload == "topup:1"  # the payment's id and nothing a customer could bend
    payment = await payments.get(shop.db, 1)
    assert payment is not None
    assert (payment.state, payment.method, payment.amount) == (State.PENDING, Method.STARS, 1000)

    answer = await pre_checkout(shop, person, invoice.payload, 770)
    assert answer.ok
    assert answer.error_message is None
    assert await shop.balance(person.user_id) == 0  # nothing until Telegram says it is paid

    await person.send_update(payment_update(shop, person, invoice.payload, 770, "stx-charge-1"))
    assert "Payment received: $10.00" in person.last_text()
    assert "Your balance: $10.00" in person.last_text()
    assert await shop.balance(person.user_id) == 1000
    payment = await payments.get(shop.db, 1)
    assert payment is not None
    assert (payment.state, payment.external_id) == (State.PAID, "stx-charge-1")

    await person.click("Balance")
    assert "Your balance: $10.00" in person.last_text()
    assert "$10.00 · top-up" in person.last_text()
    assert person.unanswered_callbacks == []
    await books_balance(shop)


async def test_replayed_successful_payment_credits_once(shop: Shop) -> None:
    person = await shop.customer()
    invoice = await invoice_for(person, "$25.00")
    total = invoice.prices[0].amount
    assert (await pre_checkout(shop, person, invoice.payload, total)).ok
    update = payment_update(shop, person, invoice.payload, total, "stx-replayed")
    await person.send_update(update)
    again = await person.send_update(update)
    assert again == []  # a replay says nothing either
    await person.send_update(payment_update(shop, person, invoice.payload, total, "stx-replayed"))
    assert await shop.balance(person.user_id) == 2500
    assert await ledger_keys(shop, person.user_id) == {"stars:stx-replayed": 2500}
    assert len([t for t in texts_to(shop, person.chat_id) if "Payment received" in t]) == 1
    await books_balance(shop)


async def test_pre_checkout_refuses_a_banned_user(shop: Shop) -> None:
    person = await shop.customer()
    invoice = await invoice_for(person, "$10.00")
    await users.set_banned(shop.db, person.user_id, True)
    answer = await pre_checkout(shop, person, invoice.payload, 770)
    assert not answer.ok
    assert answer.error_message == "Your account can't make payments in this shop."


async def test_pre_checkout_refuses_during_maintenance(shop: Shop) -> None:
    person = await shop.customer()
    invoice = await invoice_for(person, "$10.00")
    await kv.put(shop.db, "maintenance", "on")
    answer = await pre_checkout(shop, person, invoice.payload, 770)
    assert not answer.ok
    assert "under maintenance" in (answer.error_message or "")
    await kv.put(shop.db, "maintenance", "off")
    assert (await pre_checkout(shop, person, invoice.payload, 770)).ok


@pytest.mark.parametrize(
    ("payload", "total", "currency"),
    [
        ("topup:999", 770, "XTR"),  # no such payment
        ("topup:abc", 770, "XTR"),
        ("topup:", 770, "XTR"),
        ("order:1", 770, "XTR"),
        ("topup:1", 1, "XTR"),  # the right payment at a bent price
        ("topup:1", 770, "USD"),
        ("topup:2", 770, "XTR"),  # somebody else's invoice
    ],
)
async def test_pre_checkout_refuses_a_tampered_invoice(
    shop: Shop, payload: str, total: int, currency: str
) -> None:
    person = await shop.customer(1)
    await invoice_for(person, "$10.00")
    other = await shop.customer(2)
    await invoice_for(other, "$10.00")
    answer = await pre_checkout(shop, person, payload, total, currency)
    assert not answer.ok
    assert answer.error_message == (
        "This invoice is no longer valid. Please start the top-up again from your balance."
    )


async def test_a_paid_invoice_cannot_be_paid_twice(shop: Shop, translator: Translator) -> None:
    person = await shop.customer()
    invoice = await paid_with_stars(shop, person)
    assert not (await pre_checkout(shop, person, invoice.payload, 770)).ok
    # Telegram took the Stars anyway (two payment forms at once): they go straight back.
    await person.send_update(payment_update(shop, person, invoice.payload, 770, "stx-second"))
    refunds = shop.session.sent(RefundStarPayment)
    assert [(r.user_id, r.telegram_payment_charge_id) for r in refunds] == [(1, "stx-second")]
    assert "your Stars were sent back" in person.last_text()
    assert await shop.balance(person.user_id) == 1000
    await deliver_outbox(shop, translator)
    assert any("matched no top-up" in text for text in texts_to(shop, ADMIN_ID))
    await books_balance(shop)


async def test_custom_amounts_out_of_bounds_are_asked_again(shop: Shop) -> None:
    person = await shop.customer()
    await person.click("Balance")
    await person.click("Top up")
    await person.click("Other amount")
    assert "from $1.00 to $1,000.00" in person.last_text()
    for typed in ("0.50", "1000.01", "5000"):
        await person.send(typed)
        assert "A top-up must be from $1.00 to $1,000.00" in person.last_text()
    for typed in ("ten", "12.345", "-5", "0"):
        await person.send(typed)
        assert "doesn't look like an amount" in person.last_text()
    sticker = {"file_id": "s1", "file_unique_id": "u1", "type": "regular", "width": 512,
               "height": 512, "is_animated": False, "is_video": False}  # fmt: skip
    message = shop.session.store_incoming(
        person.chat_id, {"from": person.profile, "sticker": sticker}
    )
    await person.send_update(_update(shop, {"message": message}))
    assert "Please answer with a text message" in person.last_text()
    await person.send("12,34")
    assert "Top up $12.34" in person.last_text()
    assert person.buttons()[0] == ["⭐ Telegram Stars (951 ⭐)"]  # 12.34 x 77 = 950.18, rounded up
    await person.send("hello")  # the amount prompt is done: this is a catalog search again
    assert "Nothing matches" in person.last_text()
    # A forged preset outside the bounds is refused with a short alert.
    await person.click_data(Topup(step=TopupStep.PICK, amount=100_001).pack())
    await person.click_data(Topup(step=TopupStep.STARS, amount=99).pack())
    assert alerts(shop)[-2:] == ["A top-up must be from $1.00 to $1,000.00."] * 2
    assert shop.session.sent(SendInvoice) == []
    assert person.unanswered_callbacks == []


@pytest.mark.parametrize("shop_config", [{"stars_in_sandbox": False}], indirect=True)
async def test_stars_are_off_in_sandbox_unless_enabled(shop: Shop) -> None:
    person = await shop.customer()
    await person.click("Balance")
    await person.click("Top up")
    await person.click("$10.00")
    assert person.buttons()[0] == ["🧾 Pay the owner directly"]
    await person.click_data(Topup(step=TopupStep.STARS, amount=1000).pack())
    assert alerts(shop)[-1] == "This way of paying is not available right now."
    assert shop.session.sent(SendInvoice) == []
    assert await payments.get(shop.db, 1) is None


async def test_stars_paid_as_maintenance_begins_are_still_credited(shop: Shop) -> None:
    person = await shop.customer()
    invoice = await invoice_for(person, "$10.00")
    assert (await pre_checkout(shop, person, invoice.payload, 770)).ok
    await kv.put(shop.db, "maintenance", "on")  # the owner flips it while the user pays
    await person.send_update(payment_update(shop, person, invoice.payload, 770, "stx-late"))
    assert await shop.balance(person.user_id) == 1000
    await books_balance(shop)


# -- refunds of Stars (admins) -------------------------------------------------------------------


async def test_refund_after_the_money_was_spent_is_refused(shop: Shop) -> None:
    boss = await admin(shop, ADMIN_ID, "Olga")
    person = await shop.customer()
    await paid_with_stars(shop, person, charge_id="stx-spent")
    async with shop.db.transaction() as conn:  # an order paid from the top-up meanwhile
        await ledger.post(conn, user_id=1, amount=-600, key="spent-elsewhere", kind="admin")
    await boss.send("/refund_stars stx-spent")
    assert "already spent the money (balance $4.00, top-up $10.00)" in boss.last_text()
    assert shop.session.sent(RefundStarPayment) == []
    assert await shop.balance(person.user_id) == 400
    payment = await payments.get(shop.db, 1)
    assert payment is not None
    assert payment.state is State.PAID
    await books_balance(shop)


async def test_refund_debits_first_then_gives_the_stars_back(
    shop: Shop, translator: Translator
) -> None:
    boss = await admin(shop, ADMIN_ID, "Olga")
    person = await shop.customer()
    await paid_with_stars(shop, person, charge_id="stx-good")
    receipt = person.last_message()
    await boss.send("/refund_stars stx-good")
    assert "Stars refunded for top-up #1 (user 1); $10.00 was taken" in boss.last_text()
    refunds = shop.session.sent(RefundStarPayment)
    assert [(r.user_id, r.telegram_payment_charge_id) for r in refunds] == [(1, "stx-good")]
    assert await shop.balance(person.user_id) == 0
    assert await ledger_keys(shop, 1) == {"stars:stx-good": 1000, "stars-refund:stx-good": -1000}
    payment = await payments.get(shop.db, 1)
    assert payment is not None
    assert (payment.state, payment.decided_by) == (State.REFUNDED, ADMIN_ID)
    await boss.send("/refund_stars stx-good")
    assert "already refunded" in boss.last_text()
    assert len(shop.session.sent(RefundStarPayment)) == 1
    await deliver_outbox(shop, translator)
    assert any("was refunded, and $10.00 was taken" in t for t in texts_to(shop, 1))
    await person.click("Balance", message=receipt)
    assert "-$10.00 · top-up refunded" in person.last_text()
    await books_balance(shop)


async def test_failed_refund_puts_the_money_back_and_can_be_retried(shop: Shop) -> None:
    boss = await admin(shop, ADMIN_ID, "Olga")
    person = await shop.customer()
    await paid_with_stars(shop, person, charge_id="stx-flaky")
    shop.session.fail(RefundStarPayment, 400, "Bad Request: BALANCE_TOO_LOW")
    await boss.send("/refund_stars stx-flaky")
    assert "Telegram refused the refund (Bad Request: BALANCE_TOO_LOW)" in boss.last_text()
    assert "$10.00 is back on the user's balance" in boss.last_text()
    assert await shop.balance(person.user_id) == 1000
    payment = await payments.get(shop.db, 1)
    assert payment is not None
    assert payment.state is State.PAID
    await books_balance(shop)

    await boss.send("/refund_stars stx-flaky")  # the bot's Stars balance was topped up
    assert "Stars refunded" in boss.last_text()
    assert await shop.balance(person.user_id) == 0
    assert await ledger_keys(shop, 1) == {
        "stars:stx-flaky": 1000,
        "stars-refund:stx-flaky": -1000,
        "stars-refund-undo:stx-flaky": 1000,
        "stars-refund:stx-flaky:2": -1000,
    }
    await books_balance(shop)


async def test_a_charge_refunded_outside_the_bot_is_recorded(shop: Shop) -> None:
    boss = await admin(shop, ADMIN_ID, "Olga")
    person = await shop.customer()
    await paid_with_stars(shop, person, charge_id="stx-outside")
    shop.session.fail(RefundStarPayment, 400, "Bad Request: CHARGE_ALREADY_REFUNDED")
    await boss.send("/refund_stars stx-outside")
    assert "Stars refunded" in boss.last_text()
    assert await shop.balance(person.user_id) == 0
    payment = await payments.get(shop.db, 1)
    assert payment is not None
    assert payment.state is State.REFUNDED
    await books_balance(shop)


def lost_answer(method: RefundStarPayment) -> NoReturn:
    """What aiogram raises when Telegram's answer does not arrive in time."""
    raise TelegramNetworkError(method=method, message="Request timeout error")


async def test_a_refund_whose_answer_is_lost_stays_in_doubt_and_unspendable(shop: Shop) -> None:
    """Defect 4: Telegram refunded the Stars and the answer was lost; the money came back."""
    boss = await admin(shop, ADMIN_ID, "Olga")
    person = await shop.customer()
    await paid_with_stars(shop, person, charge_id="stx-lost")
    shop.session.responder(RefundStarPayment, lost_answer)
    await boss.send("/refund_stars stx-lost")
    assert "Telegram's answer to the refund of stx-lost was lost" in boss.last_text()
    assert await shop.balance(person.user_id) == 0  # not spendable while in doubt
    payment = await payments.get(shop.db, 1)
    assert payment is not None
    assert payment.state is State.REFUNDING
    assert not (await audit(shop.db)).ok  # the audit names it

    # The admin asks again: Telegram says it was refunded the first time.
    shop.session.fail(RefundStarPayment, 400, "Bad Request: CHARGE_ALREADY_REFUNDED")
    await boss.send("/refund_stars stx-lost")
    assert "Stars refunded for top-up #1" in boss.last_text()
    assert await ledger_keys(shop, 1) == {"stars:stx-lost": 1000, "stars-refund:stx-lost": -1000}
    payment = await payments.get(shop.db, 1)
    assert payment is not None
    assert (payment.state, payment.decided_by) == (State.REFUNDED, ADMIN_ID)
    await books_balance(shop)


async def test_a_refund_in_doubt_refused_on_the_second_ask_gives_the_money_back(
    shop: Shop,
) -> None:
    boss = await admin(shop, ADMIN_ID, "Olga")
    person = await shop.customer()
    await paid_with_stars(shop, person, charge_id="stx-5xx")
    shop.session.fail(RefundStarPayment, 502, "Bad Gateway")
    await boss.send("/refund_stars stx-5xx")
    assert "was lost (Bad Gateway)" in boss.last_text()
    assert await shop.balance(person.user_id) == 0
    shop.session.fail(RefundStarPayment, 400, "Bad Request: BALANCE_TOO_LOW")
    await boss.send("/refund_stars stx-5xx")
    assert "Telegram refused the refund (Bad Request: BALANCE_TOO_LOW)" in boss.last_text()
    assert await shop.balance(person.user_id) == 1000
    await books_balance(shop)


async def test_an_interrupted_refund_can_be_asked_again(shop: Shop) -> None:
    """Defect 4: cancelled between the debit and Telegram's answer, it answered "busy" for ever."""
    boss = await admin(shop, ADMIN_ID, "Olga")
    person = await shop.customer()
    await paid_with_stars(shop, person, charge_id="stx-cut")
    asked, never = asyncio.Event(), asyncio.Event()

    async def hang(method: RefundStarPayment) -> bool:
        asked.set()
        await never.wait()
        return True

    shop.session.responder(RefundStarPayment, hang)
    asking = asyncio.create_task(boss.send("/refund_stars stx-cut"))
    await asyncio.wait_for(asked.wait(), 10)
    asking.cancel()  # a shutdown's drain, say
    with suppress(asyncio.CancelledError):
        await asking
    assert await shop.balance(person.user_id) == 0
    shop.session.fail(RefundStarPayment, 400, "Bad Request: CHARGE_ALREADY_REFUNDED")
    await boss.send("/refund_stars stx-cut")
    assert "Stars refunded for top-up #1" in boss.last_text()
    assert len(shop.session.sent(RefundStarPayment)) == 2
    assert await ledger_keys(shop, 1) == {"stars:stx-cut": 1000, "stars-refund:stx-cut": -1000}
    await books_balance(shop)


# -- Telegram's record: reconciliation -------------------------------------------------------


def record(shop: Shop, transactions: list[dict[str, Any]]) -> None:
    """What getStarTransactions answers from now on, paged as Telegram pages it."""

    def page(method: GetStarTransactions) -> dict[str, Any]:
        offset, limit = method.offset or 0, method.limit or 100
        return {"transactions": transactions[offset : offset + limit]}

    shop.session.responder(GetStarTransactions, page)


def star_tx(
    person: TelegramUser, charge_id: str, stars: int, payload: str = "", *, refund: bool = False
) -> dict[str, Any]:
    partner: dict[str, Any] = {
        "type": "user", "transaction_type": "invoice_payment", "user": person.profile,
    }  # fmt: skip
    if payload:
        partner["invoice_payload"] = payload
    side = "receiver" if refund else "source"
    return {"id": charge_id, "amount": stars, "date": 1_790_000_000, side: partner}


async def test_a_payment_whose_update_was_lost_is_credited_by_reconciliation(
    shop: Shop, shop_config: ShopConfig, translator: Translator
) -> None:
    """Defect 3: Telegram took the Stars, the bot never handled successful_payment."""
    person = await shop.customer()
    invoice = await invoice_for(person, "$10.00")
    assert (await pre_checkout(shop, person, invoice.payload, 770)).ok
    record(shop, [star_tx(person, "stx-gone", 770, invoice.payload)])
    done = await reconcile(shop.bot, shop.db, shop_config)
    assert done is not None
    assert done.credited == ["stx-gone"]
    assert await shop.balance(person.user_id) == 1000
    await deliver_outbox(shop, translator)
    assert "Payment received: $10.00" in texts_to(shop, person.chat_id)[-1]
    assert any("credited now" in text and "stx-gone" in text for text in texts_to(shop, ADMIN_ID))
    # The update turns up after all: credited once, and nothing said twice.
    said = await person.send_update(payment_update(shop, person, invoice.payload, 770, "stx-gone"))
    assert said == []
    assert await ledger_keys(shop, 1) == {"stars:stx-gone": 1000}
    await books_balance(shop)


async def test_a_refund_in_doubt_is_settled_by_reconciliation(
    shop: Shop, shop_config: ShopConfig, translator: Translator
) -> None:
    boss = await admin(shop, ADMIN_ID, "Olga")
    person = await shop.customer()
    invoice = await paid_with_stars(shop, person, charge_id="stx-doubt")
    shop.session.responder(RefundStarPayment, lost_answer)
    await boss.send("/refund_stars stx-doubt")
    record(
        shop,
        [
            star_tx(person, "stx-doubt", 770, invoice.payload),
            star_tx(person, "stx-doubt", 770, refund=True),
        ],
    )
    done = await reconcile(shop.bot, shop.db, shop_config)
    assert done is not None
    assert done.refunded == [1]
    payment = await payments.get(shop.db, 1)
    assert payment is not None
    assert payment.state is State.REFUNDED
    await deliver_outbox(shop, translator)
    assert any("was refunded, and $10.00 was taken" in t for t in texts_to(shop, 1))
    assert any("recorded as refunded" in t for t in texts_to(shop, ADMIN_ID))
    await books_balance(shop)


async def test_reconciliation_reads_the_whole_record_page_by_page(shop: Shop) -> None:
    person = await shop.customer()
    record(shop, [star_tx(person, f"stx-{n}", 1, "topup:1") for n in range(250)])
    found = await star_transactions(shop.bot)
    assert [tx.charge_id for tx in found] == [f"stx-{n}" for n in range(250)]
    pages = shop.session.sent(GetStarTransactions)
    assert [(page.offset, page.limit) for page in pages] == [(0, 100), (100, 100), (200, 100)]


async def test_reconciliation_asks_telegram_nothing_in_a_shop_without_stars_payments(
    shop: Shop, shop_config: ShopConfig
) -> None:
    assert await reconcile(shop.bot, shop.db, shop_config) is None
    assert shop.session.sent(GetStarTransactions) == []


async def test_refund_command_usage_and_unknown_charge(shop: Shop) -> None:
    boss = await admin(shop, ADMIN_ID, "Olga")
    for typed in ("/refund_stars", "/refund_stars two words"):
        await boss.send(typed)
        assert "Usage: /refund_stars charge_id" in boss.last_text()
    await boss.send("/refund_stars <nope>")
    assert "No paid Stars top-up has the charge id <nope>" in boss.last_text()
    assert shop.session.sent(RefundStarPayment) == []


async def test_refund_stars_does_not_exist_for_customers(shop: Shop) -> None:
    person = await shop.customer(balance=1000)
    await paid_with_stars(shop, person, charge_id="stx-mine")
    await person.send("/refund_stars stx-mine")
    assert "I don't know that command" in person.last_text()
    await person.send("/topups")
    assert "I don't know that command" in person.last_text()
    assert shop.session.sent(RefundStarPayment) == []
    assert await shop.balance(person.user_id) == 2000


# -- manual requests ------------------------------------------------------------------------------


async def request_manual(person: TelegramUser, amount: str, note: str) -> None:
    await person.click("Balance")
    await person.click("Top up")
    await person.click(amount)
    await person.click("Pay the owner directly")
    await person.send(note)


async def test_two_admins_approving_at_once_credit_once(shop: Shop, translator: Translator) -> None:
    olga = await admin(shop, ADMIN_ID, "Olga")
    ivan = await admin(shop, SECOND_ADMIN, "Ivan")
    person = await shop.customer()
    await person.click("Balance")
    await person.click("Top up")
    await person.click("$25.00")
    await person.click("Pay the owner directly")
    assert "Pay $25.00 to the shop's owner" in person.last_text()
    await person.send("x" * 501)
    assert "too long (501 characters)" in person.last_text()
    await person.send("<b>bank</b> transfer at 10:00 & ref 42")
    assert "Request #1 for $25.00 is sent" in person.last_text()
    payment = await payments.get(shop.db, 1)
    assert payment is not None
    assert (payment.state, payment.method, payment.amount) == (State.PENDING, Method.MANUAL, 2500)

    cards = [olga.last_message(), ivan.last_message()]
    for card in cards:
        assert "Top-up request #1" in (card.text or "")
        assert "Note: <b>bank</b> transfer at 10:00 & ref 42" in (card.text or "")  # shown as typed
    await asyncio.gather(
        olga.click("Approve", message=cards[0]), ivan.click("Approve", message=cards[1])
    )
    assert await shop.balance(person.user_id) == 2500
    assert await ledger_keys(shop, 1) == {"manual:1": 2500}
    decided = await payments.get(shop.db, 1)
    assert decided is not None
    assert decided.state is State.PAID
    winner, loser = (olga, ivan) if decided.decided_by == ADMIN_ID else (ivan, olga)
    assert f"Approved by @{winner.profile['username']}" in winner.last_text()
    assert winner.buttons() == []
    assert alerts(shop)[-1] == f"Already approved by @{winner.profile['username']}."
    await loser.click("Reject", message=cards[1 if loser is ivan else 0])  # too late, too
    assert alerts(shop)[-1] == f"Already approved by @{winner.profile['username']}."
    assert olga.unanswered_callbacks == ivan.unanswered_callbacks == []

    await deliver_outbox(shop, translator)
    told = [t for t in texts_to(shop, 1) if "request #1" in t]
    assert told == [
        "✅ Your top-up request #1 was approved: $25.00 added. Your balance: <b>$25.00</b>."
    ]
    await books_balance(shop)


async def test_rejected_request_moves_nothing_and_tells_the_user(
    shop: Shop, translator: Translator
) -> None:
    olga = await admin(shop, ADMIN_ID, "Olga")
    person = await shop.customer()
    await request_manual(person, "$10.00", "paid by card")
    card = olga.last_message()
    await olga.click("Reject")
    assert "Rejected by @olga" in olga.last_text()
    await olga.click_data(
        TopupDecision(payment=1, verdict=Verdict.APPROVE).pack(), message_id=card.message_id
    )
    assert alerts(shop)[-1] == "Already rejected by @olga."
    payment = await payments.get(shop.db, 1)
    assert payment is not None
    assert (payment.state, payment.decided_by) == (State.REJECTED, ADMIN_ID)
    assert await shop.balance(person.user_id) == 0
    await deliver_outbox(shop, translator)
    assert any("request #1 for $10.00 was not approved" in t for t in texts_to(shop, 1))
    await books_balance(shop)


async def test_forged_approval_by_a_customer_credits_nothing(shop: Shop) -> None:
    await admin(shop, ADMIN_ID, "Olga")
    person = await shop.customer()
    await request_manual(person, "$50.00", "trust me")
    await person.click_data(TopupDecision(payment=1, verdict=Verdict.APPROVE).pack())
    assert alerts(shop)[-1] == "This is no longer available."
    assert person.unanswered_callbacks == []
    assert await shop.balance(person.user_id) == 0
    payment = await payments.get(shop.db, 1)
    assert payment is not None
    assert payment.state is State.PENDING
    assert await outbox.pending_count(shop.db) == 0
    await books_balance(shop)


async def test_admins_list_waiting_requests(shop: Shop) -> None:
    olga = await admin(shop, ADMIN_ID, "Olga")
    await olga.send("/topups")
    assert "No top-up requests are waiting" in olga.last_text()
    person = await shop.customer()
    await request_manual(person, "$5.00", "cash")
    await olga.send("/topups")
    assert "Top-up request #1" in olga.last_text()
    await olga.click("Approve")
    assert await shop.balance(person.user_id) == 500
    await books_balance(shop)


async def test_one_customer_cannot_flood_the_admins_with_requests(shop: Shop) -> None:
    """Defect 12: manual requests had no limit, and each one reaches every admin."""
    olga = await admin(shop, ADMIN_ID, "Olga")
    person = await shop.customer()
    for _ in range(3):
        await request_manual(person, "$10.00", "cash")
        assert "is sent" in person.last_text()
    await person.click("Balance")
    await person.click("Top up")
    await person.click("$10.00")
    await person.click("Pay the owner directly")
    assert alerts(shop)[-1] == (
        "You already have top-up requests waiting for the owner. "
        "Please wait until they are checked before sending another."
    )
    assert person.unanswered_callbacks == []
    cards = [t for t in texts_to(shop, ADMIN_ID) if "Top-up request #" in t]
    assert len(cards) == 3
    await olga.send("/topups")
    await olga.click("Approve")  # one decided: room for one more
    await person.click("Pay the owner directly")
    await person.send("cash again")
    assert "Request #4 for $10.00 is sent" in person.last_text()


async def test_an_admin_who_cannot_be_reached_does_not_stop_the_request(shop: Shop) -> None:
    ivan = await admin(shop, SECOND_ADMIN, "Ivan")
    person = await shop.customer()
    shop.session.fail(SendMessage, 403, chat_id=ADMIN_ID)  # never started the bot
    await request_manual(person, "$5.00", "cash")
    assert "Request #1 for $5.00 is sent" in person.last_text()
    assert "Top-up request #1" in ivan.last_text()


@pytest.mark.parametrize(
    "shop_config", [{"admin_ids": frozenset(), "stars_per_unit": Decimal(0)}], indirect=True
)
async def test_without_any_method_there_is_no_top_up_button(shop: Shop) -> None:
    person = await shop.customer()
    await person.click("Balance")
    assert person.buttons() == [["🎟 Promo code"], ["🏠 Menu"]]  # nothing to top up with
    await person.click_data(Topup(step=TopupStep.PICK, amount=1000).pack())
    assert "not available right now" in person.last_text()
