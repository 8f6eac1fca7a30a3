"""Top-up rules: bounds, the Stars price, payloads, and each payment crediting exactly once."""

from __future__ import annotations

import asyncio
import os
import sqlite3
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest
from pydantic import ValidationError

from bot.config import Settings, settings_problems
from bot.shop import payments as rules
from bot.shop.admin import MAINTENANCE_KEY
from bot.shop.audit import audit
from bot.shop.config import ShopConfig
from bot.shop.payments import (
    Credit,
    Decided,
    InvalidNote,
    Refund,
    Refusal,
    Refused,
    StarTransaction,
)
from storage import kv, ledger, outbox, payments, users
from storage.clock import now
from storage.db import Database, _migrations
from storage.payments import Method, Payment, State
from storage.users import User


@pytest.fixture
def shop(shop_config: ShopConfig) -> ShopConfig:
    return replace(shop_config, stars_per_unit=Decimal(77), stars_in_sandbox=True)


async def customer(db: Database, user_id: int = 1) -> User:
    return await users.touch(db, user_id, f"user{user_id}", "Ann", "en")


async def balance_of(db: Database, user_id: int = 1) -> int:
    user = await users.get(db, user_id)
    assert user is not None
    return user.balance


async def keys(db: Database) -> dict[str, int]:
    return {row[0]: row[1] for row in await db.fetchall("SELECT key, amount FROM ledger")}


async def books_balance(db: Database) -> None:
    report = await audit(db)
    assert report.ok, report.problems


# -- amounts, prices, payloads --------------------------------------------------------------


@pytest.mark.parametrize(
    ("rate", "amount", "stars"),
    [
        ("77", 1000, 770),  # $10.00 exactly
        ("77", 1234, 951),  # 950.18 rounds up: the shop never sells a unit under its rate
        ("77", 1, 1),  # 0.77 -> 1
        ("0.5", 1, 1),  # never zero Stars
        ("50.5", 200, 101),
        ("100", 100_000, 100_000),
    ],
)
def test_stars_price_rounds_up_exactly(
    shop: ShopConfig, rate: str, amount: int, stars: int
) -> None:
    assert rules.stars_for(replace(shop, stars_per_unit=Decimal(rate)), amount) == stars


@pytest.mark.parametrize(
    ("rate", "sandbox", "in_sandbox", "enabled"),
    [
        ("0", False, False, False),
        ("0", True, True, False),
        ("77", False, False, True),
        ("77", True, False, False),
        ("77", True, True, True),
    ],
)
def test_stars_are_on_only_with_a_rate_and_never_by_accident_in_sandbox(
    shop: ShopConfig, rate: str, sandbox: bool, in_sandbox: bool, enabled: bool
) -> None:
    config = replace(
        shop, stars_per_unit=Decimal(rate), sandbox=sandbox, stars_in_sandbox=in_sandbox
    )
    assert rules.stars_enabled(config) is enabled
    assert (Method.STARS in rules.methods(config)) is enabled


def test_manual_requests_need_an_admin_to_decide_them(shop: ShopConfig) -> None:
    assert rules.methods(shop) == [Method.STARS, Method.MANUAL]
    assert rules.methods(replace(shop, admin_ids=frozenset())) == [Method.STARS]


def test_bounds_and_presets(shop: ShopConfig) -> None:
    config = replace(shop, topup_min=500, topup_max=2500, topup_presets=(100, 500, 2500, 5000))
    assert rules.presets(config) == [500, 2500]  # presets outside the bounds are not offered
    assert rules.in_bounds(config, 500)
    assert rules.in_bounds(config, 2500)
    assert not rules.in_bounds(config, 499)
    assert not rules.in_bounds(config, 2501)
    with pytest.raises(Refused) as refused:
        rules.check_amount(config, 2501)
    assert refused.value.reason is Refusal.BOUNDS


def test_payload_carries_the_payment_id_and_nothing_else() -> None:
    assert rules.payload(42) == "topup:42"
    assert rules.payment_id_of(rules.payload(42)) == 42
    for bent in ("", "topup:", "topup:-1", "topup:+1", "topup: 1", "topup:1e3", "topup:٤٢",
                 "topup:1.0", "order:42", "42", "topup:" + "9" * 19):  # fmt: skip
        assert rules.payment_id_of(bent) is None, bent


