"""`python -m bot migrate-to postgresql://...`: the SQLite shop copied into an empty PostgreSQL.

Every table of the SQLite file is copied with its ids, in one transaction on the target (all or
nothing), after the target's schema is migrated; each identity sequence then starts past the
copied ids. The shop's audit runs on both sides and must agree. The bot must not be running on
the SQLite file meanwhile (README, PostgreSQL and Redis).
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from graphlib import TopologicalSorter
from pathlib import Path
from typing import Any

import asyncpg

from bot.config import Settings, database_url, redacted
from bot.runtime import StartupError, open_postgres
from bot.shop.audit import Report, audit
from storage.clock import now
from storage.db import Database, is_postgres
from storage.postgres import WRITE_LOCK
from storage.services import MAIN as MAIN_PANEL

REFUSED = 2  # exit status: nothing was written
SKIPPED = frozenset({"schema_migrations"})  # each engine records its own migrations
SEEDED = frozenset(
    {"catalog_version", "panels"}
)  # rows the schema writes: the source's replace them
LAST = "catalog_version"  # the catalog tables' triggers bump it: written after them
BATCH = 5000  # source rows read and written at a time
INTEGERS = frozenset({"bigint", "integer", "smallint"})
_WHOLE = re.compile(r"\s*-?\d+\s*")


class Refused(Exception):
    """The move cannot start; nothing was written."""


@dataclass
class Schema:
    """What the copy needs to know of the target's tables."""

    columns: dict[str, dict[str, str]]  # table -> column -> data type
    parents: dict[str, set[str]] = field(default_factory=dict)  # table -> tables it refers to
    self_refs: dict[str, list[str]] = field(default_factory=dict)  # table -> columns to itself
    identities: list[tuple[str, str]] = field(default_factory=list)  # (table, column)


async def migrate_to(settings: Settings, target: str) -> int:
    """Copy the configured SQLite shop into PostgreSQL at `target`; 0 when both audits agree,
    1 when they differ or the target cannot be reached, 2 when the move is refused."""
    try:
        url = _target(settings, target)
    except Refused as why:
        print(f"migrate-to: {why}; nothing was written")
        return REFUSED
    path = settings.database_path
    print(f"from SQLite {path} to PostgreSQL {redacted(url)}")
    source = await Database.open(path)  # an older file is brought to the current schema first
    try:
        running = await _live_process(source)
        if running is not None:
            print(
                f"migrate-to: a bot process still runs on this shop (its lease {running!r} is"
                " live): stop every process first; nothing was written"
            )
            return REFUSED
        try:
            target_db = await open_postgres(url, "the target")
        except StartupError as error:
            print(f"migrate-to: {error}")
            return 1
        try:
            try:
                counts = await copy_shop(path, url)
            except Refused as why:
                print(f"migrate-to: {why}; nothing was written")
                return REFUSED
            width = max(map(len, counts), default=0)
            for table, count in counts.items():
                print(f"  {table:<{width}}  {count} row(s)")
            panels = [MAIN_PANEL, *settings.panels]
            before = await audit(source, None, panels=panels)
            after = await audit(target_db, None, panels=panels)
        finally:
            await target_db.close()
    finally:
        await source.close()
    _print_audit("SQLite (source)", before)
    _print_audit("PostgreSQL (target)", after)
    if _summary(before) != _summary(after):
        print(
            "migrate-to: the audits DIFFER: keep the shop on SQLite; the target holds the copy,"
            " empty it before trying again"
        )
        return 1
    print(
        "migrate-to: done, the audits agree; now set DATABASE_URL to the target and start the bot"
    )
    return 0


async def _live_process(source: Database) -> str | None:
    """A lease some process still renews (every bot process renews its own every few seconds):
    its writes after the copy would be lost with the move."""
    name = await source.scalar(
        "SELECT name FROM leases WHERE expires_at >= ? ORDER BY name LIMIT 1", (now(),)
    )
    return None if name is None else str(name)


