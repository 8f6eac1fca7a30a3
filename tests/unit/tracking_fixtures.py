"""Helpers for the tracking and sender tests: users, orders, and a scriptable API v2 panel."""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from decimal import Decimal
from urllib.parse import parse_qsl

import httpx
from pydantic import SecretStr

from bot.panel.client import PanelClient
from bot.panel.models import OrderStatus, normalize_status
from storage import ledger, orders, outbox, users
from storage.db import Connection, Database
from storage.orders import Order, State
from storage.services import Service

USER = 501
PANEL_URL = "https://panel.test/api/v2"
PANEL_KEY = "scripted-KEY-0123"
_tokens = itertools.count(1)


async def add_user(
    db: Database, user_id: int = USER, *, balance: int = 100_000, locale: str | None = "en"
) -> None:
    await users.touch(db, user_id, f"user{user_id}", "Ann", locale)
    if balance:
        async with db.transaction() as conn:
            await ledger.post(
                conn, user_id=user_id, amount=balance, key=f"topup:{user_id}", kind="topup"
            )


async def add_order(
    db: Database,
    *,
    upstream_id: int | None,
    user_id: int = USER,
    charge: int = 1000,
    quantity: int = 1000,
    cost: int = 90_000,
    state: State = State.ACTIVE,
    service_id: int = 101,
    service_name: str = "Instagram Followers",
    service_type: str = "Default",
    fields: dict[str, str] | None = None,
) -> Order:
    """An order paid through the ledger (so the audit balances) and handed to the panel."""
    async with db.transaction() as conn:
        order_id = await _insert_order(
            conn, upstream_id=upstream_id, user_id=user_id, charge=charge, quantity=quantity,
            cost=cost, state=state, service_id=service_id, service_name=service_name,
            service_type=service_type, fields=fields,
        )  # fmt: skip
    order = await orders.get(db, order_id)
    assert order is not None
    return order


async def add_orders(
    db: Database,
    upstream_ids: Iterable[int],
    *,
    charge: int = 10,
    quantity: int = 1000,
    cost: int = 90_000,
    service_type: str = "Default",
) -> None:
    """Many active orders in one transaction (one commit, not one per order)."""
    async with db.transaction() as conn:
        for upstream_id in upstream_ids:
            await _insert_order(
                conn, upstream_id=upstream_id, user_id=USER, charge=charge, quantity=quantity,
                cost=cost, state=State.ACTIVE, service_id=101, service_name="Followers",
                service_type=service_type,
            )  # fmt: skip


async def _insert_order(
    conn: Connection,
    *,
    upstream_id: int | None,
    user_id: int,
    charge: int,
    quantity: int,
    cost: int,
    state: State,
    service_id: int,
    service_name: str,
    service_type: str = "Default",
    fields: dict[str, str] | None = None,
) -> int:
    order_id = await orders.create(
        conn, user_id=user_id, service_id=service_id, service_name=service_name,
        service_type=service_type, link="https://instagram.com/p/x", quantity=quantity,
        fields=fields or {"link": "https://instagram.com/p/x", "quantity": str(quantity)},
        charge=charge, cost=cost, token=f"token-{next(_tokens)}", holder="test",
    )  # fmt: skip
    assert order_id is not None
    await ledger.post(
        conn, user_id=user_id, amount=-charge, key=f"order:{order_id}", kind="order",
        order_id=order_id,
    )  # fmt: skip
    await orders.transition(conn, order_id, State.SUBMITTING, state=state, upstream_id=upstream_id)
    return order_id


async def fresh(db: Database, order: Order) -> Order:
    found = await orders.get(db, order.id)
    assert found is not None
    return found


async def refund_rows(db: Database, order_id: int) -> list[int]:
    rows = await db.fetchall(
        "SELECT amount FROM ledger WHERE kind = 'refund' AND order_id = ?", (order_id,)
    )
    return [row[0] for row in rows]


