"""aiogram's FSM storage on the shop's own database: a wizard survives a restart."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aiogram.exceptions import DataNotDictLikeError
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State
from aiogram.fsm.storage.base import BaseStorage, StateType, StorageKey

from storage import drafts
from storage.db import Database


class DraftStorage(BaseStorage):
    """Each conversation's state and data as one row of `drafts` (see storage.drafts)."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        value = state.state if isinstance(state, State) else state
        await drafts.set_state(self._db, _key(key), value)

    async def get_state(self, key: StorageKey) -> str | None:
        return await drafts.state(self._db, _key(key))

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        if not isinstance(data, dict):  # as aiogram's own storages refuse it
            raise DataNotDictLikeError(f"Data must be a dict, got {type(data).__name__}")
        await drafts.set_data(self._db, _key(key), data)

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        return await drafts.data(self._db, _key(key))

    async def clear(self, key: StorageKey) -> None:
        """`set_state(None)` and `set_data({})` in one write (see `clear`)."""
        await drafts.clear(self._db, _key(key))

    async def save(self, key: StorageKey, state: StateType, data: dict[str, Any]) -> None:
        """`set_data` and `set_state` in one write (see `save`)."""
        value = state.state if isinstance(state, State) else state
        await drafts.save(self._db, _key(key), value, data)

    async def close(self) -> None:
        """Nothing to do: the database belongs to whoever opened it and outlives polling."""


async def save(context: FSMContext, state: StateType, data: dict[str, Any]) -> None:
    """A conversation's step and its data, as `context.set_data(data)` then
    `context.set_state(state)` would write them, in one write on the shop's database (one
    transaction: no step without its data after a crash). Other storages (Redis) take the two
    writes."""
    if isinstance(context.storage, DraftStorage):
        await context.storage.save(context.key, state, data)
        return
    await context.set_data(data)
    await context.set_state(state)


async def clear(context: FSMContext) -> None:
    """`context.clear()` in one write on the shop's database (aiogram's makes two), and with
    nothing to clear (every /start and Menu) one read."""
    if isinstance(context.storage, DraftStorage):
        await context.storage.clear(context.key)
        return
    await context.clear()


def _key(key: StorageKey) -> drafts.Key:
    return drafts.Key(
        key.bot_id,
        key.chat_id,
        key.user_id,
        key.thread_id or 0,
        key.business_connection_id or "",
        key.destiny,
    )
