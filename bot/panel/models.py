"""Typed results of the API v2 panel client: services, order statuses, balance, and normalisers."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

__all__ = [
    "TERMINAL_STATUSES",
    "Balance",
    "OrderStatus",
    "PanelService",
    "ServiceType",
    "normalize_status",
    "parse_service_type",
]


class ServiceType(StrEnum):
    """Service types of API v2; each decides which fields ``add`` takes."""

    DEFAULT = "Default"
    PACKAGE = "Package"
    SEO = "SEO"
    CUSTOM_COMMENTS = "Custom Comments"
    CUSTOM_COMMENTS_PACKAGE = "Custom Comments Package"
    MENTIONS = "Mentions"
    MENTIONS_WITH_HASHTAGS = "Mentions with Hashtags"
    MENTIONS_CUSTOM_LIST = "Mentions Custom List"
    MENTIONS_HASHTAG = "Mentions Hashtag"
    MENTIONS_USER_FOLLOWERS = "Mentions User Followers"
    MENTIONS_MEDIA_LIKERS = "Mentions Media Likers"
    COMMENT_LIKES = "Comment Likes"
    COMMENT_REPLIES = "Comment Replies"
    POLL = "Poll"
    INVITES_FROM_GROUPS = "Invites from Groups"
    SUBSCRIPTIONS = "Subscriptions"


def _squash(raw: str) -> str:
    """Lower-case, treat ``_`` and ``-`` as spaces, collapse runs of whitespace."""
    return " ".join(raw.replace("_", " ").replace("-", " ").lower().split())


_TYPES_BY_KEY: dict[str, ServiceType] = {_squash(t.value): t for t in ServiceType}


def parse_service_type(raw: str) -> ServiceType | None:
    """A panel's ``type`` text as a ServiceType, ignoring case and separators; None if unknown."""
    return _TYPES_BY_KEY.get(_squash(raw))


TERMINAL_STATUSES: frozenset[str] = frozenset({"completed", "partial", "canceled", "refunded"})

_STATUS_ALIASES: dict[str, str] = {
    "cancelled": "canceled",
    "inprogress": "in progress",
}


def normalize_status(raw: str) -> str:
    """Normalise an order or refill status text: trimmed, single-spaced, lower-case, one spelling.

    Underscores count as spaces (``in_progress``); unknown text comes back cleaned the same way.
    """
    cleaned = " ".join(raw.replace("_", " ").split()).lower()
    return _STATUS_ALIASES.get(cleaned, cleaned)


@dataclass(frozen=True, slots=True)
class PanelService:
    """One entry of the panel's service list; ``type`` is None when the bot does not know it."""

    id: int
    name: str
    type: ServiceType | None
    raw_type: str
    category: str
    rate: Decimal
    min: int
    max: int
    refill: bool
    cancel: bool
    dripfeed: bool


@dataclass(frozen=True, slots=True)
class OrderStatus:
    """Status of one upstream order; ``status`` is normalised, ``raw_status`` is as sent."""

    status: str
    raw_status: str
    charge: Decimal | None
    start_count: int | None
    remains: int | None
    currency: str | None

    @property
    def is_terminal(self) -> bool:
        """True once the panel will not move this order any further."""
        return self.status in TERMINAL_STATUSES


@dataclass(frozen=True, slots=True)
class Balance:
    """The reseller's balance at the panel, in the panel's currency."""

    amount: Decimal
    currency: str | None
