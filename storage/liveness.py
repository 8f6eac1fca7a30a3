"""The container's health check: is a bot process still serving this shop's database?

`python -m storage.liveness` exits 0 when the outbox sender's lease is live: the bot renews it
every second while its scheduler runs, so a process that died, hangs or lost its scheduler lets it
expire within seconds. In webhook mode `/healthz` must answer too (the server is up). Otherwise it
prints one line saying why and exits 1. It imports nothing of the bot: importing aiogram
every minute would cost a second of CPU and tens of MB. The lease is read from the SQLite file,
or from PostgreSQL when DATABASE_URL names it.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
import sys
import time
import urllib.request
from pathlib import Path

from storage.db import is_postgres, sqlite_path, without_password
from storage.kv import SENDER_LEASE

TIMEOUT = 5  # seconds for the database and for /healthz


def problem(database: Path | str, healthz: str | None) -> str | None:
    """Why the shop is not served from `database`, a SQLite file or a PostgreSQL URL (None when
    it is)."""
    if is_postgres(database):
        return _postgres_problem(str(database), healthz)
    database = Path(database)
    if not database.is_file():
        return f"no database at {database}"
    uri = database.resolve().as_uri() + "?mode=ro"
    try:
        with sqlite3.connect(uri, uri=True, timeout=TIMEOUT) as conn:
            row = conn.execute(
                "SELECT expires_at FROM leases WHERE name = ?", (SENDER_LEASE,)
            ).fetchone()
    except sqlite3.Error as error:
        return f"the database does not answer ({error})"
    return _served(None if row is None else row[0], healthz)


def _served(expires: int | None, healthz: str | None) -> str | None:
    if expires is None or expires < time.time():
        return "no bot process has renewed its lease in the last seconds"
    if healthz is not None:
        try:
            with urllib.request.urlopen(healthz, timeout=TIMEOUT) as answer:
                status = answer.status
        except OSError as error:  # refused, timed out, HTTP 503...
            return f"{healthz} did not answer ok ({error})"
        if status != 200:
            return f"{healthz} answered {status}"
    return None


def _postgres_problem(url: str, healthz: str | None) -> str | None:
    import asyncpg  # a SQLite shop's health check, every minute, never loads it

    try:
        expires = asyncio.run(_postgres_lease(url))
    except (OSError, TimeoutError, asyncpg.PostgresError) as error:
        return f"the database does not answer ({without_password(str(error), url)})"
    return _served(expires, healthz)


async def _postgres_lease(url: str) -> int | None:
    import asyncpg

    conn = await asyncpg.connect(url, timeout=TIMEOUT)
    try:
        value = await conn.fetchval(
            "SELECT expires_at FROM leases WHERE name = $1", SENDER_LEASE, timeout=TIMEOUT
        )
    finally:
        await conn.close(timeout=TIMEOUT)
    return None if value is None else int(value)


def main() -> int:
    """Reads the bot's own settings from the environment: DATABASE_URL, else DATABASE_PATH (one
    is required here), WEBHOOK_URL and WEBHOOK_PORT."""
    database = os.environ.get("DATABASE_URL", "").strip() or os.environ.get("DATABASE_PATH")
    port = os.environ.get("WEBHOOK_PORT", "8080")
    healthz = f"http://127.0.0.1:{port}/healthz" if os.environ.get("WEBHOOK_URL") else None
    found = problem(sqlite_path(database), healthz) if database else "DATABASE_PATH is not set"
    if found is None:
        return 0
    print(f"unhealthy: {found}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
