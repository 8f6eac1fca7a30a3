"""The order wizard: ask each field the service type needs, show the summary, place it."""

from __future__ import annotations

import secrets
from dataclasses import asdict
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from aiogram import F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

from bot.i18n import Markup, Texts, lines
from bot.limits import shorten
from bot.panel.panels import Panels
from bot.shop import checkout, order_types
from bot.shop.checkout import Outcome
from bot.shop.config import ShopConfig
from bot.shop.order_types import FIELDS, InvalidAnswer, Kind
from bot.shop.pricing import BelowCost
from handlers.callbacks import Buy, Card, Detail, Nav, Screen, Step, Wizard
from handlers.filters import When
from handlers.keyboards import Rows, button, home_button, main_menu
from handlers.screens import show
from storage import services
from storage.db import Database
from storage.services import Service
from storage.users import User

OFFER = "offer"  # the draft's key for the summary shown last (a `checkout.Offer` as a dict)
SHOWN_UNITS = 300  # UTF-16 units of one answer in the summary; a long list is cut for display
CHOICES_PER_ROW = 6


class OrderForm(StatesGroup):
    answer = State()
    confirm = State()


def create_router() -> Router:
    router = Router(name="order")
    router.message.register(cancel_command, Command("cancel"))
    router.callback_query.register(start_order, Buy.filter())
    router.callback_query.register(confirm, Wizard.filter(F.step == Step.CONFIRM))
    router.callback_query.register(cancel, Wizard.filter(F.step == Step.CANCEL))
    router.callback_query.register(back, Wizard.filter(F.step == Step.BACK), StateFilter(OrderForm))
    router.callback_query.register(
        skip, Wizard.filter(F.step == Step.SKIP), StateFilter(OrderForm.answer)
    )
    router.callback_query.register(
        pick, Wizard.filter(F.step == Step.PICK), StateFilter(OrderForm.answer)
    )
    # A command is never taken as an answer: /start, /help, /search... work in the middle too.
    router.message.register(
        answer, StateFilter(OrderForm.answer), When(F.text & ~F.text.startswith("/"))
    )
    router.message.register(not_text, StateFilter(OrderForm.answer), When(~F.text))
    router.message.register(
        use_buttons, StateFilter(OrderForm.confirm), When(~F.text.startswith("/"))
    )
    return router


async def cancel_command(message: Message, state: FSMContext, t: Texts) -> None:
    had_flow = await state.get_state() is not None
    await state.clear()
    await message.answer(
        t("cancelled" if had_flow else "nothing-to-cancel"), reply_markup=main_menu(t)
    )


async def cancel(query: CallbackQuery, state: FSMContext, t: Texts) -> None:
    await state.clear()
    await show(query, t("cancelled"), main_menu(t))


async def start_order(
    query: CallbackQuery,
    callback_data: Buy,
    state: FSMContext,
    db: Database,
    shop: ShopConfig,
    t: Texts,
    user: User,
) -> None:
    service = await services.get(db, callback_data.service)
    if service is None or not order_types.sellable(service):
        await query.answer(t.plain("not-available"), show_alert=True)
        return
    await state.set_state(OrderForm.answer)
    await state.set_data({"service": service.id, "answers": {}})
    await _next(query, state, db, shop, t, user, service, {})


async def answer(
    message: Message, state: FSMContext, db: Database, shop: ShopConfig, t: Texts, user: User
) -> None:
    await _take(message, message.text or "", state, db, shop, t, user)


async def pick(
    query: CallbackQuery,
    callback_data: Wizard,
    state: FSMContext,
    db: Database,
    shop: ShopConfig,
    t: Texts,
    user: User,
) -> None:
    await _take(query, callback_data.value, state, db, shop, t, user)


async def skip(
    query: CallbackQuery, state: FSMContext, db: Database, shop: ShopConfig, t: Texts, user: User
) -> None:
    draft = await _draft(query, state, db, t)
    if draft is None:
        return
    service, answers = draft
    field = order_types.next_field(service, answers)
    if field is None or not FIELDS[field].optional:
        await query.answer(t.plain("not-available"), show_alert=True)
        return
    answers[field] = ""
    await _next(query, state, db, shop, t, user, service, answers)


