"""Typed errors raised by the API v2 panel client, and the classifier for panel refusal texts."""

from __future__ import annotations

import re
from enum import StrEnum

__all__ = [
    "UNREACHABLE",
    "PanelError",
    "PanelErrorKind",
    "PanelOutcomeUnknown",
    "PanelRefused",
    "PanelUnreachable",
    "classify_error",
]

# Why an action failed when no panel answer came at all, beside the `PanelErrorKind` values.
UNREACHABLE = "unreachable"

# A refusal text is kept whole on the exception; only its message is shortened.
_MESSAGE_TEXT_LIMIT = 200


class PanelErrorKind(StrEnum):
    """What a definite panel refusal was about."""

    AUTH = "auth"
    FUNDS = "funds"
    QUANTITY = "quantity"
    LINK = "link"
    SERVICE = "service"
    RATE = "rate"  # the panel's price moved (not "rate limit": that is OTHER)
    ORDER_ID = "order_id"
    OTHER = "other"


# Checked in order; the first match wins. Word boundaries keep "keywords" away from AUTH and
# "hourly" away from LINK.
_RULES: tuple[tuple[PanelErrorKind, re.Pattern[str]], ...] = (
    (PanelErrorKind.AUTH, re.compile(r"\b(?:api[ _-]?)?key\b")),
    (PanelErrorKind.FUNDS, re.compile(r"\bfunds?\b|\bbalance\b|\binsufficient\b")),
    (PanelErrorKind.QUANTITY, re.compile(r"\bquantit|\bminim(?:al|um)\b|\bmaxim(?:al|um)\b")),
    (PanelErrorKind.LINK, re.compile(r"\blinks?\b|\burls?\b")),
    (PanelErrorKind.SERVICE, re.compile(r"\bservices?\b")),
    (PanelErrorKind.RATE, re.compile(r"\brates?\b(?!\s*limit)|\bprices?\b")),
    (
        PanelErrorKind.ORDER_ID,
        re.compile(r"\border[ _]?id\b|\bincorrect order\b|\border not found\b"),
    ),
)


def classify_error(text: str) -> PanelErrorKind:
    """Guess the kind of a panel refusal from its text (keyword heuristics on real panel texts)."""
    cleaned = " ".join(text.lower().split())
    for kind, pattern in _RULES:
        if pattern.search(cleaned):
            return kind
    return PanelErrorKind.OTHER


class PanelError(Exception):
    """Base of every error raised by the panel client; messages never carry the API key."""

    def __init__(self, message: str, *, action: str | None = None) -> None:
        super().__init__(message)
        self.action = action


class PanelRefused(PanelError):
    """The panel definitely refused the request (an ``{"error": ...}`` answer below HTTP 500)."""

    def __init__(
        self,
        text: str,
        kind: PanelErrorKind | None = None,
        *,
        action: str | None = None,
    ) -> None:
        self.text = text
        self.kind = classify_error(text) if kind is None else kind
        short = " ".join(text.split())
        if len(short) > _MESSAGE_TEXT_LIMIT:
            short = short[: _MESSAGE_TEXT_LIMIT - 3] + "..."
        where = f" {action}" if action else ""
        super().__init__(f"panel refused{where} ({self.kind}): {short}", action=action)


class PanelUnreachable(PanelError):
    """The request never reached the panel (connect failure, DNS, connect or pool timeout)."""


class PanelOutcomeUnknown(PanelError):
    """The request may have reached the panel but its outcome is unknown; never retry blindly."""

    def __init__(
        self,
        message: str,
        *,
        action: str | None = None,
        status_code: int | None = None,
    ) -> None:
        super().__init__(message, action=action)
        self.status_code = status_code
