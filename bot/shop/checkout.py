"""Placing an order: debit and record, one `add`, then active, failed (refunded) or unknown."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from enum import StrEnum

from bot.panel.errors import UNREACHABLE, PanelErrorKind, PanelRefused, PanelUnreachable
from bot.panel.panels import Panels
from bot.shop import order_types, promos
from bot.shop.alerts import alert_admins, queue_alert
from bot.shop.config import ShopConfig
from bot.shop.money import from_minor, to_cost
from bot.shop.pricing import (
    BelowCost,
    Quote,
    base_cost,
    cost_floor,
    global_markup,
    markup_of,
    quote,
)
from storage import kv, ledger, orders, outbox, services
from storage import promos as promo_store
from storage.clock import now
from storage.db import Connection, Database, IntegrityError
from storage.ledger import InsufficientFunds
from storage.orders import State
from storage.services import Service

log = logging.getLogger(__name__)
_OWNER_PROBLEMS = frozenset({PanelErrorKind.AUTH, PanelErrorKind.FUNDS, UNREACHABLE})


class Outcome(StrEnum):
    PLACED = "placed"  # the panel took it
    FAILED = "failed"  # the panel refused it: refunded in full
    UNKNOWN = "unknown"  # nobody knows yet: no refund, admins decide
    NO_FUNDS = "no_funds"  # nothing debited
    DUPLICATE = "duplicate"  # this confirmation was used already
    UNAVAILABLE = "unavailable"  # not for sale right now (hidden, or priced under cost)
    CHANGED = "changed"  # the price or the service moved since the summary: nothing debited


class Change(StrEnum):
    """What moved between the summary and Confirm (the customer is shown it)."""

    PRICE = "price"
    SERVICE = "service"  # its type, and so the questions it needs
    DISCOUNT = "discount"  # the promo discount: used by another order, or a new one redeemed


@dataclass(frozen=True, slots=True)
class Offer:
    """What the summary showed and the customer agreed to: Confirm charges exactly this."""

    token: str
    service_id: int
    service_type: str
    answers: dict[str, str]
    units: int
    charge: int  # minor units of `currency`: what the customer pays, after `discount`
    currency: str
    discount: int = 0  # minor units a promo code takes off the price
    promo: int | None = None  # the redemption that gives `discount`
    promo_code: str = ""
    discount_capped: bool = False  # the code's percent would sell under cost: less is given


@dataclass(frozen=True, slots=True)
class Result:
    outcome: Outcome
    order_id: int | None = None
    reason: str | None = None  # a PanelErrorKind value, or UNREACHABLE
    change: Change | None = None  # with CHANGED


async def price(db: Database, config: ShopConfig, service: Service, units: int) -> Quote:
    markup = markup_of(service, await global_markup(db, config.markup))
    return quote(service, units, markup=markup, fx=config.fx)


async def make_offer(
    db: Database,
    config: ShopConfig,
    service: Service,
    answers: order_types.Answers,
    token: str,
    *,
    user_id: int | None = None,
) -> Offer:
    """Today's price for these answers, as an offer, less the customer's pending promo
    discount; raises `BelowCost` (admins alerted)."""
    units = order_types.units(service, answers)
    quote_ = await _quote(db, config, service, units)
    discount = await _discount(db, config, user_id, quote_)
    return Offer(
        token=token,
        service_id=service.id,
        service_type=service.type or "",
        answers=dict(answers),
        units=units,
        charge=quote_.charge - discount.amount,
        currency=config.currency,
        discount=discount.amount,
        promo=discount.redemption,
        promo_code=discount.code,
        discount_capped=discount.capped,
    )


async def _discount(
    db: Database, config: ShopConfig, user_id: int | None, quote_: Quote
) -> promos.Discount:
    if user_id is None:
        return promos.NO_DISCOUNT
    return await promos.discount_for(db, user_id, quote_, config.fx)


class _DiscountGone(Exception):
    """The offer's discount went to another order meanwhile: roll the order back."""


async def _quote(db: Database, config: ShopConfig, service: Service, units: int) -> Quote:
    try:
        return await price(db, config, service, units)
    except BelowCost as error:
        log.warning("service %s priced under cost: %s", service.id, error)
        await alert_admins(
            db,
            config,
            "admin-below-cost",
            f"below-cost:{service.id}:{error.charge}",
            service=service.ref,
            name=service.name,
            charge=str(from_minor(error.charge)),
            cost=str(from_minor(error.floor)),
            currency=config.currency,
        )
        raise


