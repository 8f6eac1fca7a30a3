"""The storefront as a customer meets it: menus, search, bad answers, checkout's hard cases."""

from __future__ import annotations

import asyncio

import httpx
from aiogram.methods import AnswerCallbackQuery, SendMessage

from storage import ledger, orders, outbox
from storage.orders import State
from tests.conftest import ADMIN_ID
from tests.flow.chat import LINK, open_service, to_summary
from tests.flow.conftest import Shop


async def test_start_shows_the_menu_and_help_lists_commands(shop: Shop) -> None:
    person = await shop.customer()
    assert "Hi, Alice!" in person.last_text()
    assert person.buttons() == [
        ["🛒 New order"],
        ["📦 My orders", "💰 Balance"],
        ["🌐 Language", "❓ Help"],
        ["🤝 Invite friends", "💬 Support"],
    ]
    await person.send("/help")
    assert "/search word" in person.last_text()
    await person.send("/nonsense")
    assert "I don't know that command" in person.last_text()


async def test_browsing_edits_one_message_and_every_screen_leads_home(shop: Shop) -> None:
    person = await shop.customer()
    await person.click("New order")
    menu_id = person.last_message().message_id
    await person.click("Instagram Likes (")
    assert "Instagram Auto Likes" in person.last_text()
    assert "$0.02 per 1000" in person.last_text()  # 0.0125 x 1.5 rounded up
    await person.click("#112 ")
    card = person.last_text()
    assert "Instagram Comment Likes" in card and "20 to 5,000" in card
    assert person.last_message().message_id == menu_id
    await person.click("Back")
    await person.click("Back")
    assert "Choose a category" in person.last_text()
    await person.click("Menu")
    assert "What would you like to do?" in person.last_text()
    assert person.unanswered_callbacks == []


async def test_unknown_type_is_shown_but_not_sold(shop: Shop) -> None:
    person = await shop.customer()
    await open_service(person, 154)
    assert "can't be ordered through the bot" in person.last_text()
    assert not any("Order this" in text for row in person.buttons() for text in row)


async def test_text_outside_a_flow_searches_the_catalog(shop: Shop) -> None:
    person = await shop.customer()
    await person.send("mentions")
    assert "6 services match “mentions”" in person.last_text()
    await person.send("/search youtube")
    assert "2 services match" in person.last_text()
    await person.send("zzzz-nothing")
    assert "Nothing matches" in person.last_text()
    await person.send("<b>x</b>")  # typed HTML is shown as text, not markup
    assert "Nothing matches “<b>x</b>”" in person.last_text()


async def test_a_search_finds_words_in_any_order_case_and_accents(shop: Shop) -> None:
    person = await shop.customer()
    await person.send("hashtag MENTİONS")  # in another order, a Turkish capital İ
    assert "2 services match" in person.last_text()
    assert "Instagram Mentions [Hashtag Users]" in person.last_text()
    await person.send("/search Mentions + Hashtags")  # the + is no word, nor search syntax
    assert "Instagram Mentions + Hashtags" in person.last_text()
    await person.send("/search entions")  # the inside of a word is not the start of one
    assert "Nothing matches" in person.last_text()


async def test_search_results_are_paginated(shop: Shop) -> None:
    person = await shop.customer()
    await person.send("instagram")
    assert "15 services match" in person.last_text()
    assert "1/2" in str(person.buttons())
    await person.click("›")
    assert "2/2" in str(person.buttons())
    await person.click("#136 ")
    assert "Media Likers" in person.last_text()
    await person.click("Back")
    assert "2/2" in str(person.buttons())


async def test_bad_answers_are_explained_and_earlier_answers_kept(shop: Shop) -> None:
    person = await shop.customer(balance=10_000)
    await to_summary(person, 101, ("not a link",))
    assert "doesn't look like a link" in person.last_text()
    await person.send(LINK)
    await person.send("20")
    assert "from 50 to 10,000" in person.last_text()
    await person.send("a lot")
    assert "whole number" in person.last_text()
    await person.send("x" * 4096)
    assert "too long" in person.last_text()
    await person.send("500")
    assert LINK in person.last_text()  # the summary repeats every answer
    assert "Please check your order" in person.last_text()


async def test_back_steps_through_answers_and_cancel_leaves_nothing(shop: Shop) -> None:
    person = await shop.customer(balance=10_000)
    await to_summary(person, 101, (LINK, "500"))
    await person.click("Back")
    assert "How many?" in person.last_text()
    await person.click("Back")
    assert "Send the link" in person.last_text()
    await person.send(LINK)
    await person.send("/cancel")
    assert "Cancelled. Nothing was charged." in person.last_text()
    await person.send("hello")  # no longer in the wizard: a search
    assert "Nothing matches" in person.last_text()
    assert shop.adds() == []
    assert await shop.balance(person.user_id) == 10_000


