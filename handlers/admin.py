"""The owner's console: slash commands that exist only for ADMIN_IDS."""

from __future__ import annotations

import logging
import re
from datetime import timedelta
from decimal import Decimal
from enum import StrEnum

from aiogram import F, Router
from aiogram.filters import Command, CommandObject, StateFilter
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder
from babel.dates import format_timedelta

from bot import callback_prefixes
from bot.callback_types import Id
from bot.drafts import clear
from bot.i18n import Markup, Texts, format_amount, lines
from bot.jobs.catalog import sync_all
from bot.labels import STATE_TEXT
from bot.limits import fit, shorten
from bot.numbers import parse_decimal, parse_id
from bot.panel.errors import PanelError
from bot.panel.panels import Panels
from bot.shop import admin
from bot.shop.admin import MAINTENANCE_KEY
from bot.shop.config import ShopConfig
from bot.shop.money import from_cost, parse_amount
from bot.shop.pricing import MARKUP_KEY
from handlers.filters import IsAdmin, When
from storage import health, kv, orders, referrals, services, users
from storage.clock import now
from storage.db import Database
from storage.ledger import InsufficientFunds
from storage.orders import Order
from storage.services import Service
from storage.users import AmbiguousUsername, User

log = logging.getLogger(__name__)
# /admin lists the commands, in this order, each with its help line.
HELP_TEXT = {
    "admin": "admin-help-admin",
    "stats": "admin-help-stats",
    "export": "admin-help-export",
    "panel": "admin-help-panel",
    "user": "admin-help-user",
    "credit": "admin-help-credit",
    "debit": "admin-help-debit",
    "ban": "admin-help-ban",
    "unban": "admin-help-unban",
    "order": "admin-help-order",
    "review": "admin-help-review",
    "markup": "admin-help-markup",
    "hide": "admin-help-hide",
    "show": "admin-help-show",
    "backup": "admin-help-backup",
    "sync": "admin-help-sync",
    "broadcast": "admin-help-broadcast",
    "maintenance": "admin-help-maintenance",
    "topups": "admin-help-topups",
    "refund_stars": "admin-help-refund_stars",
    "promo": "admin-help-promo",
    "referral": "admin-help-referral",
    "tickets": "admin-help-tickets",
    "close": "admin-help-close",
}
REVIEW_PAGE = 10
MARKUP_RANGE = (Decimal(-99), Decimal(10_000))  # percent
# Telegram's username syntax, "@" optional: anything else that is not an id is a typo.
_USERNAME = re.compile(r"@?([A-Za-z][A-Za-z0-9_]{2,31})")
# On screen (UTF-16 units): each order field, and the panel's raw text; `fit` keeps the whole
# card within Telegram's limit however many long values it has.
FIELD_SHOWN = 200
ERROR_SHOWN = 1000


class Settle(StrEnum):
    """A /review button; the first two keep the values older buttons in the chat carry."""

    ATTACH = "attach"  # unknown or failed: the admin found it at the panel
    REFUND = "refund"  # unknown: never reached the panel
    COMPLETED = "completed"
    REFUNDED = "refunded"
    PARTIAL = "partial"  # asks for the amount
    RESUME = "resume"


# A /review button's label.
SETTLE_TEXT = {
    Settle.ATTACH: "admin-btn-attach",
    Settle.REFUND: "admin-btn-refund",
    Settle.COMPLETED: "admin-btn-completed",
    Settle.REFUNDED: "admin-btn-refunded",
    Settle.PARTIAL: "admin-btn-partial",
    Settle.RESUME: "admin-btn-resume",
}
# What the admin reads once an order is settled, or why it was not.
SETTLED_TEXT = {
    admin.Settled.DONE: "admin-settled-done",
    admin.Settled.NOT_UNKNOWN: "admin-settled-not_unknown",
    admin.Settled.ID_TAKEN: "admin-settled-id_taken",
    admin.Settled.NOT_OPEN: "admin-settled-not_open",
    admin.Settled.SHORTFALL: "admin-settled-shortfall",
    admin.Settled.TOO_MUCH: "admin-settled-too_much",
    admin.Settled.DISCOUNT_SPENT: "admin-settled-discount_spent",
}
# Commands one handler serves for two: each one's usage line, and what /ban and /unban say.
ADJUST_USAGE = {"credit": "admin-usage-credit", "debit": "admin-usage-debit"}
BAN_USAGE = {"ban": "admin-usage-ban", "unban": "admin-usage-unban"}
BAN_DONE = {"ban": "admin-banned", "unban": "admin-unbanned"}
MAINTENANCE_TEXT = {"on": "admin-maintenance-on", "off": "admin-maintenance-off"}


