"""Orders and their refills: what we charged, what the panel says, where each one stands."""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from storage.clock import now
from storage.db import Connection, Database, Row


class State(StrEnum):
    SUBMITTING = "submitting"  # money taken, `add` not answered yet
    ACTIVE = "active"  # the panel has it; tracked by the poller
    UNKNOWN = "unknown"  # `add` outcome unknown: an admin decides
    REVIEW = "review"  # placed, but the panel's answers need a human (see `odd_polls`)
    FAILED = "failed"  # the panel refused it: refunded
    COMPLETED = "completed"
    PARTIAL = "partial"
    CANCELED = "canceled"
    REFUNDED = "refunded"


FINAL_STATES = frozenset(
    {State.FAILED, State.COMPLETED, State.PARTIAL, State.CANCELED, State.REFUNDED}
)
# Ended with nothing delivered that the customer keeps paying for: refunded in full.
FULL_REFUND = frozenset({State.FAILED, State.CANCELED, State.REFUNDED})
# Waiting for an admin's decision: what /review lists by itself.
WAITING = (State.UNKNOWN, State.REVIEW)


@dataclass(frozen=True, slots=True)
class Order:
    id: int
    user_id: int
    service_id: int
    service_name: str
    service_type: str
    link: str
    quantity: int
    fields: dict[str, str]
    charge: int
    cost: int
    state: State
    upstream_id: int | None
    status: str
    upstream_charge: str | None
    remains: int | None
    start_count: int | None
    error: str
    cancel_requested: bool
    created_at: int
    updated_at: int
    checked_at: int
    holder: str | None = None
    placed_charge: str | None = None
    odd_polls: int = 0
    round: int = 1
    settled_refund: int | None = None
    panel: str = "main"  # the panel it was sent to: its status, refills and cancel go there
    backup_of: int | None = None  # the service the customer chose, when its backup served it

    @property
    def charge_key(self) -> str:
        """The ledger key of this round's charge: `order:<id>`, then `order:<id>:<round>`."""
        return round_key("order", self.id, self.round)

    @property
    def refund_key(self) -> str:
        return round_key("refund", self.id, self.round)


def round_key(kind: str, order_id: int, round_: int) -> str:
    return f"{kind}:{order_id}" if round_ == 1 else f"{kind}:{order_id}:{round_}"


@dataclass(frozen=True, slots=True)
class Refill:
    id: int
    order_id: int
    upstream_id: str
    status: str
    final: bool
    created_at: int


_COLUMNS = (
    "id, user_id, service_id, service_name, service_type, link, quantity, fields, charge, cost,"
    " state, upstream_id, status, upstream_charge, remains, start_count, error, cancel_requested,"
    " created_at, updated_at, checked_at, holder, placed_charge, odd_polls, round, settled_refund,"
    " panel, backup_of"
)
_UPDATABLE = frozenset(
    {
        "state",
        "upstream_id",
        "status",
        "upstream_charge",
        "remains",
        "start_count",
        "error",
        "cancel_requested",
        "checked_at",
        "placed_charge",
        "odd_polls",
        "round",
        "settled_refund",
        # a definite refusal moves a submitting order to its service's backup
        "panel",
        "service_id",
        "fields",
        "cost",
        "backup_of",
    }
)


def _order(row: Row) -> Order:
    data = dict(row)
    data["fields"] = json.loads(data["fields"])
    data["state"] = State(data["state"])
    data["cancel_requested"] = bool(data["cancel_requested"])
    return Order(**data)


async def create(
    conn: Connection,
    *,
    user_id: int,
    service_id: int,
    service_name: str,
    service_type: str,
    link: str,
    quantity: int,
    fields: dict[str, str],
    charge: int,
    cost: int,
    token: str,
    holder: str,
    panel: str = "main",
) -> int | None:
    """Insert an order in `submitting` by process `holder`; None when this confirmation token
    was already used."""
    stamp = now()
    async with conn.execute(
        "INSERT INTO orders (user_id, service_id, service_name, service_type, link, quantity,"
        " fields, charge, cost, token, state, created_at, updated_at, holder, panel)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (token) DO NOTHING"
        " RETURNING id",
        (
            user_id,
            service_id,
            service_name,
            service_type,
            link,
            quantity,
            json.dumps(fields, ensure_ascii=False),
            charge,
            cost,
            token,
            State.SUBMITTING,
            stamp,
            stamp,
            holder,
            panel,
        ),
    ) as cursor:
        row = await cursor.fetchone()
    return None if row is None else int(row[0])