async def place_order(
    db: Database, panels: Panels, config: ShopConfig, *, user_id: int, offer: Offer
) -> Result:
    """DESIGN section 3. Charges exactly `offer.charge` or nothing; never retries `add`.

    The offer is checked against today's service and price first: anything the charge depends
    on that moved (markup, rate, type, currency) places nothing and says what changed, so the
    customer can see the new summary. So does a promo discount that is no longer the one
    shown. A used `offer.token` places nothing and names the order it placed.
    """
    service = await services.get(db, offer.service_id)
    if service is None or not order_types.sellable(service) or service.panel not in panels:
        return Result(Outcome.UNAVAILABLE)
    if service.type != offer.service_type or not order_types.answered(service, offer.answers):
        log.info("order of user %s not placed: the service's questions changed", user_id)
        return Result(Outcome.CHANGED, change=Change.SERVICE)
    units = order_types.units(service, offer.answers)
    try:
        quote_ = await _quote(db, config, service, units)
    except BelowCost:
        return Result(Outcome.UNAVAILABLE)
    discount = await _discount(db, config, user_id, quote_)
    if (discount.amount, discount.redemption) != (offer.discount, offer.promo):
        log.info("order of user %s not placed: the discount changed since the summary", user_id)
        return Result(Outcome.CHANGED, change=Change.DISCOUNT)
    if (units, quote_.charge - discount.amount, config.currency) != (
        offer.units, offer.charge, offer.currency
    ):  # fmt: skip
        log.info("order of user %s not placed: the price changed since the summary", user_id)
        return Result(Outcome.CHANGED, change=Change.PRICE)
    params = order_types.add_params(service, offer.answers)

    async def debit(conn: Connection) -> int | Result:
        """The order in `submitting`, its charge and its discount, committed together."""
        order_id = await orders.create(
            conn,
            user_id=user_id,
            service_id=service.id,
            service_name=service.name,
            service_type=offer.service_type,
            link=params.get("link") or params["username"],
            quantity=offer.units,
            fields=params,
            charge=offer.charge,
            cost=quote_.cost,
            token=offer.token,
            holder=config.instance,
            panel=service.panel,
        )
        if order_id is None:  # this Confirm placed its order before (a replayed update)
            return Result(Outcome.DUPLICATE, await orders.id_of_token(conn, offer.token))
        await ledger.post(
            conn,
            user_id=user_id,
            amount=-offer.charge,
            key=orders.round_key("order", order_id, 1),
            kind="order",
            order_id=order_id,
        )
        if offer.promo is not None and not await promo_store.use(
            conn, offer.promo, user_id, order_id, offer.discount
        ):
            raise _DiscountGone
        return order_id

    try:
        debited = await db.run(debit)  # committed before the `add` goes out (DESIGN section 3)
    except InsufficientFunds:
        return Result(Outcome.NO_FUNDS)
    except _DiscountGone:
        return Result(Outcome.CHANGED, change=Change.DISCOUNT)
    if isinstance(debited, Result):
        return debited
    order_id = debited
    log.info("order %s: user %s, service %s, charge %s", order_id, user_id, service.ref, offer)
    attempt = _Attempt(order_id, user_id, offer, service, params)
    return await _submit(db, panels, config, attempt)


# A definite refusal that says nothing against the order itself (the panel is out of funds,
# refuses our key, disabled the service, moved its price, or was not reached at all): the
# service's backup may take the order. A refusal of the link or the quantity would be the
# backup's too, and after an ambiguous answer the order may exist: never a second `add` then.
_BACKUP_ON = frozenset(
    {
        PanelErrorKind.AUTH,
        PanelErrorKind.FUNDS,
        PanelErrorKind.SERVICE,
        PanelErrorKind.RATE,
        UNREACHABLE,
    }
)


@dataclass(frozen=True, slots=True)
class _Attempt:
    """One `add` of an order: to its service's panel, or once to the backup's."""

    order_id: int
    user_id: int
    offer: Offer
    service: Service
    params: dict[str, str]
    backup_for: Service | None = None  # the service whose panel refused the order first