def test_charge_id_is_one_word() -> None:
    assert rules.charge_id_of(" stxAbC-1_2 ") == "stxAbC-1_2"
    for bad in (None, "", "   ", "two words", "x" * (rules.CHARGE_ID_MAX + 1)):
        assert rules.charge_id_of(bad) is None


def test_note_is_trimmed_and_limited() -> None:
    assert rules.check_note("  paid by card  ") == "paid by card"
    assert rules.check_note("x" * rules.NOTE_MAX) == "x" * rules.NOTE_MAX
    with pytest.raises(InvalidNote) as empty:
        rules.check_note(" \n ")
    assert empty.value.message == "topup-note-empty"
    with pytest.raises(InvalidNote) as long:
        rules.check_note("x" * (rules.NOTE_MAX + 1))
    assert (long.value.message, long.value.args_) == (
        "topup-note-too-long",
        {"length": 501, "max": 500},
    )


async def test_banned_users_and_maintenance_stop_every_top_up(
    db: Database, shop: ShopConfig
) -> None:
    user = await customer(db)
    assert await rules.refusal(db, shop, user) is None
    await kv.put(db, MAINTENANCE_KEY, "on")
    assert await rules.refusal(db, shop, user) is Refusal.MAINTENANCE
    with pytest.raises(Refused):
        await rules.open_stars(db, shop, user, 1000)
    await kv.put(db, MAINTENANCE_KEY, "off")
    assert await rules.refusal(db, shop, replace(user, banned=True)) is Refusal.BANNED
    with pytest.raises(Refused):
        await rules.request_manual(db, shop, replace(user, banned=True), 1000, "cash")
    assert await payments.get(db, 1) is None


# -- Stars: pre-checkout and the credit ------------------------------------------------------


async def test_pre_checkout_checks_the_row_not_the_payload(db: Database, shop: ShopConfig) -> None:
    user = await customer(db)
    other = await customer(db, 2)
    payment = await rules.open_stars(db, shop, user, 1000)
    payload = rules.payload(payment.id)
    assert await rules.check_pre_checkout(db, shop, user, payload, "XTR", 770) is None
    assert await rules.check_pre_checkout(db, shop, other, payload, "XTR", 770) is Refusal.UNKNOWN
    assert await rules.check_pre_checkout(db, shop, user, payload, "XTR", 769) is Refusal.UNKNOWN
    assert await rules.check_pre_checkout(db, shop, user, payload, "EUR", 770) is Refusal.UNKNOWN
    narrower = replace(shop, topup_max=500)
    assert await rules.check_pre_checkout(db, narrower, user, payload, "XTR", 770) is Refusal.BOUNDS
    off = replace(shop, stars_in_sandbox=False)
    assert await rules.check_pre_checkout(db, off, user, payload, "XTR", 770) is Refusal.OFF


async def test_credit_is_once_per_charge_and_only_for_the_matching_payment(
    db: Database, shop: ShopConfig
) -> None:
    user = await customer(db)
    payment = await rules.open_stars(db, shop, user, 1000)
    payload = rules.payload(payment.id)

    async def credit(
        charge: str, user_id: int = 1, total: int = 770, currency: str = "XTR"
    ) -> Credit:
        result = await rules.credit_stars(
            db, shop, user_id=user_id, invoice_payload=payload, currency=currency, total=total,
            charge_id=charge,
        )  # fmt: skip
        return result.outcome

    await customer(db, 2)
    assert await credit("c-other-user", user_id=2) is Credit.UNMATCHED
    assert await credit("c-bent-total", total=1) is Credit.UNMATCHED
    assert await credit("c-bent-currency", currency="USD") is Credit.UNMATCHED
    results = await asyncio.gather(*(credit("c-1") for _ in range(5)))
    assert sorted(results) == [Credit.CREDITED] + [Credit.DUPLICATE] * 4
    assert await credit("c-2") is Credit.UNMATCHED  # the payment is paid already
    assert await keys(db) == {"stars:c-1": 1000}
    assert await balance_of(db) == 1000
    paid = await payments.get(db, payment.id)
    assert paid is not None
    assert (paid.state, paid.external_id) == (State.PAID, "c-1")
    await books_balance(db)


# -- Stars: refunds ---------------------------------------------------------------------------


