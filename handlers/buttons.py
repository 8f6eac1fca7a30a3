"""A button press goes straight to the routers that own its prefix.

aiogram offers an update to each router in turn, and every router on the way wraps its
middlewares and runs its filters (a `CallbackData` filter unpacks the data into a model to
compare). A press of the last router's button paid that for every router before it. The prefix
(the text before the first ":") names the kind of button, and each kind belongs to the routers
whose handlers filter on it: the switch keeps that index, built once from the handlers' own
filters, and propagates a press only into those routers, in the tree's order, then to the
fallback.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from aiogram import Router
from aiogram.dispatcher.event.bases import REJECTED, UNHANDLED
from aiogram.filters.callback_data import CallbackQueryFilter
from aiogram.types import CallbackQuery

UPDATE = "callback_query"
SEPARATOR = ":"  # aiogram's default: the prefix is what comes before the first one


class ButtonSwitch:
    """The root's one button handler: `router.callback_query.register(ButtonSwitch(...).press)`
    (a bound coroutine method: aiogram awaits it in place, an object's `__call__` it would not)."""

    def __init__(self, routers: Iterable[Router], fallback: Router) -> None:
        self.owners: dict[str, list[Router]] = {}
        for router in routers:
            for prefix in dict.fromkeys(_prefixes(router)):
                self.owners.setdefault(prefix, []).append(router)
        self.fallback = fallback

    async def press(self, query: CallbackQuery, **data: Any) -> Any:
        prefix = (query.data or "").partition(SEPARATOR)[0]
        for router in self.owners.get(prefix, ()):
            found = await _offer(router, query, data)
            if found is not UNHANDLED:
                return found
        return await self.fallback.propagate_event(UPDATE, query, **data)


async def _offer(router: Router, query: CallbackQuery, data: dict[str, Any]) -> Any:
    """`router.propagate_event` for a press, UNHANDLED when no handler took it.

    A router without routers of its own and without an outer middleware on its buttons (every
    router of the tree today) has nothing to propagate to and nothing to wrap: what is left
    of the propagation is its filters (ADMIN_IDS, say), then its observer's `trigger` (its
    handlers with their filters, inside the inner middlewares), as aiogram's `Router` runs
    them. tests/unit/test_buttons.py holds both ways to the same outcomes.
    """
    observer = router.callback_query
    if router.sub_routers or observer.outer_middleware:
        return await router.propagate_event(UPDATE, query, **data)
    kwargs = {**data, "event_router": router}
    passed, found = await observer.check_root_filters(query, **kwargs)
    if not passed:
        return UNHANDLED
    kwargs.update(found)
    handled = await observer.trigger(query, **kwargs)
    return UNHANDLED if handled is REJECTED else handled


def _prefixes(router: Router) -> Iterator[str]:
    """The prefix of every button `router` (and the routers under it) handles.

    A button handler without a `CallbackData` filter would take presses of any kind: only the
    fallback may have one, so such a handler elsewhere stops the bot at start-up, not in a chat.
    """
    for each in router.chain_tail:
        for handler in each.observers[UPDATE].handlers:
            kinds = [
                item.callback.callback_data
                for item in handler.filters or []
                if isinstance(item.callback, CallbackQueryFilter)
            ]
            if not kinds:
                raise ValueError(
                    f"{each.name}: {handler.callback.__name__} takes buttons without a"
                    " CallbackData filter; only the fallback router may"
                )
            for kind in kinds:
                if kind.__separator__ != SEPARATOR:
                    raise ValueError(f"{kind.__name__}: its prefix must end at {SEPARATOR!r}")
                yield kind.__prefix__
