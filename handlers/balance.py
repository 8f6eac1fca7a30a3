"""The balance screen: what the user holds and the last movements."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.types import CallbackQuery
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.i18n import Texts, lines
from handlers.callbacks import Nav, Screen
from handlers.keyboards import home_button
from handlers.screens import show
from storage import ledger
from storage.db import Database
from storage.users import User

MOVEMENTS = 10


def create_router() -> Router:
    router = Router(name="balance")
    router.callback_query.register(balance, Nav.filter(F.screen == Screen.BALANCE))
    return router


async def balance(query: CallbackQuery, db: Database, t: Texts, user: User) -> None:
    entries = await ledger.recent(db, user.id, MOVEMENTS)
    movement_lines = [
        t(
            "movement",
            time=t.time(entry.created_at),
            amount=t.money(entry.amount),
            kind=t(f"kind-{entry.kind}", order=entry.order_id or 0),
        )
        for entry in entries
    ]
    builder = InlineKeyboardBuilder()
    builder.row(home_button(t))
    movements = lines(movement_lines) or t("balance-empty")
    await show(
        query, t("balance", balance=t.money(user.balance), movements=movements), builder.as_markup()
    )
