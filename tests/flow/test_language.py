"""Languages: guessed from Telegram on first contact, switched by the user, used by pushes."""

from __future__ import annotations

from bot.i18n import Translator
from bot.jobs.sender import Sender
from bot.panel.models import OrderStatus
from bot.shop.config import ShopConfig
from bot.shop.tracking import apply_status
from tests.flow.chat import LINK, open_service
from tests.flow.conftest import Shop


async def test_first_contact_uses_the_telegram_language(shop: Shop, translator: Translator) -> None:
    person = await shop.customer(1, language_code="ru")
    assert translator.get("ru", "welcome", name="Alice") in person.last_text()
    turkish = await shop.customer(2, language_code="tr-TR")
    assert translator.get("tr", "menu") != translator.get("en", "menu")
    assert translator.get("tr", "welcome", name="Alice") in turkish.last_text()
    unknown = await shop.customer(3, language_code="pt-br")
    assert "Hi, Alice!" in unknown.last_text()


async def test_switching_language_sticks(shop: Shop, translator: Translator) -> None:
    person = await shop.customer(1)
    await person.click("Language")
    await person.click("Türkçe")
    assert translator.get("tr", "language-set") in person.last_text()
    await person.send("/start")
    assert translator.get("tr", "welcome", name="Alice") in person.last_text()
    await person.send("/language")
    await person.click("Русский")
    await person.send("/help")
    assert person.last_text() == translator.get("ru", "help").replace("<b>", "").replace(
        "</b>", ""
    ).replace("<i>", "").replace("</i>", "")


async def test_prices_are_formatted_for_the_locale(shop: Shop, translator: Translator) -> None:
    person = await shop.customer(1, language_code="ru")
    await open_service(person, 101, new_order=translator.plain("ru", "btn-new-order"))
    assert "1,35\xa0$" in person.last_text()  # Russian: a decimal comma, the symbol after


async def test_a_push_arrives_in_the_recipients_language(
    shop: Shop, translator: Translator, shop_config: ShopConfig
) -> None:
    person = await shop.customer(1, balance=10_000, language_code="ru")
    await open_service(person, 101, new_order=translator.plain("ru", "btn-new-order"))
    await person.click(translator.plain("ru", "btn-order"))
    await person.send(LINK)
    await person.send("1000")
    await person.click(translator.plain("ru", "btn-confirm"))
    status = OrderStatus(
        status="completed",
        raw_status="Completed",
        charge=None,
        start_count=10,
        remains=0,
        currency="USD",
    )
    assert await apply_status(shop.db, shop_config, 1, status)
    sender = Sender(shop.bot, shop.db, translator, currency="USD", rate=1000, chat_interval=0)
    await sender.send_once()
    service = "Instagram Followers [Real] [Refill 30D]"
    expected = translator.get("ru", "push-completed", order="1", service=service)
    assert person.last_text() == expected
