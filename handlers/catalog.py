"""Browsing: categories, the services of one, search, and the service card."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable

from aiogram import F, Router
from aiogram.filters import Command, CommandObject, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message

from bot.i18n import Texts, lines
from bot.shop import order_types
from bot.shop.config import ShopConfig
from bot.shop.pricing import PER_PACKAGE, display_price, global_markup, markup_of
from handlers.callbacks import Buy, Card, Categories, Found, Nav, Screen, Services
from handlers.filters import When
from handlers.keyboards import PAGE_SIZE, Rows, button, clamp_page, home_button, pager
from handlers.screens import ScreenCache, Shown, show
from storage import services
from storage.db import Database
from storage.services import Service

SEARCH_KEY = "search"
MAX_QUERY = 64


def create_router() -> Router:
    router = Router(name="catalog")
    router.callback_query.register(categories_screen, Nav.filter(F.screen == Screen.CATALOG))
    router.callback_query.register(categories_screen, Categories.filter())
    router.callback_query.register(services_screen, Services.filter())
    router.callback_query.register(found_screen, Found.filter())
    router.callback_query.register(card_screen, Card.filter())
    router.message.register(search_command, Command("search"))
    router.message.register(search_text, StateFilter(None), When(F.text & ~F.text.startswith("/")))
    return router


async def categories_screen(
    query: CallbackQuery,
    db: Database,
    t: Texts,
    screens: ScreenCache,
    callback_data: Categories | Nav,
) -> None:
    page = callback_data.page if isinstance(callback_data, Categories) else 0
    key = ("categories", t.locale, page)
    version = await services.version(db)
    screen = await screens.through(version, key, lambda: _categories(db, t, page))
    assert screen is not None  # the list of categories is always there, if empty
    await show(query, *screen)


async def _categories(db: Database, t: Texts, page: int) -> Shown:
    found, total = await services.categories(db, page * PAGE_SIZE, PAGE_SIZE)
    if total and not found:  # a stale page number: show the last page
        page = clamp_page(page, total)
        found, total = await services.categories(db, page * PAGE_SIZE, PAGE_SIZE)
    builder = Rows()
    for category in found:
        builder.row(
            button(f"{category.name} ({category.services})", Services(category=category.id))
        )
    builder.row(*pager(t, page, total, Categories))
    builder.row(home_button(t))
    return t("catalog" if total else "catalog-empty"), builder.as_markup()


async def services_screen(
    query: CallbackQuery,
    db: Database,
    shop: ShopConfig,
    t: Texts,
    screens: ScreenCache,
    callback_data: Services,
) -> None:
    screen = await _priced(
        db, shop, screens, ("services", t.locale, callback_data.category, callback_data.page),
        lambda: _services(db, shop, t, callback_data.category, callback_data.page),
    )  # fmt: skip
    if screen is None:
        await query.answer(t.plain("not-available"), show_alert=True)
        return
    await show(query, *screen)


async def _priced(
    db: Database,
    shop: ShopConfig,
    screens: ScreenCache,
    key: tuple[Hashable, ...],
    build: Callable[[], Awaitable[Shown | None]],
) -> Shown | None:
    """A screen showing prices, kept while the catalog's version and the shop-wide markup (which
    prices depend on, the catalog aside) stay the same."""
    markup = await global_markup(db, shop.markup)
    return await screens.through(await services.version(db), (*key, markup), build)


async def _services(
    db: Database, shop: ShopConfig, t: Texts, category_id: int, page: int
) -> Shown | None:
    category = await services.category(db, category_id)
    if category is None or category.hidden:
        return None
    page = clamp_page(page, category.services)
    found, total = await services.in_category(db, category.id, page * PAGE_SIZE, PAGE_SIZE)
    shown = await _service_lines(db, shop, t, found)
    builder = Rows()
    for service in found:
        builder.row(button(_label(service), Card(service=service.id, page=page)))
    builder.row(*pager(t, page, total, Services, category=category.id))
    builder.row(button(t("btn-back"), Categories()), home_button(t))
    return t("category", name=category.name, services=lines(shown)), builder.as_markup()


async def search_command(
    message: Message,
    command: CommandObject,
    state: FSMContext,
    db: Database,
    shop: ShopConfig,
    t: Texts,
    screens: ScreenCache,
) -> None:
    if not command.args:
        await message.answer(t("search-usage"))
        return
    await _search(message, command.args, state, db, shop, t, screens)


async def search_text(
    message: Message,
    state: FSMContext,
    db: Database,
    shop: ShopConfig,
    t: Texts,
    screens: ScreenCache,
) -> None:
    await _search(message, message.text or "", state, db, shop, t, screens)


async def _search(
    message: Message,
    words: str,
    state: FSMContext,
    db: Database,
    shop: ShopConfig,
    t: Texts,
    screens: ScreenCache,
) -> None:
    words = " ".join(words.split())[:MAX_QUERY]
    if len(words) < 2:
        await message.answer(t("search-too-short"))
        return
    await state.update_data({SEARCH_KEY: words})
    text, markup = await _found(db, shop, t, screens, words, 0)
    await show(message, text, markup)


async def found_screen(
    query: CallbackQuery,
    state: FSMContext,
    db: Database,
    shop: ShopConfig,
    t: Texts,
    screens: ScreenCache,
    callback_data: Found,
) -> None:
    words = (await state.get_data()).get(SEARCH_KEY)
    if not words:
        await query.answer(t.plain("search-expired"), show_alert=True)
        return
    await show(query, *await _found(db, shop, t, screens, words, callback_data.page))


async def _found(
    db: Database, shop: ShopConfig, t: Texts, screens: ScreenCache, words: str, page: int
) -> Shown:
    """A page of results: the same for everybody who searches the same words."""
    screen = await _priced(
        db, shop, screens, ("found", t.locale, words, page),
        lambda: _results(db, shop, t, words, page),
    )  # fmt: skip
    assert screen is not None  # a search always has a screen, "nothing found" included
    return screen


async def _results(db: Database, shop: ShopConfig, t: Texts, words: str, page: int) -> Shown:
    found, total = await services.search(db, words, page * PAGE_SIZE, PAGE_SIZE)
    if total and not found:
        page = clamp_page(page, total)
        found, total = await services.search(db, words, page * PAGE_SIZE, PAGE_SIZE)
    builder = Rows()
    for service in found:
        builder.row(button(_label(service), Card(service=service.id, page=page, found=True)))
    builder.row(*pager(t, page, total, Found))
    builder.row(button(t("btn-catalog"), Categories()), home_button(t))
    if not total:
        return t("search-none", query=words), builder.as_markup()
    shown = await _service_lines(db, shop, t, found)
    text = t("search-results", query=words, count=total, services=lines(shown))
    return text, builder.as_markup()


async def card_screen(
    query: CallbackQuery,
    db: Database,
    shop: ShopConfig,
    t: Texts,
    screens: ScreenCache,
    callback_data: Card,
) -> None:
    service = await services.get(db, callback_data.service)
    if service is None or not service.available or service.hidden or service.category_hidden:
        await query.answer(t.plain("not-available"), show_alert=True)
        return
    key = ("card", t.locale, service.id, callback_data.page, callback_data.found)
    screen = await _priced(
        db, shop, screens, key, lambda: _card(db, shop, t, service, callback_data)
    )
    assert screen is not None
    await show(query, *screen)


async def _card(
    db: Database, shop: ShopConfig, t: Texts, service: Service, callback_data: Card
) -> Shown:
    back = (
        Found(page=callback_data.page)
        if callback_data.found
        else Services(category=service.category_id, page=callback_data.page)
    )
    builder = Rows()
    if order_types.sellable(service):
        builder.row(button(t("btn-order"), Buy(service=service.id)))
    builder.row(button(t("btn-back"), back), home_button(t))
    return await service_card(db, shop, t, service), builder.as_markup()


async def service_card(db: Database, shop: ShopConfig, t: Texts, service: Service) -> str:
    markup = markup_of(service, await global_markup(db, shop.markup))
    return t(
        "service-card",
        id=service.id,
        name=service.name,
        category=service.category,
        price=_price_text(t, service, display_price(service, markup=markup, fx=shop.fx)),
        min=service.min,
        max=service.max,
        badges=_badges(t, service),
        sellable=str(order_types.sellable(service)).lower(),
    )


async def _service_lines(
    db: Database, shop: ShopConfig, t: Texts, found: list[Service]
) -> list[str]:
    default = await global_markup(db, shop.markup)
    return [
        t(
            "service-line",
            id=service.id,
            name=service.name,
            price=_price_text(
                t, service, display_price(service, markup=markup_of(service, default), fx=shop.fx)
            ),
            min=service.min,
            max=service.max,
            badges=_badges(t, service),
        )
        for service in found
    ]


def _price_text(t: Texts, service: Service, price: int) -> str:
    per = "price-per-package" if service.type in PER_PACKAGE else "price-per-1000"
    return t(per, price=t.money(price))


def _badges(t: Texts, service: Service) -> str:
    flags = (
        ("badge-refill", service.refill),
        ("badge-cancel", service.cancel),
        ("badge-dripfeed", service.dripfeed),
    )
    return " · ".join(t(name) for name, on in flags if on)


def _label(service: Service) -> str:
    return f"#{service.id} {service.name}"[:60]
