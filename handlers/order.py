"""The order wizard: ask each field the service type needs, show the summary, place it."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from aiogram import BaseMiddleware, F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import (
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    TelegramObject,
)

from bot.drafts import clear, save
from bot.i18n import Markup, Texts, lines
from bot.labels import FIELD_TEXT, field_value, reason_text
from bot.limits import shorten
from bot.panel.panels import Panels
from bot.shop import checkout, order_types, reorder
from bot.shop.checkout import Change, Outcome
from bot.shop.config import ShopConfig
from bot.shop.order_types import FIELDS, InvalidAnswer, Kind
from bot.shop.pricing import BelowCost
from handlers.callbacks import Buy, Card, Detail, Nav, Reorder, Screen, Step, Wizard
from handlers.filters import When
from handlers.history import own_order
from handlers.keyboards import Rows, button, home_button, main_menu
from handlers.screens import show
from storage import services
from storage.db import Database
from storage.services import Service
from storage.users import User

SHOWN_UNITS = 300  # UTF-16 units of one answer in the summary; a long list is cut for display
CHOICES_PER_ROW = 6

log = logging.getLogger(__name__)

# What the customer reads after Confirm. CHANGED has no text of its own: the new summary is
# shown with the notice of what changed.
OUTCOME_TEXT = {
    Outcome.PLACED: "order-placed",
    Outcome.FAILED: "order-failed",
    Outcome.UNKNOWN: "order-unknown",
    Outcome.NO_FUNDS: "order-no-funds",
    Outcome.DUPLICATE: "order-duplicate",
    Outcome.UNAVAILABLE: "order-unavailable",
}
CHANGE_TEXT = {
    Change.PRICE: "order-changed-price",
    Change.SERVICE: "order-changed-service",
    Change.DISCOUNT: "order-changed-discount",
}
# The question for each order field (keys: `order_types.FIELDS`).
ASK_TEXT = {
    "link": "ask-link",
    "quantity": "ask-quantity",
    "runs": "ask-runs",
    "interval": "ask-interval",
    "keywords": "ask-keywords",
    "comments": "ask-comments",
    "usernames": "ask-usernames",
    "hashtags": "ask-hashtags",
    "hashtag": "ask-hashtag",
    "username": "ask-username",
    "media": "ask-media",
    "answer_number": "ask-answer_number",
    "groups": "ask-groups",
    "min": "ask-min",
    "max": "ask-max",
    "posts": "ask-posts",
    "old_posts": "ask-old_posts",
    "delay": "ask-delay",
    "expiry": "ask-expiry",
}


class OrderForm(StatesGroup):
    answer = State()
    confirm = State()


@dataclass(frozen=True, slots=True)
class Draft:
    """The order being filled in: its service, the answers so far, and the summary shown last.

    Kept in the FSM data as plain JSON (`to_data`). Every edit makes a new draft without an
    offer, so the Confirm of an older summary stops working. `by` names the update that made
    it: the same update delivered again (its answer was lost with a process) shows the step
    it led to instead of being taken a second time.
    """

    service: int
    answers: Mapping[str, str] = field(default_factory=dict)
    offer: checkout.Offer | None = None
    by: str = ""

    def to_data(self) -> dict[str, Any]:
        return {
            "service": self.service,
            "answers": dict(self.answers),
            "offer": None if self.offer is None else asdict(self.offer),
            "by": self.by,
        }

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> Draft | None:
        if "service" not in data:
            return None
        offer = data.get("offer")
        return cls(
            data["service"], dict(data["answers"]), offer and checkout.Offer(**offer),
            str(data.get("by", "")),
        )  # fmt: skip

    def answering(self, answers: Mapping[str, str]) -> Draft:
        return Draft(self.service, dict(answers))


Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


class _WithFlow(BaseMiddleware):
    """Gives this router's handlers `flow`: the wizard for this update, built once."""

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        assert isinstance(event, Message | CallbackQuery)
        data["flow"] = OrderFlow(
            event, data["state"], data["db"], data["panels"], data["shop"], data["t"], data["user"],
            at=data.get("raw_state"),
        )  # fmt: skip
        return await handler(event, data)


def create_router() -> Router:
    router = Router(name="order")
    router.message.middleware(_WithFlow())
    router.callback_query.middleware(_WithFlow())
    router.message.register(cancel_command, Command("cancel"))
    router.callback_query.register(start_order, Buy.filter())
    router.callback_query.register(order_again, Reorder.filter())
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
    await clear(state)
    await message.answer(
        t("cancelled" if had_flow else "nothing-to-cancel"), reply_markup=main_menu(t)
    )


