"""The catalog cache: services and categories from the panel, with the owner's overrides."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from storage.clock import now
from storage.db import Database, Row, SqliteDatabase

MAIN = "main"  # the panel of PANEL_URL; every row from before several panels belongs to it


@dataclass(frozen=True, slots=True)
class Upstream:
    """One service as its panel lists it (what a sync writes)."""

    id: int  # the panel's id
    name: str
    type: str | None
    raw_type: str
    category: str
    rate: Decimal
    min: int
    max: int
    refill: bool
    cancel: bool
    dripfeed: bool


@dataclass(frozen=True, slots=True)
class Service:
    id: int  # the shop's own number for it (buttons, orders)
    panel: str
    upstream_id: int  # the panel's id: what `add` sends
    name: str  # the owner's display name when set
    type: str | None
    raw_type: str
    category_id: int
    category: str
    rate: Decimal
    min: int
    max: int
    refill: bool
    cancel: bool
    dripfeed: bool
    available: bool
    hidden: bool
    markup: Decimal | None  # service override
    category_markup: Decimal | None
    category_hidden: bool
    panel_markup: Decimal | None = None
    panel_hidden: bool = False
    backup_id: int | None = None  # the service its orders go to when its panel refuses them

    @property
    def sellable(self) -> bool:
        shown = not (self.hidden or self.category_hidden or self.panel_hidden)
        return self.available and shown and bool(self.type)

    @property
    def ref(self) -> str:
        """How the owner names it: `main:101`."""
        return f"{self.panel}:{self.upstream_id}"


@dataclass(frozen=True, slots=True)
class Category:
    id: int
    name: str
    services: int
    hidden: bool = False
    markup: Decimal | None = None


@dataclass(frozen=True, slots=True)
class SyncSummary:
    added: int
    changed: int
    removed: int
    total: int


_SELECT = (
    "SELECT s.id, s.panel, s.upstream_id, COALESCE(s.display_name, s.name) AS name, s.type,"
    " s.raw_type, s.category_id, c.name AS category, s.rate, s.min, s.max, s.refill, s.cancel,"
    " s.dripfeed, s.available, s.hidden, s.markup, c.markup AS category_markup,"
    " c.hidden AS category_hidden, p.markup AS panel_markup,"
    " COALESCE(p.hidden, 0) AS panel_hidden, s.backup_id"
    " FROM services s JOIN categories c ON c.id = s.category_id"
    " LEFT JOIN panels p ON p.name = s.panel"
)
_SELECT_COUNTED = _SELECT.replace(" FROM services s", ", COUNT(*) OVER () AS total FROM services s")
# A hidden panel hides all its services (the subquery is run once per statement).
_PANEL_SHOWN = "s.panel NOT IN (SELECT name FROM panels WHERE hidden = 1)"
_VISIBLE = f"s.available = 1 AND s.hidden = 0 AND c.hidden = 0 AND {_PANEL_SHOWN}"
_ON_SALE = (
    f"SELECT COUNT(*) FROM services s WHERE s.available = 1 AND s.hidden = 0 AND {_PANEL_SHOWN}"
)
_SHOWN_CATEGORIES = (
    "SELECT COUNT(*) FROM categories c WHERE c.hidden = 0 AND EXISTS (SELECT 1 FROM services s"
    f" WHERE s.category_id = c.id AND s.available = 1 AND s.hidden = 0 AND {_PANEL_SHOWN})"
)


def _decimal(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def _service(row: Row) -> Service:
    # By position, in _SELECT's order (Service's own): a third of the time of a dict and
    # keywords, for every service on every catalog page.
    (
        service_id, panel, upstream_id, name, type_, raw_type, category_id, category, rate,
        low, high, refill, cancel, dripfeed, available, hidden, markup, category_markup,
        category_hidden, panel_markup, panel_hidden, backup_id,
    ) = tuple(row)[:22]  # fmt: skip
    return Service(
        service_id, panel, upstream_id, name, type_, raw_type, category_id, category,
        Decimal(rate), low, high, bool(refill), bool(cancel), bool(dripfeed), bool(available),
        bool(hidden), _decimal(markup), _decimal(category_markup), bool(category_hidden),
        _decimal(panel_markup), bool(panel_hidden), backup_id,
    )  # fmt: skip


_WORD = re.compile(r"[^\W_]+")  # a run of letters and digits, in any script
WORD_LIMIT = 64  # characters of a word that count (PostgreSQL refuses lexemes over 2 kB)
_FOLDED_LIMIT = 10_000  # characters remembered; the catalog's scripts need a few hundred


class _Folded(dict[int, str]):
    """Each character as a search reads it, worked out once (`str.translate` then folds a
    name in one pass: a fifth of the time of normalising it whole)."""

    def __missing__(self, code: int) -> str:
        plain = unicodedata.normalize("NFKD", chr(code))
        bare = "".join(char for char in plain if not unicodedata.category(char).startswith("M"))
        folded = bare.casefold().replace("ı", "i")
        if len(self) < _FOLDED_LIMIT:
            self[code] = folded
        return folded


_FOLDED = _Folded()


def words(text: str) -> list[str]:
    """The words a search matches on, folded alike in the catalog and in what a customer types:
    case in every script (`str.casefold`: `ß` is `ss`, `Σ` and `ς` are `σ`), accents and other
    marks dropped (`takipci` finds `takipçi`, `елка` finds `ёлка`, `İ` is `i`), the dotless
    `ı` read as `i` (a Turkish `I` typed on any keyboard), compatibility forms by their plain
    letters (`ﬁ`, full-width `１`). Everything that is neither a letter nor a digit separates
    words: punctuation, brackets, `_`, emoji."""
    folded = text.casefold() if text.isascii() else text.translate(_FOLDED)
    return [word[:WORD_LIMIT] for word in _WORD.findall(folded)]


def search_text(name: str, category: str) -> str:
    """What `services.search` holds: the words of the name and the category, one space apart
    (the indexes of migration 013 take each word as it is)."""
    return " ".join(dict.fromkeys(words(f"{name} {category}")))


async def sync(db: Database, catalog: Sequence[Upstream], panel: str = MAIN) -> SyncSummary:
    """Upsert one panel's list; its services missing from it are hidden, never deleted.

    The owner's overrides (hidden, markup, display name, backup) are columns a sync never
    writes. Categories are shared by name across panels; the main panel's list sets their order
    and another panel's new categories come after it.
    """
    stamp = now()
    old = {
        row[0]: tuple(row[1:])
        for row in await db.fetchall(
            "SELECT s.upstream_id, s.name, s.type, s.rate, s.min, s.max, s.refill, s.cancel,"
            " s.dripfeed, c.name, s.available FROM services s"
            " JOIN categories c ON c.id = s.category_id WHERE s.panel = ?",
            (panel,),
        )
    }
    categories = list(dict.fromkeys(item.category for item in catalog))
    added = changed = 0
    seen: set[int] = set()
    async with db.transaction() as conn:
        await conn.execute("INSERT INTO panels (name) VALUES (?) ON CONFLICT DO NOTHING", (panel,))
        await conn.executemany(
            "INSERT INTO categories (name, position) VALUES (?, ?) ON CONFLICT (name) DO "
            + ("UPDATE SET position = excluded.position" if panel == MAIN else "NOTHING"),
            [
                (name, position if panel == MAIN else _AFTER_MAIN + position)
                for position, name in enumerate(categories)
            ],
        )
        async with conn.execute("SELECT name, id FROM categories") as cursor:
            category_ids = {row[0]: row[1] for row in await cursor.fetchall()}
        rows = []
        for position, item in enumerate(catalog):
            if item.id in seen:
                continue
            seen.add(item.id)
            fresh = (
                item.name,
                item.type,
                str(item.rate),
                item.min,
                item.max,
                int(item.refill),
                int(item.cancel),
                int(item.dripfeed),
                item.category,
                1,
            )
            if item.id not in old:
                added += 1
            elif old[item.id] != fresh:
                changed += 1
            # The main panel's service keeps its own id as the shop's number, as before several
            # panels (unless another panel's service holds it); others take the next free one.
            own = item.id if panel == MAIN else None
            rows.append(
                (
                    own,
                    own,
                    panel,
                    item.id,
                    item.name,
                    item.type,
                    item.raw_type,
                    category_ids[item.category],
                    str(item.rate),
                    item.min,
                    item.max,
                    int(item.refill),
                    int(item.cancel),
                    int(item.dripfeed),
                    position,
                    search_text(item.name, item.category),
                    stamp,
                )
            )
        await conn.executemany(
            "INSERT INTO services (id, panel, upstream_id, name, type, raw_type, category_id,"
            " rate, min, max, refill, cancel, dripfeed, available, position, search, synced_at)"
            " VALUES ((SELECT CAST(?1 AS BIGINT) WHERE NOT EXISTS"
            " (SELECT 1 FROM services WHERE id = ?2)), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1,"
            " ?, ?, ?)"
            " ON CONFLICT (panel, upstream_id) DO UPDATE SET"
            " name = excluded.name, type = excluded.type, raw_type = excluded.raw_type,"
            " category_id = excluded.category_id, rate = excluded.rate, min = excluded.min,"
            " max = excluded.max, refill = excluded.refill, cancel = excluded.cancel,"
            " dripfeed = excluded.dripfeed, available = 1, position = excluded.position,"
            " search = excluded.search, synced_at = excluded.synced_at",
            rows,
        )
        gone = [
            (panel, upstream_id)
            for upstream_id, row in old.items()
            if row[-1] and upstream_id not in seen
        ]
        await conn.executemany(
            "UPDATE services SET available = 0 WHERE panel = ? AND upstream_id = ?", gone
        )
    return SyncSummary(added=added, changed=changed, removed=len(gone), total=len(seen))


_AFTER_MAIN = 1_000_000  # the position of a category only another panel lists


async def retire_panels(db: Database, configured: Sequence[str]) -> int:
    """Services of a panel no longer configured are not for sale (nothing could place them);
    they come back with its next sync once it is configured again. Returns how many."""
    marks = ", ".join("?" for _ in configured)
    async with db.transaction() as conn:
        cursor = await conn.execute(
            f"UPDATE services SET available = 0 WHERE available = 1 AND panel NOT IN ({marks})",
            tuple(configured),
        )
    return cursor.rowcount


async def version(db: Database) -> int:
    """A number that moves whenever anything in the catalog changes (kept up by triggers)."""
    return int((await db.lookup("SELECT value FROM catalog_version"))[0][0])


async def get(db: Database, service_id: int) -> Service | None:
    row = await db.lookup_one(f"{_SELECT} WHERE s.id = ?", (service_id,))
    return None if row is None else _service(row)


async def by_upstream(db: Database, panel: str, upstream_id: int) -> Service | None:
    """The service its panel calls `upstream_id` (what the owner types: `main:101`)."""
    row = await db.lookup_one(
        f"{_SELECT} WHERE s.panel = ? AND s.upstream_id = ?", (panel, upstream_id)
    )
    return None if row is None else _service(row)


async def categories(db: Database, offset: int, limit: int) -> tuple[list[Category], int]:
    """One page of the categories that have something to show, and how many there are."""
    # Counted per category through its index, so a page stops early instead of grouping the
    # whole catalog on every catalog screen; the total asks each category only whether it has
    # one service on sale, once per query (the subquery does not depend on the row).
    rows = await db.lookup(
        f"SELECT id, name, services, total FROM (SELECT c.id, c.name, c.position,"
        f" ({_ON_SALE} AND s.category_id = c.id) AS services, ({_SHOWN_CATEGORIES}) AS total"
        " FROM categories c WHERE c.hidden = 0) AS listed WHERE services > 0"
        " ORDER BY position, id LIMIT ? OFFSET ?",
        (limit, offset),
    )
    total = rows[0]["total"] if rows else (await db.lookup(_SHOWN_CATEGORIES))[0][0]
    return [Category(id=row[0], name=row[1], services=row[2]) for row in rows], int(total)


async def category(db: Database, category_id: int) -> Category | None:
    row = await db.lookup_one(
        "SELECT c.id, c.name, COUNT(s.id), c.hidden, c.markup FROM categories c"
        " LEFT JOIN services s ON s.category_id = c.id AND s.available = 1 AND s.hidden = 0"
        f" AND {_PANEL_SHOWN} WHERE c.id = ? GROUP BY c.id",
        (category_id,),
    )
    if row is None:
        return None
    return Category(row[0], row[1], row[2], bool(row[3]), _decimal(row[4]))


async def find_category(db: Database, name: str) -> Category | None:
    category_id = await db.scalar(
        "SELECT id FROM categories WHERE name = ? OR lower(name) = lower(?)", (name, name)
    )
    return None if category_id is None else await category(db, int(category_id))


async def in_category(
    db: Database, category_id: int, offset: int, limit: int
) -> tuple[list[Service], int]:
    where, params = "s.category_id = ?", (category_id,)  # through the category's index
    rows = await db.lookup(*_page(where, params, "s.position, s.id", offset, limit))
    return _counted(rows) if rows else ([], int((await db.lookup(*_count(where, params)))[0][0]))


# Every word typed must begin a word of the service's name or category. Only the shop's own
# folded words reach the query, each one quoted: what a customer types is never query syntax.
# FTS5 takes `"word"*` side by side, all of them; PostgreSQL a tsquery `'word':* & ...` that
# the index of postgresql/013_search.sql answers. PostgreSQL's matches come as an array, so
# the services are read by key whatever the statistics say (young ones had the planner walk
# the catalog category by category, re-reading every service's words: 1 s for a wide search).
_MATCHES_SQLITE = "s.id IN (SELECT rowid FROM services_fts WHERE services_fts MATCH ?)"
_MATCHES_POSTGRES = (
    "s.id = ANY (ARRAY (SELECT id FROM services WHERE service_words(search) @@ CAST(? AS tsquery)))"
)


def _found(matches: str) -> tuple[str, str]:
    """One page of the visible matches with how many there are, and that count alone (for a
    page past the last). The matches are counted and sorted by their keys; every column is
    joined for the rows of the page only."""
    head = (
        "WITH found AS (SELECT s.id, c.position AS category_position, s.position"
        f" FROM services s JOIN categories c ON c.id = s.category_id WHERE {matches}"
        f" AND {_VISIBLE})"
    )
    page = (
        f"{head}, page AS (SELECT id, category_position, position FROM found"
        " ORDER BY category_position, position, id LIMIT ? OFFSET ?) "
        + _SELECT.replace(
            " FROM services s",
            ", (SELECT COUNT(*) FROM found) AS total FROM page f JOIN services s ON s.id = f.id",
        )
        + " ORDER BY f.category_position, f.position, f.id"
    )
    return page, f"{head} SELECT COUNT(*) FROM found"


_FOUND = {"sqlite": _found(_MATCHES_SQLITE), "postgresql": _found(_MATCHES_POSTGRES)}


async def search(db: Database, typed: str, offset: int, limit: int) -> tuple[list[Service], int]:
    """Visible services with every word typed as the start of a word of their name or
    category, in catalog order, and how many there are; nothing for text without a word.
    Read through the search index as a lookup: a short word can match much, and such a search
    goes on in the engine's thread (see `Database.lookup`)."""
    found = words(typed)
    if not found:
        return [], 0
    if isinstance(db, SqliteDatabase):
        (page, count), query = _FOUND["sqlite"], " ".join(f'"{word}"*' for word in found)
    else:
        (page, count), query = _FOUND["postgresql"], " & ".join(f"'{word}':*" for word in found)
    rows = await db.lookup(page, (query, limit, offset))
    if rows:
        return _counted(rows)
    return [], 0 if offset == 0 else int((await db.lookup(count, (query,)))[0][0])


