"""What a customer reads, in their language: options spelled out, counts grouped the local way
and ids plain, the quantity once, a refill's status in their words, a date typed the local
way, short states on the list's buttons, and help that starts with topping up."""

from __future__ import annotations

import httpx
import pytest

from bot.jobs.poller import poll_once
from bot.jobs.refills import poll_refills_once
from bot.shop.config import ShopConfig
from storage import orders
from tests.conftest import FakeClock
from tests.fakes.telegram import TelegramUser
from tests.flow.chat import LINK, open_service
from tests.flow.conftest import Shop

# The buttons a customer presses, as each language labels them.
BUTTONS = {
    "en": {"new": "New order", "order": "Order this", "confirm": "Confirm", "view": "View order",
           "refresh": "Refresh", "refill": "Refill"},
    "tr": {"new": "Yeni sipariş", "order": "Sipariş ver", "confirm": "Onayla", "view": "Siparişi",
           "refresh": "Yenile", "refill": "Telafi iste"},
    "ru": {"new": "Новый заказ", "order": "Заказать", "confirm": "Подтвердить", "view": "Открыть",
           "refresh": "Обновить", "refill": "Запросить рефилл"},
}  # fmt: skip


async def order_in(
    person: TelegramUser, language: str, service_id: int, answers: tuple[str, ...]
) -> None:
    """Open the service in the customer's language, answer every question and confirm."""
    labels = BUTTONS[language]
    await open_service(person, service_id, new_order=labels["new"])
    await person.click(labels["order"])
    for answer in answers:
        await person.send(answer)
    await person.click(labels["confirm"])


async def refill_when_completed(
    shop: Shop, shop_config: ShopConfig, clock: FakeClock, person: TelegramUser, language: str
) -> None:
    """Open the order just placed, let the panel complete it, and press Refill on its card."""
    labels = BUTTONS[language]
    await person.click(labels["view"])
    clock.advance(1000)
    await poll_once(shop.db, shop.panels, shop_config)
    await person.click(labels["refresh"])
    await person.click(labels["refill"])


@pytest.mark.parametrize(
    ("language", "service_id", "options", "size"),
    [
        ("en", 101, "🔄 Refill · ✖ Cancel", "Order size: 50 to 10,000"),
        ("en", 102, "✖ Cancel · 💧 Drip-feed", "Order size: 100 to 50,000"),
        ("tr", 101, "🔄 Telafi · ✖ İptal", "en az 50, en fazla 10.000"),
        ("ru", 141, "🔄 Рефилл", "от 500 до 1\u00a0000\u00a0000"),
    ],
)
async def test_the_service_card_spells_out_its_options_and_groups_its_sizes(
    shop: Shop, language: str, service_id: int, options: str, size: str
) -> None:
    person = await shop.customer(language_code=language)
    await open_service(person, service_id, new_order=BUTTONS[language]["new"])
    card = person.last_text()
    assert options in card and size in card
    assert f"#{service_id}" in card


async def test_the_order_card_gives_the_quantity_once_and_grouped(shop: Shop) -> None:
    person = await shop.customer(balance=100_000)
    await order_in(person, "en", 101, (LINK, "10000"))
    await person.click("View order")
    card = person.last_text()
    assert card.count("Quantity:") == 1
    assert "Quantity: 10,000" in card


@pytest.mark.parametrize(
    ("language", "typed", "shown"),
    [
        ("en", "10000", "Quantity: 10,000"),
        ("tr", "10.000", "Miktar: 10.000"),
        ("ru", "10000", "Количество: 10\u00a0000"),
    ],
)
async def test_the_summary_groups_the_typed_quantity_like_the_order_card(
    shop: Shop, language: str, typed: str, shown: str
) -> None:
    person = await shop.customer(balance=100_000, language_code=language)
    await open_service(person, 101, new_order=BUTTONS[language]["new"])
    await person.click(BUTTONS[language]["order"])
    await person.send(LINK)
    await person.send(typed)
    assert shown in person.last_text()