async def cancel(query: CallbackQuery, state: FSMContext, t: Texts) -> None:
    await clear(state)
    await show(query, t("cancelled"), main_menu(t))


async def start_order(query: CallbackQuery, callback_data: Buy, flow: OrderFlow) -> None:
    await flow.start(callback_data.service)


async def order_again(query: CallbackQuery, callback_data: Reorder, flow: OrderFlow) -> None:
    await flow.again(callback_data.order)


async def answer(message: Message, flow: OrderFlow) -> None:
    await flow.take(message.text or "")


async def pick(query: CallbackQuery, callback_data: Wizard, flow: OrderFlow) -> None:
    await flow.take(callback_data.value)


async def skip(query: CallbackQuery, flow: OrderFlow) -> None:
    await flow.skip()


async def back(query: CallbackQuery, flow: OrderFlow) -> None:
    await flow.back()


async def not_text(message: Message, flow: OrderFlow) -> None:
    await flow.ask_again(flow.t("error-not-text"))


async def use_buttons(message: Message, flow: OrderFlow) -> None:
    await flow.typed_at_summary()


async def confirm(query: CallbackQuery, callback_data: Wizard, flow: OrderFlow) -> None:
    await flow.confirm(callback_data.value)


class OrderFlow:
    """The wizard for one update: what it needs, once, and a method per step."""

    def __init__(
        self,
        event: Message | CallbackQuery,
        state: FSMContext,
        db: Database,
        panels: Panels,
        shop: ShopConfig,
        t: Texts,
        user: User,
        *,
        at: str | None,
    ) -> None:
        self.event = event
        self.state = state
        self.db = db
        self.panels = panels
        self.shop = shop
        self.t = t
        self.user = user
        self.answered = False  # Confirm answers its button ("Placing...") before the outcome
        self.at = at  # the conversation's state as the update came in (then as this one set it)
        # Which update this is: Telegram delivers the same message or button press again with
        # the same id when its answer was lost (a replica killed before answering).
        self.origin = f"m{event.message_id}" if isinstance(event, Message) else f"q{event.id}"

    async def start(self, service_id: int) -> None:
        service = await services.get(self.db, service_id)
        if service is None or not order_types.sellable(service):
            await self._alert("not-available")
            return
        await self._next(service, Draft(service.id))

    async def again(self, order_id: int) -> None:
        """The same service, link and answers as an earlier order, straight to today's summary;
        from the first question when an answer no longer fits the service."""
        assert isinstance(self.event, CallbackQuery)
        order = await own_order(self.event, self.db, self.t, self.user, order_id)
        if order is None:
            return
        # the service the customer chose, also when its backup served the order
        service = await services.get(self.db, order.backup_of or order.service_id)
        if service is None or not order_types.sellable(service):
            builder = Rows()
            builder.row(button(self.t("btn-new-order"), Nav(screen=Screen.CATALOG)))
            builder.row(button(self.t("btn-back"), Detail(order=order.id)), home_button(self.t))
            await show(self.event, self.t("order-again-gone"), builder.as_markup())
            return
        today = datetime.now(UTC).date()
        answers = reorder.answers_of(order, service, today)
        if answers is None:
            await self._next(service, Draft(service.id), self.t("order-again-changed"))
            return
        await self._next(service, Draft(service.id, answers))

    async def take(self, text: str) -> None:
        """An answer to the field asked: the next question, or the same one with what's wrong."""
        asked = await self._asked()
        if asked is None:
            return
        service, draft, field_ = asked
        today = datetime.now(UTC).date()
        try:
            value = order_types.check(service, field_, text, draft.answers, today)
        except InvalidAnswer as error:
            prompt, markup = self._prompt(service, field_)
            await show(self.event, f"{self.t(error.message, **error.args_)}\n\n{prompt}", markup)
            return
        await self._next(service, draft.answering({**draft.answers, field_: value}))

    async def skip(self) -> None:
        loaded = await self._load()
        if loaded is None:
            return
        service, draft = loaded
        field_ = order_types.next_field(service, draft.answers)
        if field_ is None or not FIELDS[field_].optional:
            await self._alert("not-available")
            return
        await self._next(service, draft.answering({**draft.answers, field_: ""}))

    async def back(self) -> None:
        """One answer back (a drip-feed's interval goes with its runs); out of the wizard from
        the first question."""
        loaded = await self._load()
        if loaded is None:
            return
        service, draft = loaded
        if not draft.answers:
            await clear(self.state)
            await show(self.event, self.t("cancelled"), main_menu(self.t))
            return
        answers = dict(draft.answers)
        answers.pop(list(answers)[-1])
        if "interval" in answers and not answers.get("runs"):
            answers.pop("interval")
        await self._next(service, draft.answering(answers))

    async def typed_at_summary(self) -> None:
        """Text while the summary waits for its buttons: a pointer to them (the summary again
        when the text is the answer that led to it, delivered again: see `_load`)."""
        if await self._load() is not None:
            await show(self.event, self.t("use-buttons"))

    async def ask_again(self, notice: Markup) -> None:
        """The current question again, after `notice` (the answer could not be taken)."""
        asked = await self._asked()
        if asked is None:
            return
        service, _, field_ = asked
        text, markup = self._prompt(service, field_)
        await show(self.event, f"{notice}\n\n{text}", markup)

    async def confirm(self, token: str) -> None:
        """Place the order of the summary whose Confirm this is, once (DESIGN section 3)."""
        assert isinstance(self.event, CallbackQuery)
        draft = Draft.from_data(await self.state.get_data())
        offer = None if draft is None else draft.offer
        if not token or draft is None or offer is None or offer.token != token:
            await self._alert("confirm-stale")
            return
        # The offer stays in the draft until the outcome is shown: a Confirm delivered again
        # after its process died places nothing twice (the token is the order's) and shows the
        # order it placed; a second tap waits for the first (the customer's lock), then finds
        # the draft cleared.
        await self.event.answer(self.t.plain("placing"))
        self.answered = True
        result = await checkout.place_order(
            self.db, self.panels, self.shop, user_id=self.user.id, offer=offer
        )
        if result.outcome is Outcome.CHANGED:
            await self._offer_again(offer, result.change or Change.SERVICE)
            return
        await clear(self.state)
        builder = Rows()
        if result.order_id is not None and result.outcome is not Outcome.FAILED:
            builder.row(button(self.t("btn-view-order"), Detail(order=result.order_id)))
        if result.outcome is Outcome.NO_FUNDS:
            builder.row(button(self.t("btn-top-up"), Nav(screen=Screen.BALANCE)))
        builder.row(
            button(self.t("btn-new-order"), Nav(screen=Screen.CATALOG)), home_button(self.t)
        )
        await show(self.event, _outcome_text(self.t, result), builder.as_markup(), answered=True)

    async def _asked(self) -> tuple[Service, Draft, str] | None:
        """The draft, its service and the question it is at; None when there is none to take
        an answer for (the customer was told what now)."""
        loaded = await self._load()
        if loaded is None:
            return None
        service, draft = loaded
        field_ = order_types.next_field(service, draft.answers)
        if field_ is None:
            # Every answer is in but not the step (a process died between the two writes a
            # storage other than the database makes, see bot.drafts.save): the summary they
            # lead to.
            await self._next(service, draft.answering(draft.answers))
            return None
        return service, draft, field_

    async def _load(self) -> tuple[Service, Draft] | None:
        """The draft and its service; None when there is nothing to take from this update: the
        draft cannot go on (the user is told), or this update made it already (Telegram
        delivered it again: the step it led to is shown once more)."""
        draft = Draft.from_data(await self.state.get_data())
        service = None if draft is None else await services.get(self.db, draft.service)
        if draft is None or service is None or not order_types.sellable(service):
            await self._gone()
            return None
        if draft.by == self.origin:
            log.info("user %s: %s delivered again; showing its step", self.user.id, self.origin)
            await self._next(service, draft.answering(draft.answers))
            return None
        return service, draft

    async def _step(self, state: State, draft: Draft) -> None:
        """The draft, with the step it is at when that moves (most answers stay at
        OrderForm.answer), in one write."""
        data = replace(draft, by=self.origin).to_data()
        if self.at == state.state:
            await self.state.set_data(data)
            return
        await save(self.state, state, data)
        self.at = state.state

    async def _gone(self) -> None:
        await clear(self.state)
        await show(self.event, self.t("service-gone"), main_menu(self.t), answered=self.answered)

    async def _alert(self, message: str) -> None:
        assert isinstance(self.event, CallbackQuery)
        await self.event.answer(self.t.plain(message), show_alert=True)

    async def _next(self, service: Service, draft: Draft, notice: str = "") -> None:
        """Ask the next field, or show the summary once every field has an answer.

        Every step (an answer, Back, Skip) lands here with a draft that has no offer: the
        Confirm of the summary shown before stops working, so only the summary of the current
        answers can be placed.
        """
        field_ = order_types.next_field(service, draft.answers)
        if field_ is not None:
            await self._step(OrderForm.answer, draft)
            text, markup = self._prompt(service, field_)
        else:
            text, markup = await self._summary(service, draft)
        shown = f"{notice}\n\n{text}" if notice else text
        await show(self.event, shown, markup, answered=self.answered)

    def _prompt(self, service: Service, field_: str) -> tuple[str, InlineKeyboardMarkup]:
        spec = FIELDS[field_]
        builder = Rows()
        if spec.kind is Kind.CHOICE:
            choices = [
                button(str(delay), Wizard(step=Step.PICK, value=str(delay)))
                for delay in order_types.DELAYS
            ]
            for start in range(0, len(choices), CHOICES_PER_ROW):
                builder.row(*choices[start : start + CHOICES_PER_ROW])
        if spec.optional:
            builder.row(button(self.t("btn-skip"), Wizard(step=Step.SKIP)))
        builder.row(*_back_or_cancel(self.t))
        text = self.t(ASK_TEXT[field_], name=service.name, min=service.min, max=service.max)
        return text, builder.as_markup()

    async def _summary(self, service: Service, draft: Draft) -> tuple[str, InlineKeyboardMarkup]:
        t = self.t
        builder = Rows()
        try:
            offer = await checkout.make_offer(
                self.db,
                self.shop,
                service,
                draft.answers,
                secrets.token_urlsafe(12),
                user_id=self.user.id,
            )
        except BelowCost:
            await clear(self.state)
            builder.row(button(t("btn-back"), Card(service=service.id)), home_button(t))
            return t("service-gone"), builder.as_markup()
        await self._step(OrderForm.confirm, replace(draft, offer=offer))
        shown = [
            t(
                "summary-field",
                field=t(FIELD_TEXT[name]),
                value=field_value(name, shorten(value, SHOWN_UNITS)),
            )
            for name, value in draft.answers.items()
            if value
        ]
        after = self.user.balance - offer.charge
        text = t(
            "summary",
            name=service.name,
            fields=lines(shown),
            quantity=offer.units,
            price=_price(t, offer),
            balance=t.money(self.user.balance),
            after=t.money(max(after, 0)),
            enough=str(after >= 0).lower(),
        )
        if after >= 0:
            builder.row(button(t("btn-confirm"), Wizard(step=Step.CONFIRM, value=offer.token)))
        else:
            builder.row(button(t("btn-top-up"), Nav(screen=Screen.BALANCE)))
        builder.row(*_back_or_cancel(t))
        return text, builder.as_markup()

    async def _offer_again(self, offer: checkout.Offer, change: Change) -> None:
        """Something the charge depends on moved since the summary: show today's, say what moved.

        A service whose type changed keeps only the answers its new type still asks for.
        """
        service = await services.get(self.db, offer.service_id)
        if service is None or not order_types.sellable(service):
            await self._gone()
            return
        wanted = order_types.fields_for(service)
        answers = {name: value for name, value in offer.answers.items() if name in wanted}
        if change is not Change.PRICE:
            notice = self.t(CHANGE_TEXT[change])
        else:
            try:
                now = await checkout.price(
                    self.db, self.shop, service, order_types.units(service, answers)
                )
            except BelowCost:
                await self._gone()
                return
            notice = self.t(
                CHANGE_TEXT[change], old=self.t.money(offer.charge), new=self.t.money(now.charge)
            )
        await self._next(service, Draft(service.id, answers), notice)


@lru_cache(maxsize=32)  # per language, like the main menu
def _back_or_cancel(t: Texts) -> tuple[InlineKeyboardButton, InlineKeyboardButton]:
    """The wizard's way out on every screen: one step back, or drop the draft."""
    return (
        button(t("btn-back"), Wizard(step=Step.BACK)),
        button(t("btn-cancel"), Wizard(step=Step.CANCEL)),
    )


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


def _outcome_text(t: Texts, result: checkout.Result) -> str:
    reason = t(reason_text(result.reason)) if result.outcome is Outcome.FAILED else ""
    return t(OUTCOME_TEXT[result.outcome], order=result.order_id or 0, reason=reason)
