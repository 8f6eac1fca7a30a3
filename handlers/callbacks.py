"""Typed, versioned callback data: ids and pages only, never a price or an owner."""

from __future__ import annotations

from enum import StrEnum

from aiogram.filters.callback_data import CallbackData

from bot.callback_types import Id, Page


class Screen(StrEnum):
    HOME = "home"
    CATALOG = "catalog"
    ORDERS = "orders"
    BALANCE = "balance"
    LANGUAGE = "language"
    HELP = "help"
    INVITE = "invite"  # the referral programme's screen
    SUPPORT = "support"  # write to the shop's support


class Nav(CallbackData, prefix="m1"):
    screen: Screen


class Categories(CallbackData, prefix="c1"):
    page: Page = 0


class Services(CallbackData, prefix="s1"):
    category: Id
    page: Page = 0


class Found(CallbackData, prefix="q1"):
    page: Page = 0


class Card(CallbackData, prefix="v1"):
    service: Id
    page: Page = 0
    found: bool = False  # opened from search results


class Buy(CallbackData, prefix="b1"):
    service: Id


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
    page: Page = 0


class Detail(CallbackData, prefix="d1"):
    order: Id
    page: Page = 0


class AskSupport(CallbackData, prefix="k2"):
    order: Id  # loaded by (id, user): somebody else's order is refused


class Reorder(CallbackData, prefix="o1"):
    order: Id  # "Order again": loaded by (id, user), somebody else's order is refused


class Act(StrEnum):
    REFILL = "refill"
    CANCEL = "cancel"


class OrderAction(CallbackData, prefix="a1"):
    act: Act
    order: Id


class Language(CallbackData, prefix="l1"):
    locale: str
