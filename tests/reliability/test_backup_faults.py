"""Orders on every panel: each answer of the primary's `add` x each answer of its backup's x each
backup configuration ends with at most one order upstream, charged by the rule, on the panel that
has it, and an audit with nothing to say."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr

from bot.jobs.catalog import sync_catalog
from bot.panel.client import PanelClient
from bot.panel.panels import Panels
from bot.panel.sandbox import SandboxPanel
from bot.shop.audit import audit
from bot.shop.checkout import Outcome, make_offer, place_order
from bot.shop.config import ShopConfig
from storage import ledger, orders, services, users
from storage.db import Database
from storage.orders import State
from tests.reliability.conftest import Tally

CUSTOMER = 1
BALANCE = 10_000
PRIMARY = 101  # main:101, Instagram Followers (Default), 135 for 1000 at the test markup
ANSWERS = {"link": "https://instagram.com/p/x", "quantity": "1000"}


class Kind(Enum):
    PLACED = "placed"
    MOVABLE = "movable"  # a definite refusal the backup may take over (funds, key, service...)
    FINAL = "final"  # a definite refusal of the order itself (link, quantity)
    AMBIGUOUS = "ambiguous"  # the order may exist upstream


@dataclass(frozen=True)
class Answer:
    kind: Kind
    fault: Callable[[], httpx.Response | Exception] | None = None  # None: the panel serves it
    processed: bool = False  # the panel makes the order before the answer goes wrong


def _refusal(text: str, kind: Kind) -> Answer:
    return Answer(kind, lambda: httpx.Response(200, json={"error": text}))


ADD_ANSWERS: dict[str, Answer] = {
    "success": Answer(Kind.PLACED),
    "funds": _refusal("Not enough funds on balance", Kind.MOVABLE),
    "key": _refusal("Incorrect request key", Kind.MOVABLE),
    "service disabled": _refusal("Service disabled", Kind.MOVABLE),
    "rate changed": _refusal("Rate changed, please order again", Kind.MOVABLE),
    "incorrect link": _refusal("Incorrect link", Kind.FINAL),
    "quantity": _refusal("Quantity less than minimal 2000", Kind.FINAL),
    "not reached": Answer(Kind.MOVABLE, lambda: httpx.ConnectError("refused")),
    "timeout, made": Answer(Kind.AMBIGUOUS, lambda: httpx.ReadTimeout("lost"), processed=True),
    "timeout, not made": Answer(Kind.AMBIGUOUS, lambda: httpx.ReadTimeout("slow")),
    "HTTP 500": Answer(
        Kind.AMBIGUOUS, lambda: httpx.Response(500, text="<html>Error</html>"), processed=True
    ),
    "garbage": Answer(Kind.AMBIGUOUS, lambda: httpx.Response(200, text="<html>Cloudflare</html>")),
    "error beside an order id": Answer(
        Kind.AMBIGUOUS,
        lambda: httpx.Response(200, json={"order": 99_999, "error": "Something went wrong"}),
        processed=True,
    ),
}

# Where main:101's orders go when main definitely refuses them (services of the template).
BACKUPS: dict[str, tuple[str, int] | None] = {
    "none": None,
    "usable": ("second", 2001),  # IG Followers, Default, 0.72 per 1000: under the charge
    "dearer": ("second", 2011),  # Default, 1.45 per 1000: costs more than the customer pays
    "other type": ("second", 2002),  # a Package
    "unconfigured panel": ("third", 2001),  # listed once, but no client for it now
}


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A shop file with main, second and a third panel's catalogs and a customer: copied per case
    (one file migrated and synced once, not 845 times)."""
    path = tmp_path_factory.mktemp("backup-faults") / "template.sqlite3"
    asyncio.run(_build(path))
    return path


async def _build(path: Path) -> None:
    db = await Database.open(path)
    try:
        for name, catalog in (("main", "main"), ("second", "second"), ("third", "second")):
            fake = SandboxPanel(key=f"{name}-key", catalog=catalog)
            async with _client(fake, name) as client:
                await sync_catalog(db, client, name)
        await users.touch(db, CUSTOMER, "ann", "Ann", "en")
        async with db.transaction() as conn:
            await ledger.post(conn, user_id=CUSTOMER, amount=BALANCE, key="topup:1", kind="topup")
    finally:
        await db.close()


@asynccontextmanager
async def _client(fake: SandboxPanel, name: str) -> AsyncIterator[PanelClient]:
    async with httpx.AsyncClient(transport=fake.transport()) as http:
        yield PanelClient(http, f"https://{name}.test/api/v2", SecretStr(fake.key))


@dataclass
class Case:
    db: Database
    panels: Panels
    fakes: dict[str, SandboxPanel]

    def adds(self, panel: str) -> int:
        return sum(form.get("action") == "add" for form in self.fakes[panel].requests)


@pytest.fixture
async def case(template: Path, tmp_path: Path) -> AsyncIterator[Case]:
    path = tmp_path / "shop.sqlite3"
    shutil.copyfile(template, path)
    db = await Database.open(path)
    fakes = {name: SandboxPanel(key=f"{name}-key", catalog=name) for name in ("main", "second")}
    async with _client(fakes["main"], "main") as main, _client(fakes["second"], "second") as other:
        yield Case(db, Panels({"main": main, "second": other}), fakes)
    await db.close()


