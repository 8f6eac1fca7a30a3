"""Placing an order: debit and record, one `add`, then active, failed (refunded) or unknown."""

from __future__ import annotations

import logging
import sqlite3
from dataclasses import dataclass
from enum import StrEnum

import aiosqlite

from bot.panel.client import PanelClient
from bot.panel.errors import PanelErrorKind, PanelRefused, PanelUnreachable
from bot.shop import order_types
from bot.shop.config import ShopConfig
from bot.shop.money import from_minor
from bot.shop.pricing import BelowCost, Quote, global_markup, markup_of, quote
from storage import ledger, orders, outbox
from storage.db import Database
from storage.ledger import InsufficientFunds
from storage.services import Service

log = logging.getLogger(__name__)
UNREACHABLE = "unreachable"
_OWNER_PROBLEMS = frozenset({PanelErrorKind.AUTH, PanelErrorKind.FUNDS, UNREACHABLE})


class Outcome(StrEnum):
    PLACED = "placed"  # the panel took it
    FAILED = "failed"  # the panel refused it: refunded in full
    UNKNOWN = "unknown"  # nobody knows yet: no refund, admins decide
    NO_FUNDS = "no_funds"  # nothing debited
    DUPLICATE = "duplicate"  # this confirmation was used already
    UNAVAILABLE = "unavailable"  # not for sale right now (hidden, or priced under cost)


@dataclass(frozen=True, slots=True)
class Result:
    outcome: Outcome
    order_id: int | None = None
    reason: str | None = None  # a PanelErrorKind value, or UNREACHABLE


async def price(db: Database, config: ShopConfig, service: Service, units: int) -> Quote:
    markup = markup_of(service, await global_markup(db, config.markup))
    return quote(service, units, markup=markup, fx=config.fx)


async def queue_alert(
    conn: aiosqlite.Connection, config: ShopConfig, message: str, key: str, **args: object
) -> None:
    """Queue one alert per admin inside the caller's transaction; `key` makes a repeat a no-op."""
    for admin in config.admin_ids:
        await outbox.put(conn, admin, message, dict(args), key=f"{key}:{admin}")


async def alert_admins(
    db: Database, config: ShopConfig, message: str, key: str, **args: object
) -> None:
    async with db.transaction() as conn:
        await queue_alert(conn, config, message, key, **args)


async def place_order(
    db: Database,
    panel: PanelClient,
    config: ShopConfig,
    *,
    user_id: int,
    service: Service,
    answers: order_types.Answers,
    token: str,
) -> Result:
    """DESIGN section 3. Never retries `add`; a used `token` places nothing."""
    if not order_types.sellable(service):
        return Result(Outcome.UNAVAILABLE)
    units = order_types.units(service, answers)
    try:
        price_ = await price(db, config, service, units)
    except BelowCost as error:
        log.warning("service %s priced under cost: %s", service.id, error)
        await alert_admins(
            db,
            config,
            "admin-below-cost",
            f"below-cost:{service.id}:{error.charge}",
            service=service.id,
            name=service.name,
            charge=str(from_minor(error.charge)),
            cost=str(from_minor(error.floor)),
            currency=config.currency,
        )
        return Result(Outcome.UNAVAILABLE)
    params = order_types.add_params(service, answers)
    try:
        async with db.transaction() as conn:
            order_id = await orders.create(
                conn,
                user_id=user_id,
                service_id=service.id,
                service_name=service.name,
                service_type=service.type or "",
                link=params.get("link") or params["username"],
                quantity=units,
                fields=params,
                charge=price_.charge,
                cost=price_.cost,
                token=token,
            )
            if order_id is None:
                return Result(Outcome.DUPLICATE)
            await ledger.post(
                conn,
                user_id=user_id,
                amount=-price_.charge,
                key=f"order:{order_id}",
                kind="order",
                order_id=order_id,
            )
    except InsufficientFunds:
        return Result(Outcome.NO_FUNDS)
    log.info("order %s: user %s, service %s, charge %s", order_id, user_id, service.id, price_)
    return await _submit(db, panel, config, order_id, user_id, params)


async def _submit(
    db: Database,
    panel: PanelClient,
    config: ShopConfig,
    order_id: int,
    user_id: int,
    params: dict[str, str],
) -> Result:
    try:
        upstream_id = await panel.add(params)
    except (PanelRefused, PanelUnreachable) as error:
        reason, text = (
            (error.kind.value, error.text)
            if isinstance(error, PanelRefused)
            else (UNREACHABLE, "the panel could not be reached")
        )
        log.warning("order %s refused by the panel (%s): %s", order_id, reason, text)
        async with db.transaction() as conn:
            await fail_and_refund(conn, order_id, text)
            if reason in _OWNER_PROBLEMS:
                await queue_alert(
                    conn,
                    config,
                    "admin-panel-problem",
                    f"panel-problem:{order_id}",
                    order=order_id,
                    reason=text,
                )
        return Result(Outcome.FAILED, order_id, reason)
    except Exception as error:  # read timeout, dropped connection, 5xx, garbage, a bug: unknown
        log.exception("order %s: outcome of add unknown", order_id)
        async with db.transaction() as conn:
            await orders.update(conn, order_id, state=orders.State.UNKNOWN, error=repr(error))
            await _alert_unknown(conn, config, order_id, user_id)
        return Result(Outcome.UNKNOWN, order_id)
    try:
        async with db.transaction() as conn:
            await orders.update(conn, order_id, state=orders.State.ACTIVE, upstream_id=upstream_id)
    except sqlite3.IntegrityError:  # the panel gave an id another order already has
        log.error("order %s: upstream id %s is taken by another order", order_id, upstream_id)
        async with db.transaction() as conn:
            taken = f"the panel answered with upstream id {upstream_id}, already used"
            await orders.update(conn, order_id, state=orders.State.UNKNOWN, error=taken)
            await _alert_unknown(conn, config, order_id, user_id)
        return Result(Outcome.UNKNOWN, order_id)
    log.info("order %s placed upstream as %s", order_id, upstream_id)
    return Result(Outcome.PLACED, order_id)


async def fail_and_refund(conn: aiosqlite.Connection, order_id: int, error: str) -> None:
    """Mark an order failed and give its whole charge back, exactly once (caller's transaction)."""
    order = await orders.get_in(conn, order_id)
    if order is None:
        raise LookupError(order_id)
    await orders.update(conn, order_id, state=orders.State.FAILED, error=error)
    await ledger.post(
        conn,
        user_id=order.user_id,
        amount=order.charge,
        key=f"refund:{order_id}",
        kind="refund",
        order_id=order_id,
    )


async def recover_interrupted(db: Database, config: ShopConfig) -> list[int]:
    """At start-up: an order whose `add` was cut off by a crash is `unknown`, never retried.

    Its customer is told it is being checked and the admins are alerted, as after a timeout.
    """
    async with db.transaction() as conn:
        abandoned = await orders.abandon_submitting(conn)
        for order_id, user_id in abandoned:
            await outbox.put(
                conn, user_id, "order-unknown", {"order": order_id}, key=f"checking:{order_id}"
            )
            await _alert_unknown(conn, config, order_id, user_id)
    return [order_id for order_id, _ in abandoned]


async def _alert_unknown(
    conn: aiosqlite.Connection, config: ShopConfig, order_id: int, user_id: int
) -> None:
    await queue_alert(
        conn, config, "admin-order-unknown", f"unknown:{order_id}", order=order_id, user=user_id
    )
