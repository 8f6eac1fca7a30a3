"""Typed, versioned callback data: ids and pages only, never a price or an owner."""

from __future__ import annotations

from enum import StrEnum

from aiogram.filters.callback_data import CallbackData

from bot import callback_prefixes
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


class Nav(CallbackData, prefix=callback_prefixes.MENU):
    screen: Screen


class Categories(CallbackData, prefix=callback_prefixes.CATEGORIES):
    page: Page = 0


class Services(CallbackData, prefix=callback_prefixes.SERVICES):
    category: Id
    page: Page = 0


class Found(CallbackData, prefix=callback_prefixes.SEARCH_RESULTS):
    page: Page = 0


class Card(CallbackData, prefix=callback_prefixes.SERVICE_CARD):
    service: Id
    page: Page = 0
    found: bool = False  # opened from search results


class Buy(CallbackData, prefix=callback_prefixes.BUY):
    service: Id


class Step(StrEnum):
    BACK = "back"
    CANCEL = "cancel"
    SKIP = "skip"
    PICK = "pick"
    CONFIRM = "confirm"


class Wizard(CallbackData, prefix=callback_prefixes.ORDER_WIZARD):
    step: Step
    value: str = ""  # a picked choice, or the draft's one-shot token on Confirm


class History(CallbackData, prefix=callback_prefixes.ORDER_HISTORY):
    page: Page = 0


class Detail(CallbackData, prefix=callback_prefixes.ORDER_DETAIL):
    order: Id
    page: Page = 0


class AskSupport(CallbackData, prefix=callback_prefixes.ASK_SUPPORT):
    order: Id  # loaded by (id, user): somebody else's order is refused


class Reorder(CallbackData, prefix=callback_prefixes.ORDER_AGAIN):
    order: Id  # "Order again": loaded by (id, user), somebody else's order is refused


class Act(StrEnum):
    REFILL = "refill"
    CANCEL = "cancel"


class OrderAction(CallbackData, prefix=callback_prefixes.ORDER_ACTION):
    act: Act
    order: Id


class Language(CallbackData, prefix=callback_prefixes.LANGUAGE):
    locale: str
