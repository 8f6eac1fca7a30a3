"""/stats draws a chart: a PNG photo of the last days above the figures, any window the owner asks."""

from __future__ import annotations

import io

from aiogram.methods import SendMessage, SendPhoto
from aiogram.types import BufferedInputFile
from PIL import Image

from bot.charts import PIXELS
from tests.conftest import ADMIN_ID
from tests.fakes.telegram import TelegramUser
from tests.flow.conftest import Shop
from tests.flow.test_admin import buy


async def _owner(shop: Shop, language_code: str = "en") -> TelegramUser:
    person = TelegramUser(
        shop.dp, shop.bot, shop.session, user_id=ADMIN_ID, language_code=language_code
    )
    await person.send("/start")
    return person


def _png(shop: Shop) -> Image.Image:
    """The picture of the last photo the bot sent, decoded."""
    photo = shop.session.sent(SendPhoto)[-1].photo
    assert isinstance(photo, BufferedInputFile)
    image = Image.open(io.BytesIO(photo.data))
    image.load()  # decodes the whole file: a truncated or corrupt PNG fails here
    return image


async def test_stats_sends_a_chart_of_thirty_days_then_the_figures(shop: Shop) -> None:
    person = await shop.customer(1, balance=10_000)
    await buy(shop, person)
    owner = await _owner(shop)
    sent = await owner.send("/stats")
    assert [type(method) for method in sent] == [SendPhoto, SendMessage]
    image = _png(shop)
    assert (image.format, image.size) == ("PNG", PIXELS)
    assert shop.session.sent(SendPhoto)[-1].caption == "Last 30 days"
    assert "Today: orders: 1 · revenue $1.35" in owner.last_text()


async def test_stats_with_days_changes_the_window(shop: Shop) -> None:
    owner = await _owner(shop)
    await owner.send("/stats 7")
    assert shop.session.sent(SendPhoto)[-1].caption == "Last 7 days"
    await owner.send("/stats 90")
    assert shop.session.sent(SendPhoto)[-1].caption == "Last 90 days"
    assert _png(shop).size == PIXELS


async def test_stats_refuses_a_window_it_cannot_draw(shop: Shop) -> None:
    owner = await _owner(shop)
    # 0, a year and a half, a word, Arabic-Indic digits ("٧" is 7 to int()) and a negative.
    for wrong in ("0", "500", "week", "٧", "-7"):
        sent = await owner.send(f"/stats {wrong}")
        assert [type(method) for method in sent] == [SendMessage]
        assert "Usage: /stats [days], from 1 to 366" in owner.last_text()
    assert shop.session.sent(SendPhoto) == []


async def test_an_empty_shop_gets_a_chart_of_zeros(shop: Shop) -> None:
    owner = await _owner(shop)
    await owner.send("/stats")
    assert _png(shop).size == PIXELS
    assert "Today: orders: 0 · revenue $0.00 · cost $0.00 · margin $0.00" in owner.last_text()


async def test_the_chart_speaks_the_admins_language(shop: Shop) -> None:
    owner = await _owner(shop, language_code="ru")
    await owner.send("/stats 21")
    assert shop.session.sent(SendPhoto)[-1].caption == "За последний 21 день"
    assert _png(shop).size == PIXELS
