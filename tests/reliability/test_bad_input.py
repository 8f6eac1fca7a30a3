"""Bad input everywhere: a clear message or a silent refusal, nothing stored, nothing raised."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.shop import order_types
from bot.shop.order_types import InvalidAnswer
from storage import orders, services
from tests.fakes.telegram import TelegramUser
from tests.flow.chat import LINK, open_service
from tests.flow.conftest import Shop
from tests.reliability.conftest import Tally

NASTY = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=300
) | st.sampled_from(
    [
        "",
        " ",
        "\x00\x01\x1b[31m",
        "‮https://evil.com‬",  # right-to-left override
        "مرحبا بالعالم",
        "👍" * 2000,
        "<b>bold</b><script>",
        "&amp; &lt;",
        "1e9",
        "-0",
        "٣٠٠",
        "1" * 5000,
        "https://" + "a" * 4000 + ".com",
        "\n" * 100,
    ]
)
TODAY = date(2026, 11, 26)


@pytest.mark.parametrize("service_id", [101, 102, 113, 121, 123, 132, 133, 134, 153])
async def test_every_field_check_answers_or_explains(
    shop: Shop, service_id: int, tally: Tally
) -> None:
    service = await services.get(shop.db, service_id)
    assert service is not None

    @settings(max_examples=60, deadline=None)
    @given(text=NASTY)
    def check_all(text: str) -> None:
        tally.add()
        answers = {"quantity": "100", "min": "50", "link": LINK}
        refusals = []
        for name in order_types.fields_for(service):
            try:
                cleaned = order_types.check(service, name, text, answers, TODAY)
            except InvalidAnswer as error:
                refusals.append(error.message)
                continue
            # what passes is a valid answer when checked again, with nothing invisible in it
            assert order_types.check(service, name, cleaned, answers, TODAY) == cleaned
            assert "\x00" not in cleaned
        assert all(message.startswith("error-") for message in refusals)

    check_all()


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=NASTY)
async def test_wizard_steps_with_hostile_text(shop: Shop, text: str, tally: Tally) -> None:
    tally.add(2)
    person = TelegramUser(shop.dp, shop.bot, shop.session, user_id=7)
    await person.send("/start")
    await open_service(person, 101)
    await person.click("Order this")
    await person.send(text or "x")  # the link step
    await person.send(text or "x")  # the quantity step (or the link again)
    assert person.last_text()
    assert "Traceback" not in person.last_text()
    assert await orders.get(shop.db, 1) is None


async def test_four_thousand_characters_and_ten_thousand_lines(shop: Shop, tally: Tally) -> None:
    tally.add(3)
    person = await shop.customer(1, balance=100_000)
    await open_service(person, 121)  # custom comments: 10..1500 lines
    await person.click("Order this")
    await person.send("x" * 4096)
    assert "too long" in person.last_text()
    await person.send(LINK)
    await person.send("\n".join("c" * 2000))  # 2,000 lines in one Telegram message
    assert "You sent 2,000 lines, but this service takes 10 to 1,500" in person.last_text()
    await person.send("\n".join(f"🔥 نص {n}" for n in range(10_000)))
    assert "too long" in person.last_text()
    assert await orders.get(shop.db, 1) is None


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    data=st.one_of(
        st.text(max_size=64).filter(lambda s: 0 < len(s.encode()) <= 64),
        st.sampled_from(
            ["d1:1:0", "d1:-1:0", "d1:99999999999999999999:0", "a1:refill:1", "a1:nuke:1",
             "a1:cancel:x", "b1:154", "b1:0", "v1:101:-5:0", "c1:-3", "s1:999:0", "h1:9999",
             "w1:confirm:forged-token", "w1:pick:7", "w1:skip", "l1:xx", "t1:", "y1:send:1", "z1:send:1",
             "r1:refund:1", "x1:1", "m1:nowhere", "::::"]
        ),
    )
)  # fmt: skip
async def test_forged_callback_data_is_refused_quietly(shop: Shop, data: str, tally: Tally) -> None:
    tally.add()
    person = TelegramUser(shop.dp, shop.bot, shop.session, user_id=8)
    await person.send("/start")
    await person.click_data(data)
    assert person.unanswered_callbacks == []
    assert await orders.get(shop.db, 1) is None
