"""The PostgreSQL schema scripts build what SQLite's migrations leave: same tables,
columns, keys, indexes and references, and the same catalog_version bumps."""

from __future__ import annotations

import asyncio
import os
import secrets
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from storage.db import Database
from tests.conftest import postgres_schema

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = ROOT / "storage" / "migrations" / "postgresql"
SCRIPT = SCRIPTS / "011_schema.sql"
DATABASE_TEST_URL = os.environ.get("DATABASE_TEST_URL", "postgresql://postgres@127.0.0.1:5432/test")


@pytest.fixture
async def pg() -> AsyncIterator[asyncpg.Connection]:
    """A connection whose search_path is a fresh schema holding the scripts' tables, each
    script's number recorded after it as the runner records it."""
    conn = await asyncpg.connect(DATABASE_TEST_URL)
    schema = f"schema_test_{secrets.token_hex(6)}"
    try:
        await conn.execute(f"CREATE SCHEMA {schema}")
        await conn.execute(f"SET search_path TO {schema}")
        for script in sorted(SCRIPTS.glob("*.sql")):
            await conn.execute(script.read_text("utf-8"))
            await conn.execute(
                "INSERT INTO schema_migrations (version) VALUES ($1)",
                int(script.name.split("_", 1)[0]),
            )
        yield conn
    finally:
        await conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        await conn.close()


@pytest.fixture
async def lite(tmp_path: Path) -> AsyncIterator[sqlite3.Connection]:
    """A fresh SQLite file migrated by the shop, opened as the shop opens it for writes."""
    database = await Database.open(tmp_path / "shop.sqlite3")
    await database.close()
    conn = sqlite3.connect(tmp_path / "shop.sqlite3", isolation_level=None)
    conn.execute("PRAGMA foreign_keys = ON")
    yield conn
    conn.close()


def lite_tables(lite: sqlite3.Connection) -> list[str]:
    """Not SQLite's own, nor the search index's (services_fts and its tables): PostgreSQL's is
    an index of services (SEARCH_INDEX)."""
    rows = lite.execute(
        "SELECT name FROM pragma_table_list WHERE schema = 'main' AND type = 'table'"
        " AND name NOT LIKE 'sqlite_%'"
    )
    return sorted(row[0] for row in rows)


async def pg_tables(pg: asyncpg.Connection) -> list[str]:
    rows = await pg.fetch(
        "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY 1"
    )
    return [row[0] for row in rows]


def _default(value: str | None) -> str | None:
    """A default as written, without PostgreSQL's casts: `'main'::text` is SQLite's `'main'`."""
    return None if value is None else value.removesuffix("::text").removesuffix("::bigint")


def lite_columns(lite: sqlite3.Connection, table: str) -> list[tuple[str, bool, str | None]]:
    """(name, never NULL, default) in table order. A primary key column counts as never NULL:
    a rowid alias cannot be NULL, and the text keys are never written NULL (PostgreSQL
    refuses it; SQLite's legacy rule would take it)."""
    return [
        (row[1], bool(row[3] or row[5]), _default(row[4]))
        for row in lite.execute(f"PRAGMA table_info({table})")
    ]


async def pg_columns(pg: asyncpg.Connection, table: str) -> list[tuple[str, bool, str | None]]:
    rows = await pg.fetch(
        "SELECT column_name, is_nullable, column_default, data_type FROM information_schema.columns"
        " WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position",
        table,
    )
    assert {row["data_type"] for row in rows} <= {"bigint", "text"}, table
    return [(row[0], row[1] == "NO", _default(row[2])) for row in rows]


Index = tuple[str | None, bool, bool, tuple[str | None, ...]]  # name, unique, partial, columns
# PostgreSQL's search index of services (of an expression); SQLite's is the services_fts table.
SEARCH_INDEX: Index = ("services_words", False, False, (None,))


def lite_indexes(lite: sqlite3.Connection, table: str) -> set[Index]:
    """Every index and key of the table; the automatic ones (keys) without a name."""
    found: set[Index] = set()
    rowid_key = [row[1] for row in lite.execute(f"PRAGMA table_info({table})") if row[5]]
    for _, name, unique, origin, partial in lite.execute(f"PRAGMA index_list({table})"):
        columns = tuple(
            row[2] for row in lite.execute(f"PRAGMA index_xinfo({name})") if row[5]
        )  # key columns only; an expression's column is None
        found.add((name if origin == "c" else None, bool(unique), bool(partial), columns))
        if origin == "pk":
            rowid_key = []
    if rowid_key:  # an INTEGER PRIMARY KEY is the rowid: no index of its own in SQLite
        found.add((None, True, False, tuple(rowid_key)))
    return found


async def pg_indexes(pg: asyncpg.Connection, table: str) -> set[Index]:
    rows = await pg.fetch(
        "SELECT c.relname, i.indisunique, i.indpred IS NOT NULL,"
        " ARRAY(SELECT a.attname FROM unnest(i.indkey) WITH ORDINALITY AS k (attnum, n)"
        "       LEFT JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum"
        "       ORDER BY k.n),"
        " EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)"
        " FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid"
        " WHERE i.indrelid = $1::regclass",
        table,
    )
    return {
        (None if constraint else name, unique, partial, tuple(columns))
        for name, unique, partial, columns, constraint in rows
    }


def lite_references(lite: sqlite3.Connection, table: str) -> set[tuple[str, str, str]]:
    return {(row[3], row[2], row[4]) for row in lite.execute(f"PRAGMA foreign_key_list({table})")}