Query = tuple[str, tuple[object, ...]]


def _page(where: str, params: tuple[object, ...], order: str, offset: int, limit: int) -> Query:
    """One page of visible services matching `where`; each row carries how many match in all
    (a search scans the catalog once, not twice)."""
    sql = f"{_SELECT_COUNTED} WHERE {where} AND {_VISIBLE} ORDER BY {order} LIMIT ? OFFSET ?"
    return sql, (*params, limit, offset)


def _count(where: str, params: tuple[object, ...]) -> Query:
    """How many match, for a page past the last one (which has no row to carry it)."""
    sql = (
        "SELECT COUNT(*) FROM services s JOIN categories c ON c.id = s.category_id"
        f" WHERE {where} AND {_VISIBLE}"
    )
    return sql, params


def _counted(rows: list[Row]) -> tuple[list[Service], int]:
    return [_service(row) for row in rows], int(rows[0]["total"])


async def set_service(db: Database, service_id: int, **values: object) -> bool:
    """Owner overrides of one service (`hidden`, `markup`); False when there is no such id."""
    return await _override(db, "services", ("id", service_id), values)


async def set_category(db: Database, category_id: int, **values: object) -> bool:
    """Owner overrides of one category (`hidden`, `markup`)."""
    return await _override(db, "categories", ("id", category_id), values)


async def set_panel(db: Database, panel: str, **values: object) -> bool:
    """Owner overrides of every service of one panel (`hidden`, `markup`)."""
    return await _override(db, "panels", ("name", panel), values)


async def set_backup(db: Database, service_id: int, backup_id: int | None) -> None:
    async with db.transaction() as conn:
        await conn.execute(
            "UPDATE services SET backup_id = ? WHERE id = ?", (backup_id, service_id)
        )


async def _override(
    db: Database, table: str, row: tuple[str, object], values: dict[str, object]
) -> bool:
    if not values or set(values) - {"hidden", "markup"}:
        raise ValueError(f"not an override: {sorted(values)}")
    stored = {  # hidden: 0 or 1; markup: its text (a Decimal's), or None for no override
        key: (1 if value else 0) if key == "hidden" else None if value is None else str(value)
        for key, value in values.items()
    }
    assignments = ", ".join(f"{column} = :{column}" for column in stored)
    key, value = row
    async with db.transaction() as conn:
        cursor = await conn.execute(
            f"UPDATE {table} SET {assignments} WHERE {key} = :key", {**stored, "key": value}
        )
    return cursor.rowcount == 1
