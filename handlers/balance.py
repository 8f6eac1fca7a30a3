"""The balance screen: what the user holds, the last movements, and the way to top up."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.drafts import clear
from bot.i18n import Texts, lines
from bot.shop import payments, promos
from bot.shop.config import ShopConfig
from handlers.callbacks import Nav, Screen
from handlers.keyboards import button, home_button
from handlers.promo import EnterCode
from handlers.screens import show
from handlers.topup import Topup, TopupStep
from storage import ledger, referrals
from storage.db import Database
from storage.ledger import Entry
from storage.users import User

MOVEMENTS = 10
# What each ledger kind reads as in the list of transactions.
KIND_TEXT = {
    "order": "kind-order",
    "refund": "kind-refund",
    "admin": "kind-admin",
    payments.KIND: "kind-topup",
    promos.KIND: "kind-promo",
    referrals.KIND: "kind-referral",
}


def create_router() -> Router:
    router = Router(name="balance")
    router.callback_query.register(balance, Nav.filter(F.screen == Screen.BALANCE))
    return router


async def balance(
    query: CallbackQuery, state: FSMContext, db: Database, shop: ShopConfig, t: Texts, user: User
) -> None:
    await clear(state)  # Back from a top-up prompt lands here: the prompt no longer listens
    entries = await ledger.recent(db, user.id, MOVEMENTS)
    movement_lines = [
        t(
            "movement",
            time=t.time(entry.created_at),
            amount=t.money(entry.amount),
            kind=t(_kind(entry), order=entry.order_id or 0),
        )
        for entry in entries
    ]
    builder = InlineKeyboardBuilder()
    if payments.methods(shop):
        builder.row(button(t("btn-top-up"), Topup(step=TopupStep.MENU)))
    builder.row(button(t("btn-promo"), EnterCode()))
    builder.row(home_button(t))
    movements = lines(movement_lines) or t("balance-empty")
    await show(
        query, t("balance", balance=t.money(user.balance), movements=movements), builder.as_markup()
    )


def _kind(entry: Entry) -> str:
    """The message for a row; a top-up taken back (its Stars refunded) is a negative `topup`
    row: say so."""
    if entry.kind == payments.KIND and entry.amount < 0:
        return "kind-topup-reversed"
    return KIND_TEXT[entry.kind]