async def pg_references(pg: asyncpg.Connection, table: str) -> set[tuple[str, str, str]]:
    rows = await pg.fetch(
        "SELECT a.attname, r.relname, b.attname FROM pg_constraint k"
        " JOIN pg_class r ON r.oid = k.confrelid"
        " JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = k.conkey[1]"
        " JOIN pg_attribute b ON b.attrelid = k.confrelid AND b.attnum = k.confkey[1]"
        " WHERE k.contype = 'f' AND k.conrelid = $1::regclass",
        table,
    )
    return {(row[0], row[1], row[2]) for row in rows}


async def test_the_postgresql_schema_has_sqlites_tables_columns_keys_and_indexes(
    pg: asyncpg.Connection, lite: sqlite3.Connection
) -> None:
    tables = lite_tables(lite)
    assert "drafts" in tables and "schema_migrations" in tables
    assert await pg_tables(pg) == tables
    for table in tables:
        assert await pg_columns(pg, table) == lite_columns(lite, table), table
        assert await pg_indexes(pg, table) - {SEARCH_INDEX} == lite_indexes(lite, table), table
        assert await pg_references(pg, table) == lite_references(lite, table), table


async def test_a_fresh_postgresql_schema_has_sqlites_seed_rows(
    pg: asyncpg.Connection, lite: sqlite3.Connection
) -> None:
    for query in (
        "SELECT id, value FROM catalog_version",
        "SELECT name, hidden, markup FROM panels",
        "SELECT version FROM schema_migrations WHERE version > 11",
    ):
        assert [tuple(row) for row in await pg.fetch(query)] == lite.execute(query).fetchall()
    assert lite.execute("SELECT value FROM catalog_version").fetchall() == [(0,)]


# Each statement, then catalog_version after it; the same literal SQL runs on both engines.
CATALOG_EDITS = [
    "INSERT INTO categories (name, position) VALUES ('Likes', 0), ('Views', 1)",
    "INSERT INTO categories (name) VALUES ('Likes') ON CONFLICT (name) DO NOTHING",
    "INSERT INTO categories (name, position) VALUES ('Likes', 5)"
    " ON CONFLICT (name) DO UPDATE SET position = excluded.position",
    "INSERT INTO services (id, name, raw_type, category_id, rate, min, max, search, synced_at,"
    " upstream_id) SELECT 7, 'Likes fast', 'Default', id, '0.5', 10, 1000, 'likes fast', 1, 7"
    " FROM categories WHERE name = 'Likes'",
    "INSERT INTO panels (name) VALUES ('second')",
    "INSERT INTO panels (name) VALUES ('main') ON CONFLICT DO NOTHING",
    # Another panel's service asks for number 7, which is taken: it gets the next free one.
    "INSERT INTO services (id, panel, name, raw_type, category_id, rate, min, max, search,"
    " synced_at, upstream_id) SELECT (SELECT 7 WHERE NOT EXISTS (SELECT 1 FROM services"
    " WHERE id = 7)), 'second', 'Views', 'Default', id, '1', 1, 10, 'views', 1, 7"
    " FROM categories WHERE name = 'Views'",
    "UPDATE services SET available = 0",
    "UPDATE services SET hidden = 1 WHERE id = 404",
    "UPDATE panels SET markup = '40' WHERE name = 'second'",
    "UPDATE categories SET hidden = 1 WHERE name = 'Views'",
    "DELETE FROM services WHERE panel = 'second'",
    "DELETE FROM categories WHERE name = 'Views'",
    "UPDATE users SET banned = 1",
]


async def test_catalog_edits_move_catalog_version_alike_on_both_engines(
    pg: asyncpg.Connection, lite: sqlite3.Connection
) -> None:
    seen: list[tuple[str, Any, Any]] = []
    for statement in CATALOG_EDITS:
        lite.execute(statement)
        await pg.execute(statement)
        seen.append(
            (
                statement,
                lite.execute("SELECT value FROM catalog_version").fetchone()[0],
                await pg.fetchval("SELECT value FROM catalog_version"),
            )
        )
    assert [(statement, value) for statement, value, _ in seen] == [
        (statement, value) for statement, _, value in seen
    ]
    assert seen[-1][1] == 12  # one step per row written, none for an upsert that did nothing
    query = "SELECT id, panel, upstream_id FROM services ORDER BY id"
    assert [tuple(row) for row in await pg.fetch(query)] == lite.execute(query).fetchall()


async def test_the_script_runs_again_in_another_fresh_schema_as_the_runner_runs_it(
    pg: asyncpg.Connection,
) -> None:
    first = await pg_tables(pg)
    other = f"schema_test_{secrets.token_hex(6)}"
    try:
        await pg.execute(f"CREATE SCHEMA {other}")
        await pg.execute(f"SET search_path TO {other}")
        # As storage/postgres.py runs it: schema_migrations first, the version recorded after.
        await pg.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY)"
        )
        async with pg.transaction():
            await pg.execute(SCRIPT.read_text("utf-8"))
            await pg.execute("INSERT INTO schema_migrations (version) VALUES ($1)", 11)
        assert await pg.fetchval("SELECT current_schema()") == other
        assert await pg_tables(pg) == first
        assert await pg.fetchval("SELECT value FROM catalog_version") == 0
    finally:
        await pg.execute(f"DROP SCHEMA IF EXISTS {other} CASCADE")


async def test_three_replicas_starting_at_once_migrate_a_fresh_database_once() -> None:
    async with postgres_schema() as url:
        opened = await asyncio.gather(*(Database.open(url) for _ in range(3)))
        try:
            versions = await opened[0].fetchall("SELECT version FROM schema_migrations")
            scripts = sorted(int(script.name.split("_", 1)[0]) for script in SCRIPTS.glob("*.sql"))
            assert [row[0] for row in versions] == scripts  # each script applied once
            assert await opened[2].scalar("SELECT value FROM catalog_version") == 0
        finally:
            await asyncio.gather(*(database.close() for database in opened))
