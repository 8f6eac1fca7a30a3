"""Per-customer state: where a wizard's draft lives and what takes a customer's updates in turn.

In one process: the database and an in-memory lock. Several processes share Redis
(`bot.redis_sessions`, imported only when REDIS_URL is set: the client costs ~4 MB of memory).
"""

from __future__ import annotations

from dataclasses import dataclass

from aiogram.fsm.storage.base import BaseEventIsolation, BaseStorage
from aiogram.fsm.storage.memory import SimpleEventIsolation

from bot.drafts import DraftStorage
from storage.db import Database


@dataclass(frozen=True, slots=True)
class Sessions:
    """aiogram's FSM storage (the drafts) and event isolation (the per-customer lock)."""

    storage: BaseStorage
    isolation: BaseEventIsolation

    @classmethod
    def in_database(cls, db: Database) -> Sessions:
        """One process: drafts in the shop's database (they survive a restart), locks in memory."""
        return cls(DraftStorage(db), SimpleEventIsolation())
