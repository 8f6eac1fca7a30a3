"""Every enum value the bot puts into words has its message id spelled out, and that message
exists in every language: renaming a member or a message cannot silently lose a text."""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping
from itertools import product
from pathlib import Path

import pytest

from bot import commands
from bot.config import LOCALES
from bot.jobs import refills
from bot.labels import FIELD_TEXT, REASON_TEXT, REFILL_STATUS, STATE_SHORT, STATE_TEXT
from bot.panel.errors import UNREACHABLE, PanelErrorKind
from bot.shop import payments, promos
from bot.shop.admin import Settled
from bot.shop.checkout import Change, Outcome
from bot.shop.order_types import FIELDS
from bot.shop.payments import Refund, Refusal
from bot.shop.tracking import UNKNOWN, ActionOutcome
from handlers import admin
from handlers.admin import SETTLE_TEXT, SETTLED_TEXT, Settle
from handlers.balance import KIND_TEXT
from handlers.callbacks import Act
from handlers.history import ACTION_TEXT
from handlers.order import ASK_TEXT, CHANGE_TEXT, OUTCOME_TEXT
from handlers.start import LANGUAGE_TEXT
from handlers.topup import REFUND_TEXT, REFUSAL_TEXT, VERDICT_TEXT, Verdict
from storage import referrals
from storage.orders import State
from tests.unit.test_locales import _messages

ROOT = Path(__file__).resolve().parents[2]
# Every kind a ledger row is written with (the literal ones are also found in the code below).
LEDGER_KINDS = {"order", "refund", "admin", payments.KIND, promos.KIND, referrals.KIND}
# Every status a refill is stored with: the poller's final ones and what panels answer before
# (`pending` is also the table's default), each normalised.
REFILL_STATUSES = refills.FINAL | {"pending", "in progress", "processing"}

# Each mapping, and the values it must cover (all members but those that never become a text).
MAPPINGS: dict[str, tuple[Mapping[str, str], set[str]]] = {
    "order outcome": (OUTCOME_TEXT, set(Outcome) - {Outcome.CHANGED}),  # CHANGED: a new summary
    "what changed": (CHANGE_TEXT, set(Change)),
    "order state": (STATE_TEXT, set(State)),
    "order state on a button": (STATE_SHORT, set(State)),
    "refill status": (REFILL_STATUS, REFILL_STATUSES),
    "panel reason": (REASON_TEXT, {*PanelErrorKind, UNREACHABLE, UNKNOWN}),
    "top-up refusal": (REFUSAL_TEXT, set(Refusal)),
    "top-up verdict": (VERDICT_TEXT, set(Verdict)),
    "Stars refund": (REFUND_TEXT, set(Refund) - {Refund.STARTED}),  # STARTED asks Telegram
    "order field": (FIELD_TEXT, set(FIELDS)),
    "order question": (ASK_TEXT, set(FIELDS)),
    "refill or cancel": (
        ACTION_TEXT,  # NOT_ALLOWED: "not available", either way
        set(product(Act, set(ActionOutcome) - {ActionOutcome.NOT_ALLOWED})),
    ),
    "ledger kind": (KIND_TEXT, LEDGER_KINDS),
    "review button": (SETTLE_TEXT, set(Settle)),
    "settled": (SETTLED_TEXT, set(Settled)),
    "/ban and /unban": (admin.BAN_DONE, set(admin.BAN_USAGE)),
    "language name": (LANGUAGE_TEXT, set(LOCALES)),
}
# Message ids listed for a fixed choice: each must exist in every language.
LISTED: dict[str, Iterable[str]] = {
    "/admin help": admin.HELP_TEXT.values(),
    "usage of /credit and /debit": admin.ADJUST_USAGE.values(),
    "usage of /ban and /unban": admin.BAN_USAGE.values(),
    "/maintenance": admin.MAINTENANCE_TEXT.values(),
    "command menus": [*commands.CUSTOMER.values(), *commands.ADMIN.values()],
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
    missing += [
        f"{name}: {message}"
        for name, listed in LISTED.items()
        for message in listed
        if message not in messages
    ]
    assert missing == []


def test_every_admin_command_in_the_menu_has_a_help_line() -> None:
    assert sorted(set(commands.ADMIN) - set(admin.HELP_TEXT)) == []


def _literal_kinds() -> set[str]:
    """The `kind="..."` literals the shop's code writes ledger rows with."""
    return {
        node.value.value
        for path in (ROOT / "bot").rglob("*.py")
        for node in ast.walk(ast.parse(path.read_text("utf-8")))
        if isinstance(node, ast.keyword) and node.arg == "kind"
        if isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)
    }


def test_every_ledger_kind_written_is_listed() -> None:
    assert sorted(_literal_kinds() - LEDGER_KINDS) == []
