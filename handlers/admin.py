"""The owner's console: slash commands that exist only for ADMIN_IDS."""

from __future__ import annotations

import logging
import time
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from aiogram import F, Router
from aiogram.filters import Command, CommandObject, StateFilter
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message, Update
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.callback_types import Id
from bot.i18n import Texts, lines
from bot.jobs.catalog import sync_catalog
from bot.panel.client import PanelClient
from bot.panel.errors import PanelError
from bot.shop import admin
from bot.shop.admin import MAINTENANCE_KEY
from bot.shop.config import ShopConfig
from bot.shop.money import from_cost, parse_amount, to_minor
from bot.shop.pricing import MARKUP_KEY
from handlers.filters import IsAdmin, When
from storage import kv, orders, services, stats, users
from storage.db import Database
from storage.ledger import InsufficientFunds
from storage.orders import Order

log = logging.getLogger(__name__)
COMMANDS = (
    "admin",
    "stats",
    "panel",
    "user",
    "credit",
    "debit",
    "ban",
    "unban",
    "order",
    "review",
    "markup",
    "hide",
    "show",
    "sync",
    "broadcast",
    "maintenance",
    "topups",
    "refund_stars",
)
REVIEW_PAGE = 10
DAY = 86_400


class Settle(StrEnum):
    ATTACH = "attach"
    REFUND = "refund"


class Review(CallbackData, prefix="r1"):
    settle: Settle
    order: Id


class ReviewForm(StatesGroup):
    upstream_id = State()


def create_router() -> Router:
    router = Router(name="admin")
    router.message.filter(IsAdmin())
    router.callback_query.filter(IsAdmin())
    router.message.register(help_, Command("admin"))
    router.message.register(show_stats, Command("stats"))
    router.message.register(panel_balance, Command("panel"))
    router.message.register(user_card, Command("user"))
    router.message.register(adjust, Command("credit", "debit"))
    router.message.register(ban, Command("ban", "unban"))
    router.message.register(order_card, Command("order"))
    router.message.register(review, Command("review"))
    router.callback_query.register(settle, Review.filter())
    router.message.register(attach_id, StateFilter(ReviewForm.upstream_id), When(F.text))
    router.message.register(set_markup, Command("markup"))
    router.message.register(hide_show, Command("hide", "show"))
    router.message.register(sync_now, Command("sync"))
    router.message.register(maintenance, Command("maintenance"))
    return router


async def help_(message: Message, t: Texts) -> None:
    await message.answer(lines(t(f"admin-help-{name}") for name in COMMANDS))


async def show_stats(message: Message, db: Database, shop: ShopConfig, t: Texts) -> None:
    now = int(time.time())
    people = await stats.users(db, now - 7 * DAY)
    by_state = await orders.counts_by_state(db)
    periods = []
    for label, since in (
        ("today", now - now % DAY),
        ("7d", now - 7 * DAY),
        ("30d", now - 30 * DAY),
    ):
        sales = await stats.sales(db, since)
        cost = to_minor(from_cost(sales.cost) * shop.fx, up=True)
        periods.append(
            t(
                "admin-stats-period",
                period=t(f"period-{label}"),
                orders=sales.orders,
                revenue=t.money(sales.revenue),
                cost=t.money(cost),
                margin=t.money(sales.revenue - cost),
            )
        )
    states = ", ".join(f"{state}: {count}" for state, count in sorted(by_state.items())) or "-"
    await message.answer(
        t(
            "admin-stats",
            users=people.total,
            active=people.active,
            blocked=people.blocked,
            banned=people.banned,
            balances=t.money(people.balances),
            states=states,
            periods=lines(periods),
        )
    )


async def panel_balance(message: Message, panel: PanelClient, t: Texts) -> None:
    try:
        balance = await panel.balance()
    except PanelError as error:
        await message.answer(t("admin-panel-error", error=str(error)))
        return
    await message.answer(
        t("admin-panel", balance=str(balance.amount), currency=balance.currency or "")
    )


async def user_card(message: Message, command: CommandObject, db: Database, t: Texts) -> None:
    found = await users.find(db, command.args or "") if command.args else None
    if found is None:
        await message.answer(t("admin-usage-user" if not command.args else "admin-no-user"))
        return
    recent, total = await orders.page_for_user(db, found.id, 0, 5)
    order_lines = [
        t(
            "admin-order-line",
            order=o.id,
            service=o.service_name,
            state=t(f"state-{o.state.value}"),
            charge=t.money(o.charge),
        )
        for o in recent
    ]
    await message.answer(
        t(
            "admin-user",
            id=found.id,
            name=found.first_name,
            username=f"@{found.username}" if found.username else "-",
            balance=t.money(found.balance),
            banned=str(found.banned).lower(),
            blocked=str(found.blocked).lower(),
            orders=total,
            recent=lines(order_lines),
            seen=t.time(found.last_seen_at),
        )
    )


async def adjust(
    message: Message, command: CommandObject, event_update: Update, db: Database, t: Texts
) -> None:
    parts = (command.args or "").split(maxsplit=2)
    amount = parse_amount(parts[1]) if len(parts) >= 2 else None
    target = await users.find(db, parts[0]) if parts else None
    if amount is None or not parts:
        await message.answer(t(f"admin-usage-{command.command}"))
        return
    if target is None:
        await message.answer(t("admin-no-user"))
        return
    reason = parts[2] if len(parts) == 3 else ""
    signed = amount if command.command == "credit" else -amount
    try:
        moved = await admin.adjust_balance(
            db, target.id, signed, key=f"admin:{event_update.update_id}", reason=reason
        )
    except InsufficientFunds:
        await message.answer(t("admin-debit-too-big", balance=t.money(target.balance)))
        return
    fresh = await users.get(db, target.id)
    assert fresh is not None
    done = "admin-adjusted" if moved else "admin-adjust-replayed"
    await message.answer(t(done, id=target.id, balance=t.money(fresh.balance)))


