"""The button switch: a press reaches the routers of its kind only, then the fallback."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from aiogram import Dispatcher, Router
from aiogram.filters import Filter
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, Chat, Message, Update, User

from handlers.buttons import ButtonSwitch
from tests.fakes.telegram import FakeSession, make_bot


class First(CallbackData, prefix="ta"):
    value: int


class Second(CallbackData, prefix="tb"):
    value: int


class Seen(Filter):
    """A router filter that lets everything through and remembers what it was asked about."""

    def __init__(self, passes: bool = True) -> None:
        self.passes = passes
        self.asked: list[str] = []

    async def __call__(self, query: CallbackQuery) -> bool:
        self.asked.append(query.data or "")
        return self.passes


def _press(data: str, update_id: int) -> Update:
    user = User(id=7, is_bot=False, first_name="Ann")
    chat = Chat(id=7, type="private")
    shown = Message(message_id=1, date=datetime.now(UTC), chat=chat, text="menu")
    query = CallbackQuery(id=str(update_id), from_user=user, chat_instance="c", data=data)
    return Update(update_id=update_id, callback_query=query.model_copy(update={"message": shown}))


def _tree(
    first_filter: Seen, second_filter: Seen, got: list[str]
) -> tuple[Dispatcher, list[Router]]:
    async def first(query: CallbackQuery, callback_data: First) -> None:
        got.append(f"first {callback_data.value}")

    async def second(query: CallbackQuery, callback_data: Second) -> None:
        got.append(f"second {callback_data.value}")

    async def stale(query: CallbackQuery) -> None:
        got.append(f"stale {query.data}")

    one, two, fallback = Router(name="one"), Router(name="two"), Router(name="fallback")
    one.callback_query.filter(first_filter)
    one.callback_query.register(first, First.filter())
    two.callback_query.filter(second_filter)
    two.callback_query.register(second, Second.filter())
    fallback.callback_query.register(stale)
    root = Router(name="root")
    root.callback_query.register(ButtonSwitch([one, two], fallback).press)
    root.include_routers(one, two, fallback)
    dp = Dispatcher()
    dp.include_router(root)
    return dp, [one, two]


async def _feed(dp: Dispatcher, *data: str) -> None:
    bot = make_bot(FakeSession())
    for number, each in enumerate(data, start=1):
        await dp.feed_update(bot, _press(each, number))


async def test_a_press_skips_the_routers_of_other_kinds() -> None:
    got: list[str] = []
    one, two = Seen(), Seen()
    dp, _ = _tree(one, two, got)
    await _feed(dp, "tb:5", "ta:3")
    assert got == ["second 5", "first 3"]
    assert one.asked == ["ta:3"]  # the first router never saw the other kind's press
    assert two.asked == ["tb:5"]


async def test_a_press_its_router_refuses_or_of_no_kind_reaches_the_fallback() -> None:
    got: list[str] = []
    dp, _ = _tree(Seen(), Seen(passes=False), got)
    await _feed(dp, "tb:5", "zz:1", "")
    assert got == ["stale tb:5", "stale zz:1", "stale "]


def test_a_button_handler_without_callback_data_outside_the_fallback_stops_start_up() -> None:
    async def anything(query: CallbackQuery) -> None: ...

    greedy = Router(name="greedy")
    greedy.callback_query.register(anything)
    with pytest.raises(ValueError, match="greedy: anything takes buttons"):
        ButtonSwitch([greedy], Router(name="fallback"))


def test_the_shop_tree_indexes_every_button_kind_once_per_owner() -> None:
    from bot import callback_prefixes
    from handlers import create_router

    root = create_router()
    switch: Any = root.callback_query.handlers[0].callback.__self__
    kinds = {
        value
        for name, value in vars(callback_prefixes).items()
        if name.isupper() and isinstance(value, str)
    }
    assert set(switch.owners) == kinds
    assert all(len(set(owners)) == len(owners) for owners in switch.owners.values())


async def test_a_press_goes_through_its_routers_middlewares_and_names_its_router() -> None:
    """Inner middlewares run around the handler; an outer middleware on a router's buttons
    runs too (that router is propagated into as aiogram does); the handler's `event_router`
    is its own router."""
    got: list[str] = []

    async def first(query: CallbackQuery, callback_data: First, event_router: Router) -> None:
        got.append(f"first {callback_data.value} in {event_router.name}")

    async def second(query: CallbackQuery, event_router: Router) -> None:
        got.append(f"second in {event_router.name}")

    def around(name: str) -> Any:
        async def middleware(handler: Any, event: Any, data: dict[str, Any]) -> Any:
            got.append(name)
            return await handler(event, data)

        return middleware

    one, two, fallback = Router(name="one"), Router(name="two"), Router(name="fallback")
    one.callback_query.middleware(around("inner of one"))
    one.callback_query.register(first, First.filter())
    two.callback_query.outer_middleware(around("outer of two"))
    two.callback_query.register(second, Second.filter())
    root = Router(name="root")
    root.callback_query.register(ButtonSwitch([one, two], fallback).press)
    root.include_routers(one, two, fallback)
    dp = Dispatcher()
    dp.include_router(root)

    await _feed(dp, "ta:1", "tb:2")

    assert got == ["inner of one", "first 1 in one", "outer of two", "second in two"]


async def test_a_press_for_a_nested_router_passes_its_parents_filter_first() -> None:
    got: list[str] = []

    async def nested(query: CallbackQuery, callback_data: First) -> None:
        got.append(f"nested {callback_data.value}")

    async def stale(query: CallbackQuery) -> None:
        got.append(f"stale {query.data}")

    guard = Seen(passes=False)
    parent, child, fallback = Router(name="parent"), Router(name="child"), Router(name="fb")
    parent.callback_query.filter(guard)
    child.callback_query.register(nested, First.filter())
    parent.include_router(child)
    fallback.callback_query.register(stale)
    root = Router(name="root")
    root.callback_query.register(ButtonSwitch([parent], fallback).press)
    root.include_routers(parent, fallback)
    dp = Dispatcher()
    dp.include_router(root)

    await _feed(dp, "ta:4")
    guard.passes = True
    await _feed(dp, "ta:5")

    assert got == ["stale ta:4", "nested 5"]
    assert guard.asked == ["ta:4", "ta:5"]