async def id_of_token(conn: Connection, token: str) -> int | None:
    """The order a confirmation token placed, if any."""
    async with conn.execute("SELECT id FROM orders WHERE token = ?", (token,)) as cursor:
        row = await cursor.fetchone()
    return None if row is None else int(row[0])


async def transition(
    conn: Connection, order_id: int, expected: State | Collection[State], **values: Any
) -> bool:
    """Write `values` only while the order is still in `expected` (one state or several).

    Every change of an order is this compare-and-set, so an answer that arrives late (a second
    process, an admin who settled the order meanwhile) finds it moved on and writes nothing:
    False tells the caller to alert instead.
    """
    unknown = set(values) - _UPDATABLE
    if unknown:
        raise ValueError(f"not updatable: {sorted(unknown)}")
    if "fields" in values:
        values["fields"] = json.dumps(values["fields"], ensure_ascii=False)
    states = [expected] if isinstance(expected, State) else list(expected)
    assignments = "".join(f"{column} = :{column}, " for column in values)
    marks = ", ".join(f":s{index}" for index in range(len(states)))
    cursor = await conn.execute(
        f"UPDATE orders SET {assignments}updated_at = :updated_at"
        f" WHERE id = :id AND state IN ({marks})",
        {
            **values,
            **{f"s{index}": state for index, state in enumerate(states)},
            "updated_at": now(),
            "id": order_id,
        },
    )
    return cursor.rowcount == 1


async def get(db: Database, order_id: int) -> Order | None:
    row = await db.lookup_one(f"SELECT {_COLUMNS} FROM orders WHERE id = ?", (order_id,))
    return None if row is None else _order(row)


async def get_in(conn: Connection, order_id: int) -> Order | None:
    """Read an order inside the caller's transaction (to decide on fresh data)."""
    async with conn.execute(f"SELECT {_COLUMNS} FROM orders WHERE id = ?", (order_id,)) as cursor:
        row = await cursor.fetchone()
    return None if row is None else _order(row)


async def get_for_user(db: Database, order_id: int, user_id: int) -> Order | None:
    """The order only when it belongs to this user: every button goes through here."""
    row = await db.lookup_one(
        f"SELECT {_COLUMNS} FROM orders WHERE id = ? AND user_id = ?", (order_id, user_id)
    )
    return None if row is None else _order(row)


async def page_for_user(
    db: Database, user_id: int, offset: int, limit: int
) -> tuple[list[Order], int]:
    rows = await db.lookup(
        f"SELECT {_COLUMNS} FROM orders WHERE user_id = ? ORDER BY id DESC LIMIT ? OFFSET ?",
        (user_id, limit, offset),
    )
    total = (await db.lookup("SELECT COUNT(*) FROM orders WHERE user_id = ?", (user_id,)))[0][0]
    return [_order(row) for row in rows], int(total)


async def due_for_poll(db: Database, limit: int, panel: str = "main") -> list[Order]:
    """Active orders of one panel, the least recently checked first."""
    rows = await db.fetchall(
        f"SELECT {_COLUMNS} FROM orders WHERE state = ? AND panel = ?"
        " ORDER BY checked_at, id LIMIT ?",
        (State.ACTIVE, panel, limit),
    )
    return [_order(row) for row in rows]


