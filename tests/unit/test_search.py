"""The catalog search: every word typed begins a word of a service's name or category, in any
script and any case, through the search index of migration 013, alike on both engines."""

from __future__ import annotations

import random
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from decimal import Decimal
from pathlib import Path

import asyncpg
import pytest

from storage import services
from storage.db import Database, _migrations
from storage.postgres import SCRIPTS
from tests.conftest import ENGINES, postgres_schema

PAGE = 8


def _upstream(service_id: int, name: str, category: str) -> services.Upstream:
    return services.Upstream(
        id=service_id,
        name=name,
        type="Default",
        raw_type="Default",
        category=category,
        rate=Decimal("1.5"),
        min=10,
        max=1000,
        refill=False,
        cancel=False,
        dripfeed=False,
    )


CATALOG = [
    _upstream(1, "TikTok Likes [Refill 30D] 🔥", "TikTok"),
    _upstream(2, "TikTok Views [Instant]", "TikTok"),
    _upstream(3, "Instagram Türk Takipçi [Max 50K] 🇹🇷", "Instagram Türkiye"),
    _upstream(4, "İNSTAGRAM BEĞENİ Hızlı", "Instagram Türkiye"),
    _upstream(5, "Instagram Yorumları", "Instagram Türkiye"),
    _upstream(6, "Подписчики Telegram 1K", "Telegram"),
    _upstream(7, "ЁЛКА лайки", "Telegram"),
    _upstream(8, "Straße ΣΟΦΟΣ ﬁne", "Other"),
]


async def _names(db: Database, typed: str, offset: int = 0) -> tuple[list[str], int]:
    found, total = await services.search(db, typed, offset, PAGE)
    return [service.name for service in found], total


async def test_every_word_typed_begins_a_word_of_the_name_or_category(db: Database) -> None:
    await services.sync(db, CATALOG)
    assert await _names(db, "tiktok lik") == (["TikTok Likes [Refill 30D] 🔥"], 1)  # typing
    assert await _names(db, "lik tik") == (["TikTok Likes [Refill 30D] 🔥"], 1)  # any order
    assert await _names(db, "tiktok") == (
        ["TikTok Likes [Refill 30D] 🔥", "TikTok Views [Instant]"],
        2,
    )
    assert await _names(db, "telegram 1k") == (["Подписчики Telegram 1K"], 1)
    assert await _names(db, "refill 30") == (["TikTok Likes [Refill 30D] 🔥"], 1)
    assert (await _names(db, "türkiye"))[1] == 3  # the category's words count too
    # Inside a word is not a match (the LIKE search of before found "Likes" by "ikes").
    assert await _names(db, "ikes") == ([], 0)
    assert await _names(db, "tiktok comments") == ([], 0)  # every word must match


@pytest.mark.parametrize(
    ("typed", "found"),
    [
        ("TAKİPÇİ", "Instagram Türk Takipçi [Max 50K] 🇹🇷"),  # Turkish capitals
        ("takipci", "Instagram Türk Takipçi [Max 50K] 🇹🇷"),  # typed without Turkish letters
        ("TURK MAX", "Instagram Türk Takipçi [Max 50K] 🇹🇷"),
        ("begeni", "İNSTAGRAM BEĞENİ Hızlı"),
        ("instagram beğeni", "İNSTAGRAM BEĞENİ Hızlı"),  # İ of the name is a plain i
        ("hizli", "İNSTAGRAM BEĞENİ Hızlı"),  # the dotless ı read as i
        ("HIZLI", "İNSTAGRAM BEĞENİ Hızlı"),
        ("yorumlari", "Instagram Yorumları"),
        ("ПОДПИСЧИКИ", "Подписчики Telegram 1K"),
        ("подп", "Подписчики Telegram 1K"),
        ("елка", "ЁЛКА лайки"),  # ё typed as е
        ("ЛАЙКИ", "ЁЛКА лайки"),
        ("strasse", "Straße ΣΟΦΟΣ ﬁne"),
        ("σοφος", "Straße ΣΟΦΟΣ ﬁne"),  # the final ς folds as σ
        ("fine", "Straße ΣΟΦΟΣ ﬁne"),  # the ﬁ ligature as f and i
        ("ＴＩＫＴＯＫ ｌｉｋｅｓ", "TikTok Likes [Refill 30D] 🔥"),  # full-width letters
    ],
)
async def test_case_and_accents_fold_in_every_script(db: Database, typed: str, found: str) -> None:
    await services.sync(db, CATALOG)
    assert await _names(db, typed) == ([found], 1)