async def test_double_tapped_confirm_places_one_order(shop: Shop) -> None:
    person = await shop.customer(balance=10_000)
    await to_summary(person)
    summary = person.last_message()
    await asyncio.gather(
        person.click("Confirm", message=summary), person.click("Confirm", message=summary)
    )
    assert len(shop.adds()) == 1
    assert await shop.balance(person.user_id) == 10_000 - 135
    stale = [
        call
        for call in shop.session.sent(AnswerCallbackQuery)
        if call.text and "already used" in call.text
    ]
    assert len(stale) == 1
    assert person.unanswered_callbacks == []


async def test_too_little_balance_offers_a_top_up_and_debits_nothing(shop: Shop) -> None:
    person = await shop.customer(balance=100)
    await to_summary(person)
    assert "not enough" in person.last_text()
    assert not any("Confirm" in text for row in person.buttons() for text in row)
    await person.click("Top up")
    assert "Your balance" in person.last_text()
    assert shop.adds() == []


async def test_balance_spent_elsewhere_before_confirm_is_refused_cleanly(shop: Shop) -> None:
    person = await shop.customer(balance=200)
    await to_summary(person)
    async with shop.db.transaction() as conn:  # spent in another chat meanwhile
        await ledger.post(conn, user_id=person.user_id, amount=-150, key="elsewhere", kind="order")
    await person.click("Confirm")
    assert "not enough for this order. Nothing was charged" in person.last_text()
    assert shop.adds() == []
    assert await orders.get(shop.db, 1) is None


async def test_panel_refusal_refunds_and_explains_in_plain_words(shop: Shop) -> None:
    person = await shop.customer(balance=10_000)
    await to_summary(person)
    shop.sandbox.fail_next("add", httpx.Response(200, json={"error": "Incorrect link"}))
    await person.click("Confirm")
    text = person.last_text()
    assert "could not be placed: the link was not accepted" in text
    assert "Incorrect link" not in text  # raw panel text stays with the admins
    order = await orders.get(shop.db, 1)
    assert order is not None and order.state is State.FAILED and order.error == "Incorrect link"
    assert await shop.balance(person.user_id) == 10_000


async def test_lost_answer_leaves_the_order_unknown_and_alerts_admins(shop: Shop) -> None:
    person = await shop.customer(balance=10_000)
    await to_summary(person)
    shop.sandbox.fail_next("add", httpx.ReadTimeout("timed out"), processed=True)
    await person.click("Confirm")
    assert "being checked with our supplier" in person.last_text()
    order = await orders.get(shop.db, 1)
    assert order is not None and order.state is State.UNKNOWN
    assert len(shop.adds()) == 1  # never retried
    assert await shop.balance(person.user_id) == 10_000 - 135  # no refund until an admin decides
    alerts = await outbox.due(shop.db, 10)
    assert [(row.chat_id, row.message) for row in alerts] == [(ADMIN_ID, "admin-order-unknown")]


async def test_unreachable_panel_is_a_definite_failure(shop: Shop) -> None:
    person = await shop.customer(balance=10_000)
    await to_summary(person, 103, (LINK,))
    shop.sandbox.fail_next("add", httpx.ConnectError("refused"))
    await person.click("Confirm")
    assert "our supplier did not answer" in person.last_text()
    assert await shop.balance(person.user_id) == 10_000


async def test_my_orders_shows_the_card_with_its_fields(shop: Shop) -> None:
    person = await shop.customer(balance=10_000)
    await to_summary(person, 134, (LINK, "100", "travel"))
    await person.click("Confirm")
    await person.click("Menu")
    await person.click("My orders")
    await person.click("#1 ")
    card = person.last_text()
    assert "Order #1" in card and "Hashtag: #travel" in card and "Quantity: 100" in card


async def test_forged_buttons_get_a_short_refusal(shop: Shop) -> None:
    owner = await shop.customer(1, balance=10_000)
    await to_summary(owner)
    await owner.click("Confirm")
    thief = await shop.customer(2)
    for data in ("d1:1:0", "a1:cancel:1", "a1:refill:1", "v1:99999:0:0", "zz:1", "d1:x", "b1:154"):
        await thief.click_data(data)
    answers = [call.text for call in shop.session.sent(AnswerCallbackQuery) if call.text]
    assert answers[-7:] == ["This is no longer available."] * 7
    assert thief.unanswered_callbacks == []
    assert [form["action"] for form in shop.sandbox.requests if form["action"] != "services"] == [
        "add"
    ]
    assert not [
        m for m in shop.session.sent(SendMessage, chat_id=2) if "Order #1" in (m.text or "")
    ]


async def test_an_upstream_id_given_twice_leaves_the_second_order_unknown(shop: Shop) -> None:
    person = await shop.customer(balance=10_000)
    for _ in range(2):
        await person.send("/start")
        await to_summary(person)
        shop.sandbox.fail_next("add", httpx.Response(200, json={"order": 4242}))
        await person.click("Confirm")
    assert "being checked with our supplier" in person.last_text()
    second = await orders.get(shop.db, 2)
    assert second is not None
    assert second.state is State.UNKNOWN
    assert "4242" in second.error
    assert [row.message for row in await outbox.due(shop.db, 10)] == ["admin-order-unknown"]
