"""Top-ups: amounts, Telegram Stars invoices, manual requests, and the admins' side of them."""

from __future__ import annotations

import logging
from enum import StrEnum

from aiogram import Bot, F, Router
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNotFound,
    TelegramRetryAfter,
    TelegramUnauthorizedError,
)
from aiogram.filters import Command, CommandObject, StateFilter
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import (
    CallbackQuery,
    InlineKeyboardMarkup,
    LabeledPrice,
    Message,
    PreCheckoutQuery,
)
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot import callback_prefixes
from bot.callback_types import Id
from bot.drafts import clear
from bot.i18n import Markup, Texts, Translator
from bot.language import locales_of
from bot.limits import MESSAGE_TEXT, fit
from bot.shop import payments
from bot.shop.config import ShopConfig
from bot.shop.money import parse_amount
from bot.shop.payments import Credit, Decided, InvalidNote, Refund, Refusal, Refused
from handlers.callbacks import Nav, Screen
from handlers.filters import IsAdmin, When
from handlers.keyboards import button, home_button, main_menu
from handlers.screens import show
from storage import users
from storage.db import Database
from storage.payments import Method, Payment
from storage.users import User

log = logging.getLogger(__name__)
PENDING_SHOWN = 10  # manual requests listed by /topups at a time
ALREADY_REFUNDED = "CHARGE_ALREADY_REFUNDED"  # Telegram's answer for a charge given back before
# Telegram's answers that mean "not done"; any other failure leaves the outcome unknown.
REFUSALS = (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNotFound,
    TelegramRetryAfter,
    TelegramUnauthorizedError,
)


class TopupStep(StrEnum):
    MENU = "menu"  # the preset amounts
    PICK = "pick"  # an amount chosen: the payment methods
    OTHER = "other"  # type an amount
    STARS = "stars"
    MANUAL = "manual"


class Topup(CallbackData, prefix=callback_prefixes.TOPUP):
    step: TopupStep
    amount: int = 0  # minor units: the customer's own choice, checked again on every press


