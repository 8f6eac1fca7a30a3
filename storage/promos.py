"""Promo codes and their redemptions: the uses limit and the discounts waiting for an order."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from storage.clock import now
from storage.db import Connection, Database, Row


class Kind(StrEnum):
    GIFT = "gift"  # `amount` minor units credited on redemption
    DISCOUNT = "discount"  # `amount` percent off the customer's next order


@dataclass(frozen=True, slots=True)
class Promo:
    id: int
    code: str
    kind: Kind
    amount: int
    max_uses: int | None
    uses: int
    until: int | None
    new_only: bool
    active: bool
    created_at: int


@dataclass(frozen=True, slots=True)
class Pending:
    """A redeemed discount no order has used yet."""

    redemption: int
    code: str
    percent: int


@dataclass(frozen=True, slots=True)
class Used:
    """A discount an order took: the audit compares it with the order."""

    redemption: int
    code: str
    percent: int
    user_id: int
    order_id: int
    discount: int
    order_user: int | None
    order_charge: int | None
    order_state: str | None


_COLUMNS = "id, code, kind, amount, max_uses, uses, until, new_only, active, created_at"


def _promo(row: Row) -> Promo:
    data = dict(row)
    data["kind"] = Kind(data["kind"])
    data["new_only"] = bool(data["new_only"])
    data["active"] = bool(data["active"])
    return Promo(**data)


async def create(
    db: Database,
    *,
    code: str,
    kind: Kind,
    amount: int,
    max_uses: int | None,
    until: int | None,
    new_only: bool,
) -> bool:
    """False when the code exists already (even switched off: a ledger key names it)."""
    async with db.transaction() as conn:
        cursor = await conn.execute(
            "INSERT INTO promos (code, kind, amount, max_uses, until, new_only, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (code) DO NOTHING",
            (code, kind.value, amount, max_uses, until, int(new_only), now()),
        )
        return cursor.rowcount == 1


async def switch_off(db: Database, code: str) -> bool:
    async with db.transaction() as conn:
        cursor = await conn.execute(
            "UPDATE promos SET active = 0 WHERE code = ? AND active = 1", (code,)
        )
        return cursor.rowcount == 1


async def listed(db: Database) -> list[Promo]:
    rows = await db.fetchall(f"SELECT {_COLUMNS} FROM promos ORDER BY active DESC, id DESC")
    return [_promo(row) for row in rows]


async def get(db: Database, code: str) -> Promo | None:
    row = await db.fetchone(f"SELECT {_COLUMNS} FROM promos WHERE code = ?", (code,))
    return None if row is None else _promo(row)


async def get_in(conn: Connection, code: str) -> Promo | None:
    async with conn.execute(f"SELECT {_COLUMNS} FROM promos WHERE code = ?", (code,)) as cursor:
        row = await cursor.fetchone()
    return None if row is None else _promo(row)


async def has_paid_order(conn: Connection, user_id: int) -> bool:
    """Any order that was not refused outright: the customer has paid for something."""
    async with conn.execute(
        "SELECT 1 FROM orders WHERE user_id = ? AND state <> 'failed' LIMIT 1", (user_id,)
    ) as cursor:
        return await cursor.fetchone() is not None


async def add_redemption(conn: Connection, promo_id: int, user_id: int) -> bool:
    """False when this customer redeemed this code before."""
    cursor = await conn.execute(
        "INSERT INTO promo_redemptions (promo_id, user_id, created_at) VALUES (?, ?, ?)"
        " ON CONFLICT (promo_id, user_id) DO NOTHING",
        (promo_id, user_id, now()),
    )
    return cursor.rowcount == 1


async def take_use(conn: Connection, promo_id: int) -> bool:
    """One more use, only while under the limit: False when the last one is gone."""
    cursor = await conn.execute(
        "UPDATE promos SET uses = uses + 1 WHERE id = ? AND (max_uses IS NULL OR uses < max_uses)",
        (promo_id,),
    )
    return cursor.rowcount == 1


async def pending(db: Database, user_id: int) -> Pending | None:
    """The customer's oldest redeemed discount that no order has used (an index finds it)."""
    row = await db.lookup_one(
        "SELECT r.id, p.code, p.amount FROM promo_redemptions r JOIN promos p ON p.id = r.promo_id"
        " WHERE r.user_id = ? AND r.order_id IS NULL AND p.kind = 'discount'"
        " ORDER BY r.id LIMIT 1",
        (user_id,),
    )
    return None if row is None else Pending(row[0], row[1], row[2])


