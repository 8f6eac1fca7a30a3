"""The payments table: every top-up (Stars or manual) and the state it reached."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from storage.clock import now
from storage.db import Connection, Database, Row

_BATCH = 500  # charge ids per query (SQLite caps the parameters of one statement)


class Method(StrEnum):
    STARS = "stars"
    MANUAL = "manual"


class State(StrEnum):
    PENDING = "pending"  # an invoice is out, or a manual request waits for an admin
    PAID = "paid"  # credited to the balance
    REJECTED = "rejected"  # an admin refused the manual request
    # The credit is taken back for a Stars refund and Telegram's answer is not known yet: in doubt
    # (unspendable) until Telegram answers, its record shows the refund, or an admin settles it.
    REFUNDING = "refunding"
    REFUNDED = "refunded"  # Stars given back and the credit taken back


CREDITED = (State.PAID, State.REFUNDING, State.REFUNDED)  # states whose credit is in the ledger


@dataclass(frozen=True, slots=True)
class Payment:
    id: int
    user_id: int
    method: Method
    amount: int
    state: State
    external_id: str | None
    note: str
    created_at: int
    decided_by: int | None  # who approved or rejected it; for a Stars refund, who asked for it
    decided_at: int | None
    stars: int | None  # the Stars price of the invoice
    refund_asks: int  # how many times Telegram was asked to refund it
    refund_asked_at: int | None


_COLUMNS = (
    "id, user_id, method, amount, state, external_id, note, created_at, decided_by, decided_at,"
    " stars, refund_asks, refund_asked_at"
)


def _payment(row: Row) -> Payment:
    data = dict(row)
    data["method"] = Method(data["method"])
    data["state"] = State(data["state"])
    return Payment(**data)


async def _one(conn: Connection, where: str, params: tuple[object, ...]) -> Payment | None:
    async with conn.execute(f"SELECT {_COLUMNS} FROM payments WHERE {where}", params) as cursor:
        row = await cursor.fetchone()
    return None if row is None else _payment(row)


async def create(
    conn: Connection, *, user_id: int, method: Method, amount: int, note: str = "",
    stars: int | None = None,
) -> Payment:  # fmt: skip
    """Insert a `pending` payment inside the caller's transaction."""
    async with conn.execute(
        "INSERT INTO payments (user_id, method, amount, state, note, created_at, stars)"
        " VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
        (user_id, method, amount, State.PENDING, note, now(), stars),
    ) as cursor:
        payment = await get_in(conn, int((await cursor.fetchone())[0]))
    assert payment is not None
    return payment


async def get(db: Database, payment_id: int) -> Payment | None:
    row = await db.fetchone(f"SELECT {_COLUMNS} FROM payments WHERE id = ?", (payment_id,))
    return None if row is None else _payment(row)


async def get_in(conn: Connection, payment_id: int) -> Payment | None:
    """The row as the caller's transaction sees it."""
    return await _one(conn, "id = ?", (payment_id,))


async def by_external_id_in(conn: Connection, external_id: str) -> Payment | None:
    return await _one(conn, "external_id = ?", (external_id,))


async def mark_paid(conn: Connection, payment_id: int, external_id: str | None) -> bool:
    """pending -> paid; False when the row was not pending any more."""
    cursor = await conn.execute(
        "UPDATE payments SET state = ?, external_id = COALESCE(?, external_id), decided_at = ?"
        " WHERE id = ? AND state = ?",
        (State.PAID, external_id, now(), payment_id, State.PENDING),
    )
    return cursor.rowcount == 1


async def decide(conn: Connection, payment_id: int, state: State, decided_by: int) -> bool:
    """pending -> `state` by this admin; False for everybody but the first to decide."""
    cursor = await conn.execute(
        "UPDATE payments SET state = ?, decided_by = ?, decided_at = ? WHERE id = ? AND state = ?",
        (state, decided_by, now(), payment_id, State.PENDING),
    )
    return cursor.rowcount == 1


async def ask_refund(conn: Connection, payment_id: int, asked_by: int) -> int | None:
    """paid or refunding -> refunding, counting one more ask of Telegram; the ask's number, or
    None when the payment is neither."""
    cursor = await conn.execute(
        "UPDATE payments SET state = ?, decided_by = ?, refund_asks = refund_asks + 1,"
        " refund_asked_at = ? WHERE id = ? AND state IN (?, ?) RETURNING refund_asks",
        (State.REFUNDING, asked_by, now(), payment_id, State.PAID, State.REFUNDING),
    )
    row = await cursor.fetchone()
    return None if row is None else int(row[0])