async def test_a_turkish_customer_types_a_grouped_quantity_and_reads_the_refill_in_turkish(
    shop: Shop, shop_config: ShopConfig, clock: FakeClock
) -> None:
    person = await shop.customer(balance=100_000, language_code="tr")
    await order_in(person, "tr", 101, (LINK, "1.000"))  # as the prompt writes 1000
    assert [form["quantity"] for form in shop.adds()] == ["1000"]
    await refill_when_completed(shop, shop_config, clock, person, "tr")
    refill = (await orders.refills_of(shop.db, 1))[0]
    assert f"Telafi #{refill.upstream_id}: talep edildi" in person.last_text()
    assert "pending" not in person.last_text()
    clock.advance(1000)
    assert await poll_refills_once(shop.db, shop.panels) == 1
    await person.click("Yenile")
    assert f"Telafi #{refill.upstream_id}: tamamlandı" in person.last_text()


async def test_a_refill_status_no_panel_documents_reads_neutrally(
    shop: Shop, shop_config: ShopConfig, clock: FakeClock
) -> None:
    person = await shop.customer(balance=100_000, language_code="ru")
    await order_in(person, "ru", 101, (LINK, "1000"))
    await refill_when_completed(shop, shop_config, clock, person, "ru")
    refill = (await orders.refills_of(shop.db, 1))[0]
    odd = [{"refill": refill.upstream_id, "status": "Awaiting moderation"}]
    shop.sandbox.fail_next("refill_status", httpx.Response(200, json=odd))
    assert await poll_refills_once(shop.db, shop.panels) == 0
    await person.click("Обновить")
    assert f"Рефилл #{refill.upstream_id}: уточняется у поставщика" in person.last_text()
    assert "moderation" not in person.last_text()


async def test_a_russian_customer_types_the_expiry_the_russian_way(shop: Shop) -> None:
    person = await shop.customer(balance=100_000, language_code="ru")
    await open_service(person, 113, new_order=BUTTONS["ru"]["new"])
    await person.click(BUTTONS["ru"]["order"])
    for answer in ("@brand", "50", "100", "5", "2", "0"):
        await person.send(answer)
    assert "например, 31.12.2026" in person.last_text()  # the prompt shows the local form
    await person.send("31.02.2099")  # no such day
    assert "Отправьте существующую дату в формате ДД.ММ.ГГГГ" in person.last_text()
    await person.send("31.12.2099")
    assert "Проверьте заказ" in person.last_text()
    await person.click(BUTTONS["ru"]["confirm"])
    assert shop.adds()[-1]["expiry"] == "31/12/2099"  # the panel's own form


async def test_the_russian_order_list_shows_a_short_state_and_the_card_the_full_one(
    shop: Shop, shop_config: ShopConfig, clock: FakeClock
) -> None:
    shop.sandbox.partial_every = 1  # this order ends Partial
    person = await shop.customer(balance=100_000, language_code="ru")
    await order_in(person, "ru", 101, (LINK, "1000"))
    clock.advance(1000)
    await poll_once(shop.db, shop.panels, shop_config)
    await person.click("Меню")
    await person.click("Мои заказы")
    [label] = [text for row in person.buttons() for text in row if text.startswith("#1 ")]
    assert label.endswith("· 🟡 Частично")
    await person.click("#1 ")
    assert "Статус: 🟡 Выполнен частично (часть денег возвращена)" in person.last_text()


async def test_english_help_starts_with_a_top_up_and_the_balance_lists_transactions(
    shop: Shop,
) -> None:
    person = await shop.customer()
    await person.send("/help")
    steps = person.last_text()
    assert steps.index("Top up") < steps.index("New order") < steps.index("link and the quantity")
    await person.send("/start")
    await person.click("Balance")
    assert "No transactions yet." in person.last_text()


async def test_every_subscription_prompt_says_what_to_send(shop: Shop) -> None:
    person = await shop.customer(balance=100_000)
    await open_service(person, 113)
    await person.click("Order this")
    await person.send("@brand")
    assert "send the smallest quantity per post, a number from 50 to 5,000" in (person.last_text())
    await person.send("50")
    assert "Send the largest quantity per post" in person.last_text()