async def paid_stars(db: Database, shop: ShopConfig, charge: str, amount: int = 1000) -> Payment:
    user = await users.get(db, 1) or await customer(db)
    payment = await rules.open_stars(db, shop, user, amount)
    result = await rules.credit_stars(
        db, shop, user_id=1, invoice_payload=rules.payload(payment.id), currency="XTR",
        total=rules.stars_for(shop, amount), charge_id=charge,
    )  # fmt: skip
    assert result.outcome is Credit.CREDITED
    return payment


async def test_refund_takes_the_money_back_before_any_star_moves(
    db: Database, shop: ShopConfig
) -> None:
    payment = await paid_stars(db, shop, "c-1")
    assert (await rules.start_stars_refund(db, "c-none", 900)).outcome is Refund.UNKNOWN
    start = await rules.start_stars_refund(db, "c-1", 900)
    assert (start.outcome, start.ask) == (Refund.STARTED, 1)
    assert await balance_of(db) == 0
    # A second admin while the first waits for Telegram asks again, but takes nothing twice.
    again = await rules.start_stars_refund(db, "c-1", 901)
    assert (again.outcome, again.ask) == (Refund.STARTED, 2)
    assert await keys(db) == {"stars:c-1": 1000, "stars-refund:c-1": -1000}
    assert await rules.finish_stars_refund(db, payment)
    assert not await rules.finish_stars_refund(db, payment)  # the other answer changes nothing
    assert (await rules.start_stars_refund(db, "c-1", 900)).outcome is Refund.ALREADY
    refunded = await payments.get(db, payment.id)
    assert refunded is not None
    assert (refunded.state, refunded.decided_by) == (State.REFUNDED, 901)
    queued = await outbox.due(db, 10)
    assert [(row.chat_id, row.message, row.args) for row in queued] == [
        (1, "topup-stars-refunded", {"payment": payment.id, "amount": 1000})
    ]
    await books_balance(db)


async def test_refund_of_spent_money_moves_nothing(db: Database, shop: ShopConfig) -> None:
    await paid_stars(db, shop, "c-1")
    async with db.transaction() as conn:
        await ledger.post(conn, user_id=1, amount=-1, key="spent", kind="admin")
    start = await rules.start_stars_refund(db, "c-1", 900)
    assert (start.outcome, start.balance) == (Refund.SPENT, 999)
    assert await keys(db) == {"stars:c-1": 1000, "spent": -1}
    assert (await payments.in_doubt(db)) == []
    await books_balance(db)


async def test_undone_refund_can_be_tried_again_with_fresh_keys(
    db: Database, shop: ShopConfig
) -> None:
    await paid_stars(db, shop, "c-1")
    for attempt in (1, 2):
        start = await rules.start_stars_refund(db, "c-1", 900)
        assert (start.outcome, start.ask) == (Refund.STARTED, attempt)
        assert await rules.undo_stars_refund(db, start)
        assert not await rules.undo_stars_refund(db, start)  # a repeated refusal: nothing moves
        assert await balance_of(db) == 1000
    start = await rules.start_stars_refund(db, "c-1", 900)
    assert start.payment is not None
    await rules.finish_stars_refund(db, start.payment)
    assert await keys(db) == {
        "stars:c-1": 1000,
        "stars-refund:c-1": -1000,
        "stars-refund-undo:c-1": 1000,
        "stars-refund:c-1:2": -1000,
        "stars-refund-undo:c-1:2": 1000,
        "stars-refund:c-1:3": -1000,
    }
    assert await balance_of(db) == 0
    await books_balance(db)


async def test_only_the_last_ask_may_undo_the_debit(db: Database, shop: ShopConfig) -> None:
    """Two asks out at once: the older one's refusal must not hand back money the newer one may
    have refunded."""
    await paid_stars(db, shop, "c-1")
    first = await rules.start_stars_refund(db, "c-1", 900)
    second = await rules.start_stars_refund(db, "c-1", 901)
    assert not await rules.undo_stars_refund(db, first)
    assert await balance_of(db) == 0
    assert await rules.undo_stars_refund(db, second)
    assert await balance_of(db) == 1000
    await books_balance(db)