class Review(CallbackData, prefix=callback_prefixes.REVIEW):
    settle: Settle
    order: Id


class ReviewForm(StatesGroup):
    upstream_id = State()
    refund = State()


# Which buttons an order's card offers in /review, by the state it is in.
_VERDICTS = (Settle.COMPLETED, Settle.REFUNDED, Settle.PARTIAL, Settle.RESUME)
_BUTTONS: dict[orders.State, tuple[Settle, ...]] = {
    orders.State.UNKNOWN: (Settle.ATTACH, Settle.REFUND),
    orders.State.FAILED: (Settle.ATTACH,),
    orders.State.REVIEW: _VERDICTS,
    orders.State.ACTIVE: _VERDICTS[:-1],
}


def create_router() -> Router:
    router = Router(name="admin")
    router.message.filter(IsAdmin())
    router.callback_query.filter(IsAdmin())
    router.message.register(help_, Command("admin"))
    router.message.register(panel_balance, Command("panel"))
    router.message.register(user_card, Command("user"))
    router.message.register(adjust, Command(*ADJUST_USAGE))
    router.message.register(ban, Command(*BAN_USAGE))
    router.message.register(order_card, Command("order"))
    router.message.register(review, Command("review"))
    router.callback_query.register(settle, Review.filter())
    router.message.register(attach_id, StateFilter(ReviewForm.upstream_id), When(F.text))
    router.message.register(refund_part, StateFilter(ReviewForm.refund), When(F.text))
    router.message.register(set_markup, Command("markup"))
    router.message.register(hide_show, Command("hide", "show"))
    router.message.register(set_backup, Command("backup"))
    router.message.register(sync_now, Command("sync"))
    router.message.register(maintenance, Command("maintenance"))
    return router


async def help_(message: Message, db: Database, shop: ShopConfig, t: Texts) -> None:
    """The commands, under what an owner checks first when customers say nothing happens."""
    found = await health.read(db)
    last = found.succeeded.get
    status = t(
        "admin-health", poll=_ago(last(health.POLL), t), sync=_ago(last(health.SYNC), t),
        stars=_ago(last(health.STARS), t), backlog=found.backlog,
        poller=_poller(found.poller, shop, t),
    )  # fmt: skip
    await message.answer(lines([status, "", *(t(text) for text in HELP_TEXT.values())]))


def _poller(holder: str | None, shop: ShopConfig, t: Texts) -> str:
    if holder is None:
        return t.plain("admin-health-lease-none")
    here = holder == shop.instance
    short = holder[:8]  # a process's random id: enough to tell two apart
    return t.plain("admin-health-lease-here" if here else "admin-health-lease-other", holder=short)


def _ago(stamp: int | None, t: Texts) -> str:
    if stamp is None:
        return t.plain("admin-health-never")
    # at least a second: babel says "in 0 seconds" for no time at all
    elapsed = timedelta(seconds=-max(now() - stamp, 1))
    return str(format_timedelta(elapsed, add_direction=True, locale=t.locale))