async def _submit(db: Database, panels: Panels, config: ShopConfig, attempt: _Attempt) -> Result:
    order_id, user_id = attempt.order_id, attempt.user_id
    try:
        upstream_id = await panels[attempt.service.panel].add(attempt.params)
    except (PanelRefused, PanelUnreachable) as error:
        reason, text = (
            (error.kind.value, error.text)
            if isinstance(error, PanelRefused)
            else (UNREACHABLE, "the panel could not be reached")
        )
        where = attempt.service.panel
        log.warning("order %s refused by panel %s (%s): %s", order_id, where, reason, text)
        if reason in _BACKUP_ON and attempt.backup_for is None:
            backup = await _backup(db, panels, config, attempt)
            if backup is not None and await _move_to(db, config, backup, reason, text):
                return await _submit(db, panels, config, backup)
        return await _refused(db, config, attempt, reason, text)
    except Exception as error:  # read timeout, dropped connection, 5xx, garbage, a bug: unknown
        log.exception("order %s: outcome of add unknown", order_id)
        cause = repr(error)
        await db.run(lambda conn: _to_unknown(conn, config, order_id, user_id, cause))
        return Result(Outcome.UNKNOWN, order_id)
    return await _record_placed(db, config, order_id, user_id, upstream_id)


async def _refused(
    db: Database, config: ShopConfig, attempt: _Attempt, reason: str, text: str
) -> Result:
    """A definite refusal and no backup: failed, refunded in full."""
    order_id = attempt.order_id

    async def refund(conn: Connection) -> Result:
        if not await fail_and_refund(conn, order_id, text, expected=State.SUBMITTING):
            await _alert_late(conn, config, order_id, f"refused: {text}")
            return Result(Outcome.UNKNOWN, order_id)
        if reason in _OWNER_PROBLEMS:
            await queue_alert(
                conn, config, "admin-panel-problem", f"panel-problem:{order_id}",
                order=order_id, reason=text, panel=attempt.service.panel,
            )  # fmt: skip
        return Result(Outcome.FAILED, order_id, reason)

    return await db.run(refund)


async def _backup(
    db: Database, panels: Panels, config: ShopConfig, attempt: _Attempt
) -> _Attempt | None:
    """The attempt on the service's backup, when it can serve this order at the price the
    customer agreed to without a loss: same type, listed by a configured panel, the same
    answers valid and the same units, its cost at most the charge."""
    primary, offer = attempt.service, attempt.offer
    backup = None if primary.backup_id is None else await services.get(db, primary.backup_id)
    if backup is None:
        return None
    usable = (
        backup.available
        and backup.type == primary.type
        and backup.panel != primary.panel
        and backup.panel in panels
        and order_types.recheck(backup, offer.answers, datetime.now(UTC).date()) is not None
        and order_types.units(backup, offer.answers) == offer.units
    )
    if not usable:
        log.warning("order %s: backup %s cannot take it", attempt.order_id, backup.ref)
        return None
    if cost_floor(backup, offer.units, config.fx) > offer.charge:
        log.warning("order %s: backup %s costs more than the customer pays", attempt.order_id,
                    backup.ref)  # fmt: skip
        return None
    params = order_types.add_params(backup, offer.answers)
    return replace(attempt, service=backup, params=params, backup_for=primary)


async def _move_to(
    db: Database, config: ShopConfig, backup: _Attempt, reason: str, text: str
) -> bool:
    """Point the order at the backup before its `add` goes out, so that a crash in between
    leaves an order an admin looks for on the right panel; False when it left `submitting`."""
    primary = backup.backup_for
    assert primary is not None
    cost = to_cost(base_cost(backup.service, backup.offer.units))
    refusal = f"{primary.ref} refused ({reason}): {text}"

    async def move(conn: Connection) -> bool:
        moved = await orders.transition(
            conn, backup.order_id, State.SUBMITTING, panel=backup.service.panel,
            service_id=backup.service.id, fields=backup.params, cost=cost,
            backup_of=primary.id, error=refusal,
        )  # fmt: skip
        if moved:
            await queue_alert(
                conn, config, "admin-backup-used", f"backup:{backup.order_id}",
                order=backup.order_id, service=primary.ref, backup=backup.service.ref,
                reason=text,
            )  # fmt: skip
        return moved

    moved = await db.run(move)
    if moved:
        log.info("order %s goes to backup %s (%s)", backup.order_id, backup.service.ref, reason)
    return moved