async def back(
    query: CallbackQuery, state: FSMContext, db: Database, shop: ShopConfig, t: Texts, user: User
) -> None:
    draft = await _draft(query, state, db, t)
    if draft is None:
        return
    service, answers = draft
    if not answers:
        await state.clear()
        await show(query, t("cancelled"), main_menu(t))
        return
    answers.pop(list(answers)[-1])
    if "interval" in answers and not answers.get("runs"):
        answers.pop("interval")
    await state.set_state(OrderForm.answer)
    await _next(query, state, db, shop, t, user, service, answers)


async def not_text(message: Message, state: FSMContext, db: Database, t: Texts) -> None:
    draft = await _draft(message, state, db, t)
    if draft is not None:
        service, answers = draft
        field = order_types.next_field(service, answers)
        assert field is not None
        text, markup = _prompt(t, service, field)
        await message.answer(f"{t('error-not-text')}\n\n{text}", reply_markup=markup)


async def use_buttons(message: Message, t: Texts) -> None:
    await message.answer(t("use-buttons"))


async def _take(
    event: Message | CallbackQuery,
    text: str,
    state: FSMContext,
    db: Database,
    shop: ShopConfig,
    t: Texts,
    user: User,
) -> None:
    draft = await _draft(event, state, db, t)
    if draft is None:
        return
    service, answers = draft
    field = order_types.next_field(service, answers)
    assert field is not None
    today = datetime.now(UTC).date()
    try:
        answers[field] = order_types.check(service, field, text, answers, today)
    except InvalidAnswer as error:
        prompt, markup = _prompt(t, service, field)
        reply = f"{t(error.message, **error.args_)}\n\n{prompt}"
        await show(event, reply, markup)
        return
    await _next(event, state, db, shop, t, user, service, answers)


async def _draft(
    event: Message | CallbackQuery, state: FSMContext, db: Database, t: Texts
) -> tuple[Service, dict[str, str]] | None:
    """The service and answers so far; None (and the user told) when it cannot go on."""
    data = await state.get_data()
    service = await services.get(db, data["service"]) if "service" in data else None
    if service is None or not order_types.sellable(service):
        await state.clear()
        await show(event, t("service-gone"), main_menu(t))
        return None
    return service, dict(data["answers"])


async def _next(
    event: Message | CallbackQuery,
    state: FSMContext,
    db: Database,
    shop: ShopConfig,
    t: Texts,
    user: User,
    service: Service,
    answers: dict[str, str],
    notice: str = "",
    *,
    answered: bool = False,
) -> None:
    """Ask the next field, or show the summary once every field has an answer.

    Every step (an answer, Back, Skip) lands here and voids the summary shown before: its
    Confirm button stops working, so only the summary of the current answers can be placed.
    """
    await state.update_data({"answers": answers, OFFER: None})
    field = order_types.next_field(service, answers)
    if field is not None:
        await state.set_state(OrderForm.answer)
        text, markup = _prompt(t, service, field)
    else:
        text, markup = await _summary(state, db, shop, t, user, service, answers)
    await show(event, f"{notice}\n\n{text}" if notice else text, markup, answered=answered)


@lru_cache(maxsize=32)  # per language, like the main menu
def _back_or_cancel(t: Texts) -> tuple[InlineKeyboardButton, InlineKeyboardButton]:
    """The wizard's way out on every screen: one step back, or drop the draft."""
    return (
        button(t("btn-back"), Wizard(step=Step.BACK)),
        button(t("btn-cancel"), Wizard(step=Step.CANCEL)),
    )


def _prompt(t: Texts, service: Service, field: str) -> tuple[str, InlineKeyboardMarkup]:
    spec = FIELDS[field]
    builder = Rows()
    if spec.kind is Kind.CHOICE:
        choices = [
            button(str(delay), Wizard(step=Step.PICK, value=str(delay)))
            for delay in order_types.DELAYS
        ]
        for start in range(0, len(choices), CHOICES_PER_ROW):
            builder.row(*choices[start : start + CHOICES_PER_ROW])
    if spec.optional:
        builder.row(button(t("btn-skip"), Wizard(step=Step.SKIP)))
    builder.row(*_back_or_cancel(t))
    text = t(f"ask-{field}", name=service.name, min=service.min, max=service.max)
    return text, builder.as_markup()