async def test_a_refund_cut_short_by_an_old_version_is_in_doubt_after_the_upgrade(
    tmp_path: Path,
) -> None:
    """Before version 5 a refund cancelled mid-way left its debit on a `paid` payment, and every
    /refund_stars of it answered "busy" for ever."""
    path = tmp_path / "old.sqlite3"
    old = sqlite3.connect(path)
    for version, script in _migrations():
        if version < 5:
            old.executescript(script)
    old.executescript(
        "PRAGMA user_version = 4;"
        "INSERT INTO users (id, first_name, created_at, last_seen_at) VALUES (1, 'Ann', 0, 0);"
        "INSERT INTO payments (user_id, method, amount, state, external_id, created_at)"
        " VALUES (1, 'stars', 1000, 'paid', 'c-1', 0), (1, 'stars', 500, 'paid', 'c-2', 0);"
        "INSERT INTO ledger (user_id, amount, key, kind, created_at) VALUES"
        " (1, 1000, 'stars:c-1', 'topup', 0), (1, 500, 'stars:c-2', 'topup', 0),"
        " (1, -1000, 'stars-refund:c-1', 'topup', 0), (1, 1000, 'stars-refund-undo:c-1', 'topup', 0),"
        " (1, -1000, 'stars-refund:c-1:2', 'topup', 0),"  # cut short: no undo
        " (1, -500, 'stars-refund:c-2', 'topup', 0), (1, 500, 'stars-refund-undo:c-2', 'topup', 0);"
        "UPDATE users SET balance = 500 WHERE id = 1;"
    )
    old.commit()
    old.close()
    db = await Database.open(path)
    try:
        assert [payment.external_id for payment in await payments.in_doubt(db)] == ["c-1"]
        again = await rules.start_stars_refund(db, "c-1", 900)  # no more "busy": asked again
        assert (again.outcome, again.ask) == (Refund.STARTED, 2)
        assert await balance_of(db) == 500  # and nothing taken twice
        for charge in ("c-1", "c-2"):  # Telegram says so: refunded
            start = await rules.start_stars_refund(db, charge, 900)
            assert start.payment is not None
            assert await rules.finish_stars_refund(db, start.payment)
        assert await balance_of(db) == 0
        await books_balance(db)
    finally:
        await db.close()


# -- reconciliation with Telegram's record ---------------------------------------------------


def paid_tx(payment: Payment, charge: str, stars: int = 770, user_id: int = 1) -> StarTransaction:
    return StarTransaction(
        charge_id=charge, user_id=user_id, stars=stars, invoice_payload=rules.payload(payment.id)
    )


def refund_tx(charge: str, stars: int = 770, user_id: int = 1) -> StarTransaction:
    return StarTransaction(charge_id=charge, user_id=user_id, stars=stars, refund=True)


async def queued(db: Database) -> list[tuple[int, str]]:
    return [(row.chat_id, row.message) for row in await outbox.due(db, 50)]


async def test_a_paid_charge_never_credited_is_credited_once_by_reconciliation(
    db: Database, shop: ShopConfig
) -> None:
    """Defect 3: the process died (or the update was lost) after Telegram took the Stars."""
    user = await customer(db)
    payment = await rules.open_stars(db, shop, user, 1000)
    record = [paid_tx(payment, "c-lost")]
    done = await rules.reconcile_stars(db, shop, record)
    assert done.credited == ["c-lost"]
    assert await keys(db) == {"stars:c-lost": 1000}
    credited = await payments.get(db, payment.id)
    assert credited is not None
    assert (credited.state, credited.external_id) == (State.PAID, "c-lost")
    assert await queued(db) == [(1, "topup-stars-paid"), (900, "admin-stars-reconciled")]
    # A second pass, and the lost update arriving late after all: nothing moves twice.
    assert await rules.reconcile_stars(db, shop, record) == rules.Reconciled()
    late = await rules.credit_stars(
        db, shop, user_id=1, invoice_payload=rules.payload(payment.id), currency="XTR",
        total=770, charge_id="c-lost",
    )  # fmt: skip
    assert late.outcome is Credit.DUPLICATE
    assert await balance_of(db) == 1000
    await books_balance(db)
    assert (await audit(db, record)).ok


async def test_reconciliation_finds_nothing_to_do_after_the_live_credit(
    db: Database, shop: ShopConfig
) -> None:
    payment = await paid_stars(db, shop, "c-1")
    assert await rules.reconcile_stars(db, shop, [paid_tx(payment, "c-1")]) == rules.Reconciled()
    assert await keys(db) == {"stars:c-1": 1000}
    assert await queued(db) == []


