"""Figures for the owner's /stats: users, orders, revenue, cost and balances."""

from __future__ import annotations

from dataclasses import dataclass

from storage.db import Database


@dataclass(frozen=True, slots=True)
class Users:
    total: int
    active: int
    blocked: int
    banned: int
    balances: int  # minor units customers hold


@dataclass(frozen=True, slots=True)
class Sales:
    orders: int
    revenue: int  # minor units kept: charges less refunds
    cost: int  # 1e-5 panel units for what was delivered (cost scaled by what was kept)


async def users(db: Database, active_since: int) -> Users:
    row = await db.fetchone(
        "SELECT COUNT(*), COALESCE(SUM(last_seen_at >= ?), 0), COALESCE(SUM(blocked), 0),"
        " COALESCE(SUM(banned), 0), COALESCE(SUM(balance), 0) FROM users",
        (active_since,),
    )
    assert row is not None
    return Users(*row)


async def sales(db: Database, since: int) -> Sales:
    row = await db.fetchone(
        "SELECT COUNT(*), COALESCE(SUM(o.charge - COALESCE(r.refund, 0)), 0),"
        " COALESCE(SUM(o.cost * (o.charge - COALESCE(r.refund, 0)) / o.charge), 0)"
        " FROM orders o LEFT JOIN (SELECT order_id, SUM(amount) AS refund FROM ledger"
        " WHERE kind = 'refund' GROUP BY order_id) r ON r.order_id = o.id"
        " WHERE o.created_at >= ?",
        (since,),
    )
    assert row is not None
    return Sales(*row)