async def _record_placed(
    db: Database, config: ShopConfig, order_id: int, user_id: int, upstream_id: int
) -> Result:
    """The panel took it: active with its upstream id, unless the order moved on meanwhile.

    An order recovered as `unknown` by another process still takes the id (that is the truth
    an admin would attach); one already settled is never overwritten: admins are told.
    """

    async def record(conn: Connection) -> bool:
        placed = await orders.transition(
            conn, order_id, (State.SUBMITTING, State.UNKNOWN),
            state=State.ACTIVE, upstream_id=upstream_id,
        )  # fmt: skip
        if not placed:
            await _alert_late(conn, config, order_id, f"placed as {upstream_id}")
        return placed

    try:
        if not await db.run(record):
            return Result(Outcome.UNKNOWN, order_id)
    except IntegrityError:  # the panel gave an id another order already has
        log.error("order %s: upstream id %s is taken by another order", order_id, upstream_id)
        taken = f"the panel answered with upstream id {upstream_id}, already used"
        await _give_up(db, config, order_id, user_id, taken)
        return Result(Outcome.UNKNOWN, order_id)
    except Exception:  # the write failed after the panel took it: never lose the upstream id
        log.exception("order %s: placed upstream as %s, but recording it failed", order_id,
                      upstream_id)  # fmt: skip
        await _give_up(db, config, order_id, user_id, f"placed upstream as {upstream_id}")
        return Result(Outcome.UNKNOWN, order_id)
    log.info("order %s placed upstream as %s", order_id, upstream_id)
    return Result(Outcome.PLACED, order_id)


async def _give_up(
    db: Database, config: ShopConfig, order_id: int, user_id: int, error: str
) -> None:
    """`submitting` -> `unknown` for an admin, with the reason; should even that write fail,
    the periodic sweep (`recover_interrupted`) moves the order once its deadline passed."""
    try:
        await db.run(lambda conn: _to_unknown(conn, config, order_id, user_id, error))
    except Exception:
        log.exception("order %s: left in submitting for the sweep (%s)", order_id, error)


async def _to_unknown(
    conn: Connection, config: ShopConfig, order_id: int, user_id: int, error: str
) -> None:
    """A `submitting` order left to an admin as `unknown`, with the reason (caller's
    transaction); nothing when it left `submitting` already."""
    if await orders.transition(conn, order_id, State.SUBMITTING, state=State.UNKNOWN, error=error):
        await _alert_unknown(conn, config, order_id, user_id)


async def _alert_late(conn: Connection, config: ShopConfig, order_id: int, answer: str) -> None:
    """The panel's answer to `add` came after the order was settled: nothing is overwritten."""
    current = await orders.get_in(conn, order_id)
    state = current.state if current is not None else "missing"
    log.error("order %s: late add answer (%s) finds it %s: not written", order_id, answer, state)
    await queue_alert(
        conn, config, "admin-order-late-answer", f"late:{order_id}", order=order_id,
        answer=answer, state=str(state),
    )  # fmt: skip


async def fail_and_refund(
    conn: Connection, order_id: int, error: str, *, expected: State | Sequence[State]
) -> bool:
    """Mark an order failed and give this round's charge back, exactly once, and its promo
    discount for the next order (caller's transaction); False, and nothing written, when the
    order is no longer in `expected`."""
    order = await orders.get_in(conn, order_id)
    if order is None:
        raise LookupError(order_id)
    if not await orders.transition(conn, order_id, expected, state=State.FAILED, error=error):
        return False
    await promo_store.give_back(conn, order_id)  # it never reached the panel: the next may use it
    await ledger.post(
        conn,
        user_id=order.user_id,
        amount=order.charge,
        key=order.refund_key,
        kind="refund",
        order_id=order_id,
    )
    return True


SUBMIT_DEADLINE = 600  # seconds: no `add` of a live process still waits for its answer after this


async def recover_interrupted(db: Database, config: ShopConfig) -> list[int]:
    """An order whose `add` was cut off (a crash, a write that failed after the answer) is
    `unknown`, never retried. Only orders of a process whose lease expired are touched, and
    those of a live one past `SUBMIT_DEADLINE`: a second process never steals an order whose
    answer is still on its way. Run at start-up and periodically.

    Its customer is told it is being checked and the admins are alerted, as after a timeout.
    """

    async def recover(conn: Connection) -> list[tuple[int, int]]:
        abandoned = await orders.abandon_submitting(conn, kv.PROCESS_LEASE, now() - SUBMIT_DEADLINE)
        for order_id, user_id in abandoned:
            await outbox.put(
                conn, user_id, "order-unknown", {"order": order_id}, key=f"checking:{order_id}"
            )
            await _alert_unknown(conn, config, order_id, user_id)
        return abandoned

    return [order_id for order_id, _ in await db.run(recover)]


async def _alert_unknown(conn: Connection, config: ShopConfig, order_id: int, user_id: int) -> None:
    await queue_alert(
        conn, config, "admin-order-unknown", f"unknown:{order_id}", order=order_id, user=user_id
    )