async def test_a_charge_invoiced_before_a_rate_change_is_credited_at_its_own_price(
    db: Database, shop: ShopConfig
) -> None:
    user = await customer(db)
    payment = await rules.open_stars(db, shop, user, 1000)  # 770 Stars at 77 a dollar
    cheaper = replace(shop, stars_per_unit=Decimal(50))  # the owner changed the rate, restarted
    done = await rules.reconcile_stars(db, cheaper, [paid_tx(payment, "c-1", stars=770)])
    assert done.credited == ["c-1"]
    assert await balance_of(db) == 1000


@pytest.mark.parametrize(
    ("payload", "stars", "user_id"),
    [("topup:99", 770, 1), ("order:1", 770, 1), ("topup:1", 1, 1), ("topup:1", 770, 2)],
)
async def test_a_paid_charge_matching_no_payment_is_alerted_never_credited(
    db: Database, shop: ShopConfig, payload: str, stars: int, user_id: int
) -> None:
    user = await customer(db)
    await customer(db, 2)
    await rules.open_stars(db, shop, user, 1000)
    record = [StarTransaction("c-odd", user_id, stars, invoice_payload=payload)]
    done = await rules.reconcile_stars(db, shop, record)
    assert done.unmatched == ["c-odd"]
    assert await keys(db) == {}
    assert await queued(db) == [(900, "admin-stars-unmatched")]
    assert (await rules.reconcile_stars(db, shop, record)).unmatched == ["c-odd"]
    assert await queued(db) == [(900, "admin-stars-unmatched")]  # alerted once
    report = await audit(db, record)
    assert report.problems == [
        f"Stars charge c-odd ({stars} XTR, user {user_id}) was paid at Telegram but never credited"
    ]


async def test_a_charge_already_given_back_is_not_credited(db: Database, shop: ShopConfig) -> None:
    user = await customer(db)
    payment = await rules.open_stars(db, shop, user, 1000)
    record = [paid_tx(payment, "c-back"), refund_tx("c-back")]
    assert await rules.reconcile_stars(db, shop, record) == rules.Reconciled()
    assert await keys(db) == {}
    assert (await audit(db, record)).ok


async def test_a_refund_in_doubt_is_settled_when_the_record_shows_it(
    db: Database, shop: ShopConfig
) -> None:
    payment = await paid_stars(db, shop, "c-1")
    await rules.start_stars_refund(db, "c-1", 900)  # Telegram's answer never came
    report = await audit(db)
    assert len(report.problems) == 1
    assert "top-up 1: the refund of Stars charge c-1 is in doubt" in report.problems[0]
    record = [paid_tx(payment, "c-1"), refund_tx("c-1")]
    done = await rules.reconcile_stars(db, shop, record)
    assert done.refunded == [payment.id]
    settled = await payments.get(db, payment.id)
    assert settled is not None
    assert settled.state is State.REFUNDED
    assert await balance_of(db) == 0
    assert await queued(db) == [(1, "topup-stars-refunded"), (900, "admin-stars-refund-settled")]
    assert (await audit(db, record)).ok


async def test_a_refund_in_doubt_the_record_lacks_is_undone_only_after_a_while(
    db: Database, shop: ShopConfig
) -> None:
    payment = await paid_stars(db, shop, "c-1")
    await rules.start_stars_refund(db, "c-1", 900)
    record = [paid_tx(payment, "c-1")]
    assert await rules.reconcile_stars(db, shop, record) == rules.Reconciled()  # just asked
    assert await balance_of(db) == 0
    done = await rules.reconcile_stars(db, shop, record, settle_after=0)
    assert done.restored == [payment.id]
    restored = await payments.get(db, payment.id)
    assert restored is not None
    assert restored.state is State.PAID
    assert await balance_of(db) == 1000
    assert await queued(db) == [(900, "admin-stars-refund-restored")]
    assert await keys(db) == {
        "stars:c-1": 1000, "stars-refund:c-1": -1000, "stars-refund-undo:c-1": 1000,
    }  # fmt: skip
    await books_balance(db)


async def test_stars_refunded_outside_the_bot_are_alerted(db: Database, shop: ShopConfig) -> None:
    payment = await paid_stars(db, shop, "c-1")
    record = [paid_tx(payment, "c-1"), refund_tx("c-1")]
    done = await rules.reconcile_stars(db, shop, record)
    assert done.outside == [payment.id]
    assert await balance_of(db) == 1000  # never taken blindly: the money may be spent
    assert await queued(db) == [(900, "admin-stars-refunded-outside")]
    assert (await audit(db, record)).problems == [
        "top-up 1: Stars charge c-1 was refunded at Telegram but is still credited"
    ]


