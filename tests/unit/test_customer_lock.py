"""The per-customer lock on Redis: held as long as the customer's update runs, however long,
and freed within a lock period when the replica holding it dies.

These run where the environment names a Redis database the tests may use (REDIS_TEST_URL; CI
does): the in-process lock of a single process has no holder that can die on its own."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator

import pytest
from aiogram.fsm.storage.base import StorageKey

from bot import redis_sessions
from bot.redis_sessions import on_redis
from bot.sessions import Sessions
from tests.conftest import REDIS_TEST_URL

LOCK = 0.6  # seconds: short, so a test waits for a dead holder's lock in well under a second
KEY = StorageKey(bot_id=1, chat_id=7, user_id=7)


@pytest.fixture
async def replicas(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[tuple[Sessions, Sessions]]:
    """Two processes' view of one shop's Redis (a key prefix of this test's own)."""
    monkeypatch.setattr(redis_sessions, "LOCK_SECONDS", LOCK)
    prefix = f"test-lock-{secrets.token_hex(4)}"
    async with (
        on_redis(REDIS_TEST_URL, prefix=prefix) as one,
        on_redis(REDIS_TEST_URL, prefix=prefix) as other,
    ):
        yield one, other


async def test_an_update_longer_than_the_lock_keeps_its_customer_to_itself(
    replicas: tuple[Sessions, Sessions],
) -> None:
    one, other = replicas
    order: list[str] = []

    async def slow_update() -> None:
        async with one.isolation.lock(KEY):
            order.append("first starts")
            await asyncio.sleep(LOCK * 4)  # a panel call four lock periods long
            order.append("first ends")

    async def next_update() -> None:
        await asyncio.sleep(LOCK / 3)  # arrives on the other replica meanwhile
        async with other.isolation.lock(KEY):
            order.append("second")

    await asyncio.gather(slow_update(), next_update())
    assert order == ["first starts", "first ends", "second"]


async def test_a_held_lock_never_outlives_its_holder_by_more_than_a_lock_period(
    replicas: tuple[Sessions, Sessions],
) -> None:
    """What a replica killed mid-update leaves behind: a key that expires within a lock
    period, however long the update has run (each renewal sets the period again)."""
    one, _ = replicas
    name = one.isolation.key_builder.build(KEY, "lock")  # type: ignore[attr-defined]
    redis = one.isolation.redis  # type: ignore[attr-defined]
    remaining: list[int] = []

    async def long_update() -> None:
        async with one.isolation.lock(KEY):
            for _ in range(6):
                await asyncio.sleep(LOCK / 2)
                remaining.append(await redis.pttl(name))

    await long_update()
    assert all(0 < left <= LOCK * 1000 for left in remaining), remaining  # three periods long
    assert await redis.exists(name) == 0  # released at the end
