"""Promo codes: customers redeem them (/promo CODE, the Balance screen); admins make them."""

from __future__ import annotations

from datetime import UTC, datetime

from aiogram import F, Router
from aiogram.filters import Command, CommandObject, StateFilter
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message

from bot import callback_prefixes
from bot.drafts import clear
from bot.i18n import Markup, Texts, lines
from bot.shop import promos
from bot.shop.promos import Redeemed, Redemption
from handlers.callbacks import Nav, Screen
from handlers.filters import IsAdmin, When
from handlers.keyboards import Rows, button, home_button
from handlers.screens import show
from storage import promos as store
from storage.db import Database
from storage.promos import Kind, Promo
from storage.users import User

DAY = 86_400
# One message id per outcome: renaming an outcome can never lose its text.
_TEXTS = {
    Redeemed.GIFT: "promo-gift",
    Redeemed.DISCOUNT: "promo-discount",
    Redeemed.UNKNOWN: "promo-unknown",
    Redeemed.EXPIRED: "promo-expired",
    Redeemed.USED_UP: "promo-used-up",
    Redeemed.ALREADY: "promo-already",
    Redeemed.NOT_NEW: "promo-not-new",
}


class EnterCode(CallbackData, prefix=callback_prefixes.PROMO_CODE):
    """The Balance screen's Promo code button."""


class PromoForm(StatesGroup):
    code = State()


def create_router() -> Router:
    router = Router(name="promo")
    router.message.register(promo_command, Command("promo"))
    router.callback_query.register(ask_code, EnterCode.filter())
    router.message.register(
        code_typed, StateFilter(PromoForm.code), When(F.text & ~F.text.startswith("/"))
    )
    router.message.register(code_not_text, StateFilter(PromoForm.code), When(~F.text))
    return router


def create_admin_router() -> Router:
    """`/promo add|list|off ...` for admins; for anybody else it is a code to redeem."""
    router = Router(name="promo-admin")
    router.message.filter(IsAdmin())
    router.message.register(admin_promo, Command("promo", magic=F.args.func(_admin_verb)))
    return router


def _admin_verb(args: str | None) -> bool:
    words = (args or "").split()
    return bool(words) and words[0].upper() in promos.RESERVED


async def promo_command(
    message: Message, command: CommandObject, state: FSMContext, db: Database, t: Texts, user: User
) -> None:
    if not command.args:
        await state.set_state(PromoForm.code)
        await message.answer(t("promo-ask"), reply_markup=_back(t))
        return
    await _redeem(message, command.args, state, db, t, user)


async def ask_code(query: CallbackQuery, state: FSMContext, t: Texts) -> None:
    await state.set_state(PromoForm.code)
    await show(query, t("promo-ask"), _back(t))


async def code_typed(
    message: Message, state: FSMContext, db: Database, t: Texts, user: User
) -> None:
    await _redeem(message, message.text or "", state, db, t, user)


async def code_not_text(message: Message, t: Texts) -> None:
    await message.answer(t("promo-not-text"), reply_markup=_back(t))


async def _redeem(
    message: Message, text: str, state: FSMContext, db: Database, t: Texts, user: User
) -> None:
    result = await promos.redeem(db, user.id, text)
    if result.outcome not in (Redeemed.GIFT, Redeemed.DISCOUNT):
        await message.answer(_result_text(t, result), reply_markup=_back(t))
        return
    if await state.get_state() == PromoForm.code.state:  # an order draft stays as it is
        await clear(state)
    builder = Rows()
    builder.row(button(t("btn-new-order"), Nav(screen=Screen.CATALOG)))
    builder.row(button(t("btn-back"), Nav(screen=Screen.BALANCE)), home_button(t))
    await message.answer(_result_text(t, result), reply_markup=builder.as_markup())


def _result_text(t: Texts, result: Redemption) -> Markup:
    amount = t.money(result.amount) if result.outcome is Redeemed.GIFT else result.amount
    return t(_TEXTS[result.outcome], code=result.code, amount=amount)


def _back(t: Texts) -> InlineKeyboardMarkup:
    builder = Rows()
    builder.row(button(t("btn-back"), Nav(screen=Screen.BALANCE)), home_button(t))
    return builder.as_markup()


# -- admins ----------------------------------------------------------------------------------


async def admin_promo(message: Message, command: CommandObject, db: Database, t: Texts) -> None:
    verb, *words = (command.args or "").split()
    verb = verb.upper()
    if verb == "LIST":
        shown = [_line(t, promo) for promo in await store.listed(db)]
        await message.answer(lines(shown) if shown else t("admin-promo-none"))
    elif verb == "OFF" and len(words) == 1 and (code := promos.code_of(words[0])):
        switched = await store.switch_off(db, code)
        await message.answer(
            t("admin-promo-off" if switched else "admin-promo-not-found", code=code)
        )
    elif verb == "ADD" and (new := promos.parse_new(words, datetime.now(UTC).date())):
        if not await promos.create(db, new):
            await message.answer(t("admin-promo-exists", code=new.code))
            return
        promo = await store.get(db, new.code)
        assert promo is not None
        await message.answer(t("admin-promo-added", promo=_line(t, promo)))
    else:
        await message.answer(t("admin-promo-usage"))


def _line(t: Texts, promo: Promo) -> Markup:
    gift = promo.kind is Kind.GIFT
    until = "none"
    if promo.until is not None:  # the last day it redeems, as typed
        until = datetime.fromtimestamp(promo.until - DAY, UTC).strftime("%Y-%m-%d")
    return t(
        "admin-promo-line",
        code=promo.code,
        kind=promo.kind.value,
        amount=t.money(promo.amount) if gift else promo.amount,
        uses=promo.uses,
        max="none" if promo.max_uses is None else str(promo.max_uses),
        until=until,
        new=str(promo.new_only).lower(),
        active=str(promo.active).lower(),
    )
