"""Referral rewards: on what the customer paid net, once per final order, checked by the audit."""

from __future__ import annotations

import asyncio
import dataclasses
from decimal import Decimal

import pytest

from bot.shop import admin
from bot.shop import referrals as rules
from bot.shop.admin import Verdict
from bot.shop.audit import audit
from bot.shop.config import ShopConfig
from bot.shop.tracking import apply_status
from storage import kv, ledger, referrals
from storage.db import Database
from storage.orders import State
from tests.unit.test_config import TOKEN, _problems
from tests.unit.tracking_fixtures import add_order, add_user, fresh, queued, status

REFERRER, FRIEND, FRIEND_OF_FRIEND = 1, 2, 3


@pytest.fixture
def config(shop_config: ShopConfig) -> ShopConfig:
    return dataclasses.replace(shop_config, referral_percent=Decimal(10))


async def _invited(db: Database, user_id: int, referrer: int) -> None:
    await add_user(db, user_id, balance=10_000)
    code = await referrals.code_of(db, referrer)
    assert await rules.attribute(db, user_id, code, newcomer=True) == referrer


@pytest.fixture
async def friend(db: Database) -> int:
    """FRIEND, invited by REFERRER, with money to spend."""
    await add_user(db, REFERRER, balance=0)
    await _invited(db, FRIEND, REFERRER)
    return FRIEND


async def _rewards(db: Database, user_id: int = REFERRER) -> list[int]:
    return [e.amount for e in await ledger.recent(db, user_id) if e.kind == referrals.KIND]


async def _audit_ok(db: Database) -> None:
    report = await audit(db)
    assert report.ok, report.problems


def test_the_reward_is_rounded_down_to_the_minor_unit() -> None:
    assert rules.commission(Decimal("2.5"), 135) == 3  # 3.375
    assert rules.commission(Decimal(10), 9) == 0
    assert rules.commission(Decimal(10), 0) == 0
    assert rules.commission(Decimal(0), 1000) == 0


async def test_a_partial_pays_on_what_is_left_after_its_refund_computed_with_it(
    db: Database, config: ShopConfig, friend: int
) -> None:
    order = await add_order(db, upstream_id=11, user_id=friend, charge=1000, quantity=1000)
    # The final status and its refund arrive together: one transaction writes both, and the
    # reward is on the charge less that refund, not on the charge.
    assert await apply_status(db, config, order.id, status("Partial", remains=400))
    assert await _rewards(db) == [60]
    assert not await apply_status(db, config, order.id, status("Partial", remains=400))
    assert await _rewards(db) == [60]  # a replayed status pays nothing more
    pushes = [(chat, message, args) for chat, message, _, args in await queued(db)]
    assert (REFERRER, "push-referral-earned", {"amount": 60}) in pushes
    await _audit_ok(db)


async def test_two_pollers_reporting_the_same_final_status_pay_once(
    db: Database, config: ShopConfig, friend: int
) -> None:
    order = await add_order(db, upstream_id=12, user_id=friend, charge=1000)
    done = status("Completed")
    results = await asyncio.gather(*(apply_status(db, config, order.id, done) for _ in range(2)))
    assert sorted(results) == [False, True]
    assert await _rewards(db) == [100]
    async with db.transaction() as conn:  # called again by any other path: keyed by order
        assert await rules.credit_referrer(conn, config, await fresh(db, order)) == 0
    await _audit_ok(db)


@pytest.mark.parametrize("text", ["Canceled", "Refunded"])
async def test_nothing_for_an_order_given_back(
    db: Database, config: ShopConfig, friend: int, text: str
) -> None:
    order = await add_order(db, upstream_id=13, user_id=friend)
    assert await apply_status(db, config, order.id, status(text))
    assert await _rewards(db) == []
    await _audit_ok(db)


async def test_a_failed_order_charged_again_pays_on_every_round_net(
    db: Database, config: ShopConfig, friend: int
) -> None:
    order = await add_order(db, upstream_id=None, user_id=friend, charge=1000, state=State.UNKNOWN)
    await admin.refund_unknown(db, order.id)
    assert await _rewards(db) == []  # failed: nothing
    await admin.attach_upstream(db, order.id, 777)  # it ran after all: charged again
    assert await apply_status(db, config, order.id, status("Completed"))
    assert await _rewards(db) == [100]  # 10% of 1000 - 1000 + 1000
    await _audit_ok(db)


