"""Drafts and per-customer locks in Redis, shared by every process of the shop (REDIS_URL)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager, suppress
from datetime import timedelta
from typing import cast

from aiogram.fsm.storage.base import DefaultKeyBuilder, StorageKey
from aiogram.fsm.storage.redis import RedisEventIsolation, RedisStorage
from redis.asyncio import Redis
from redis.asyncio.lock import Lock
from redis.exceptions import RedisError

from bot.jobs.scheduler import KEEP_DRAFT_DAYS
from bot.sessions import Sessions

KEY_PREFIX = "smm-shop"
# A connection that does not answer fails the update (Telegram sends it again), never hangs it.
CONNECT_SECONDS = 5.0
COMMAND_SECONDS = 10.0
# A customer's lock lasts this long and is renewed every third of it while its update runs (a
# panel call may take 30 s): a replica killed while holding it blocks that customer this long.
LOCK_SECONDS = 10.0

log = logging.getLogger(__name__)


class RenewedIsolation(RedisEventIsolation):
    """aiogram's Redis lock per customer, kept short and renewed while the update runs: a
    replica that dies holding it (SIGKILL) frees that customer within `LOCK_SECONDS`, however
    long the update it was handling would have taken."""

    @asynccontextmanager
    async def lock(self, key: StorageKey) -> AsyncIterator[None]:
        name = self.key_builder.build(key, "lock")
        async with self.redis.lock(name, timeout=LOCK_SECONDS, blocking_timeout=None) as held:
            renewing = asyncio.create_task(_renew(held))
            try:
                yield None
            finally:
                renewing.cancel()
                with suppress(asyncio.CancelledError):
                    await renewing


async def _renew(held: Lock) -> None:
    while True:
        await asyncio.sleep(LOCK_SECONDS / 3)
        try:
            await held.reacquire()
        except (RedisError, OSError) as error:  # the release then fails too, and says so
            log.warning("per-customer lock %s not renewed: %s", held.name, error)
            return


class RedisUnreachable(Exception):
    """Redis did not answer at start (its text names host and port, never a password)."""


@asynccontextmanager
async def on_redis(url: str, *, prefix: str = KEY_PREFIX) -> AsyncIterator[Sessions]:
    """Drafts and locks in Redis, shared by every process of the shop; keys are
    `prefix:bot:chat:user:destiny:state|data|lock`, so shops and flows never collide."""
    client = Redis.from_url(
        url, socket_connect_timeout=CONNECT_SECONDS, socket_timeout=COMMAND_SECONDS
    )
    try:
        try:
            await cast("Awaitable[bool]", client.ping())  # typed for the blocking client too
        except (RedisError, OSError) as error:  # its text names host and port, never a password
            raise RedisUnreachable(f"cannot reach Redis at REDIS_URL ({error})") from None
        keys = DefaultKeyBuilder(prefix=prefix, with_bot_id=True, with_destiny=True)
        kept = timedelta(days=KEEP_DRAFT_DAYS)  # as the database forgets an untouched draft
        storage = RedisStorage(client, keys, state_ttl=kept, data_ttl=kept)
        yield Sessions(storage, RenewedIsolation(client, keys))
    finally:
        await client.aclose()