async def queued(db: Database) -> list[tuple[int, str, str, dict[str, object]]]:
    """Every outbox row: (chat, message id, key, args), oldest first."""
    rows = await db.fetchall("SELECT chat_id, message, key, args FROM outbox ORDER BY id")
    return [(row[0], row[1], row[2], json.loads(row[3])) for row in rows]


async def put_message(db: Database, chat_id: int, message: str, key: str, **args: object) -> None:
    async with db.transaction() as conn:
        assert await outbox.put(conn, chat_id, message, dict(args), key=key)


def make_service(*, refill: bool = True, cancel: bool = True) -> Service:
    return Service(
        id=101, panel="main", upstream_id=101, name="Instagram Followers", type="Default", raw_type="Default", category_id=1,
        category="Instagram", rate=Decimal("0.9"), min=50, max=10_000, refill=refill,
        cancel=cancel, dripfeed=False, available=True, hidden=False, markup=None,
        category_markup=None, category_hidden=False,
    )  # fmt: skip


class ScriptedPanel:
    """An API v2 panel whose answers a test writes as raw JSON, served through MockTransport.

    `statuses` maps an upstream order id to its multi-status entry (an object, or a bare string
    as some panels send); ids without an entry are left out of the answer. A request that asks
    about any id in `broken` fails in transit.
    """

    def __init__(self) -> None:
        self.statuses: dict[int, object] = {}
        self.refill_statuses: dict[str, object] = {}
        self.cancel_answer: object = 1
        self.refill_answer: object = {"refill": "77"}
        self.broken: set[int] = set()
        self.refusal: str | None = None  # refuse every request with this text
        self.status_requests: list[list[int]] = []
        self.refill_status_requests: list[list[str]] = []
        self.actions: list[str] = []
        self.in_flight = 0
        self.max_in_flight = 0

    async def handle(self, request: httpx.Request) -> httpx.Response:
        form = dict(parse_qsl(request.content.decode()))
        assert form.pop("key") == PANEL_KEY
        action = form["action"]
        self.actions.append(action)
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            for _ in range(3):  # let the other requests in flight overlap this one
                await asyncio.sleep(0)
            return self._answer(request, action, form)
        finally:
            self.in_flight -= 1

    def _answer(self, request: httpx.Request, action: str, form: dict[str, str]) -> httpx.Response:
        if self.refusal is not None:
            return httpx.Response(200, json={"error": self.refusal})
        if action == "status":
            ids = [int(part) for part in form["orders"].split(",")]
            self.status_requests.append(ids)
            if self.broken & set(ids):
                raise httpx.ConnectError("connection refused", request=request)
            body: object = {str(i): self.statuses[i] for i in ids if i in self.statuses}
        elif action == "refill_status":
            refill_ids = form["refills"].split(",")
            self.refill_status_requests.append(refill_ids)
            body = [
                {"refill": refill_id, "status": self.refill_statuses[refill_id]}
                for refill_id in refill_ids
                if refill_id in self.refill_statuses
            ]
        elif action == "cancel":
            body = [
                {"order": int(i), "cancel": self.cancel_answer} for i in form["orders"].split(",")
            ]
        elif action == "refill":
            body = self.refill_answer
        else:
            body = {"error": "Incorrect action"}
        return httpx.Response(200, json=body)


@asynccontextmanager
async def scripted_client(panel: ScriptedPanel) -> AsyncIterator[PanelClient]:
    async with httpx.AsyncClient(transport=httpx.MockTransport(panel.handle)) as http:
        yield PanelClient(http, PANEL_URL, SecretStr(PANEL_KEY))


def status(text: str, *, charge: str | None = None, remains: int | None = None) -> OrderStatus:
    """A status as the panel client parses it."""
    return OrderStatus(
        status=normalize_status(text), raw_status=text,
        charge=None if charge is None else Decimal(charge), start_count=None, remains=remains,
        currency="USD",
    )  # fmt: skip