def _expected(primary: Answer, backup: Answer, usable: bool) -> tuple[Outcome, str]:
    """The outcome DESIGN gives the order, and the panel its last `add` went to."""
    if primary.kind is Kind.MOVABLE and usable:
        return _outcome(backup), "second"
    return _outcome(primary), "main"


def _outcome(answer: Answer) -> Outcome:
    if answer.kind is Kind.PLACED:
        return Outcome.PLACED
    if answer.kind is Kind.AMBIGUOUS:
        return Outcome.UNKNOWN
    return Outcome.FAILED


STATES = {
    Outcome.PLACED: State.ACTIVE,
    Outcome.FAILED: State.FAILED,
    Outcome.UNKNOWN: State.UNKNOWN,
}


def _inject(fake: SandboxPanel, answer: Answer) -> None:
    if answer.fault is not None:
        fake.fail_next("add", answer.fault(), processed=answer.processed)


@pytest.mark.parametrize("configuration", BACKUPS)
@pytest.mark.parametrize("backup_answer", ADD_ANSWERS)
@pytest.mark.parametrize("primary_answer", ADD_ANSWERS)
async def test_an_order_with_a_backup(
    case: Case,
    shop_config: ShopConfig,
    primary_answer: str,
    backup_answer: str,
    configuration: str,
    tally: Tally,
) -> None:
    tally.add()
    db = case.db
    backup_ref = BACKUPS[configuration]
    backup = None if backup_ref is None else await services.by_upstream(db, *backup_ref)
    if backup_ref is not None:
        assert backup is not None
        await services.set_backup(db, PRIMARY, backup.id)
    primary, second = ADD_ANSWERS[primary_answer], ADD_ANSWERS[backup_answer]
    _inject(case.fakes["main"], primary)
    _inject(case.fakes["second"], second)
    service = await services.get(db, PRIMARY)
    assert service is not None
    offer = await make_offer(db, shop_config, service, ANSWERS, "token-1", user_id=CUSTOMER)
    result = await place_order(
        db, case.panels, shop_config, user_id=CUSTOMER, offer=offer
    )  # fmt: skip

    outcome, last_panel = _expected(primary, second, configuration == "usable")
    order = await orders.get(db, 1)
    assert order is not None
    # At most one panel ever holds the order.
    made = len(case.fakes["main"].orders) + len(case.fakes["second"].orders)
    assert made <= 1, f"{made} orders upstream"
    # The primary is asked once; the backup once, and only after a definite refusal it may take.
    assert case.adds("main") == 1
    assert case.adds("second") == (1 if last_panel == "second" else 0)
    assert (result.outcome, order.state) == (outcome, STATES[outcome])
    # The order points at the panel its last `add` went to, the one that holds it if placed.
    assert order.panel == last_panel
    if outcome is Outcome.PLACED:
        assert order.upstream_id in case.fakes[last_panel].orders
    if last_panel == "second":
        assert backup is not None
        assert (order.service_id, order.backup_of) == (backup.id, PRIMARY)
    else:
        assert (order.service_id, order.backup_of) == (PRIMARY, None)
    # Charged once; refunded exactly once when failed, never otherwise.
    rows = await db.fetchall(
        "SELECT kind, amount FROM ledger WHERE order_id = ? ORDER BY id", (order.id,)
    )
    charged = [("order", -offer.charge)]
    refunded = [("refund", offer.charge)] if outcome is Outcome.FAILED else []
    assert [tuple(row) for row in rows] == charged + refunded
    balance = await db.scalar("SELECT balance FROM users WHERE id = ?", (CUSTOMER,))
    assert balance == BALANCE - (0 if outcome is Outcome.FAILED else offer.charge)
    report = await audit(db)
    assert report.problems == []


async def test_a_backup_that_cannot_take_the_quantity_is_not_asked(
    case: Case, shop_config: ShopConfig, tally: Tally
) -> None:
    """50 is a quantity main:101 sells (50..10000) and second:2001 does not (100..20000): when
    main is out of funds, the backup cannot serve the order, so no `add` goes to it, and the
    owner hears of main's funds (not of a quantity the customer got right)."""
    tally.add()
    db = case.db
    backup = await services.by_upstream(db, "second", 2001)
    assert backup is not None and backup.min > 50
    await services.set_backup(db, PRIMARY, backup.id)
    _inject(case.fakes["main"], ADD_ANSWERS["funds"])
    service = await services.get(db, PRIMARY)
    assert service is not None
    answers = {**ANSWERS, "quantity": "50"}
    offer = await make_offer(db, shop_config, service, answers, "token-1", user_id=CUSTOMER)
    result = await place_order(db, case.panels, shop_config, user_id=CUSTOMER, offer=offer)
    assert case.adds("second") == 0
    assert (result.outcome, result.reason) == (Outcome.FAILED, "funds")
    order = await orders.get(db, 1)
    assert order is not None and (order.panel, order.service_id) == ("main", PRIMARY)
    alerts = await db.fetchall("SELECT message FROM outbox WHERE key LIKE 'panel-problem:1:%'")
    assert [row[0] for row in alerts] == ["admin-panel-problem"]
    assert (await audit(db)).ok