def _target(settings: Settings, target: str) -> str:
    try:
        url = database_url(target)
    except ValueError as problem:
        raise Refused(f"the target {problem}") from None
    if not is_postgres(url):
        raise Refused("the target must be a postgresql:// URL")
    if settings.postgres:
        raise Refused(
            "the shop is on PostgreSQL already (DATABASE_URL); migrate-to moves a SQLite shop"
        )
    if not settings.database_path.is_file():
        raise Refused(f"no SQLite shop at {settings.database_path} (DATABASE_PATH or DATABASE_URL)")
    return url


def _summary(report: Report) -> tuple[int, int, list[str]]:
    return report.users_checked, report.orders_checked, report.problems


def _print_audit(side: str, report: Report) -> None:
    verdict = "OK" if report.ok else f"{len(report.problems)} problem(s)"
    print(
        f"audit of {side}: users checked: {report.users_checked},"
        f" orders checked: {report.orders_checked}, {verdict}"
    )
    for problem in report.problems:
        print(f"  PROBLEM {problem}")


async def copy_shop(path: Path, url: str) -> dict[str, int]:
    """Every table of the SQLite file at `path` into the (migrated) PostgreSQL at `url`, in one
    transaction; the rows copied per table. Refused when the target holds any shop rows."""
    source = _read_only(path)
    conn = await asyncpg.connect(url)
    try:
        async with conn.transaction():
            # No bot writes there meanwhile: every write transaction of the shop takes this lock.
            await conn.execute("SELECT pg_advisory_xact_lock($1)", WRITE_LOCK)
            source.execute("BEGIN")  # one snapshot of the source
            schema = await _schema(conn)
            await _refuse_occupied(conn, schema)
            tables = _tables(source)
            missing = [table for table in tables if table not in schema.columns]
            if missing:
                raise RuntimeError(f"the target's schema has no table {', '.join(missing)}")
            for table in sorted(SEEDED & set(tables)):
                await conn.execute(f"DELETE FROM {_quoted(table)}")
            counts = {}
            for table in _order(tables, schema):
                counts[table] = await _copy_table(source, conn, schema, table)
            for table, column in schema.identities:
                await conn.execute(
                    f"SELECT setval(pg_get_serial_sequence($1, $2),"
                    f" COALESCE((SELECT MAX({_quoted(column)}) FROM {_quoted(table)}), 0) + 1,"
                    " false)",
                    _quoted(table),
                    column,
                )
            for table, count in counts.items():
                copied = await conn.fetchval(f"SELECT COUNT(*) FROM {_quoted(table)}")
                if copied != count:
                    raise RuntimeError(f"{table}: {count} row(s) read but {copied} in the target")
    finally:
        await conn.close()
        source.close()
    return counts


def _read_only(path: Path) -> sqlite3.Connection:
    """The source, read on this thread: the tool does nothing else meanwhile."""
    uri = f"{path.resolve().as_uri()}?mode=ro"
    return sqlite3.connect(uri, uri=True, isolation_level=None)


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _tables(source: sqlite3.Connection) -> list[str]:
    """The shop's tables; not SQLite's own, nor the search index (an FTS5 table and the tables
    that hold it: PostgreSQL indexes the same words itself)."""
    rows = source.execute(
        "SELECT name FROM pragma_table_list WHERE schema = 'main' AND type = 'table'"
        " AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name"
    ).fetchall()
    return [row[0] for row in rows if row[0] not in SKIPPED]


async def _schema(conn: asyncpg.Connection) -> Schema:
    schema = Schema(columns={})
    for row in await conn.fetch(
        "SELECT table_name, column_name, data_type,"
        " is_identity = 'YES' OR column_default LIKE 'nextval(%' AS numbered"
        " FROM information_schema.columns WHERE table_schema = current_schema()"
        " ORDER BY table_name, ordinal_position"
    ):
        schema.columns.setdefault(row["table_name"], {})[row["column_name"]] = row["data_type"]
        if row["numbered"]:
            schema.identities.append((row["table_name"], row["column_name"]))
    for row in await conn.fetch(
        "SELECT child.relname AS child, parent.relname AS parent,"
        " ARRAY(SELECT attname FROM pg_attribute"
        "       WHERE attrelid = con.conrelid AND attnum = ANY (con.conkey)) AS columns"
        " FROM pg_constraint con"
        " JOIN pg_class child ON child.oid = con.conrelid"
        " JOIN pg_class parent ON parent.oid = con.confrelid"
        " WHERE con.contype = 'f' AND child.relnamespace = current_schema()::regnamespace"
    ):
        if row["child"] == row["parent"]:
            schema.self_refs.setdefault(row["child"], []).extend(row["columns"])
        else:
            schema.parents.setdefault(row["child"], set()).add(row["parent"])
    return schema