class Verdict(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"


REFUSAL_TEXT = {
    Refusal.BANNED: "topup-refused-banned",
    Refusal.MAINTENANCE: "topup-refused-maintenance",
    Refusal.UNKNOWN: "topup-refused-unknown",
    Refusal.BOUNDS: "topup-refused-bounds",
    Refusal.OFF: "topup-refused-off",
    Refusal.WAITING: "topup-refused-waiting",
    Refusal.OFTEN: "topup-refused-often",
}
VERDICT_TEXT = {Verdict.APPROVE: "admin-topup-paid", Verdict.REJECT: "admin-topup-rejected"}
# What /refund_stars says when it stops before asking Telegram (STARTED goes on to ask).
REFUND_TEXT = {
    Refund.UNKNOWN: "admin-refund-unknown",
    Refund.ALREADY: "admin-refund-already",
    Refund.SPENT: "admin-refund-spent",
}


class TopupDecision(CallbackData, prefix=callback_prefixes.TOPUP_DECISION):
    payment: Id
    verdict: Verdict


class TopupForm(StatesGroup):
    amount = State()
    note = State()


def create_payment_router() -> Router:
    """Telegram's payment updates; first in the tree, so no flow's catch-all eats a payment."""
    router = Router(name="topup-payments")
    router.pre_checkout_query.register(pre_checkout)
    router.message.register(paid, When(F.successful_payment))
    return router


def create_router() -> Router:
    router = Router(name="topup")
    router.callback_query.register(amounts, Topup.filter(F.step == TopupStep.MENU))
    router.callback_query.register(pick, Topup.filter(F.step == TopupStep.PICK))
    router.callback_query.register(ask_amount, Topup.filter(F.step == TopupStep.OTHER))
    router.callback_query.register(pay_stars, Topup.filter(F.step == TopupStep.STARS))
    router.callback_query.register(pay_manual, Topup.filter(F.step == TopupStep.MANUAL))
    router.message.register(amount_typed, StateFilter(TopupForm.amount), When(F.text))
    router.message.register(amount_not_text, StateFilter(TopupForm.amount))
    router.message.register(note_typed, StateFilter(TopupForm.note), When(F.text))
    router.message.register(note_not_text, StateFilter(TopupForm.note))
    return router


def create_admin_router() -> Router:
    """For anybody else these commands and buttons do not exist: they fall through."""
    router = Router(name="topup-admin")
    router.message.filter(IsAdmin())
    router.callback_query.filter(IsAdmin())
    router.message.register(refund_stars, Command("refund_stars"))
    router.message.register(pending_requests, Command("topups"))
    router.callback_query.register(decide, TopupDecision.filter())
    return router


# -- choosing an amount and a method ---------------------------------------------------------


async def amounts(query: CallbackQuery, state: FSMContext, shop: ShopConfig, t: Texts) -> None:
    await clear(state)
    builder = InlineKeyboardBuilder()
    for amount in payments.presets(shop):
        builder.button(
            text=t.money(amount), callback_data=Topup(step=TopupStep.PICK, amount=amount)
        )
    builder.adjust(4)
    builder.row(button(t("btn-topup-other"), Topup(step=TopupStep.OTHER)))
    builder.row(button(t("btn-back"), Nav(screen=Screen.BALANCE)), home_button(t))
    text = t("topup-choose-amount", min=t.money(shop.topup_min), max=t.money(shop.topup_max))
    await show(query, text, builder.as_markup())


async def ask_amount(query: CallbackQuery, state: FSMContext, shop: ShopConfig, t: Texts) -> None:
    await state.set_state(TopupForm.amount)
    await show(query, _amount_prompt(t, shop), _back_to_amounts(t))


async def amount_typed(message: Message, state: FSMContext, shop: ShopConfig, t: Texts) -> None:
    amount = parse_amount(message.text or "")
    if amount is None:
        problem = t("topup-amount-invalid")
    elif not payments.in_bounds(shop, amount):
        problem = _refusal(t, shop, Refusal.BOUNDS)
    else:
        await clear(state)
        await show(message, *_methods(t, shop, amount))
        return
    await message.answer(
        f"{problem}\n\n{_amount_prompt(t, shop)}", reply_markup=_back_to_amounts(t)
    )


async def amount_not_text(message: Message, shop: ShopConfig, t: Texts) -> None:
    text = f"{t('error-not-text')}\n\n{_amount_prompt(t, shop)}"
    await message.answer(text, reply_markup=_back_to_amounts(t))


async def pick(
    query: CallbackQuery, callback_data: Topup, state: FSMContext, shop: ShopConfig, t: Texts
) -> None:
    await clear(state)
    if not payments.in_bounds(shop, callback_data.amount):
        await query.answer(_refusal_plain(t, shop, Refusal.BOUNDS), show_alert=True)
        return
    await show(query, *_methods(t, shop, callback_data.amount))


def _methods(t: Texts, shop: ShopConfig, amount: int) -> tuple[Markup, InlineKeyboardMarkup]:
    builder = InlineKeyboardBuilder()
    offered = payments.methods(shop)
    if Method.STARS in offered:
        stars = payments.stars_for(shop, amount)
        builder.row(
            button(t("btn-topup-stars", stars=stars), Topup(step=TopupStep.STARS, amount=amount))
        )
    if Method.MANUAL in offered:
        builder.row(button(t("btn-topup-manual"), Topup(step=TopupStep.MANUAL, amount=amount)))
    builder.row(button(t("btn-back"), Topup(step=TopupStep.MENU)), home_button(t))
    if not offered:
        return t("topup-no-methods"), builder.as_markup()
    return t("topup-choose-method", amount=t.money(amount)), builder.as_markup()


def _amount_prompt(t: Texts, shop: ShopConfig) -> Markup:
    return t("topup-ask-amount", **_bounds(t, shop))


def _back_to_amounts(t: Texts) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.row(button(t("btn-back"), Topup(step=TopupStep.MENU)), home_button(t))
    return builder.as_markup()


def _bounds(t: Texts, shop: ShopConfig) -> dict[str, Markup]:
    return {"min": t.money(shop.topup_min), "max": t.money(shop.topup_max)}


def _refusal(t: Texts, shop: ShopConfig, reason: Refusal) -> Markup:
    return t(REFUSAL_TEXT[reason], **_bounds(t, shop))


def _refusal_plain(t: Texts, shop: ShopConfig, reason: Refusal) -> str:
    """For an alert, or the payment form's error line: Telegram shows both as typed."""
    return t.plain(REFUSAL_TEXT[reason], **_bounds(t, shop))


def _after_payment(t: Texts) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.row(button(t("btn-balance"), Nav(screen=Screen.BALANCE)), home_button(t))
    return builder.as_markup()


# -- Telegram Stars ------------------------------------------------------------------------


async def pay_stars(
    query: CallbackQuery, callback_data: Topup, bot: Bot, db: Database, shop: ShopConfig,
    t: Texts, user: User,
) -> None:  # fmt: skip
    try:
        payment = await payments.open_stars(db, shop, user, callback_data.amount)
    except Refused as refused:
        await query.answer(_refusal_plain(t, shop, refused.reason), show_alert=True)
        return
    amount = str(t.money(payment.amount))
    stars = payments.stars_for(shop, payment.amount)
    try:
        await bot.send_invoice(
            chat_id=user.id,
            title=t.plain("topup-invoice-title"),
            description=t.plain("topup-invoice-description", amount=amount),
            payload=payments.payload(payment.id),
            currency=payments.STARS,
            prices=[
                LabeledPrice(label=t.plain("topup-invoice-label", amount=amount), amount=stars)
            ],
            provider_token="",
        )
    except TelegramBadRequest as error:  # e.g. more Stars than one invoice may ask for
        log.warning("invoice for payment %s (%s XTR) refused: %s", payment.id, stars, error.message)
        await query.answer(t.plain("topup-invoice-failed"), show_alert=True)
        return
    await query.answer()


async def pre_checkout(
    query: PreCheckoutQuery, db: Database, shop: ShopConfig, t: Texts, user: User
) -> None:
    reason = await payments.check_pre_checkout(
        db, shop, user, query.invoice_payload, query.currency, query.total_amount
    )
    if reason is None:
        await query.answer(ok=True)
        return
    log.info("pre-checkout %s of user %s refused: %s", query.invoice_payload, user.id, reason)
    await query.answer(ok=False, error_message=_refusal_plain(t, shop, reason))


async def paid(
    message: Message, bot: Bot, db: Database, shop: ShopConfig, t: Texts, user: User
) -> None:
    success = message.successful_payment
    assert success is not None
    charge_id = success.telegram_payment_charge_id
    result = await payments.credit_stars(
        db, shop, user_id=user.id, invoice_payload=success.invoice_payload,
        currency=success.currency, total=success.total_amount, charge_id=charge_id,
    )  # fmt: skip
    if result.outcome is Credit.DUPLICATE:
        log.info("stars charge %s was credited before: replay ignored", charge_id)
        return
    if result.outcome is Credit.CREDITED:
        assert result.payment is not None
        text = t(
            "topup-stars-paid", amount=t.money(result.payment.amount),
            balance=t.money(result.balance),
        )  # fmt: skip
        await message.answer(text, reply_markup=_after_payment(t))
        return
    returned = True
    try:  # Stars we cannot match to a top-up go back where they came from
        await bot.refund_star_payment(user.id, charge_id)
    except TelegramAPIError as error:
        log.error("could not return unmatched stars charge %s: %s", charge_id, error)
        returned = False
    await payments.report_unmatched(
        db, shop, user_id=user.id, charge_id=charge_id, stars=success.total_amount,
        returned=returned,
    )  # fmt: skip
    await message.answer(
        t("topup-stars-unmatched" if returned else "topup-stars-unmatched-kept"),
        reply_markup=_after_payment(t),
    )


# -- manual requests -----------------------------------------------------------------------


async def pay_manual(
    query: CallbackQuery, callback_data: Topup, state: FSMContext, db: Database,
    shop: ShopConfig, t: Texts, user: User,
) -> None:  # fmt: skip
    try:
        await payments.check_manual(db, shop, user, callback_data.amount)
    except Refused as refused:
        await query.answer(_refusal_plain(t, shop, refused.reason), show_alert=True)
        return
    await state.set_state(TopupForm.note)
    await state.set_data({"amount": callback_data.amount})
    builder = InlineKeyboardBuilder()
    builder.row(
        button(t("btn-back"), Topup(step=TopupStep.PICK, amount=callback_data.amount)),
        home_button(t),
    )
    await show(query, _note_prompt(t, shop, callback_data.amount), builder.as_markup())


def _note_prompt(t: Texts, shop: ShopConfig, amount: int) -> Markup:
    info = shop.manual_topup_info or t("topup-manual-info-default")
    return t("topup-manual-ask", amount=t.money(amount), info=info, max=payments.NOTE_MAX)


async def note_typed(
    message: Message, state: FSMContext, bot: Bot, db: Database, shop: ShopConfig,
    translator: Translator, t: Texts, user: User,
) -> None:  # fmt: skip
    amount = (await state.get_data()).get("amount")
    if not isinstance(amount, int):
        await clear(state)
        await message.answer(t("not-available"), reply_markup=main_menu(t))
        return
    try:
        payment = await payments.request_manual(db, shop, user, amount, message.text or "")
    except InvalidNote as invalid:
        await message.answer(t(invalid.message, **invalid.args_))
        return
    except Refused as refused:
        await clear(state)
        await message.answer(_refusal(t, shop, refused.reason), reply_markup=main_menu(t))
        return
    await clear(state)
    text = t("topup-manual-sent", payment=payment.id, amount=t.money(payment.amount))
    await message.answer(text, reply_markup=_after_payment(t))
    await _tell_admins(bot, db, shop, translator, payment, user)


async def note_not_text(message: Message, t: Texts) -> None:
    await message.answer(t("error-not-text"))


async def _tell_admins(
    bot: Bot, db: Database, shop: ShopConfig, translator: Translator, payment: Payment,
    customer: User,
) -> None:  # fmt: skip
    """Sent directly, not queued: the outbox carries no buttons. An admin who cannot be
    reached still finds the request with /topups."""
    chosen = await locales_of(db, translator, shop.admin_ids)
    for admin in sorted(shop.admin_ids):
        at = translator.texts(chosen[admin], shop.currency)
        try:
            await bot.send_message(
                admin, _request_card(at, payment, customer), reply_markup=_verdicts(at, payment)
            )
        except TelegramAPIError as error:
            log.warning("admin %s not told of top-up request %s: %s", admin, payment.id, error)


def _request_card(t: Texts, payment: Payment, customer: User | None) -> Markup:
    """The note and name shortened on screen (never in the stored request) so that the card
    and the verdict line `decide` appends fit in one message."""

    def render(shown: dict[str, str]) -> str:
        return t(
            "admin-topup-request", payment=payment.id, amount=t.money(payment.amount),
            user=payment.user_id, name=shown["name"],
            note=shown["note"], created=t.time(payment.created_at),
        )  # fmt: skip

    values = {"name": _name(customer), "note": payment.note}
    verdict_room = 300  # "Approved by <an admin's name>", added below the card by `decide`
    return Markup(fit(render, values, MESSAGE_TEXT - verdict_room))


def _name(customer: User | None) -> str:
    if customer is None:
        return "?"
    return (
        f"{customer.first_name} @{customer.username}" if customer.username else customer.first_name
    )


def _verdicts(t: Texts, payment: Payment) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.row(
        button(t("btn-topup-approve"), TopupDecision(payment=payment.id, verdict=Verdict.APPROVE)),
        button(t("btn-topup-reject"), TopupDecision(payment=payment.id, verdict=Verdict.REJECT)),
    )
    return builder.as_markup()


# -- admins ----------------------------------------------------------------------------------


async def decide(
    query: CallbackQuery, callback_data: TopupDecision, db: Database, t: Texts, user: User
) -> None:
    approve = callback_data.verdict is Verdict.APPROVE
    result = await payments.decide_manual(
        db, callback_data.payment, admin_id=user.id, approve=approve
    )
    payment = result.payment
    if result.outcome is Decided.MISSING or payment is None:
        await query.answer(t.plain("not-available"), show_alert=True)
        return
    if result.outcome is Decided.ALREADY:
        decider = await users.get(db, payment.decided_by) if payment.decided_by else None
        text = t.plain(
            "admin-topup-already", state=payment.state, admin=_who(decider, payment.decided_by)
        )
        await query.answer(text, show_alert=True)
        return
    customer = await users.get(db, payment.user_id)
    verdict = t(VERDICT_TEXT[callback_data.verdict], admin=_who(user, user.id))
    await show(query, Markup(f"{_request_card(t, payment, customer)}\n\n{verdict}"))


def _who(person: User | None, user_id: int | None) -> str:
    if person is not None and person.username:
        return f"@{person.username}"
    if person is not None and person.first_name:
        return person.first_name
    return str(user_id)


async def pending_requests(message: Message, db: Database, t: Texts) -> None:
    waiting = await payments.waiting_manual(db, PENDING_SHOWN)
    if not waiting:
        await message.answer(t("admin-topup-none"))
        return
    for payment in waiting:
        customer = await users.get(db, payment.user_id)
        await message.answer(
            _request_card(t, payment, customer), reply_markup=_verdicts(t, payment)
        )


async def refund_stars(
    message: Message, command: CommandObject, bot: Bot, db: Database, t: Texts, user: User
) -> None:
    """Debit, ask Telegram, then refund or undo; an answer that never came leaves it in doubt.

    In doubt (network error, timeout, 5xx, the task cancelled) the debit stays, so the money
    cannot be spent: reconciliation with Telegram's record settles it, or this command again.
    """
    charge_id = payments.charge_id_of(command.args)
    if charge_id is None:
        await message.answer(t("admin-refund-usage"))
        return
    start = await payments.start_stars_refund(db, charge_id, user.id)
    payment = start.payment
    if start.outcome is not Refund.STARTED or payment is None:
        amount = t.money(payment.amount if payment else 0)
        await message.answer(
            t(REFUND_TEXT[start.outcome], charge=charge_id, amount=amount,
              balance=t.money(start.balance))
        )  # fmt: skip
        return
    try:
        await bot.refund_star_payment(payment.user_id, charge_id)
    except REFUSALS as error:
        if ALREADY_REFUNDED not in error.message:
            await _refund_refused(message, db, t, start, error)
            return
        log.info("stars charge %s was refunded before: recording it", charge_id)
    except TelegramAPIError as error:
        log.warning("refund of stars charge %s in doubt: %s", charge_id, error)
        await message.answer(
            t("admin-refund-doubt", charge=charge_id, error=error.message,
              amount=t.money(payment.amount))
        )  # fmt: skip
        return
    await payments.finish_stars_refund(db, payment)
    await message.answer(
        t(
            "admin-refund-done",
            payment=payment.id,
            user=payment.user_id,
            amount=t.money(payment.amount),
        )
    )


async def _refund_refused(
    message: Message, db: Database, t: Texts, start: payments.RefundStart, error: TelegramAPIError
) -> None:
    payment = start.payment
    assert payment is not None
    log.warning("refund of stars charge %s refused: %s", payment.external_id, error)
    if not await payments.undo_stars_refund(db, start):  # another ask went out meanwhile
        await message.answer(t("admin-refund-overtaken", charge=payment.external_id or ""))
        return
    await message.answer(
        t("admin-refund-failed", error=error.message, amount=t.money(payment.amount))
    )
