"""Locale message ids for enum values, spelled out: renaming a member cannot silently lose a text.

Used wherever a state, a reason or an order field is shown; tests check that every member has
its message in every language.
"""

from __future__ import annotations

from bot.panel.errors import UNREACHABLE, PanelErrorKind
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