async def ban(message: Message, command: CommandObject, db: Database, t: Texts) -> None:
    target = await users.find(db, command.args) if command.args else None
    if target is None:
        await message.answer(
            t(f"admin-usage-{command.command}" if not command.args else "admin-no-user")
        )
        return
    await users.set_banned(db, target.id, command.command == "ban")
    await message.answer(t(f"admin-{command.command}ned", id=target.id))


async def order_card(message: Message, command: CommandObject, db: Database, t: Texts) -> None:
    args = (command.args or "").strip().lstrip("#")
    order = await orders.get(db, int(args)) if args.isdigit() else None
    if order is None:
        await message.answer(t("admin-usage-order" if not args.isdigit() else "admin-no-order"))
        return
    await message.answer(_order_text(t, order))


def _order_text(t: Texts, order: Order) -> str:
    fields = [f"{name}: {value[:200]}" for name, value in order.fields.items()]
    return t(
        "admin-order",
        order=order.id,
        user=order.user_id,
        service=order.service_name,
        service_id=order.service_id,
        state=t(f"state-{order.state.value}"),
        status=order.status or "-",
        upstream=order.upstream_id or "-",
        upstream_charge=order.upstream_charge or "-",
        cost=str(from_cost(order.cost)),
        charge=t.money(order.charge),
        quantity=order.quantity,
        remains="-" if order.remains is None else order.remains,
        fields=lines(fields),
        error=order.error or "-",
        created=t.time(order.created_at),
    )


async def review(message: Message, db: Database, t: Texts) -> None:
    waiting = await orders.in_states(db, [orders.State.UNKNOWN], REVIEW_PAGE)
    if not waiting:
        await message.answer(t("admin-review-empty"))
        return
    for order in waiting:
        builder = InlineKeyboardBuilder()
        builder.button(
            text=t.plain("admin-btn-attach"),
            callback_data=Review(settle=Settle.ATTACH, order=order.id),
        )
        builder.button(
            text=t.plain("admin-btn-refund"),
            callback_data=Review(settle=Settle.REFUND, order=order.id),
        )
        await message.answer(_order_text(t, order), reply_markup=builder.as_markup())


async def settle(
    query: CallbackQuery, callback_data: Review, state: FSMContext, db: Database, t: Texts
) -> None:
    if callback_data.settle is Settle.ATTACH:
        await state.set_state(ReviewForm.upstream_id)
        await state.set_data({"order": callback_data.order})
        await query.answer()
        if query.message is not None:
            await query.message.answer(t("admin-ask-upstream", order=callback_data.order))
        return
    result = await admin.refund_unknown(db, callback_data.order)
    await query.answer(
        t.plain(f"admin-settled-{result.value}", order=callback_data.order), show_alert=True
    )


async def attach_id(message: Message, state: FSMContext, db: Database, t: Texts) -> None:
    text = (message.text or "").strip()
    order_id = (await state.get_data()).get("order")
    if not text.isdigit() or order_id is None:
        await message.answer(t("admin-ask-upstream", order=order_id or 0))
        return
    await state.clear()
    result = await admin.attach_upstream(db, order_id, int(text))
    await message.answer(t(f"admin-settled-{result.value}", order=order_id))


async def set_markup(message: Message, command: CommandObject, db: Database, t: Texts) -> None:
    parts = (command.args or "").split(maxsplit=2)
    try:
        percent = Decimal(parts[0].rstrip("%")) if parts else None
    except InvalidOperation:
        percent = None
    if percent is None or not -99 <= percent <= 10_000 or len(parts) == 2:
        await message.answer(t("admin-usage-markup"))
        return
    if len(parts) == 1:
        await kv.put(db, MARKUP_KEY, str(percent))
        await message.answer(t("admin-markup-global", percent=str(percent)))
        return
    done = await _override(db, parts[1], parts[2], markup=percent)
    await message.answer(
        t("admin-markup-set", percent=str(percent), target=f"{parts[1]} {parts[2]}")
        if done
        else t("admin-usage-markup")
    )


async def hide_show(message: Message, command: CommandObject, db: Database, t: Texts) -> None:
    parts = (command.args or "").split(maxsplit=1)
    hidden = command.command == "hide"
    if len(parts) != 2 or not await _override(db, parts[0], parts[1], hidden=hidden):
        await message.answer(t("admin-usage-hide"))
        return
    await message.answer(t("admin-hidden" if hidden else "admin-shown", target=" ".join(parts)))


async def _override(db: Database, kind: str, target: str, **values: object) -> bool:
    """Apply an override to `service <id>` or `category <name>`; False when there is none."""
    if kind == "service" and target.strip().isdigit():
        return await services.set_service(db, int(target), **values)
    if kind == "category":
        found = await services.find_category(db, target.strip())
        return found is not None and await services.set_category(db, found.id, **values)
    return False


async def sync_now(message: Message, db: Database, panel: PanelClient, t: Texts) -> None:
    try:
        summary = await sync_catalog(db, panel)
    except PanelError as error:
        await message.answer(t("admin-panel-error", error=str(error)))
        return
    await message.answer(
        t(
            "admin-synced",
            added=summary.added,
            changed=summary.changed,
            removed=summary.removed,
            total=summary.total,
        )
    )


async def maintenance(message: Message, command: CommandObject, db: Database, t: Texts) -> None:
    choice = (command.args or "").strip().lower()
    if choice not in ("on", "off"):
        await message.answer(t("admin-usage-maintenance"))
        return
    await kv.put(db, MAINTENANCE_KEY, choice)
    await message.answer(t(f"admin-maintenance-{choice}"))
