"""The catalog cache: services and categories from the panel, with the owner's overrides."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from storage.clock import now
from storage.db import Database, Row

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
    data = dict(row)
    data.pop("total", None)
    for flag in (
        "refill", "cancel", "dripfeed", "available", "hidden", "category_hidden", "panel_hidden"
    ):  # fmt: skip
        data[flag] = bool(data[flag])
    data["rate"] = Decimal(data["rate"])
    for markup in ("markup", "category_markup", "panel_markup"):
        data[markup] = _decimal(data[markup])
    return Service(**data)


def search_text(name: str, category: str) -> str:
    return f"{name}\n{category}".casefold()


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


def _like(words: str) -> str:
    escaped = words.casefold().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


async def search(db: Database, words: str, offset: int, limit: int) -> tuple[list[Service], int]:
    """A search walks the whole catalog: in aiosqlite's thread, the loop goes on meanwhile."""
    where, params = "s.search LIKE ? ESCAPE '\\'", (_like(words),)
    rows = await db.fetchall(*_page(where, params, "c.position, s.position", offset, limit))
    return _counted(rows) if rows else ([], int(await db.scalar(*_count(where, params))))


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