async def abandon_submitting(
    conn: Connection, lease_prefix: str, placed_before: int
) -> list[tuple[int, int]]:
    """(order, user) for every order left in `submitting`, now `unknown` (caller's transaction):
    those whose process holds no live lease `<lease_prefix><holder>` any more, and those of a
    live process older than `placed_before` (its `add` cannot still be waiting for an answer).
    """
    stamp = now()
    async with conn.execute(
        "UPDATE orders SET state = :unknown, updated_at = :now WHERE state = :submitting"
        " AND (created_at < :before OR holder IS NULL OR NOT EXISTS (SELECT 1 FROM leases"
        " WHERE name = :prefix || orders.holder AND expires_at >= :now))"
        " RETURNING id, user_id",
        {
            "unknown": State.UNKNOWN,
            "submitting": State.SUBMITTING,
            "now": stamp,
            "before": placed_before,
            "prefix": lease_prefix,
        },
    ) as cursor:
        return [(row[0], row[1]) for row in await cursor.fetchall()]


async def add_refill(conn: Connection, order_id: int, upstream_id: str) -> int:
    async with conn.execute(
        "INSERT INTO refills (order_id, upstream_id, created_at) VALUES (?, ?, ?) RETURNING id",
        (order_id, upstream_id, now()),
    ) as cursor:
        return int((await cursor.fetchone())[0])


async def refills_of(db: Database, order_id: int) -> list[Refill]:
    rows = await db.fetchall(
        "SELECT id, order_id, upstream_id, status, final, created_at FROM refills"
        " WHERE order_id = ? ORDER BY id",
        (order_id,),
    )
    return [Refill(row[0], row[1], row[2], row[3], bool(row[4]), row[5]) for row in rows]


async def open_refills(db: Database, limit: int, panel: str = "main") -> list[Refill]:
    """Refills still moving of one panel's orders, the least recently checked first."""
    rows = await db.fetchall(
        "SELECT r.id, r.order_id, r.upstream_id, r.status, r.final, r.created_at FROM refills r"
        " JOIN orders o ON o.id = r.order_id"
        " WHERE r.final = 0 AND o.panel = ? ORDER BY r.checked_at, r.id LIMIT ?",
        (panel, limit),
    )
    return [Refill(row[0], row[1], row[2], row[3], bool(row[4]), row[5]) for row in rows]


async def update_refill(conn: Connection, refill_id: int, status: str, final: bool) -> None:
    await conn.execute(
        "UPDATE refills SET status = ?, final = ?, checked_at = ? WHERE id = ?",
        (status, int(final), now(), refill_id),
    )


async def open_on_panels(db: Database) -> dict[str, int]:
    """Orders not settled yet, counted per panel."""
    finals = ", ".join(f"'{state}'" for state in sorted(FINAL_STATES))
    rows = await db.fetchall(
        f"SELECT panel, COUNT(*) FROM orders WHERE state NOT IN ({finals}) GROUP BY panel"
    )
    return {row[0]: row[1] for row in rows}


async def counts_by_state(db: Database) -> dict[str, int]:
    rows = await db.fetchall("SELECT state, COUNT(*) FROM orders GROUP BY state")
    return {row[0]: row[1] for row in rows}


@dataclass(frozen=True, slots=True)
class Audited:
    """An order the audit must judge: the figures of its refund rule and of its expected end,
    and what its customer paid net (the rest of `Order` would cost the audit most of its time
    at 100k orders)."""

    id: int
    state: State
    charge: int
    cost: int
    quantity: int
    remains: int | None
    service_type: str
    settled_refund: int | None
    upstream_charge: str | None
    placed_charge: str | None
    created_at: int
    fields_json: str
    paid: int  # its charges (every round) less its refunds, from the ledger

    @property
    def fields(self) -> dict[str, str]:
        loaded: dict[str, str] = json.loads(self.fields_json)
        return loaded


def _listed(states: Collection[State]) -> str:
    return ", ".join(f"'{state}'" for state in sorted(states))