# -- manual requests --------------------------------------------------------------------------


async def test_manual_request_is_pending_until_an_admin_decides(
    db: Database, shop: ShopConfig
) -> None:
    user = await customer(db)
    with pytest.raises(Refused) as refused:
        await rules.request_manual(db, replace(shop, admin_ids=frozenset()), user, 1000, "cash")
    assert refused.value.reason is Refusal.OFF
    with pytest.raises(Refused):
        await rules.request_manual(db, shop, user, shop.topup_max + 1, "cash")
    payment = await rules.request_manual(db, shop, user, 1000, "  <b>cash</b>  ")
    assert (payment.state, payment.method, payment.note) == (
        State.PENDING,
        Method.MANUAL,
        "<b>cash</b>",  # stored as typed; escaped wherever it is shown
    )
    assert await rules.waiting_manual(db, 10) == [payment]
    assert await balance_of(db) == 0


async def test_many_approvals_at_once_credit_once(db: Database, shop: ShopConfig) -> None:
    user = await customer(db)
    payment = await rules.request_manual(db, shop, user, 2500, "bank")
    decisions = await asyncio.gather(
        *(rules.decide_manual(db, payment.id, admin_id=900 + n, approve=True) for n in range(10))
    )
    assert sorted(decision.outcome for decision in decisions) == [Decided.ALREADY] * 9 + [
        Decided.DONE
    ]
    winner = next(decision for decision in decisions if decision.outcome is Decided.DONE)
    assert winner.payment is not None
    assert winner.payment.state is State.PAID
    for decision in decisions:
        assert decision.payment is not None
        if decision.outcome is Decided.ALREADY:
            assert decision.payment.decided_by == winner.payment.decided_by
    assert await keys(db) == {"manual:1": 2500}
    assert [(row.message, row.args) for row in await outbox.due(db, 10)] == [
        ("topup-approved", {"payment": 1, "amount": 2500, "balance": 2500})
    ]
    assert await rules.waiting_manual(db, 10) == []
    await books_balance(db)


async def test_reject_then_approve_moves_nothing(db: Database, shop: ShopConfig) -> None:
    user = await customer(db)
    payment = await rules.request_manual(db, shop, user, 2500, "bank")
    assert (await rules.decide_manual(db, payment.id, admin_id=900, approve=False)).outcome is (
        Decided.DONE
    )
    late = await rules.decide_manual(db, payment.id, admin_id=901, approve=True)
    assert late.outcome is Decided.ALREADY
    assert late.payment is not None
    assert (late.payment.state, late.payment.decided_by) == (State.REJECTED, 900)
    assert await keys(db) == {}
    assert [row.message for row in await outbox.due(db, 10)] == ["topup-rejected"]
    assert (await rules.decide_manual(db, 999, admin_id=900, approve=True)).outcome is (
        Decided.MISSING
    )
    stars = await rules.open_stars(db, shop, user, 1000)  # not something an admin approves
    assert (await rules.decide_manual(db, stars.id, admin_id=900, approve=True)).outcome is (
        Decided.MISSING
    )