async def _refuse_occupied(conn: asyncpg.Connection, schema: Schema) -> None:
    occupied = [
        table
        for table in sorted(schema.columns)
        if table not in SKIPPED | SEEDED
        and await conn.fetchval(f"SELECT EXISTS (SELECT 1 FROM {_quoted(table)})")
    ]
    if occupied:
        raise Refused(f"the target is not empty (rows in {', '.join(occupied)})")


def _order(tables: Sequence[str], schema: Schema) -> list[str]:
    """Referenced tables before the tables referring to them (PostgreSQL checks at once)."""
    graph = TopologicalSorter({table: schema.parents.get(table, set()) for table in tables})
    ordered = [table for table in graph.static_order() if table in tables]
    if LAST in ordered:
        ordered.append(ordered.pop(ordered.index(LAST)))
    return ordered


async def _copy_table(
    source: sqlite3.Connection, conn: asyncpg.Connection, schema: Schema, table: str
) -> int:
    """The table's rows, ids kept. A column referring to its own table (a service's backup) is
    written once every row is there."""
    types = schema.columns[table]
    columns = [row[1] for row in source.execute(f"PRAGMA table_info({_quoted(table)})")]
    unknown = [column for column in columns if column not in types]
    if unknown:
        raise RuntimeError(f"the target's {table} has no column {', '.join(unknown)}")
    later = [columns.index(column) for column in schema.self_refs.get(table, [])]
    key = await _primary_key(conn, table) if later else ""
    where = columns.index(key) if key else 0
    links: list[tuple[Any, Any, str]] = []  # (value, the row's key, column) written last
    count = 0
    selected = ", ".join(map(_quoted, columns))
    for batch in _batches(source.execute(f"SELECT {selected} FROM {_quoted(table)}")):
        records = [
            tuple(
                None if index in later else _value(value, types[column], table, column)
                for index, (column, value) in enumerate(zip(columns, row, strict=True))
            )
            for row in batch
        ]
        links.extend(
            (row[index], row[where], columns[index])
            for row in batch
            for index in later
            if row[index] is not None
        )
        await conn.copy_records_to_table(table, records=records, columns=columns)
        count += len(records)
    for value, row_key, column in links:
        await conn.execute(
            f"UPDATE {_quoted(table)} SET {_quoted(column)} = $1 WHERE {_quoted(key)} = $2",
            value,
            row_key,
        )
    return count


async def _primary_key(conn: asyncpg.Connection, table: str) -> str:
    keys = await conn.fetch(
        "SELECT attname FROM pg_index JOIN pg_attribute"
        " ON attrelid = indrelid AND attnum = ANY (indkey)"
        " WHERE indrelid = $1::regclass AND indisprimary",
        _quoted(table),
    )
    if len(keys) != 1:
        raise RuntimeError(f"{table} refers to itself but has no one-column primary key")
    return str(keys[0]["attname"])


def _batches(cursor: sqlite3.Cursor) -> Iterator[list[Any]]:
    while batch := cursor.fetchmany(BATCH):
        yield batch


def _value(value: Any, kind: str, table: str, column: str) -> Any:
    """A SQLite value as the PostgreSQL column takes it (SQLite keeps what it is given)."""
    if value is None:
        return None
    if kind in INTEGERS:
        if isinstance(value, bool | int):
            return int(value)
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str) and _WHOLE.fullmatch(value):
            return int(value)
        raise RuntimeError(f"{table}.{column}: {value!r} is not a whole number")
    if kind == "text" and not isinstance(value, str):
        return value.decode() if isinstance(value, bytes) else str(value)
    return value
