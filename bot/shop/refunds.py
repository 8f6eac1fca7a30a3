"""What a finished order is owed back: computed from our own charge, never the panel's."""

from __future__ import annotations

from storage.orders import Order, State

FULL_REFUND = frozenset({State.FAILED, State.CANCELED, State.REFUNDED})


def owed(order: Order) -> int:
    """Minor units owed back for the order's current state (rounded down)."""
    if order.state in FULL_REFUND:
        return order.charge
    if order.state is State.PARTIAL:
        undelivered = min(max(order.remains or 0, 0), order.quantity)
        return order.charge * undelivered // order.quantity
    return 0
