"""My orders: the paginated list, the order card, and its Refill and Cancel buttons."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.types import CallbackQuery
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.i18n import Texts, lines
from bot.labels import (
    FIELD_TEXT,
    STATE_SHORT,
    STATE_TEXT,
    field_value,
    reason_text,
    refill_status_text,
)
from bot.limits import fit, shorten
from bot.panel.panels import Panels
from bot.shop import tracking
from bot.shop.tracking import ActionOutcome
from handlers.callbacks import (
    Act,
    AskSupport,
    Detail,
    History,
    Nav,
    OrderAction,
    Reorder,
    Screen,
)
from handlers.keyboards import PAGE_SIZE, button, clamp_page, home_button, pager
from handlers.screens import show
from storage import orders, services
from storage.db import Database
from storage.orders import FINAL_STATES, Order
from storage.users import User

# On screen, in UTF-16 units (Telegram's count): a value people typed is shortened there and
# kept whole in the order; `fit` keeps the whole card within Telegram's limit.
FIELD_SHOWN = 400  # each of the type's fields
NAME_SHOWN = 40  # the service's name on an order's button
REFILLS_SHOWN = 5  # the latest refills listed on the card
REFILL_TEXT_SHOWN = 40  # the panel's id of a refill

# What the customer reads after Refill or Cancel (NOT_ALLOWED: "not available", either way).
ACTION_TEXT = {
    (Act.REFILL, ActionOutcome.REQUESTED): "refill-requested",
    (Act.REFILL, ActionOutcome.REFUSED): "refill-refused",
    (Act.REFILL, ActionOutcome.ERROR): "refill-error",
    (Act.CANCEL, ActionOutcome.REQUESTED): "cancel-requested",
    (Act.CANCEL, ActionOutcome.REFUSED): "cancel-refused",
    (Act.CANCEL, ActionOutcome.ERROR): "cancel-error",
}


def create_router() -> Router:
    router = Router(name="history")
    router.callback_query.register(history, Nav.filter(F.screen == Screen.ORDERS))
    router.callback_query.register(history, History.filter())
    router.callback_query.register(detail, Detail.filter())
    router.callback_query.register(act, OrderAction.filter())
    return router


async def history(
    query: CallbackQuery, db: Database, t: Texts, user: User, callback_data: History | Nav
) -> None:
    page = callback_data.page if isinstance(callback_data, History) else 0
    found, total = await orders.page_for_user(db, user.id, page * PAGE_SIZE, PAGE_SIZE)
    if total and not found:
        page = clamp_page(page, total)
        found, total = await orders.page_for_user(db, user.id, page * PAGE_SIZE, PAGE_SIZE)
    builder = InlineKeyboardBuilder()
    for order in found:
        label = t.plain(
            "order-button",
            order=order.id,
            service=shorten(order.service_name, NAME_SHOWN),
            status=t.plain(STATE_SHORT[order.state]),
        )
        builder.row(button(label, Detail(order=order.id, page=page)))
    builder.row(*pager(t, page, total, History))
    builder.row(home_button(t))
    await show(query, t("orders" if total else "orders-empty", count=total), builder.as_markup())


async def own_order(
    query: CallbackQuery, db: Database, t: Texts, user: User, order_id: int
) -> Order | None:
    """The pressed button's order when it is this user's; else None, and a short alert that
    reveals nothing (a forged button, or somebody else's order)."""
    order = await orders.get_for_user(db, order_id, user.id)
    if order is None:
        await query.answer(t.plain("not-available"), show_alert=True)
    return order


async def detail(
    query: CallbackQuery, db: Database, t: Texts, user: User, callback_data: Detail
) -> None:
    order = await own_order(query, db, t, user, callback_data.order)
    if order is not None:
        await _card(query, db, t, order, callback_data.page)


async def _card(
    query: CallbackQuery, db: Database, t: Texts, order: Order, page: int, *, answered: bool = False
) -> None:
    service = await services.get(db, order.service_id)
    refills = (await orders.refills_of(db, order.id))[-REFILLS_SHOWN:]
    refill_lines = [
        t(
            "refill-line",
            refill=shorten(refill.upstream_id, REFILL_TEXT_SHOWN),
            status=t(refill_status_text(refill.status)),
        )
        for refill in refills
    ]
    shown_fields = [name for name in order.fields if name not in ("service", "link")]

    def render(shown: dict[str, str]) -> str:
        extra = [
            t("summary-field", field=t(FIELD_TEXT[name]), value=field_value(name, shown[name]))
            for name in shown_fields
        ]
        return t(
            "order-card",
            order=order.id,
            service=shown["service"],
            link=shown["link"],
            fields=lines(extra),
            price=t.money(order.charge),
            state=t(STATE_TEXT[order.state]),
            remains="-" if order.remains is None else order.remains,
            start_count="-" if order.start_count is None else order.start_count,
            created=t.time(order.created_at),
            refills=lines(refill_lines),
            cancel_requested=str(order.cancel_requested).lower(),
        )

    values = {name: shorten(order.fields[name], FIELD_SHOWN) for name in shown_fields}
    text = fit(render, {**values, "service": order.service_name, "link": order.link})
    builder = InlineKeyboardBuilder()
    if tracking.can_refill(order, service):
        builder.button(
            text=t("btn-refill"), callback_data=OrderAction(act=Act.REFILL, order=order.id)
        )
    if tracking.can_cancel(order, service):
        builder.button(
            text=t("btn-cancel-order"), callback_data=OrderAction(act=Act.CANCEL, order=order.id)
        )
    builder.row(button(t("btn-refresh"), Detail(order=order.id, page=page)))
    if order.state in FINAL_STATES:
        builder.row(button(t("btn-order-again"), Reorder(order=order.id)))
    builder.row(button(t("btn-ask-order"), AskSupport(order=order.id)))
    builder.row(button(t("btn-back"), History(page=page)), home_button(t))
    await show(query, text, builder.as_markup(), answered=answered)


async def act(
    query: CallbackQuery,
    db: Database,
    panels: Panels,
    t: Texts,
    user: User,
    callback_data: OrderAction,
) -> None:
    order = await own_order(query, db, t, user, callback_data.order)
    if order is None:
        return
    service = await services.get(db, order.service_id)
    request = (
        tracking.request_refill if callback_data.act is Act.REFILL else tracking.request_cancel
    )
    result = await request(db, panels, order, service)
    if result.outcome is ActionOutcome.NOT_ALLOWED:
        await query.answer(t.plain("not-available"), show_alert=True)
        return
    reason = t.plain(reason_text(result.reason)) if result.reason else ""
    text = ACTION_TEXT[callback_data.act, result.outcome]
    await query.answer(t.plain(text, reason=reason), show_alert=True)
    fresh = await orders.get_for_user(db, order.id, user.id)
    assert fresh is not None
    await _card(query, db, t, fresh, 0, answered=True)