async def test_one_customer_cannot_flood_the_admins_with_manual_requests(
    db: Database, shop: ShopConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    user = await customer(db)
    await customer(db, 2)
    asked = await asyncio.gather(
        *(rules.request_manual(db, shop, user, 1000, "cash") for _ in range(10)),
        return_exceptions=True,
    )
    assert len([made for made in asked if isinstance(made, Payment)]) == rules.MANUAL_WAITING_MAX
    assert {made.reason for made in asked if isinstance(made, Refused)} == {Refusal.WAITING}
    with pytest.raises(Refused) as waiting:
        await rules.check_manual(db, shop, user, 1000)  # the button says so before the note
    assert waiting.value.reason is Refusal.WAITING
    await rules.request_manual(db, shop, await users.get(db, 2) or user, 1000, "mine")  # others
    for payment_id in (1, 2):  # decided: room for more, up to the hourly limit
        await rules.decide_manual(db, payment_id, admin_id=900, approve=False)
    await rules.request_manual(db, shop, user, 1000, "cash")
    await rules.request_manual(db, shop, user, 1000, "cash")
    await rules.decide_manual(db, 3, admin_id=900, approve=True)
    with pytest.raises(Refused) as often:
        await rules.request_manual(db, shop, user, 1000, "cash")
    assert often.value.reason is Refusal.OFTEN
    later = now() + 3601
    monkeypatch.setattr("bot.shop.payments.now", lambda: later)
    await rules.check_manual(db, shop, user, 1000)  # an hour on, with 2 waiting: allowed


# -- settings -------------------------------------------------------------------------------------


def _settings(monkeypatch: pytest.MonkeyPatch, **env: str) -> Settings | list[str]:
    fields = {field.upper() for field in Settings.model_fields}
    for name in list(os.environ):
        if name.upper() in fields:
            monkeypatch.delenv(name)
    monkeypatch.setenv("BOT_TOKEN", "123456:secret")
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    try:
        return Settings(_env_file=None)  # type: ignore[call-arg]
    except ValidationError as error:
        return settings_problems(error)


def test_top_up_settings_have_safe_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = _settings(monkeypatch)
    assert isinstance(settings, Settings)
    assert settings.topup_presets == (Decimal(5), Decimal(10), Decimal(25), Decimal(50))
    assert (settings.topup_min, settings.topup_max) == (Decimal(1), Decimal(1000))
    assert settings.stars_per_unit == 0  # Stars stay off until the owner sets a rate
    assert not settings.stars_in_sandbox


def test_top_up_settings_are_parsed(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = _settings(
        monkeypatch, TOPUP_PRESETS=" 2.5, 10 ,", TOPUP_MIN="2.50", TOPUP_MAX="99.99",
        STARS_PER_UNIT="76.9", STARS_IN_SANDBOX="true",
    )  # fmt: skip
    assert isinstance(settings, Settings)
    assert settings.topup_presets == (Decimal("2.5"), Decimal(10))
    assert settings.stars_per_unit == Decimal("76.9")
    assert settings.stars_in_sandbox


@pytest.mark.parametrize(
    ("env", "problem"),
    [
        ({"TOPUP_PRESETS": "5,ten"}, "TOPUP_PRESETS: must be comma-separated amounts"),
        ({"TOPUP_PRESETS": "5,0.001"}, "TOPUP_PRESETS: amounts must be positive"),
        ({"TOPUP_MIN": "0"}, "TOPUP_MIN: Input should be greater than 0"),
        ({"TOPUP_MAX": "10.005"}, "TOPUP_MAX: amounts must be positive"),
        (
            {"TOPUP_MIN": "50", "TOPUP_MAX": "10", "TOPUP_PRESETS": ""},
            "TOPUP_MIN must not be above",
        ),
        ({"TOPUP_PRESETS": "5,5000"}, "every TOPUP_PRESETS amount must lie between"),
        ({"STARS_PER_UNIT": "-1"}, "STARS_PER_UNIT: Input should be greater than or equal to 0"),
    ],
)
def test_bad_top_up_settings_name_the_variable(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], problem: str
) -> None:
    problems = _settings(monkeypatch, **env)
    assert isinstance(problems, list)
    assert any(line.startswith(problem) for line in problems), problems


async def test_audit_catches_a_paid_top_up_without_its_credit(db: Database) -> None:
    await customer(db)
    async with db.transaction() as conn:
        payment = await payments.create(conn, user_id=1, method=Method.MANUAL, amount=500)
        await payments.decide(conn, payment.id, State.PAID, 900)
    report = await audit(db)
    assert report.problems == [f"top-up {payment.id} (paid): its ledger credit disagrees"]
    async with db.transaction() as conn:
        await ledger.post(conn, user_id=1, amount=500, key=f"manual:{payment.id}", kind="topup")
    assert (await audit(db)).ok


async def test_audit_catches_a_credit_for_a_top_up_still_pending(db: Database) -> None:
    await customer(db)
    async with db.transaction() as conn:
        payment = await payments.create(conn, user_id=1, method=Method.MANUAL, amount=500)
        await ledger.post(conn, user_id=1, amount=500, key=f"manual:{payment.id}", kind="topup")
    report = await audit(db)
    assert report.problems == [f"top-up {payment.id} (pending): its ledger credit disagrees"]
    async with db.transaction() as conn:
        await payments.decide(conn, payment.id, State.PAID, 900)
    assert (await audit(db)).ok
