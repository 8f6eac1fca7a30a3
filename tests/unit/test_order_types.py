"""The wizard's rules: which fields each type asks for and how each answer is checked."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from bot.shop import order_types
from bot.shop.order_types import InvalidAnswer
from storage.services import Service

TODAY = date(2026, 11, 26)
BASE = Service(
    id=1, panel="main", upstream_id=1, name="S", type="Default", raw_type="Default", category_id=1, category="C",
    rate=Decimal(1), min=50, max=1000, refill=False, cancel=False, dripfeed=False,
    available=True, hidden=False, markup=None, category_markup=None, category_hidden=False,
)  # fmt: skip


def of(type_: str, **changes: object) -> Service:
    return replace(BASE, type=type_, **changes)  # type: ignore[arg-type]


def test_every_type_of_the_design_is_sold() -> None:
    assert set(order_types.TYPES) == {
        "Default", "Package", "SEO", "Custom Comments", "Custom Comments Package", "Mentions",
        "Mentions with Hashtags", "Mentions Custom List", "Mentions Hashtag",
        "Mentions User Followers", "Mentions Media Likers", "Comment Likes", "Comment Replies",
        "Poll", "Invites from Groups", "Subscriptions",
    }  # fmt: skip
    assert not order_types.sellable(replace(BASE, type=None))


def test_drip_feed_adds_runs_and_interval_only_where_allowed() -> None:
    assert order_types.fields_for(of("Default")) == ("link", "quantity")
    assert order_types.fields_for(of("Default", dripfeed=True))[-2:] == ("runs", "interval")
    service = of("Default", dripfeed=True)
    assert order_types.next_field(service, {"link": "x", "quantity": "100", "runs": ""}) is None


@pytest.mark.parametrize(
    ("field", "text", "error"),
    [
        ("link", "instagram", "error-link"),
        ("link", "ftp://x.com/a", "error-link"),
        ("link", "https://exa mple.com", "error-link"),
        ("link", "javascript:alert(1)", "error-link"),
        ("quantity", "49", "error-range"),
        ("quantity", "1001", "error-range"),
        ("quantity", "ten", "error-number"),
        ("quantity", "-100", "error-number"),
        ("quantity", "1.5", "error-number"),
        ("quantity", "٣٠٠", "error-number"),
        ("quantity", "9" * 40, "error-number"),
        ("link", "https://x.com/" + "a" * 5000, "error-too-long"),
    ],
)
def test_bad_answers_say_what_is_wrong(field: str, text: str, error: str) -> None:
    with pytest.raises(InvalidAnswer) as caught:
        order_types.check(of("Default"), field, text, {}, TODAY)
    assert caught.value.message == error


def test_good_answers_are_cleaned() -> None:
    service = of("Default")
    assert order_types.check(service, "quantity", " 1 000 ", {}, TODAY) == "1000"
    assert order_types.check(service, "link", " https://t.me/x ", {}, TODAY) == "https://t.me/x"
    assert order_types.check(service, "link", "instagram.com/p/1", {}, TODAY) == (
        "https://instagram.com/p/1"
    )
    likes = of("Comment Likes")
    assert order_types.check(likes, "username", "@someone", {}, TODAY) == "@someone"
    assert order_types.check(likes, "username", "x.com/someone", {}, TODAY) == (
        "https://x.com/someone"
    )


def test_counted_lists_must_fit_min_and_max() -> None:
    comments = of("Custom Comments", min=2, max=3)
    assert order_types.check(comments, "comments", "a\n\n b \n", {"link": "x"}, TODAY) == "a\nb"
    with pytest.raises(InvalidAnswer) as caught:
        order_types.check(comments, "comments", "a\nb\nc\nd", {}, TODAY)
    assert (caught.value.message, caught.value.args_["count"]) == ("error-lines-count", 4)
    with pytest.raises(InvalidAnswer):
        order_types.check(comments, "comments", " \n \n", {}, TODAY)
    assert order_types.units(comments, {"comments": "a\nb"}) == 2


def test_drip_feed_runs_times_quantity_within_max() -> None:
    service = of("Default", dripfeed=True)
    assert order_types.check(service, "runs", "10", {"quantity": "100"}, TODAY) == "10"
    with pytest.raises(InvalidAnswer):
        order_types.check(service, "runs", "11", {"quantity": "100"}, TODAY)
    with pytest.raises(InvalidAnswer):
        order_types.check(service, "runs", "1", {"quantity": "100"}, TODAY)
    with pytest.raises(InvalidAnswer) as caught:
        order_types.check(service, "runs", "2", {"quantity": "600"}, TODAY)
    assert caught.value.message == "error-runs-impossible"
    assert order_types.units(service, {"quantity": "100", "runs": "3"}) == 300


def test_subscription_rules() -> None:
    sub = of("Subscriptions")
    answers = {"username": "@x", "min": "100"}
    with pytest.raises(InvalidAnswer) as caught:
        order_types.check(sub, "max", "60", answers, TODAY)
    assert caught.value.message == "error-max-below-min"
    with pytest.raises(InvalidAnswer):
        order_types.check(sub, "delay", "7", answers, TODAY)
    assert order_types.check(sub, "delay", "90", answers, TODAY) == "90"
    with pytest.raises(InvalidAnswer) as caught:
        order_types.check(sub, "expiry", "26/11/2026", answers, TODAY)
    assert caught.value.message == "error-date-past"
    with pytest.raises(InvalidAnswer) as caught:
        order_types.check(sub, "expiry", "31.02.2027", answers, TODAY)
    assert caught.value.message == "error-date"
    assert order_types.check(sub, "expiry", "1/2/2027", answers, TODAY) == "01/02/2027"
    assert order_types.units(sub, {"max": "200", "posts": "4"}) == 800


def test_usernames_and_hashtags() -> None:
    service = of("Mentions Hashtag")
    assert order_types.check(service, "hashtag", "travel", {}, TODAY) == "#travel"
    with pytest.raises(InvalidAnswer):
        order_types.check(service, "hashtag", "two words", {}, TODAY)
    likes = of("Comment Likes")
    assert order_types.check(likes, "username", "@some_one", {}, TODAY) == "@some_one"
    with pytest.raises(InvalidAnswer):
        order_types.check(likes, "username", "not a name!", {}, TODAY)


def test_add_form_has_the_service_and_only_given_answers() -> None:
    service = of("Default", dripfeed=True)
    answers = {"link": "https://x.com", "quantity": "100", "runs": ""}
    assert order_types.add_params(service, answers) == {
        "service": "1", "link": "https://x.com", "quantity": "100",
    }  # fmt: skip
