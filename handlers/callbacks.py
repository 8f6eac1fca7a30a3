"""Typed, versioned callback data: ids and pages only, never a price or an owner."""

from __future__ import annotations

from enum import StrEnum

from aiogram.filters.callback_data import CallbackData


class Screen(StrEnum):
    HOME = "home"
    CATALOG = "catalog"
    ORDERS = "orders"
    BALANCE = "balance"
    LANGUAGE = "language"
    HELP = "help"


class Nav(CallbackData, prefix="m1"):
    screen: Screen


class Categories(CallbackData, prefix="c1"):
    page: int = 0


class Services(CallbackData, prefix="s1"):
    category: int
    page: int = 0


class Found(CallbackData, prefix="q1"):
    page: int = 0


class Card(CallbackData, prefix="v1"):
    service: int
    page: int = 0
    found: bool = False  # opened from search results


class Buy(CallbackData, prefix="b1"):
    service: int


class Step(StrEnum):
    BACK = "back"
    CANCEL = "cancel"
    SKIP = "skip"
    PICK = "pick"
    CONFIRM = "confirm"


class Wizard(CallbackData, prefix="w1"):
    step: Step
    value: str = ""  # a picked choice, or the draft's one-shot token on Confirm


class History(CallbackData, prefix="h1"):
    page: int = 0


class Detail(CallbackData, prefix="d1"):
    order: int
    page: int = 0


class Act(StrEnum):
    REFILL = "refill"
    CANCEL = "cancel"


class OrderAction(CallbackData, prefix="a1"):
    act: Act
    order: int


class Language(CallbackData, prefix="l1"):
    locale: str