@pytest.mark.parametrize(
    "typed",
    ['"', '""', "*", "tik*", "tik OR views", "NEAR(tiktok likes)", "-views", "^tik", "tiktok:",
     "search:tiktok", "(tiktok)", "tiktok AND", "'", "\\", "tik'tok", "%", "_", "tik & !views",
     "tik | views", "tik <-> likes", "{tiktok}"],
)  # fmt: skip
async def test_search_syntax_typed_is_taken_literally(db: Database, typed: str) -> None:
    """FTS5's and tsquery's own syntax never reaches the query: only the words count."""
    await services.sync(db, CATALOG)
    expected = _oracle(CATALOG, typed)
    assert await _names(db, typed) == (expected, len(expected))


@pytest.mark.parametrize("typed", ["", "  ", "!!", "🔥🔥", "[] -- **", '"*"'])
async def test_text_without_a_word_finds_nothing(db: Database, typed: str) -> None:
    await services.sync(db, CATALOG)
    assert await services.search(db, typed, 0, PAGE) == ([], 0)


async def test_only_services_on_sale_in_catalog_order_page_by_page(db: Database) -> None:
    catalog = [_upstream(n, f"Likes {n}", f"Cat {n % 3}") for n in range(1, 31)]
    await services.sync(db, catalog)
    await services.sync(db, [_upstream(n, f"Likes {n}", "Cat 0") for n in (41, 42)], "second")
    await services.set_service(db, 4, hidden=True)
    hidden = await services.find_category(db, "Cat 2")
    assert hidden is not None
    await services.set_category(db, hidden.id, hidden=True)
    await services.set_panel(db, "second", hidden=True)
    await services.sync(db, [item for item in catalog if item.id != 7])  # 7: gone upstream
    # Category 1's services first (its first service came first), each in the panel's order.
    shown = [n for n in range(1, 31, 3) if n not in (4, 7)] + list(range(3, 31, 3))
    pages = [await _names(db, "likes", offset) for offset in range(0, 24, PAGE)]
    assert [name for page, _ in pages for name in page] == [f"Likes {n}" for n in shown]
    assert {total for _, total in pages} == {len(shown)}
    assert await _names(db, "likes", 40) == ([], len(shown))  # a stale page still counts
    assert await _names(db, "likes 41") == ([], 0)  # the hidden panel's
    await services.set_panel(db, "second", hidden=False)
    assert await _names(db, "likes 41") == (["Likes 41"], 1)


async def test_a_service_is_found_by_its_name_of_the_last_sync(db: Database) -> None:
    await services.sync(db, CATALOG)
    await services.sync(
        db,
        [_upstream(1, "TikTok Hearts", "TikTok Hearts")]
        + [item for item in CATALOG if item.id != 1],
    )
    assert await _names(db, "likes") == ([], 0)
    assert await _names(db, "hearts") == (["TikTok Hearts"], 1)


async def test_a_service_deleted_leaves_the_index(db: Database) -> None:
    await services.sync(db, CATALOG)
    async with db.transaction() as conn:
        await conn.execute("DELETE FROM services WHERE id = 2")
    assert await _names(db, "tiktok") == (["TikTok Likes [Refill 30D] 🔥"], 1)


# A shop at schema 12 as the sync of before left it: `search` held the casefolded name and
# category, one line each.
OLD_CATALOG = """
INSERT INTO categories (id, name, position) VALUES (1, 'Instagram Followers', 0),
    (2, 'YouTube Views', 1);
INSERT INTO services (id, name, type, raw_type, category_id, rate, min, max, position, search,
        synced_at, upstream_id) VALUES
    (101, 'Instagram Followers [Real]', 'Default', 'Default', 1, '0.9', 50, 10000, 0,
        'instagram followers [real]
instagram followers', 1, 101),
    (102, 'Instagram Takipçi', 'Default', 'Default', 1, '0.9', 50, 10000, 1,
        'instagram takipçi
instagram followers', 1, 102),
    (141, 'YouTube Views [Non-drop]', 'Default', 'Default', 2, '1.2', 500, 100000, 0,
        'youtube views [non-drop]
youtube views', 1, 141);
"""


