"""Order tracking: polled statuses with their refunds and pushes; refill and cancel requests."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any

from bot.limits import shorten
from bot.panel.client import PanelClient
from bot.panel.errors import (
    UNREACHABLE,
    PanelError,
    PanelErrorKind,
    PanelRefused,
    PanelUnreachable,
)
from bot.panel.models import OrderStatus, ServiceType
from bot.panel.panels import Panels
from bot.shop.alerts import queue_alert
from bot.shop.config import ShopConfig
from bot.shop.money import from_cost
from bot.shop.referrals import credit_referrer
from bot.shop.refunds import owed
from storage import ledger, orders, outbox
from storage.clock import now
from storage.db import Connection, Database
from storage.orders import FINAL_STATES, Order, State
from storage.services import Service

log = logging.getLogger(__name__)

UNKNOWN = "unknown"

TERMINAL = {
    "completed": State.COMPLETED,
    "partial": State.PARTIAL,
    "canceled": State.CANCELED,
    "refunded": State.REFUNDED,
}
# Statuses API v2 panels send while an order is still running; subscriptions say Active/Paused.
RUNNING = frozenset({"pending", "in progress", "processing", "active", "paused"})
# An order that ran out (a subscription past its expiry), and how a subscription ends: settled by
# what the panel reports as not delivered, since posts may stop before all were made.
ENDED = frozenset({"expired"})
_SUBSCRIPTION_ENDS = frozenset({"completed", "canceled"})
# Consecutive polls without a usable status (refused, left out, unknown text) before a person is
# asked: a panel that skips an order once or twice is not worth an alert.
ODD_POLLS_MAX = 5
# What the user hears about: "pending" is what they were told at checkout, so it has no push.
_PHASES = {"in progress": "in-progress", "processing": "in-progress", "active": "in-progress"}
_PUSHES = {
    "in-progress": "push-in-progress",
    "completed": "push-completed",
    "partial": "push-partial",
    "canceled": "push-canceled",
    "refunded": "push-refunded",
}
REFILLABLE = frozenset({State.COMPLETED, State.PARTIAL})
# Panels quote at least cents; a charge sent with fewer decimals than our 1e-5 cost is only
# compared to the precision it was sent with.
_COARSEST_CHARGE_STEP = Decimal("0.01")
_FINEST_EXPONENT = -5  # our costs are kept in 1e-5 units
_UNKNOWN_SEEN_MAX = 10_000
_PANEL_TEXT_MAX = 100  # a panel's own words quoted in an alert

_unknown_seen: set[tuple[int, str]] = set()


def _phase(state: State, status: str) -> str | None:
    """The user-visible phase of an order; None when there is nothing to tell."""
    if state in FINAL_STATES:
        return state.value
    return _PHASES.get(status) if state is State.ACTIVE else None


def _state_of(order: Order, status: str) -> State | None:
    """The state a normalised status text gives the order; None for text the bot does not know.

    An end settled by what was not delivered comes back as PARTIAL; `_decide` names it.
    """
    ends = status in ENDED or (
        order.service_type == ServiceType.SUBSCRIPTIONS and status in _SUBSCRIPTION_ENDS
    )
    if ends:
        return State.PARTIAL
    if status in TERMINAL:
        return TERMINAL[status]
    return State.ACTIVE if status in RUNNING else None


def _log_unknown(order_id: int, status: OrderStatus) -> None:
    """Once per (order, text) per process: a panel repeating itself every poll is one line."""
    seen = (order_id, status.status)
    if seen in _unknown_seen:
        return
    if len(_unknown_seen) >= _UNKNOWN_SEEN_MAX:
        _unknown_seen.clear()
    _unknown_seen.add(seen)
    log.warning("order %s: unknown status %.60r kept active", order_id, status.raw_status)


def charge_differs(expected: Decimal, charged: Decimal) -> bool:
    """True when the panel's charge cannot be our expected cost, allowing for its rounding."""
    exponent = charged.as_tuple().exponent
    if not isinstance(exponent, int):
        return True
    # Clamped first: scaleb refuses an exponent as small as a hostile panel may send (1e-99999999).
    step = Decimal(1).scaleb(max(exponent, _FINEST_EXPONENT))
    tolerance = min(step, _COARSEST_CHARGE_STEP)
    return abs(charged - expected) > tolerance


