"""Order again: an earlier order's answers, checked again against the service as it is today."""

from __future__ import annotations

from datetime import date

from bot.shop import order_types
from storage.orders import Order
from storage.services import Service


def answers_of(order: Order, service: Service, today: date) -> dict[str, str] | None:
    """The order's answers (from its `add` form) for a new order of `service`, each checked as if
    typed today; None when the service's type changed or any answer no longer fits it (its
    min/max moved, an expiry date passed, a drip-feed was switched off)."""
    if service.type != order.service_type:
        return None
    return order_types.recheck(service, order.fields, today)