async def panel_balance(message: Message, panels: Panels, shop: ShopConfig, t: Texts) -> None:
    """Each panel's balance, formatted like the shop's money."""
    found = []
    for name, panel in panels.items():
        try:
            balance = await panel.balance()
        except PanelError as error:
            error_text = shorten(str(error), ERROR_SHOWN // len(panels))
            found.append(t("admin-panel-error", panel=name, error=error_text))
            continue
        currency = balance.currency or shop.panel_currency
        amount = format_amount(balance.amount, currency, t.locale)
        found.append(t("admin-panel", panel=name, balance=amount))
    await message.answer(lines(found))


async def user_card(message: Message, command: CommandObject, db: Database, t: Texts) -> None:
    found = await _customer(message, db, t, command.args, "admin-usage-user")
    if found is None:
        return
    recent, total = await orders.page_for_user(db, found.id, 0, 5)
    referral = await _referral_line(db, t, found.id)

    def render(shown: dict[str, str]) -> str:
        order_lines = [
            t(
                "admin-order-line",
                order=o.id,
                service=shown[f"service-{o.id}"],
                state=t(STATE_TEXT[o.state]),
                charge=t.money(o.charge),
            )
            for o in recent
        ]
        return t(
            "admin-user",
            id=found.id,
            name=shown["name"],
            username=f"@{found.username}" if found.username else "-",
            balance=t.money(found.balance),
            banned=str(found.banned).lower(),
            blocked=str(found.blocked).lower(),
            orders=total,
            recent=lines(order_lines),
            seen=t.time(found.last_seen_at),
        )

    services_shown = {f"service-{o.id}": o.service_name for o in recent}

    def card(shown: dict[str, str]) -> str:
        return f"{render(shown)}\n{referral}"

    await message.answer(fit(card, {"name": found.first_name, **services_shown}))


async def _referral_line(db: Database, t: Texts, user_id: int) -> Markup:
    """Who brought this customer, and whom they brought and earned from."""
    referrer_id = await referrals.referrer_of(db, user_id)
    referrer = None if referrer_id is None else await users.get(db, referrer_id)
    found = await referrals.figures(db, user_id, last=0)
    return t(
        "admin-user-referral",
        referrer=t("admin-user-no-referrer") if referrer is None
        else f"{referrer.first_name} ({referrer.id})",
        invited=found.invited, earned=t.money(found.earned),
    )  # fmt: skip


async def _customer(
    message: Message, db: Database, t: Texts, ref: str | None, usage: str
) -> User | None:
    """The customer `ref` names (an id or a @username), or None once the admin was told why:
    the usage line for what is neither, "no such user", or "ambiguous" for a username that
    several rows still hold."""
    ref = (ref or "").strip()
    user_id = parse_id(ref)
    name = _USERNAME.fullmatch(ref)
    try:
        if user_id is not None:
            found = await users.get(db, user_id)
        elif name is not None:
            found = await users.by_username(db, name.group(1))
        else:
            await message.answer(t(usage))
            return None
    except AmbiguousUsername as ambiguous:
        ids = ", ".join(map(str, ambiguous.ids))
        await message.answer(t("admin-ambiguous-user", username=f"@{ref.lstrip('@')}", ids=ids))
        return None
    if found is None:
        await message.answer(t("admin-no-user"))
    return found


async def adjust(message: Message, command: CommandObject, db: Database, t: Texts) -> None:
    usage = ADJUST_USAGE[command.command]
    parts = (command.args or "").split(maxsplit=2)
    amount = parse_amount(parts[1]) if len(parts) >= 2 else None
    if amount is None:
        await message.answer(t(usage))
        return
    target = await _customer(message, db, t, parts[0], usage)
    if target is None:
        return
    reason = parts[2] if len(parts) == 3 else ""
    signed = amount if command.command == "credit" else -amount
    # One key per chat message: update ids start again after a week without updates.
    key = f"admin:{message.chat.id}:{message.message_id}"
    try:
        moved = await admin.adjust_balance(db, target.id, signed, key=key, reason=reason)
    except InsufficientFunds:
        await message.answer(t("admin-debit-too-big", balance=t.money(target.balance)))
        return
    fresh = await users.get(db, target.id)
    assert fresh is not None
    done = "admin-adjusted" if moved else "admin-adjust-replayed"
    await message.answer(t(done, id=target.id, balance=t.money(fresh.balance)))


async def ban(message: Message, command: CommandObject, db: Database, t: Texts) -> None:
    target = await _customer(message, db, t, command.args, BAN_USAGE[command.command])
    if target is None:
        return
    await users.set_banned(db, target.id, command.command == "ban")
    await message.answer(t(BAN_DONE[command.command], id=target.id))


async def order_card(message: Message, command: CommandObject, db: Database, t: Texts) -> None:
    order_id = parse_id((command.args or "").strip().lstrip("#"))
    if order_id is None:
        await message.answer(t("admin-usage-order"))
        return
    order = await orders.get(db, order_id)
    if order is None:
        await message.answer(t("admin-no-order"))
        return
    await message.answer(_order_text(t, order, await _chosen(db, order)))


def _order_text(t: Texts, order: Order, chosen: str | None = None) -> str:
    """The order as admins read it; `chosen`: the service the customer picked, when its backup
    served the order."""

    def render(shown: dict[str, str]) -> str:
        fields = [f"{name}: {shown[f'field-{name}']}" for name in order.fields]
        return t(
            "admin-order",
            order=order.id,
            user=order.user_id,
            service=shown["service"],
            service_id=order.fields.get("service", "-"),
            panel=order.panel,
            backup="" if chosen is None else t.plain("admin-order-backup", service=chosen),
            state=t(STATE_TEXT[order.state]),
            status=shown["status"],
            upstream=order.upstream_id or "-",
            upstream_charge=shown["upstream_charge"],
            cost=str(from_cost(order.cost)),
            charge=t.money(order.charge),
            quantity=order.quantity,
            remains="-" if order.remains is None else order.remains,
            fields=lines(fields),
            error=shown["error"],
            created=t.time(order.created_at),
        )

    values = {
        "service": order.service_name,
        "status": order.status or "-",
        "upstream_charge": order.upstream_charge or "-",
        "error": shorten(order.error or "-", ERROR_SHOWN),
        **{f"field-{name}": shorten(value, FIELD_SHOWN) for name, value in order.fields.items()},
    }
    return fit(render, values)


async def _chosen(db: Database, order: Order) -> str | None:
    if order.backup_of is None:
        return None
    found = await services.get(db, order.backup_of)
    return str(order.backup_of) if found is None else found.ref


async def review(message: Message, command: CommandObject, db: Database, t: Texts) -> None:
    """Orders waiting for a decision, oldest first; `/review <order>` opens any one order."""
    if command.args:
        order_id = parse_id(command.args.strip().lstrip("#"))
        order = None if order_id is None else await orders.get(db, order_id)
        if order is None:
            await message.answer(t("admin-usage-review" if order_id is None else "admin-no-order"))
        elif order.state not in _BUTTONS:
            await message.answer(t(SETTLED_TEXT[admin.Settled.NOT_OPEN], order=order.id))
        else:
            await _review_card(message, db, t, order)
        return
    waiting = await orders.in_states(db, orders.WAITING, REVIEW_PAGE)
    if not waiting:
        await message.answer(t("admin-review-empty"))
        return
    for order in waiting:
        await _review_card(message, db, t, order)


async def _review_card(message: Message, db: Database, t: Texts, order: Order) -> None:
    builder = InlineKeyboardBuilder()
    for settle in _BUTTONS[order.state]:
        if settle is Settle.RESUME and order.upstream_id is None:
            continue
        builder.button(
            text=t.plain(SETTLE_TEXT[settle]),
            callback_data=Review(settle=settle, order=order.id),
        )
    builder.adjust(2)
    text = _order_text(t, order, await _chosen(db, order))
    await message.answer(text, reply_markup=builder.as_markup())


async def settle(
    query: CallbackQuery,
    callback_data: Review,
    state: FSMContext,
    db: Database,
    shop: ShopConfig,
    t: Texts,
) -> None:
    order_id = callback_data.order
    asks = {Settle.ATTACH: ReviewForm.upstream_id, Settle.PARTIAL: ReviewForm.refund}
    if callback_data.settle in asks:
        await state.set_state(asks[callback_data.settle])
        await state.set_data({"order": order_id})
        await query.answer()
        prompt = (
            "admin-ask-upstream" if callback_data.settle is Settle.ATTACH else "admin-ask-refund"
        )
        if query.message is not None:
            await query.message.answer(t(prompt, order=order_id))
        return
    if callback_data.settle is Settle.REFUND:
        result = await admin.refund_unknown(db, order_id)
    else:
        verdict = admin.Verdict(callback_data.settle.value)
        result = await admin.settle(db, shop, order_id, verdict)
    await query.answer(t.plain(SETTLED_TEXT[result], order=order_id), show_alert=True)


async def _for_order(
    message: Message, state: FSMContext, t: Texts, value: int | None, prompt: str
) -> int | None:
    """The order a typed answer is for, the form done; None (asked again) when it is no good."""
    order_id: int | None = (await state.get_data()).get("order")
    if value is None or order_id is None:
        await message.answer(t(prompt, order=order_id or 0))
        return None
    await clear(state)
    return order_id


async def attach_id(message: Message, state: FSMContext, db: Database, t: Texts) -> None:
    upstream_id = parse_id(message.text or "")
    order_id = await _for_order(message, state, t, upstream_id, "admin-ask-upstream")
    if order_id is None or upstream_id is None:
        return
    result = await admin.attach_upstream(db, order_id, upstream_id)
    if result.outcome is admin.Settled.SHORTFALL:
        text = t(
            SETTLED_TEXT[admin.Settled.SHORTFALL], order=order_id, charge=t.money(result.charged),
            balance=t.money(result.balance),
        )  # fmt: skip
    elif result.charged:
        text = t("admin-settled-recharged", order=order_id, charge=t.money(result.charged))
    else:
        text = t(SETTLED_TEXT[result.outcome], order=order_id)
    await message.answer(text)


async def refund_part(
    message: Message, state: FSMContext, db: Database, shop: ShopConfig, t: Texts
) -> None:
    amount = parse_amount(message.text or "")
    order_id = await _for_order(message, state, t, amount, "admin-ask-refund")
    if order_id is None or amount is None:
        return
    result = await admin.settle(db, shop, order_id, admin.Verdict.PARTIAL, amount)
    await message.answer(t(SETTLED_TEXT[result], order=order_id))


async def set_markup(message: Message, command: CommandObject, db: Database, t: Texts) -> None:
    parts = (command.args or "").split(maxsplit=2)
    low, high = MARKUP_RANGE
    percent = parse_decimal(parts[0].removesuffix("%"), low=low, high=high) if parts else None
    if percent is None or len(parts) == 2:
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
    """Apply an override to `service main:101`, `category <name>` or `panel <name>`; False
    when there is none."""
    if kind == "service":
        found = await _service(db, target)
        return found is not None and await services.set_service(db, found.id, **values)
    if kind == "category":
        category = await services.find_category(db, target.strip())
        return category is not None and await services.set_category(db, category.id, **values)
    if kind == "panel":
        return await services.set_panel(db, target.strip().lower(), **values)
    return False


async def _service(db: Database, ref: str) -> Service | None:
    """`main:101` (a panel and its service id), or `101` for the main panel's."""
    panel, _, upstream = ref.strip().rpartition(":")
    upstream_id = parse_id(upstream)
    if upstream_id is None:
        return None
    return await services.by_upstream(db, panel.lower() or services.MAIN, upstream_id)


async def set_backup(message: Message, command: CommandObject, db: Database, t: Texts) -> None:
    """`/backup main:101 second:2001` links a backup; `/backup main:101 off` unlinks it."""
    parts = (command.args or "").split()
    primary = await _service(db, parts[0]) if len(parts) == 2 else None
    if primary is None:
        await message.answer(t("admin-usage-backup"))
        return
    if parts[1].lower() == "off":
        await services.set_backup(db, primary.id, None)
        await message.answer(t("admin-backup-off", service=primary.ref))
        return
    backup = await _service(db, parts[1])
    problem = backup_problem(primary, backup)
    if problem is not None or backup is None:
        await message.answer(t(problem or "admin-usage-backup"))
        return
    await services.set_backup(db, primary.id, backup.id)
    await message.answer(t("admin-backup-set", service=primary.ref, backup=backup.ref))


def backup_problem(primary: Service, backup: Service | None) -> str | None:
    """Why `backup` cannot stand in for `primary` (a message id), or None."""
    if backup is None:
        return "admin-backup-unknown"
    if backup.panel == primary.panel:
        return "admin-backup-same-panel"
    if backup.type != primary.type or backup.type is None:
        return "admin-backup-other-type"
    return None


async def sync_now(message: Message, db: Database, panels: Panels, t: Texts) -> None:
    try:
        done = await sync_all(db, panels)
    except PanelError as error:
        await message.answer(
            t("admin-panel-error", panel="-", error=shorten(str(error), ERROR_SHOWN))
        )
        return
    await health.succeeded(db, health.SYNC)
    found = []
    for name, summary in done.items():
        if isinstance(summary, PanelError):
            found.append(t("admin-panel-error", panel=name, error=shorten(str(summary), 300)))
            continue
        found.append(
            t(
                "admin-synced",
                panel=name,
                added=summary.added,
                changed=summary.changed,
                removed=summary.removed,
                total=summary.total,
            )
        )
    await message.answer(lines(found))


async def maintenance(message: Message, command: CommandObject, db: Database, t: Texts) -> None:
    choice = (command.args or "").strip().lower()
    if choice not in MAINTENANCE_TEXT:
        await message.answer(t("admin-usage-maintenance"))
        return
    await kv.put(db, MAINTENANCE_KEY, choice)
    await message.answer(t(MAINTENANCE_TEXT[choice]))
