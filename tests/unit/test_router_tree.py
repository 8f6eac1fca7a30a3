"""No filter or handler of the router tree is run in a worker thread.

aiogram awaits coroutine functions and `Filter` objects in place, but runs any other callable
(a bare `F` expression, a `State` used as a filter, a plain function) through
`asyncio.to_thread` on every update: a thread hop per check, several per message.
"""

from __future__ import annotations

from collections.abc import Iterator

from aiogram import F, Router
from aiogram.dispatcher.event.handler import CallableObject
from aiogram.filters import StateFilter
from aiogram.fsm.state import State, StatesGroup

from handlers import create_router


class Form(StatesGroup):
    step = State()


def _callables(router: Router) -> Iterator[tuple[str, CallableObject]]:
    for name, observer in router.observers.items():
        where = f"{router.name}.{name}"
        for root_filter in observer._handler.filters or []:
            yield f"{where} (router filter)", root_filter
        for handler in observer.handlers:
            yield f"{where}: {handler.callback.__name__}", handler
            for handler_filter in handler.filters or []:
                yield f"{where}: {handler.callback.__name__}'s filter", handler_filter
    for sub_router in router.sub_routers:
        yield from _callables(sub_router)


def test_every_filter_and_handler_is_awaited_in_place() -> None:
    threaded = [where for where, item in _callables(create_router()) if not item.awaitable]
    assert threaded == []


async def _handler() -> None: ...


def _sync_handler() -> None: ...


def test_the_check_sees_bare_magic_filters_states_and_plain_functions() -> None:
    router = Router(name="probe")
    router.message.register(_handler, F.text)
    router.message.register(_sync_handler, StateFilter(Form.step))
    router.message.register(_handler, Form.step)
    found = [where for where, item in _callables(router) if not item.awaitable]
    assert found == [
        "probe.message: _handler's filter",
        "probe.message: _sync_handler",
        "probe.message: _handler's filter",
    ]