@asynccontextmanager
async def _at_schema_12(engine: str, tmp_path: Path) -> AsyncIterator[str]:
    """Where a shop of schema 12 with a catalog lives, not opened by the shop yet."""
    if engine == "sqlite":
        path = tmp_path / "old.sqlite3"
        old = sqlite3.connect(path, isolation_level=None)
        for version, script in _migrations():
            if version <= 12:
                old.executescript(script)
        old.executescript(f"PRAGMA user_version = 12; {OLD_CATALOG}")
        old.close()
        yield str(path)
        return
    async with postgres_schema() as url:
        conn = await asyncpg.connect(url)
        try:
            await conn.execute("CREATE TABLE schema_migrations (version BIGINT PRIMARY KEY)")
            for version, script in _migrations(SCRIPTS):
                if version <= 12:
                    await conn.execute(script)
                    await conn.execute("INSERT INTO schema_migrations VALUES ($1)", version)
            await conn.execute(OLD_CATALOG)
        finally:
            await conn.close()
        yield url


@pytest.mark.parametrize("engine", ENGINES)
async def test_the_upgrade_indexes_the_catalog_it_finds(engine: str, tmp_path: Path) -> None:
    async with _at_schema_12(engine, tmp_path) as target:
        db = await Database.open(target)
        try:
            assert await _names(db, "instagram follow") == (
                ["Instagram Followers [Real]", "Instagram Takipçi"],
                2,
            )
            assert await _names(db, "non drop") == (["YouTube Views [Non-drop]"], 1)
            # The sync (one runs at start) writes the words folded: accents fold from then on.
            await services.sync(
                db,
                [
                    _upstream(101, "Instagram Followers [Real]", "Instagram Followers"),
                    _upstream(102, "Instagram Takipçi", "Instagram Followers"),
                    _upstream(141, "YouTube Views [Non-drop]", "YouTube Views"),
                ],
            )
            assert await _names(db, "takipci") == (["Instagram Takipçi"], 1)
            assert await _names(db, "instagram follow") == (
                ["Instagram Followers [Real]", "Instagram Takipçi"],
                2,
            )
        finally:
            await db.close()


# Words of the scripts the shop's customers write, with the marks, cases and punctuation panels
# put around them.
VOCABULARY = (
    "TikTok", "Likes", "likes", "İnstagram", "INSTAGRAM", "Takipçi", "Beğeni", "Hızlı", "Yorum",
    "Подписчики", "Просмотры", "ЁЛКА", "Ελληνικά", "Straße", "1K", "10K/day", "30D", "non-drop",
    "[HQ]", "(Real)", "#1", "🔥", "🇹🇷", "user_name", "'quoted'", '"NEAR"', "OR", "a*b", "x:y",
)  # fmt: skip


def _oracle(catalog: list[services.Upstream], typed: str) -> list[str]:
    """What a search must find, in catalog order: every word typed begins a word there."""
    wanted = services.words(typed)
    return [
        item.name
        for item in catalog
        if wanted
        and all(
            any(word.startswith(part) for word in services.words(f"{item.name} {item.category}"))
            for part in wanted
        )
    ]


async def test_a_mixed_catalog_answers_every_search_as_the_rule_says(db: Database) -> None:
    rng = random.Random(13)
    categories = [" ".join(rng.sample(VOCABULARY, 2)) for _ in range(6)]
    catalog = [
        _upstream(n, " ".join(rng.sample(VOCABULARY, rng.randint(1, 4))), rng.choice(categories))
        for n in range(1, 121)
    ]
    catalog.sort(key=lambda item: categories.index(item.category))  # the panel's order
    await services.sync(db, catalog)
    for _ in range(150):
        picked = rng.sample(VOCABULARY, rng.randint(1, 3))
        typed = " ".join(word[: rng.randint(1, len(word))] for word in picked)
        expected = _oracle(catalog, typed)
        found, total = await services.search(db, typed, 0, len(catalog))
        assert ([service.name for service in found], total) == (expected, len(expected)), typed