# Its charges (every round) less its refunds; the ledger's other rows of the order are skipped
# here rather than in the join, so each order is one range of the `ledger_paid` index.
_PAID = "COALESCE(-SUM(CASE WHEN l.kind IN ('order', 'refund') THEN l.amount END), 0)"
# Orders whose books plainly agree, as `bot.shop.refunds.owed` would find them: open and placed
# recently with its charge paid; final with an admin's refund, in full or none, paid net as that.
_AGREE = (
    f"(o.state NOT IN ({_listed(FINAL_STATES)}) AND {_PAID} = o.charge AND o.created_at >= ?)"
    f" OR (o.state IN ({_listed(FINAL_STATES)}) AND o.settled_refund IS NOT NULL AND {_PAID} ="
    " o.charge - CASE WHEN o.settled_refund < o.charge THEN o.settled_refund ELSE o.charge END)"
    f" OR (o.state IN ({_listed(FULL_REFUND)}) AND o.settled_refund IS NULL AND {_PAID} = 0)"
    f" OR (o.state = '{State.COMPLETED}' AND o.settled_refund IS NULL AND {_PAID} = o.charge)"
)


async def for_audit(db: Database, placed_before: int) -> list[Audited]:
    """The orders the audit must judge, oldest first, each with what its customer paid net:
    every order but those whose books plainly agree (`_AGREE`, with open orders placed at or
    after `placed_before`), in one pass over the orders and the ledger's `ledger_paid` index.
    What is left: partials, whose refund the rule computes from the panel's figures, orders
    open since before `placed_before`, and every disagreement."""
    rows = await db.fetchall(
        "SELECT o.id, o.state, o.charge, o.cost, o.quantity, o.remains, o.service_type,"
        " o.settled_refund, o.upstream_charge, o.placed_charge, o.created_at, o.fields,"
        f" CAST({_PAID} AS BIGINT) FROM orders o LEFT JOIN ledger l ON l.order_id = o.id"
        f" GROUP BY o.id HAVING NOT ({_AGREE}) ORDER BY o.id",
        (placed_before,),
    )
    states = {state.value: state for state in State}
    return [Audited(row[0], states[row[1]], *row[2:]) for row in rows]


_CHUNK = 1_000  # ids per query: within either engine's limit of parameters


async def paid_net(db: Database, order_ids: Collection[int]) -> dict[int, int]:
    """What each of these orders' customers paid net: its charges less its refunds (an order
    without either is left out)."""
    ids = sorted(order_ids)
    paid: dict[int, int] = {}
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        rows = await db.fetchall(
            "SELECT order_id, CAST(-SUM(amount) AS BIGINT) FROM ledger"
            f" WHERE order_id IN ({', '.join('?' * len(chunk))}) AND kind IN ('order', 'refund')"
            " GROUP BY order_id",
            chunk,
        )
        paid.update((row[0], row[1]) for row in rows)
    return paid


async def in_states(db: Database, states: Sequence[State], limit: int = -1) -> list[Order]:
    """Orders in any of `states`, oldest first (`limit` -1: all of them)."""
    marks = ",".join("?" * len(states))
    rows = await db.fetchall(
        f"SELECT {_COLUMNS} FROM orders WHERE state IN ({marks}) ORDER BY id"
        + (" LIMIT ?" if limit >= 0 else ""),
        (*states, limit) if limit >= 0 else tuple(states),
    )
    return [_order(row) for row in rows]


async def touch_checked(conn: Connection, order_ids: Sequence[int]) -> None:
    """Stamp `checked_at` on orders the panel answered nothing usable for (caller's transaction).

    They go to the back of the poll queue instead of being asked about again first.
    """
    if not order_ids:
        return
    stamp = now()
    await conn.executemany(
        "UPDATE orders SET checked_at = ? WHERE id = ?",
        [(stamp, order_id) for order_id in order_ids],
    )


async def get_many_in(conn: Connection, order_ids: Sequence[int]) -> dict[int, Order]:
    """Orders by id inside the caller's transaction (a poll batch re-read in one query)."""
    if not order_ids:
        return {}
    marks = ",".join("?" * len(order_ids))
    async with conn.execute(
        f"SELECT {_COLUMNS} FROM orders WHERE id IN ({marks})", tuple(order_ids)
    ) as cursor:
        rows = await cursor.fetchall()
    return {row["id"]: _order(row) for row in rows}
