"""Every button's callback prefix comes from the one registry, and no two can be confused."""

from __future__ import annotations

import importlib
import pkgutil
import re
from pathlib import Path

from aiogram.filters.callback_data import CallbackData

import bot
import handlers
from bot import callback_prefixes

ROOT = Path(__file__).resolve().parents[2]
REGISTRY = {
    name: value
    for name, value in vars(callback_prefixes).items()
    if name.isupper() and isinstance(value, str)
}


def _project_callback_data() -> list[type[CallbackData]]:
    for package in (bot, handlers):
        for module in pkgutil.walk_packages(package.__path__, f"{package.__name__}."):
            if not module.name.endswith("__main__"):
                importlib.import_module(module.name)
    found: list[type[CallbackData]] = []
    pending = list(CallbackData.__subclasses__())
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if cls.__module__.split(".")[0] in {"bot", "handlers"}:
            found.append(cls)
    return found


def test_every_button_kind_has_a_registered_prefix_of_its_own() -> None:
    classes = _project_callback_data()
    assert len(classes) >= len(REGISTRY)
    used = {cls.__prefix__: cls for cls in classes}
    assert len(used) == len(classes), "two button kinds share a prefix"
    assert sorted(used) == sorted(REGISTRY.values())


def test_prefixes_are_unique_and_none_reads_as_another() -> None:
    values = list(REGISTRY.values())
    assert len(set(values)) == len(values)
    for cls in _project_callback_data():
        separator = cls.__separator__
        assert cls.__prefix__ and separator not in cls.__prefix__
        assert not any(value.startswith(cls.__prefix__ + separator) for value in values)


def test_no_module_spells_a_prefix_itself() -> None:
    literal = re.compile(r"CallbackData,\s*prefix=[\"']")
    for folder in ("bot", "handlers"):
        for path in (ROOT / folder).rglob("*.py"):
            assert not literal.search(path.read_text()), path


def test_the_wire_values_of_buttons_already_in_chats_never_change() -> None:
    assert REGISTRY == {
        "MENU": "m1",
        "CATEGORIES": "c1",
        "SERVICES": "s1",
        "SEARCH_RESULTS": "q1",
        "SERVICE_CARD": "v1",
        "BUY": "b1",
        "ORDER_WIZARD": "w1",
        "ORDER_HISTORY": "h1",
        "ORDER_DETAIL": "d1",
        "ORDER_ACTION": "a1",
        "ORDER_AGAIN": "o1",
        "ASK_SUPPORT": "k2",
        "LANGUAGE": "l1",
        "PROMO_CODE": "pc1",
        "TOPUP": "t1",
        "TOPUP_DECISION": "y1",
        "BROADCAST_DECISION": "z1",
        "STOP_BROADCAST": "x1",
        "REVIEW": "r1",
        "TICKET_ACTION": "k1",
    }