async def apply_status(
    db: Database, config: ShopConfig, order_id: int, status: OrderStatus
) -> bool:
    """Record one polled status in one transaction; True when the state or the phase changed.

    Refunds and pushes are keyed, so a replayed status (a second poll, a retried batch) moves no
    money and queues no message twice.
    """
    async with db.transaction() as conn:
        return await apply_statuses_in(conn, config, {order_id: status}) == 1


async def apply_statuses_in(
    conn: Connection, config: ShopConfig, statuses: Mapping[int, OrderStatus]
) -> int:
    """`apply_status` for many orders inside the caller's write transaction; how many changed.

    The orders are re-read here, in the transaction, so the decision is made on fresh rows.
    """
    current = await orders.get_many_in(conn, list(statuses))
    quiet: list[int] = []  # nothing new but the time of the check
    changed = 0
    for order_id, status in statuses.items():
        before = current.get(order_id)
        if before is None or before.state is not State.ACTIVE:
            continue  # finished or resolved by an admin since it was picked for polling
        outcome = await _apply(conn, config, before, status)
        if outcome is None:
            quiet.append(order_id)
        else:
            changed += outcome
    await orders.touch_checked(conn, quiet)
    return changed


async def note_unreported_in(
    conn: Connection, config: ShopConfig, unreported: Mapping[int, str | None]
) -> int:
    """Orders the panel refused to report (order -> its refusal text) or left out (-> None).

    One more odd poll each, in the caller's transaction; at ODD_POLLS_MAX in a row the order
    goes to review and admins are alerted once. How many went to review.
    """
    current = await orders.get_many_in(conn, list(unreported))
    reviewed = 0
    for order_id, answer in unreported.items():
        order = current.get(order_id)
        if order is None or order.state is not State.ACTIVE:
            continue
        after = dataclasses.replace(order, odd_polls=order.odd_polls + 1, checked_at=now())
        if after.odd_polls >= ODD_POLLS_MAX:
            after = dataclasses.replace(after, state=State.REVIEW)
        if not await orders.transition(
            conn, order_id, State.ACTIVE, state=after.state, odd_polls=after.odd_polls,
            checked_at=after.checked_at,
        ):  # fmt: skip
            continue
        if after.state is State.REVIEW:
            reviewed += 1
            if answer is None:
                await _ask_review(conn, config, after, "admin-review-left-out")
            else:
                text = shorten(answer, _PANEL_TEXT_MAX)
                await _ask_review(conn, config, after, "admin-review-refused", answer=text)
    return reviewed


