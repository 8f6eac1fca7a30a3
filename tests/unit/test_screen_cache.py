"""The cache of catalog screens never serves a screen older than the catalog it has seen."""

from __future__ import annotations

from aiogram.types import InlineKeyboardMarkup

from handlers.screens import ScreenCache, Shown


def _screen(text: str) -> Shown:
    return text, InlineKeyboardMarkup(inline_keyboard=[])


def test_a_new_version_drops_every_screen() -> None:
    cache = ScreenCache()
    assert cache.get(1, "page") is None
    cache.put(1, "page", _screen("old"))
    assert cache.get(1, "page") == _screen("old")
    assert cache.get(2, "page") is None


def test_a_screen_built_before_a_newer_version_was_seen_is_not_kept() -> None:
    # One update reads version 1 and builds; meanwhile another sees version 2 (the catalog
    # changed): what the first one built may predate the change.
    cache = ScreenCache()
    assert cache.get(1, "page") is None
    assert cache.get(2, "other") is None
    cache.put(1, "page", _screen("maybe stale"))
    assert cache.get(2, "page") is None


def test_the_least_recently_shown_go_first() -> None:
    cache = ScreenCache(size=2)
    cache.get(1, "a")
    for key in ("a", "b"):
        cache.put(1, key, _screen(key))
    assert cache.get(1, "a") is not None  # "a" is now the most recent
    cache.put(1, "c", _screen("c"))
    assert [cache.get(1, key) is not None for key in ("a", "b", "c")] == [True, False, True]


async def test_through_builds_once_and_keeps_nothing_for_nothing_to_show() -> None:
    cache = ScreenCache()
    built: list[str] = []

    async def build() -> Shown:
        built.append("page")
        return _screen("page")

    async def missing() -> Shown | None:
        built.append("missing")
        return None

    assert await cache.through(1, "page", build) == _screen("page")
    assert await cache.through(1, "page", build) == _screen("page")
    assert await cache.through(1, "gone", missing) is None
    assert await cache.through(1, "gone", missing) is None
    assert built == ["page", "missing", "missing"]