async def test_an_admin_verdict_pays_on_what_it_leaves_paid(
    db: Database, config: ShopConfig, friend: int
) -> None:
    partly = await add_order(db, upstream_id=21, user_id=friend, charge=1000)
    whole = await add_order(db, upstream_id=22, user_id=friend, charge=500)
    given_back = await add_order(db, upstream_id=23, user_id=friend, charge=700)
    assert await admin.settle(db, config, partly.id, Verdict.PARTIAL, 250) is admin.Settled.DONE
    assert await admin.settle(db, config, whole.id, Verdict.COMPLETED) is admin.Settled.DONE
    assert await admin.settle(db, config, given_back.id, Verdict.REFUNDED) is admin.Settled.DONE
    assert sorted(await _rewards(db)) == [50, 75]
    await _audit_ok(db)


async def test_only_the_direct_referrer_earns(
    db: Database, config: ShopConfig, friend: int
) -> None:
    await _invited(db, FRIEND_OF_FRIEND, friend)
    order = await add_order(db, upstream_id=31, user_id=FRIEND_OF_FRIEND, charge=1000)
    assert await apply_status(db, config, order.id, status("Completed"))
    assert await _rewards(db, friend) == [100]
    assert await _rewards(db, REFERRER) == []
    await _audit_ok(db)


async def test_nothing_while_the_programme_is_off(
    db: Database, shop_config: ShopConfig, friend: int
) -> None:
    order = await add_order(db, upstream_id=41, user_id=friend, charge=1000)
    assert shop_config.referral_percent == 0
    assert await apply_status(db, shop_config, order.id, status("Completed"))
    assert await _rewards(db) == []


async def test_the_percent_in_force_when_the_order_ends_is_used_and_audited(
    db: Database, config: ShopConfig, friend: int
) -> None:
    first = await add_order(db, upstream_id=51, user_id=friend, charge=1000)
    second = await add_order(db, upstream_id=52, user_id=friend, charge=1000)
    assert await apply_status(db, config, first.id, status("Completed"))
    await rules.set_percent(db, Decimal("2.5"))  # the owner's /referral overrides the setting
    assert await apply_status(db, config, second.id, status("Completed"))
    assert await _rewards(db) == [25, 100]
    await kv.delete(db, rules.PERCENT_KEY)
    await _audit_ok(db)  # each credit is checked against its own percent


async def test_the_audit_finds_a_wrong_missing_or_undeserved_reward(
    db: Database, config: ShopConfig, friend: int
) -> None:
    order = await add_order(db, upstream_id=61, user_id=friend, charge=1000)
    canceled = await add_order(db, upstream_id=62, user_id=friend, charge=1000)
    assert await apply_status(db, config, order.id, status("Completed"))
    assert await apply_status(db, config, canceled.id, status("Canceled"))
    async with db.transaction() as conn:
        await conn.execute("UPDATE referral_earnings SET percent = '20'")
        await ledger.post(conn, user_id=REFERRER, amount=5, key="referral:999", kind="referral")
        await referrals.record(
            conn, order_id=canceled.id, referrer_id=REFERRER, percent="10", paid=1000, amount=100
        )
        await ledger.post(
            conn, user_id=REFERRER, amount=100, key=referrals.ledger_key(canceled.id),
            kind="referral",
        )  # fmt: skip
    problems = (await audit(db)).problems
    assert any("100 at 20% of 1000 paid net" in p for p in problems)
    assert any("referral credit to user 1 has no order" in p for p in problems)
    assert any(f"order {canceled.id}: the order is canceled" in p for p in problems)


async def test_a_code_refers_only_a_newcomer_and_never_oneself(db: Database) -> None:
    await add_user(db, REFERRER, balance=0)
    await add_user(db, FRIEND, balance=0)
    code = await referrals.code_of(db, REFERRER)
    assert await rules.attribute(db, REFERRER, code, newcomer=True) is None  # oneself
    assert await rules.attribute(db, FRIEND, "NOSUCHCO", newcomer=True) is None
    assert await rules.attribute(db, FRIEND, code, newcomer=False) is None  # was here before
    assert await rules.attribute(db, FRIEND, code, newcomer=True) == REFERRER
    await add_user(db, FRIEND_OF_FRIEND, balance=0)
    other = await referrals.code_of(db, FRIEND_OF_FRIEND)
    assert await rules.attribute(db, FRIEND, other, newcomer=True) is None  # for good
    assert await referrals.referrer_of(db, FRIEND) == REFERRER


@pytest.mark.parametrize("value", ["51", "-1", "abc"])
def test_referral_percent_outside_0_to_50_is_named(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    problems = _problems(monkeypatch, BOT_TOKEN=TOKEN, REFERRAL_PERCENT=value)
    assert len(problems) == 1 and problems[0].startswith("REFERRAL_PERCENT")
