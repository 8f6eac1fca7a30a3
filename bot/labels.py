"""Locale message ids for enum values, spelled out: renaming a member cannot silently lose a text.

Used wherever a state, a reason, a refill's status or an order field is shown; tests check that
every member has its message in every language.
"""

from __future__ import annotations

from bot.panel.errors import UNREACHABLE, PanelErrorKind
from bot.shop.order_types import FIELDS, Kind
from bot.shop.tracking import UNKNOWN
from storage.orders import State

STATE_TEXT = {
    State.SUBMITTING: "state-submitting",
    State.ACTIVE: "state-active",
    State.UNKNOWN: "state-unknown",
    State.REVIEW: "state-review",
    State.FAILED: "state-failed",
    State.COMPLETED: "state-completed",
    State.PARTIAL: "state-partial",
    State.CANCELED: "state-canceled",
    State.REFUNDED: "state-refunded",
}
# An order's state, short enough for its button in the list (the card says it in full).
STATE_SHORT = {
    State.SUBMITTING: "state-submitting-short",
    State.ACTIVE: "state-active-short",
    State.UNKNOWN: "state-unknown-short",
    State.REVIEW: "state-review-short",
    State.FAILED: "state-failed-short",
    State.COMPLETED: "state-completed-short",
    State.PARTIAL: "state-partial-short",
    State.CANCELED: "state-canceled-short",
    State.REFUNDED: "state-refunded-short",
}
# A refill's status as stored (the panel's text, normalised): the panel's words stay English,
# the customer reads their own. `refunded`: the supplier gave up on it, told as declined (as the
# push says); a status no panel documents reads neutrally (`refill_status_text`).
REFILL_STATUS = {
    "pending": "refill-status-pending",
    "in progress": "refill-status-in-progress",
    "processing": "refill-status-in-progress",
    "completed": "refill-status-completed",
    "rejected": "refill-status-rejected",
    "refunded": "refill-status-rejected",
    "canceled": "refill-status-canceled",
    "error": "refill-status-failed",
    "failed": "refill-status-failed",
}

# Why the panel refused or never answered: a `PanelErrorKind` value, UNREACHABLE or UNKNOWN.
REASON_TEXT = {
    PanelErrorKind.AUTH: "reason-auth",
    PanelErrorKind.FUNDS: "reason-funds",
    PanelErrorKind.QUANTITY: "reason-quantity",
    PanelErrorKind.LINK: "reason-link",
    PanelErrorKind.SERVICE: "reason-service",
    PanelErrorKind.RATE: "reason-rate",
    PanelErrorKind.ORDER_ID: "reason-order_id",
    PanelErrorKind.OTHER: "reason-other",
    UNREACHABLE: "reason-unreachable",
    UNKNOWN: "reason-unknown",
}

# An order field's label on the summary and the order card (keys: `order_types.FIELDS`).
FIELD_TEXT = {
    "link": "field-link",
    "quantity": "field-quantity",
    "runs": "field-runs",
    "interval": "field-interval",
    "keywords": "field-keywords",
    "comments": "field-comments",
    "usernames": "field-usernames",
    "hashtags": "field-hashtags",
    "hashtag": "field-hashtag",
    "username": "field-username",
    "media": "field-media",
    "answer_number": "field-answer_number",
    "groups": "field-groups",
    "min": "field-min",
    "max": "field-max",
    "posts": "field-posts",
    "old_posts": "field-old_posts",
    "delay": "field-delay",
    "expiry": "field-expiry",
}


def reason_text(reason: str | None) -> str:
    """The message id for a refusal's reason; one the shop does not know reads as "no reason"."""
    return REASON_TEXT.get(reason or "", "reason-other")


def refill_status_text(status: str) -> str:
    """The message id for a refill's stored status; one no panel documents reads neutrally."""
    return REFILL_STATUS.get(status, "refill-status-other")


def field_value(name: str, value: str) -> str | int:
    """An order field's answer as a message argument: a number the customer typed goes in as a
    number, so it reads grouped the reader's way like every count ("10,000", "10.000")."""
    field = FIELDS.get(name)
    if field is not None and field.kind is Kind.NUMBER and value.isascii() and value.isdigit():
        return int(value)
    return value