async def mark_refunded(conn: Connection, payment_id: int) -> bool:
    """refunding -> refunded; False when it was settled before."""
    cursor = await conn.execute(
        "UPDATE payments SET state = ?, decided_at = ? WHERE id = ? AND state = ?",
        (State.REFUNDED, now(), payment_id, State.REFUNDING),
    )
    return cursor.rowcount == 1


async def refund_refused(
    conn: Connection, payment_id: int, ask: int, asked_by: int | None = None
) -> bool:
    """refunding -> paid, when `ask` is still the last one (and went out at `asked_by` or
    earlier, if given); False when a later ask is out or the payment was settled meanwhile."""
    cursor = await conn.execute(
        "UPDATE payments SET state = ? WHERE id = ? AND state = ? AND refund_asks = ?"
        " AND (CAST(? AS BIGINT) IS NULL OR refund_asked_at <= ?)",
        (State.PAID, payment_id, State.REFUNDING, ask, asked_by, asked_by),
    )
    return cursor.rowcount == 1


async def in_doubt(db: Database) -> list[Payment]:
    """Stars refunds whose outcome is not known, oldest first."""
    rows = await db.fetchall(
        f"SELECT {_COLUMNS} FROM payments WHERE state = ? ORDER BY id", (State.REFUNDING,)
    )
    return [_payment(row) for row in rows]


async def by_external_ids(db: Database, external_ids: Sequence[str]) -> dict[str, Payment]:
    """The Stars payments with these charge ids, by charge id."""
    found: dict[str, Payment] = {}
    for start in range(0, len(external_ids), _BATCH):
        chunk = list(external_ids[start : start + _BATCH])
        rows = await db.fetchall(
            f"SELECT {_COLUMNS} FROM payments WHERE external_id IN ({', '.join('?' * len(chunk))})",
            chunk,
        )
        found.update((row["external_id"], _payment(row)) for row in rows)
    return found


async def has_stars(db: Database) -> bool:
    """Whether this shop ever opened a Stars invoice (else Telegram holds no record to check)."""
    return bool(await db.scalar("SELECT EXISTS (SELECT 1 FROM payments WHERE method = ?)",
                                (Method.STARS,)))  # fmt: skip


async def credited_charges(db: Database) -> set[str]:
    """Every Stars charge id the ledger holds a credit for."""
    rows = await db.fetchall("SELECT substr(key, 7) FROM ledger WHERE substr(key, 1, 6) = 'stars:'")
    return {row[0] for row in rows}


_MANUAL_COUNTS = (
    "SELECT COUNT(*) FILTER (WHERE state = ?), COUNT(*) FILTER (WHERE created_at >= ?)"
    " FROM payments"
    " WHERE user_id = ? AND method = ?"
)


async def manual_counts(db: Database, user_id: int, since: int) -> tuple[int, int]:
    """(waiting, asked since `since`): one customer's manual requests."""
    row = await db.fetchone(_MANUAL_COUNTS, (State.PENDING, since, user_id, Method.MANUAL))
    assert row is not None
    return int(row[0]), int(row[1])


async def manual_counts_in(conn: Connection, user_id: int, since: int) -> tuple[int, int]:
    """`manual_counts` as the caller's transaction sees them."""
    async with conn.execute(_MANUAL_COUNTS, (State.PENDING, since, user_id, Method.MANUAL)) as cur:
        row = await cur.fetchone()
    assert row is not None
    return int(row[0]), int(row[1])


async def pending(db: Database, method: Method, limit: int) -> list[Payment]:
    """The oldest payments still waiting, of one method."""
    rows = await db.fetchall(
        f"SELECT {_COLUMNS} FROM payments WHERE method = ? AND state = ? ORDER BY id LIMIT ?",
        (method, State.PENDING, limit),
    )
    return [_payment(row) for row in rows]


async def balance_in(conn: Connection, user_id: int) -> int:
    """The user's balance as the caller's transaction sees it (for a message queued with it)."""
    async with conn.execute("SELECT balance FROM users WHERE id = ?", (user_id,)) as cursor:
        row = await cursor.fetchone()
    return 0 if row is None else int(row[0])


async def credit_mismatches(db: Database) -> list[tuple[int, str]]:
    """(payment, state) where the ledger disagrees: paid without its credit, or credited unpaid."""
    rows = await db.fetchall(  # compared in SQL: a healthy shop sends back no row at all
        "SELECT id, state FROM (SELECT p.id, p.state, EXISTS (SELECT 1 FROM ledger l"
        " WHERE l.user_id = p.user_id AND l.amount = p.amount AND l.key = CASE p.method"
        " WHEN 'stars' THEN 'stars:' || p.external_id ELSE 'manual:' || p.id END) AS credited"
        f" FROM payments p) AS c WHERE credited <> (state IN ({', '.join('?' * len(CREDITED))}))",
        CREDITED,
    )
    return [(row[0], row[1]) for row in rows]