async def _summary(
    state: FSMContext,
    db: Database,
    shop: ShopConfig,
    t: Texts,
    user: User,
    service: Service,
    answers: dict[str, str],
) -> tuple[str, InlineKeyboardMarkup]:
    builder = Rows()
    try:
        offer = await checkout.make_offer(
            db, shop, service, answers, secrets.token_urlsafe(12), user_id=user.id
        )
    except BelowCost:
        await state.clear()
        builder.row(button(t("btn-back"), Card(service=service.id)), home_button(t))
        return t("service-gone"), builder.as_markup()
    await state.set_state(OrderForm.confirm)
    await state.update_data({OFFER: asdict(offer)})
    shown = [
        t("summary-field", field=t(f"field-{name}"), value=shorten(value, SHOWN_UNITS))
        for name, value in answers.items()
        if value
    ]
    after = user.balance - offer.charge
    text = t(
        "summary",
        name=service.name,
        fields=lines(shown),
        quantity=offer.units,
        price=_price(t, offer),
        balance=t.money(user.balance),
        after=t.money(max(after, 0)),
        enough=str(after >= 0).lower(),
    )
    if after >= 0:
        builder.row(button(t("btn-confirm"), Wizard(step=Step.CONFIRM, value=offer.token)))
    else:
        builder.row(button(t("btn-top-up"), Nav(screen=Screen.BALANCE)))
    builder.row(*_back_or_cancel(t))
    return text, builder.as_markup()


def _price(t: Texts, offer: checkout.Offer) -> Markup:
    """The price to pay; with a promo discount, the price before it and the discount too."""
    if not offer.discount:
        return t.money(offer.charge)
    return t(
        "summary-price-discounted",
        before=t.money(offer.charge + offer.discount),
        discount=t.money(offer.discount),
        code=offer.promo_code,
        capped=str(offer.discount_capped).lower(),
        price=t.money(offer.charge),
    )


async def confirm(
    query: CallbackQuery,
    callback_data: Wizard,
    state: FSMContext,
    db: Database,
    panels: Panels,
    shop: ShopConfig,
    t: Texts,
    user: User,
) -> None:
    data: dict[str, Any] = await state.get_data()
    agreed = data.get(OFFER)
    if not callback_data.value or not agreed or agreed["token"] != callback_data.value:
        await query.answer(t.plain("confirm-stale"), show_alert=True)
        return
    await state.update_data({OFFER: None})  # one-shot: a second tap finds no offer
    offer = checkout.Offer(**agreed)
    await query.answer(t.plain("placing"))
    result = await checkout.place_order(db, panels, shop, user_id=user.id, offer=offer)
    if result.outcome is Outcome.CHANGED:
        await _offer_again(query, state, db, shop, t, user, offer, result.change)
        return
    await state.clear()
    builder = Rows()
    if result.order_id is not None and result.outcome is not Outcome.FAILED:
        builder.row(button(t("btn-view-order"), Detail(order=result.order_id)))
    if result.outcome is Outcome.NO_FUNDS:
        builder.row(button(t("btn-top-up"), Nav(screen=Screen.BALANCE)))
    builder.row(button(t("btn-new-order"), Nav(screen=Screen.CATALOG)), home_button(t))
    await show(query, _outcome_text(t, result), builder.as_markup(), answered=True)


async def _offer_again(
    query: CallbackQuery,
    state: FSMContext,
    db: Database,
    shop: ShopConfig,
    t: Texts,
    user: User,
    offer: checkout.Offer,
    change: checkout.Change | None,
) -> None:
    """Something the charge depends on moved since the summary: show today's, say what moved.

    A service whose type changed keeps only the answers its new type still asks for.
    """
    service = await services.get(db, offer.service_id)
    if service is None or not order_types.sellable(service):
        await state.clear()
        await show(query, t("service-gone"), main_menu(t), answered=True)
        return
    wanted = order_types.fields_for(service)
    answers = {name: value for name, value in offer.answers.items() if name in wanted}
    if change is checkout.Change.PRICE:
        units = order_types.units(service, answers)
        try:
            now = await checkout.price(db, shop, service, units)
        except BelowCost:
            await state.clear()
            await show(query, t("service-gone"), main_menu(t), answered=True)
            return
        notice = t("order-changed-price", old=t.money(offer.charge), new=t.money(now.charge))
    elif change is checkout.Change.DISCOUNT:
        notice = t("order-changed-discount")
    else:
        notice = t("order-changed-service")
    await _next(query, state, db, shop, t, user, service, answers, notice, answered=True)


def _outcome_text(t: Texts, result: checkout.Result) -> str:
    if result.outcome is Outcome.FAILED:
        return t("order-failed", order=result.order_id or 0, reason=t(f"reason-{result.reason}"))
    return t(f"order-{result.outcome.value.replace('_', '-')}", order=result.order_id or 0)
