"""Invite friends: the link, who counts as invited, and the reward when their order is done."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from bot.jobs.poller import poll_once
from bot.shop.audit import audit
from bot.shop.config import ShopConfig
from storage import outbox, referrals
from tests.conftest import FakeClock
from tests.fakes.telegram import TelegramUser
from tests.flow.chat import to_summary
from tests.flow.conftest import Shop

CHARGE = 135  # 1000 of service 101 at $0.90 per 1000, +50%


async def invite_link(person: TelegramUser) -> str:
    await person.send("/start")
    await person.click("Invite friends")
    return next(word for word in person.last_text().split() if word.startswith("https://t.me/"))


def newcomer(shop: Shop, user_id: int, name: str = "Bob") -> TelegramUser:
    return TelegramUser(
        shop.dp, shop.bot, shop.session, user_id=user_id, first_name=name, username=None
    )


async def test_the_invite_screen_shows_a_short_link_a_share_button_and_the_figures(
    shop: Shop, owner: TelegramUser
) -> None:
    await owner.send("/referral 10")
    person = await shop.customer(1)
    link = await invite_link(person)
    assert link.startswith("https://t.me/test_bot?start=")
    code = link.rsplit("=", 1)[1]
    assert len(code) == 8 and "1" not in code  # short, and not the user's id
    assert "10% of what they pay" in person.last_text()
    assert "Friends invited: 0" in person.last_text()
    assert "none yet" in person.last_text()
    share = person.last_message().reply_markup.inline_keyboard[0][0]  # type: ignore[union-attr]
    assert share.url is not None and share.url.startswith("https://t.me/share/url?")
    assert parse_qs(urlsplit(share.url).query)["url"] == [link]
    assert await invite_link(person) == link  # the same code every time
    assert person.buttons()[-1] == ["🏠 Menu"]


async def test_an_invited_friend_s_completed_order_pays_the_referrer_once(
    shop: Shop, owner: TelegramUser, shop_config: ShopConfig, clock: FakeClock
) -> None:
    await owner.send("/referral 10")
    referrer = await shop.customer(1)
    link = await invite_link(referrer)
    friend = newcomer(shop, 2)
    await friend.send("/start " + link.rsplit("=", 1)[1])
    assert "Hi, Bob!" in friend.last_text()
    await shop.credit(2, 10_000)
    await to_summary(friend)
    await friend.click("Confirm")
    clock.advance(1000)
    await poll_once(shop.db, shop.panels, shop_config)
    await poll_once(shop.db, shop.panels, shop_config)  # a second poll pays nothing more
    assert await shop.balance(1) == 13  # 10% of $1.35, rounded down
    pushes = [(row.chat_id, row.message, row.args) for row in await outbox.due(shop.db, 50)]
    assert (1, "push-referral-earned", {"amount": 13}) in pushes
    await referrer.click("Menu")
    await referrer.click("Invite friends")
    assert "Friends invited: 1" in referrer.last_text()
    assert "Earned in total: $0.13" in referrer.last_text()
    assert "+$0.13" in referrer.last_text()
    await owner.send("/user 2")
    assert "Invited by: Alice (1)" in owner.last_text()
    await owner.send("/user 1")
    assert "invited 1 · earned $0.13" in owner.last_text()
    await owner.send("/referral")
    assert "Referral reward: 10% " in owner.last_text()
    assert "Alice (1) · invited 1 · earned $0.13" in owner.last_text()
    await owner.send("/stats")
    assert "referral rewards $0.13" in owner.last_text()
    report = await audit(shop.db)
    assert report.ok, report.problems


async def test_a_customer_who_was_here_before_gains_no_referrer_from_a_code(
    shop: Shop, owner: TelegramUser
) -> None:
    await owner.send("/referral 10")
    code = (await invite_link(await shop.customer(1))).rsplit("=", 1)[1]
    existing = await shop.customer(2)
    await existing.send(f"/start {code}")
    assert "Hi, Alice!" in existing.last_text()
    assert await referrals.referrer_of(shop.db, 2) is None
    referrer = TelegramUser(shop.dp, shop.bot, shop.session, user_id=1)
    await referrer.send(f"/start {code}")  # one's own code
    assert await referrals.referrer_of(shop.db, 1) is None


async def test_an_unknown_code_gets_the_normal_welcome(shop: Shop) -> None:
    friend = newcomer(shop, 2)
    await friend.send("/start NOSUCHCODE")
    assert "Hi, Bob!" in friend.last_text()
    assert await referrals.referrer_of(shop.db, 2) is None
    await friend.click("Invite friends")  # and a link of their own
    assert "https://t.me/test_bot?start=" in friend.last_text()


async def test_referral_setting_takes_0_to_50_percent(shop: Shop, owner: TelegramUser) -> None:
    for wrong in ("51", "-1", "ten", "NaN"):
        await owner.send(f"/referral {wrong}")
        assert "Usage: /referral" in owner.last_text()
    await owner.send("/referral 2.5%")
    assert "now 2.5%" in owner.last_text()
    customer = await shop.customer(1)
    await customer.send("/referral 50")
    assert "Referral reward is now" not in customer.last_text()
    await owner.send("/referral 0")
    await customer.click("Invite friends")
    assert "paused" in customer.last_text()