async def use(
    conn: Connection, redemption: int, user_id: int, order_id: int, discount: int
) -> bool:
    """Give a pending discount to an order; False when it is no longer pending."""
    cursor = await conn.execute(
        "UPDATE promo_redemptions SET order_id = ?, discount = ?"
        " WHERE id = ? AND user_id = ? AND order_id IS NULL",
        (order_id, discount, redemption, user_id),
    )
    return cursor.rowcount == 1


async def give_back(conn: Connection, order_id: int) -> None:
    """The order never reached the panel: its discount waits for the next order again."""
    await conn.execute(
        "UPDATE promo_redemptions SET returned_from = order_id, returned_discount = discount,"
        " order_id = NULL, discount = NULL WHERE order_id = ?",
        (order_id,),
    )


async def take_back(conn: Connection, order_id: int) -> bool:
    """A failed order is attached after all: the discount it gave back is its own again.

    True when it had none, or took it back; False when another order has used it since
    (the customer would have it twice).
    """
    async with conn.execute(
        "SELECT order_id IS NULL FROM promo_redemptions WHERE returned_from = ?", (order_id,)
    ) as cursor:
        row = await cursor.fetchone()
    if row is None:
        return True
    if not row[0]:
        return False
    await conn.execute(
        "UPDATE promo_redemptions SET order_id = returned_from, discount = returned_discount,"
        " returned_from = NULL, returned_discount = NULL WHERE returned_from = ?",
        (order_id,),
    )
    return True


async def uses_mismatches(db: Database) -> list[tuple[str, int, int | None, int]]:
    """(code, uses, max_uses, redemptions) where the counter disagrees or passed the limit."""
    rows = await db.fetchall(
        "SELECT p.code, p.uses, p.max_uses, COUNT(r.id) FROM promos p"
        " LEFT JOIN promo_redemptions r ON r.promo_id = p.id GROUP BY p.id"
        " HAVING p.uses <> COUNT(r.id) OR (p.max_uses IS NOT NULL AND p.uses > p.max_uses)"
    )
    return [(row[0], row[1], row[2], row[3]) for row in rows]


async def gift_mismatches(db: Database) -> list[tuple[str, int, int, int]]:
    """(key, user, amount owed, amount credited) for every gift whose ledger credit differs
    from the gift, and every `promo` credit with no redemption behind it (owed 0)."""
    rows = await db.fetchall(
        "SELECT * FROM (SELECT 'promo:' || p.code || ':' || r.user_id AS key, r.user_id,"
        " p.amount, CAST(COALESCE((SELECT SUM(l.amount) FROM ledger l"
        " WHERE l.key = 'promo:' || p.code || ':' || r.user_id AND l.user_id = r.user_id"
        " AND l.kind = 'promo'), 0) AS BIGINT) AS credited"
        " FROM promo_redemptions r JOIN promos p ON p.id = r.promo_id WHERE p.kind = 'gift')"
        " AS gifts WHERE credited <> amount"
        " UNION ALL"
        " SELECT l.key, l.user_id, 0, l.amount FROM ledger l WHERE l.kind = 'promo'"
        " AND (l.key, l.user_id) NOT IN"  # the gifts listed once, not scanned per credit
        " (SELECT 'promo:' || p.code || ':' || r.user_id, r.user_id FROM promo_redemptions r"
        " JOIN promos p ON p.id = r.promo_id WHERE p.kind = 'gift')"
    )
    return [(row[0], row[1], row[2], row[3]) for row in rows]


async def used(db: Database) -> list[Used]:
    """Every discount an order took, with that order's owner, charge and state."""
    rows = await db.fetchall(
        "SELECT r.id, p.code, p.amount, r.user_id, r.order_id, r.discount, o.user_id, o.charge,"
        " o.state FROM promo_redemptions r JOIN promos p ON p.id = r.promo_id"
        " LEFT JOIN orders o ON o.id = r.order_id WHERE r.order_id IS NOT NULL"
    )
    return [Used(*row) for row in rows]
