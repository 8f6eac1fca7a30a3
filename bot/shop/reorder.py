"""Order again: an earlier order's answers, checked again against the service as it is today."""

from __future__ import annotations

from datetime import date

from bot.shop import order_types
from bot.shop.order_types import FIELDS, Answers, InvalidAnswer
from storage.orders import Order
from storage.services import Service


def answers_of(order: Order, service: Service, today: date) -> dict[str, str] | None:
    """The order's answers (from its `add` form) for a new order of `service`, each checked as if
    typed today; None when the service's type changed or any answer no longer fits it (its
    min/max moved, an expiry date passed, a drip-feed was switched off)."""
    if service.type != order.service_type:
        return None
    given: Answers = order.fields
    answers: dict[str, str] = {}
    while (name := order_types.next_field(service, answers)) is not None:
        text = given.get(name, "")
        if not text and FIELDS[name].optional:
            answers[name] = ""  # skipped then, skipped now
            continue
        try:
            answers[name] = order_types.check(service, name, text, answers, today)
        except InvalidAnswer:
            return None
    if any(name not in answers for name in given if name != "service"):
        return None  # the order had an answer the service no longer asks for
    return answers