async def _apply(
    conn: Connection, config: ShopConfig, before: Order, status: OrderStatus
) -> bool | None:
    """Write what the status changes; None when it changes nothing stored, else "was it news"."""
    order_id, text = before.id, status.status
    state = _state_of(before, text)
    if state is None:
        _log_unknown(order_id, status)
    if state is State.PARTIAL and status.remains is None:
        log.warning("order %s: Partial without remains, refund uses the last known", order_id)
    figures = _figures(before, status, state)
    if all(getattr(before, name) == value for name, value in figures.items()):
        return None  # what the order holds already (most polls): no Order built to compare
    after = _decide(dataclasses.replace(before, **figures, checked_at=now()))
    if dataclasses.replace(after, checked_at=before.checked_at) == before:
        return None
    if not await orders.transition(
        conn, order_id, State.ACTIVE, state=after.state, status=after.status,
        remains=after.remains, start_count=after.start_count,
        upstream_charge=after.upstream_charge, placed_charge=after.placed_charge,
        odd_polls=after.odd_polls, checked_at=after.checked_at,
    ):  # fmt: skip
        return None
    if before.upstream_charge is None and status.charge is not None and state is State.ACTIVE:
        # Only a running order's charge is the full price: panels lower it on Partial/Canceled.
        await _check_charge(conn, config, after, status.charge)
    if after.state is State.REVIEW:
        message = "admin-review-status" if state is None else "admin-review-refund"
        raw = shorten(status.raw_status, _PANEL_TEXT_MAX)
        await _ask_review(conn, config, after, message, status=raw)
        return True
    refund = owed(after) or 0
    if refund > 0:
        await ledger.post(
            conn, user_id=after.user_id, amount=refund, key=after.refund_key, kind="refund",
            order_id=order_id, note=text,
        )  # fmt: skip
    await credit_referrer(conn, config, after)
    old_phase, new_phase = _phase(before.state, before.status), _phase(after.state, text)
    news = after.state is not before.state or (new_phase is not None and new_phase != old_phase)
    if news and new_phase is not None:
        args: dict[str, object] = {"order": str(order_id), "service": after.service_name}
        if after.state is not State.ACTIVE and after.state is not State.COMPLETED:
            args["refund"] = refund
        await outbox.put(
            conn, after.user_id, _PUSHES[new_phase], args, key=f"status:{order_id}:{new_phase}"
        )
    return news


def _figures(before: Order, status: OrderStatus, state: State | None) -> dict[str, Any]:
    """The order's fields as this status sets them; a usable one ends a run of odd polls."""
    final = state is not None and state is not State.ACTIVE
    charge: str | None
    if status.charge is not None:
        charge = str(status.charge)
    else:
        # A final status without a charge says nothing of what the panel refunded us; a running
        # one that leaves it out has not changed it.
        charge = None if final else before.upstream_charge
    placed = before.placed_charge
    if placed is None and state is State.ACTIVE and status.charge is not None and status.charge > 0:
        placed = str(status.charge)  # the full price: later charges are measured against it
    # A panel that leaves a figure out has not changed it: keep the last one it sent.
    return {
        "state": State.ACTIVE if state is None else state,
        "status": status.status,
        "remains": before.remains if status.remains is None else status.remains,
        "start_count": before.start_count if status.start_count is None else status.start_count,
        "upstream_charge": charge,
        "placed_charge": placed,
        "odd_polls": before.odd_polls + 1 if state is None else 0,
    }


def _decide(order: Order) -> Order:
    """The state the figures settle on: review when the rule cannot tell or odd polls last.

    An end that is not the panel's own Partial (an expiry, a subscription's end) is named by what
    it owes: nothing is Completed, everything is Canceled.
    """
    if order.state is State.ACTIVE:
        if order.odd_polls >= ODD_POLLS_MAX:
            return dataclasses.replace(order, state=State.REVIEW)
        return order
    refund = owed(order)
    if refund is None:
        return dataclasses.replace(order, state=State.REVIEW)
    if order.state is not State.PARTIAL or order.status == "partial":
        return order
    if refund == 0:
        return dataclasses.replace(order, state=State.COMPLETED)
    if refund >= order.charge:
        return dataclasses.replace(order, state=State.CANCELED)
    return order


async def _ask_review(
    conn: Connection, config: ShopConfig, order: Order, message: str, **args: object
) -> None:
    """Admins hear once that the order waits in /review; a later episode is alerted again."""
    log.warning("order %s: sent to review (%s)", order.id, message)
    await queue_alert(
        conn, config, message, f"review:{order.id}:{order.checked_at}", order=str(order.id),
        user=str(order.user_id), upstream=str(order.upstream_id), polls=order.odd_polls,
        **args,
    )  # fmt: skip


async def _check_charge(
    conn: Connection, config: ShopConfig, order: Order, charged: Decimal
) -> None:
    expected = from_cost(order.cost)
    if not charge_differs(expected, charged):
        return
    log.warning("order %s: panel charged %s, expected %s", order.id, charged, expected)
    await queue_alert(
        conn, config, "admin-charge-mismatch", f"mismatch:{order.id}", order=str(order.id),
        expected=str(expected), charged=str(charged), currency=config.panel_currency,
    )  # fmt: skip


