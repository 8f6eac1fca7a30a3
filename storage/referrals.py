"""The referral programme's rows: invite codes, who referred whom, and each order's credit."""

from __future__ import annotations

import base64
import secrets
from dataclasses import dataclass

from storage.clock import now
from storage.db import Connection, Database

KIND = "referral"  # the ledger kind of a referral credit


@dataclass(frozen=True, slots=True)
class Earning:
    order_id: int
    amount: int
    created_at: int


@dataclass(frozen=True, slots=True)
class Figures:
    invited: int
    earned: int  # minor units, every credit so far
    last: list[Earning]


@dataclass(frozen=True, slots=True)
class Referrer:
    user_id: int
    first_name: str
    invited: int
    earned: int


@dataclass(frozen=True, slots=True)
class Credit:
    """One referral credit as the audit sees it, beside the ledger row and the order."""

    order_id: int
    referrer_id: int
    percent: str
    paid: int
    amount: int
    order_state: str
    customer_referrer: int | None  # who the order's customer was referred by
    ledger_user: int | None
    ledger_amount: int | None


def ledger_key(order_id: int) -> str:
    return f"{KIND}:{order_id}"


def _new_code() -> str:
    """8 base32 characters (40 random bits): short, and not the user's id."""
    return base64.b32encode(secrets.token_bytes(5)).decode("ascii")


async def code_of(db: Database, user_id: int) -> str:
    """The user's invite code, made on first need; a clash with another code draws again."""
    row = await db.lookup_one("SELECT code FROM referral_codes WHERE user_id = ?", (user_id,))
    if row is not None:
        return str(row[0])
    async with db.transaction() as conn:
        while True:
            cursor = await conn.execute(
                "INSERT INTO referral_codes (code, user_id) VALUES (?, ?) ON CONFLICT DO NOTHING",
                (_new_code(), user_id),
            )
            if cursor.rowcount == 1:
                break
            async with conn.execute(
                "SELECT 1 FROM referral_codes WHERE user_id = ?", (user_id,)
            ) as found:
                if await found.fetchone() is not None:
                    break  # another update of this user made it first
        async with conn.execute(
            "SELECT code FROM referral_codes WHERE user_id = ?", (user_id,)
        ) as cursor:
            row = await cursor.fetchone()
    assert row is not None
    return str(row[0])


async def attribute(db: Database, user_id: int, code: str) -> int | None:
    """Record that the code's owner brought `user_id`; the referrer, or None when the code is
    unknown, is the user's own, or the user was attributed before."""
    async with db.transaction() as conn:
        cursor = await conn.execute(
            "INSERT INTO referrals (user_id, referrer_id, created_at)"
            " SELECT ?, user_id, ? FROM referral_codes WHERE code = ? AND user_id <> ?"
            " ON CONFLICT (user_id) DO NOTHING",
            (user_id, now(), code, user_id),
        )
        if cursor.rowcount != 1:
            return None
        async with conn.execute(
            "SELECT referrer_id FROM referrals WHERE user_id = ?", (user_id,)
        ) as found:
            row = await found.fetchone()
    assert row is not None
    return int(row[0])


async def referrer_in(conn: Connection, user_id: int) -> int | None:
    async with conn.execute(
        "SELECT referrer_id FROM referrals WHERE user_id = ?", (user_id,)
    ) as cursor:
        row = await cursor.fetchone()
    return None if row is None else int(row[0])


async def referrer_of(db: Database, user_id: int) -> int | None:
    row = await db.lookup_one("SELECT referrer_id FROM referrals WHERE user_id = ?", (user_id,))
    return None if row is None else int(row[0])


async def paid_in(conn: Connection, order_id: int) -> int:
    """What the order's customer paid net, every round's charge less every refund."""
    async with conn.execute(
        "SELECT CAST(COALESCE(-SUM(amount), 0) AS BIGINT) FROM ledger WHERE order_id = ?"
        " AND kind IN ('order', 'refund')",
        (order_id,),
    ) as cursor:
        row = await cursor.fetchone()
    return int(row[0]) if row else 0


async def record(
    conn: Connection, *, order_id: int, referrer_id: int, percent: str, paid: int,
    amount: int,
) -> bool:  # fmt: skip
    """The credit's figures, once per order; False when the order paid its referrer before."""
    cursor = await conn.execute(
        "INSERT INTO referral_earnings (order_id, referrer_id, percent, paid, amount, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (order_id) DO NOTHING",
        (order_id, referrer_id, percent, paid, amount, now()),
    )
    return cursor.rowcount == 1


async def figures(db: Database, user_id: int, last: int = 5) -> Figures:
    invited = await db.scalar("SELECT COUNT(*) FROM referrals WHERE referrer_id = ?", (user_id,))
    earned = await db.scalar(
        "SELECT CAST(COALESCE(SUM(amount), 0) AS BIGINT) FROM referral_earnings"
        " WHERE referrer_id = ?",
        (user_id,),
    )
    rows = await db.fetchall(
        "SELECT order_id, amount, created_at FROM referral_earnings WHERE referrer_id = ?"
        " ORDER BY created_at DESC, order_id DESC LIMIT ?",
        (user_id, last),
    )
    return Figures(int(invited), int(earned), [Earning(*row) for row in rows])


async def top(db: Database, limit: int = 10) -> list[Referrer]:
    """The referrers who earned most (then invited most)."""
    rows = await db.fetchall(
        "SELECT u.id, u.first_name,"
        " (SELECT COUNT(*) FROM referrals r WHERE r.referrer_id = u.id) AS invited,"
        " (SELECT CAST(COALESCE(SUM(amount), 0) AS BIGINT) FROM referral_earnings e"
        "  WHERE e.referrer_id = u.id) AS earned"
        " FROM users u WHERE u.id IN (SELECT referrer_id FROM referrals)"
        " ORDER BY earned DESC, invited DESC, u.id LIMIT ?",
        (limit,),
    )
    return [Referrer(*row) for row in rows]


async def credits(db: Database) -> list[Credit]:
    """Every referral credit with its ledger row and order, for the audit (ledger rows of kind
    'referral' without figures come back with order -1)."""
    rows = await db.fetchall(
        "SELECT e.order_id, e.referrer_id, e.percent, e.paid, e.amount, o.state, r.referrer_id,"
        " l.user_id, l.amount FROM referral_earnings e"
        " JOIN orders o ON o.id = e.order_id"
        " LEFT JOIN referrals r ON r.user_id = o.user_id"
        " LEFT JOIN ledger l ON l.key = 'referral:' || e.order_id"
        " UNION ALL"
        " SELECT -1, l.user_id, '', 0, 0, '', NULL, l.user_id, l.amount FROM ledger l"
        " WHERE l.kind = ? AND l.key NOT IN"  # the keys listed once, not scanned per credit
        " (SELECT 'referral:' || e.order_id FROM referral_earnings e)",
        (KIND,),
    )
    return [Credit(*row) for row in rows]
