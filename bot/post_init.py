"""One post-init per aiogram object instead of pydantic's chain of them.

Every aiogram object keeps the Bot it came from in a private attribute (`_bot`), set by
`BotContextController.model_post_init`. pydantic wraps a model's post-init once per class level
that has private attributes, so an aiogram Message ran five nested wrappers, each asking whether
its private attributes were set yet, and set `_bot` through `BaseModel.__setattr__`: about a
third of an update's parse, on the ten or so objects an update carries.

`install()` gives each aiogram class whose only private attribute is `_bot` one post-init that
does what that chain did: the private attributes' dict, holding the bot pydantic passes in its
validation context. `model_post_init` is pydantic's public hook, looked up by name on each
object it validates, so the classes need no rebuild. A class defined later (a subclass with
private attributes of its own, such as `bot.transport.Keyboard`) gets pydantic's wrapper
around it as usual, which sets its own defaults first: this function keeps them.
tests/unit/test_post_init.py fails if pydantic stops calling the hook or objects lose their bot.
"""

from __future__ import annotations

from typing import Any

from aiogram.client.context_controller import BotContextController
from pydantic import BaseModel

_PRIVATE = "__pydantic_private__"
_ONLY_BOT = {"_bot"}


def bind_bot(model: BaseModel, context: Any, /) -> None:
    """What pydantic's chain did: the private attributes, with `_bot` from the context."""
    bot = context.get("bot") if context else None
    try:
        private = object.__getattribute__(model, _PRIVATE)
    except AttributeError:
        private = None
    if private is None:
        object.__setattr__(model, _PRIVATE, {"_bot": bot})
    else:
        private["_bot"] = bot


def install() -> None:
    """Give every aiogram class defined so far `bind_bot` as its post-init."""
    pending: list[type[BaseModel]] = [BotContextController]
    seen: set[type[BaseModel]] = set()
    while pending:
        cls = pending.pop()
        if cls in seen:
            continue
        seen.add(cls)
        pending.extend(cls.__subclasses__())
        if set(cls.__private_attributes__) == _ONLY_BOT:
            cls.model_post_init = bind_bot  # type: ignore[method-assign]
