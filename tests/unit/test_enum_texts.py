"""Every enum value the bot puts into words has its message id spelled out, and that message
exists in every language: renaming a member or a message cannot silently lose a text."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from bot.config import LOCALES
from bot.labels import REASON_TEXT, STATE_TEXT
from bot.panel.errors import UNREACHABLE, PanelErrorKind
from bot.shop.checkout import Change, Outcome
from bot.shop.payments import Refund, Refusal
from bot.shop.tracking import UNKNOWN
from handlers.order import CHANGE_TEXT, OUTCOME_TEXT
from handlers.topup import REFUND_TEXT, REFUSAL_TEXT, VERDICT_TEXT, Verdict
from storage.orders import State
from tests.unit.test_locales import _messages

# Each mapping, and the values it must cover (all members but those that never become a text).
MAPPINGS: dict[str, tuple[Mapping[str, str], set[str]]] = {
    "order outcome": (OUTCOME_TEXT, set(Outcome) - {Outcome.CHANGED}),  # CHANGED: a new summary
    "what changed": (CHANGE_TEXT, set(Change)),
    "order state": (STATE_TEXT, set(State)),
    "panel reason": (REASON_TEXT, {*PanelErrorKind, UNREACHABLE, UNKNOWN}),
    "top-up refusal": (REFUSAL_TEXT, set(Refusal)),
    "top-up verdict": (VERDICT_TEXT, set(Verdict)),
    "Stars refund": (REFUND_TEXT, set(Refund) - {Refund.STARTED}),  # STARTED asks Telegram
}


@pytest.mark.parametrize("name", MAPPINGS)
def test_every_member_has_its_message(name: str) -> None:
    mapping, members = MAPPINGS[name]
    assert sorted(members - set(mapping)) == []
    assert sorted(set(mapping) - members) == []


@pytest.mark.parametrize("locale", LOCALES)
def test_every_mapped_message_exists_in_every_language(locale: str) -> None:
    messages = _messages(locale)
    missing = [
        f"{name}: {key} -> {message}"
        for name, (mapping, _) in MAPPINGS.items()
        for key, message in mapping.items()
        if message not in messages
    ]
    assert missing == []