def can_refill(order: Order, service: Service | None) -> bool:
    return (
        service is not None
        and service.refill
        and order.state in REFILLABLE
        and order.upstream_id is not None
    )


def can_cancel(order: Order, service: Service | None) -> bool:
    return (
        service is not None
        and service.cancel
        and order.state is State.ACTIVE
        and not order.cancel_requested
        and order.upstream_id is not None
    )


class ActionOutcome(StrEnum):
    REQUESTED = "requested"
    REFUSED = "refused"  # the panel said no: reason is a PanelErrorKind value
    NOT_ALLOWED = "not_allowed"  # the service or the order's state does not allow it
    ERROR = "error"  # no answer: reason is "unreachable" or "unknown"


@dataclass(frozen=True)
class ActionResult:
    outcome: ActionOutcome
    reason: str | None = None


def _failed(order: Order, action: str, error: PanelError) -> ActionResult:
    if isinstance(error, PanelRefused):
        log.info("order %s: panel refused %s (%s)", order.id, action, error.kind)
        return ActionResult(ActionOutcome.REFUSED, error.kind.value)
    log.warning("order %s: %s request failed: %s", order.id, action, error)
    reason = UNREACHABLE if isinstance(error, PanelUnreachable) else UNKNOWN
    return ActionResult(ActionOutcome.ERROR, reason)


def _panel_of(order: Order, panels: Panels) -> PanelClient | None:
    """The client of the panel the order went to; None once that panel is no longer set up."""
    panel = panels.get(order.panel)
    if panel is None:
        log.warning("order %s: its panel %r is not configured", order.id, order.panel)
    return panel


async def request_refill(
    db: Database, panels: Panels, order: Order, service: Service | None
) -> ActionResult:
    """Ask the order's panel for a refill and record its id for the refill poller."""
    if not can_refill(order, service) or order.upstream_id is None:
        return ActionResult(ActionOutcome.NOT_ALLOWED)
    panel = _panel_of(order, panels)
    if panel is None:
        return ActionResult(ActionOutcome.ERROR, UNREACHABLE)
    try:
        refill_id = await panel.refill(order.upstream_id)
    except PanelError as error:
        return _failed(order, "refill", error)
    async with db.transaction() as conn:
        await orders.add_refill(conn, order.id, refill_id)
    log.info("order %s: refill %s requested", order.id, refill_id)
    return ActionResult(ActionOutcome.REQUESTED)


async def request_cancel(
    db: Database, panels: Panels, order: Order, service: Service | None
) -> ActionResult:
    """Ask the order's panel to cancel. Nothing is refunded here: only a polled Canceled does
    that."""
    if not can_cancel(order, service) or order.upstream_id is None:
        return ActionResult(ActionOutcome.NOT_ALLOWED)
    panel = _panel_of(order, panels)
    if panel is None:
        return ActionResult(ActionOutcome.ERROR, UNREACHABLE)
    try:
        answers = await panel.cancel([order.upstream_id])
    except PanelError as error:
        return _failed(order, "cancel", error)
    answer = answers.get(order.upstream_id)
    if isinstance(answer, PanelRefused):
        return _failed(order, "cancel", answer)
    if answer is None:
        log.warning("order %s: the cancel answer left this order out", order.id)
        return ActionResult(ActionOutcome.ERROR, UNKNOWN)
    if not answer:
        log.info("order %s: panel answered cancel 0", order.id)
        return ActionResult(ActionOutcome.REFUSED, PanelErrorKind.OTHER.value)
    async with db.transaction() as conn:
        await orders.transition(conn, order.id, State.ACTIVE, cancel_requested=1)
    log.info("order %s: cancel requested", order.id)
    return ActionResult(ActionOutcome.REQUESTED)
