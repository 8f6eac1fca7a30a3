"""Two panels behind one shop: one catalog, a backup when a panel definitely refuses, each
order tracked, refilled and cancelled on its own panel, the owner's per-panel commands."""

from __future__ import annotations

import httpx
import pytest

from bot.i18n import Translator
from bot.jobs.poller import Backoff, poll_once
from bot.jobs.refills import poll_refills_once
from bot.jobs.sender import Sender
from bot.panel.sandbox import SandboxPanel
from bot.shop.audit import audit
from bot.shop.config import ShopConfig
from storage import ledger, orders, services
from storage.orders import State
from tests.conftest import ADMIN_ID, FakeClock
from tests.fakes.telegram import TelegramUser
from tests.flow.chat import LINK
from tests.flow.conftest import Shop

NO_FUNDS = {"error": "Not enough funds on balance"}
FOLLOWERS = (LINK, "1000")  # main:101 at 0.90 -> $1.35 with the shop's 50%; second:2001 at 0.72


@pytest.fixture
async def boss(two_panels: Shop) -> TelegramUser:
    """The owner (ADMIN_ID) of the two-panel shop."""
    person = TelegramUser(
        two_panels.dp, two_panels.bot, two_panels.session, user_id=ADMIN_ID, first_name="Olga",
        username="owner",
    )  # fmt: skip
    await person.send("/start")
    return person


def second_of(shop: Shop) -> SandboxPanel:
    assert shop.second is not None
    return shop.second


def adds(panel: SandboxPanel) -> list[dict[str, str]]:
    return [form for form in panel.requests if form.get("action") == "add"]


def asked(panel: SandboxPanel, action: str) -> list[dict[str, str]]:
    return [form for form in panel.requests if form.get("action") == action]


async def shop_id(shop: Shop, panel: str, upstream_id: int) -> int:
    """The shop's own number of a panel's service: what the customer's buttons show."""
    found = await services.by_upstream(shop.db, panel, upstream_id)
    assert found is not None
    return found.id


async def open_listed(person: TelegramUser, category: str, service_id: int) -> None:
    """Open a service as listed in its category: any panel's."""
    await person.click("New order")
    await person.click(f"{category} (")
    await person.click(f"#{service_id} ")


async def fill(person: TelegramUser, answers: tuple[str, ...]) -> None:
    for answer in answers:
        if answer.startswith("click:"):
            await person.click(answer.removeprefix("click:"))
        else:
            await person.send(answer)


async def buy(
    person: TelegramUser,
    service_id: int = 101,
    answers: tuple[str, ...] = FOLLOWERS,
    category: str = "Instagram Followers",
) -> str:
    """From the catalog to Confirm; returns the summary the customer agreed to."""
    await open_listed(person, category, service_id)
    await person.click("Order this")
    await fill(person, answers)
    summary = person.last_text()
    assert "Please check your order" in summary
    await person.click("Confirm")
    return summary


async def deliver(shop: Shop, translator: Translator) -> None:
    sender = Sender(shop.bot, shop.db, translator, currency="USD", rate=1000, chat_interval=0)
    while (await sender.send_once()).sent:
        pass


def texts(shop: Shop, chat_id: int) -> list[str]:
    return [str(message.get("text") or "") for message in shop.session.bot_messages(chat_id)]


async def entries(shop: Shop, user_id: int) -> list[tuple[str, int]]:
    return [(entry.kind, entry.amount) for entry in await ledger.recent(shop.db, user_id)]


async def link_backup(
    boss: TelegramUser, primary: str = "main:101", backup: str = "second:2001"
) -> None:
    await boss.send(f"/backup {primary} {backup}")
    assert f"{primary} now goes to {backup}" in boss.last_text()


# --- the backup at checkout ---


@pytest.mark.parametrize(
    "refusal",
    [
        httpx.Response(200, json=NO_FUNDS),
        httpx.Response(200, json={"error": "Incorrect request key"}),
        httpx.Response(200, json={"error": "Service is disabled"}),
        httpx.Response(200, json={"error": "Price changed, please try again"}),
        httpx.ConnectError("connection refused"),  # not reached: nothing was sent
    ],
    ids=["funds", "auth", "service", "rate", "unreachable"],
)
async def test_a_definite_refusal_places_the_order_once_on_the_backup(
    two_panels: Shop, boss: TelegramUser, translator: Translator,
    refusal: httpx.Response | Exception,
) -> None:  # fmt: skip
    shop, second = two_panels, second_of(two_panels)
    await link_backup(boss)
    person = await shop.customer(1, balance=10_000)
    shop.sandbox.fail_next("add", refusal)
    summary = await buy(person)

    assert "$1.35" in summary
    assert "Order #1 is placed" in person.last_text()
    for word in ("second", "backup", "main", "panel"):
        assert word not in person.last_text().lower()
    assert len(shop.adds()) == 1  # the refused one, never again
    assert adds(second) == [{"action": "add", "service": "2001", "link": LINK, "quantity": "1000"}]
    assert await shop.balance(1) == 10_000 - 135
    assert await entries(shop, 1) == [("order", -135), ("topup", 10_000)]
    order = await orders.get(shop.db, 1)
    assert order is not None
    assert (order.state, order.panel, order.upstream_id) == (
        State.ACTIVE, "second", next(iter(second.orders))
    )  # fmt: skip
    assert order.cost == 72_000  # what second charges: the shop's margin is $0.63

    await deliver(shop, translator)
    alert = texts(shop, ADMIN_ID)[-1]
    assert alert.startswith("↪ Order #1: main:101 was refused (")
    assert "so the order went to its backup second:2001 at the price the customer agreed" in alert
    assert not any("backup" in text for text in texts(shop, 1))
    await boss.send("/order 1")
    card = boss.last_text()
    assert "Service second:2001 " in card
    assert "(the customer chose main:101; its backup served the order)" in card
    assert (await audit(shop.db)).ok


@pytest.mark.parametrize(
    "answer",
    [httpx.ReadTimeout("no answer"), httpx.Response(502, text="Bad gateway")],
    ids=["timeout", "5xx"],
)
async def test_an_ambiguous_answer_never_goes_to_the_backup(
    two_panels: Shop, boss: TelegramUser, answer: httpx.Response | Exception
) -> None:
    shop, second = two_panels, second_of(two_panels)
    await link_backup(boss)
    person = await shop.customer(1, balance=10_000)
    shop.sandbox.fail_next("add", answer, processed=True)  # main took it; the answer is lost
    await buy(person)

    assert "Order #1 is being checked with our supplier" in person.last_text()
    assert len(shop.adds()) == 1
    assert adds(second) == []
    order = await orders.get(shop.db, 1)
    assert order is not None
    assert (order.state, order.panel, order.backup_of) == (State.UNKNOWN, "main", None)
    assert await entries(shop, 1) == [("order", -135), ("topup", 10_000)]


async def test_a_refused_link_is_not_sent_to_the_backup(
    two_panels: Shop, boss: TelegramUser
) -> None:
    shop, second = two_panels, second_of(two_panels)
    await link_backup(boss)
    person = await shop.customer(1, balance=10_000)
    shop.sandbox.fail_next("add", httpx.Response(200, json={"error": "Incorrect link"}))
    await buy(person)

    assert "Order #1 could not be placed" in person.last_text()
    assert "Your money is back on your balance" in person.last_text()
    assert adds(second) == []
    order = await orders.get(shop.db, 1)
    assert order is not None
    assert (order.state, order.panel) == (State.FAILED, "main")
    assert await shop.balance(1) == 10_000
    assert await entries(shop, 1) == [("refund", 135), ("order", -135), ("topup", 10_000)]


LIKES = (LINK, "10000", "click:Skip")  # main:111 at 0.0125 per 1000, second:2003 at 0.015


@pytest.mark.parametrize(
    ("markup", "charge", "placed_on"),
    [("0", 13, None), ("50", 19, "second")],
    ids=["dearer-than-the-price", "dearer-but-within-the-price"],
)
async def test_a_backup_is_used_only_within_the_agreed_price(
    two_panels: Shop, boss: TelegramUser, markup: str, charge: int, placed_on: str | None
) -> None:
    shop, second = two_panels, second_of(two_panels)
    await link_backup(boss, "main:111", "second:2003")
    await boss.send(f"/markup {markup}")
    person = await shop.customer(1, balance=10_000)
    shop.sandbox.fail_next("add", httpx.Response(200, json=NO_FUNDS))
    summary = await buy(person, 111, LIKES, "Instagram Likes")

    assert f"${charge / 100:.2f}" in summary  # 10,000 likes cost main $0.125, second $0.15
    order = await orders.get(shop.db, 1)
    assert order is not None
    if placed_on is None:
        assert "Order #1 could not be placed" in person.last_text()
        assert adds(second) == []
        assert (order.state, order.panel) == (State.FAILED, "main")
        assert await shop.balance(1) == 10_000
    else:
        assert "Order #1 is placed" in person.last_text()
        assert [form["service"] for form in adds(second)] == ["2003"]
        assert (order.state, order.panel) == (State.ACTIVE, placed_on)
        assert await shop.balance(1) == 10_000 - charge


async def test_when_the_backup_refuses_too_the_order_fails_once(
    two_panels: Shop, boss: TelegramUser
) -> None:
    shop, second = two_panels, second_of(two_panels)
    await link_backup(boss)
    await link_backup(boss, "second:2001", "main:101")  # each the other's backup
    person = await shop.customer(1, balance=10_000)
    shop.sandbox.fail_next("add", httpx.Response(200, json=NO_FUNDS))
    second.fail_next("add", httpx.Response(200, json=NO_FUNDS))
    await buy(person)

    assert "Order #1 could not be placed" in person.last_text()
    assert (len(shop.adds()), len(adds(second))) == (1, 1)  # no third attempt anywhere
    order = await orders.get(shop.db, 1)
    assert order is not None
    assert order.state is State.FAILED
    assert await shop.balance(1) == 10_000
    assert await entries(shop, 1) == [("refund", 135), ("order", -135), ("topup", 10_000)]
    assert (await audit(shop.db)).ok


async def test_a_backup_switched_off_is_not_used(two_panels: Shop, boss: TelegramUser) -> None:
    shop, second = two_panels, second_of(two_panels)
    await link_backup(boss)
    await boss.send("/backup main:101 off")
    assert boss.last_text() == "main:101 has no backup now."
    person = await shop.customer(1, balance=10_000)
    shop.sandbox.fail_next("add", httpx.Response(200, json=NO_FUNDS))
    await buy(person)
    assert "Order #1 could not be placed" in person.last_text()
    assert adds(second) == []
    assert await shop.balance(1) == 10_000


# --- tracking on each order's own panel ---


async def test_a_panel_down_holds_only_its_own_orders_and_rests(
    two_panels: Shop, shop_config: ShopConfig, clock: FakeClock, translator: Translator
) -> None:
    shop, second = two_panels, second_of(two_panels)
    on_main = await shop.customer(1, balance=10_000)
    await buy(on_main)
    on_second = await shop.customer(2, balance=10_000)
    await buy(on_second, await shop_id(shop, "second", 2001))
    assert [order.panel for order in await orders.in_states(shop.db, [State.ACTIVE], 10)] == [
        "main", "second"
    ]  # fmt: skip
    for _ in range(2):
        shop.sandbox.fail_next("status", httpx.ConnectError("main is down"))
    clock.advance(1000)  # both orders are done upstream
    backoff = Backoff()

    await poll_once(shop.db, shop.panels, shop_config, backoff=backoff)
    await deliver(shop, translator)
    assert "Order #2 (IG Followers [HQ] [Refill 30D]) is complete" in on_second.last_text()
    first = await orders.get(shop.db, 1)
    assert first is not None and first.state is State.ACTIVE
    assert "complete" not in on_main.last_text()

    await poll_once(shop.db, shop.panels, shop_config, backoff=backoff)  # main fails again
    asked_main = len(asked(shop.sandbox, "status"))
    assert asked_main == 2
    stats = await poll_once(shop.db, shop.panels, shop_config, backoff=backoff)
    assert stats.resting == ["main"]
    assert len(asked(shop.sandbox, "status")) == asked_main  # main was left alone

    stats = await poll_once(shop.db, shop.panels, shop_config, backoff=backoff)
    assert stats.resting == []
    assert len(asked(shop.sandbox, "status")) == asked_main + 1
    await deliver(shop, translator)
    assert "Order #1 (Instagram Followers [Real] [Refill 30D]) is complete" in on_main.last_text()
    assert asked(second, "status") == [{"action": "status", "orders": "5001"}]


async def served_by_backup(shop: Shop, boss: TelegramUser) -> TelegramUser:
    """Order #1 of customer 1: main out of funds, placed on second:2001; its card is open."""
    await link_backup(boss)
    person = await shop.customer(1, balance=10_000)
    shop.sandbox.fail_next("add", httpx.Response(200, json=NO_FUNDS))
    await buy(person)
    await person.click("View order")
    return person


async def test_the_backup_order_is_cancelled_on_its_panel(
    two_panels: Shop, boss: TelegramUser, shop_config: ShopConfig, clock: FakeClock
) -> None:
    shop, second = two_panels, second_of(two_panels)
    person = await served_by_backup(shop, boss)
    await person.click("Cancel order")
    assert "Cancellation requested" in shop.alerts()[-1]
    assert asked(second, "cancel") == [{"action": "cancel", "orders": "5001"}]
    assert asked(shop.sandbox, "cancel") == []
    clock.advance(30)
    await poll_once(shop.db, shop.panels, shop_config)
    order = await orders.get(shop.db, 1)
    assert order is not None and order.state is State.CANCELED
    assert await shop.balance(1) == 10_000
    assert asked(shop.sandbox, "status") == []


async def test_the_backup_order_is_refilled_on_its_panel(
    two_panels: Shop, boss: TelegramUser, shop_config: ShopConfig, clock: FakeClock
) -> None:
    shop, second = two_panels, second_of(two_panels)
    person = await served_by_backup(shop, boss)
    clock.advance(1000)
    await poll_once(shop.db, shop.panels, shop_config)
    await person.click("Refresh")
    assert "Completed" in person.last_text()
    await person.click("Refill")
    assert "Refill requested" in shop.alerts()[-1]
    assert asked(second, "refill") == [{"action": "refill", "order": "5001"}]
    clock.advance(1000)
    assert await poll_refills_once(shop.db, shop.panels) == 1
    assert [form["action"] for form in second.requests][-1] == "refill_status"
    assert asked(shop.sandbox, "refill") == asked(shop.sandbox, "refill_status") == []
    assert await shop.balance(1) == 10_000 - 135


# --- the owner's commands ---


@pytest.mark.parametrize(
    ("command", "answer"),
    [
        ("/backup", "Usage: /backup main:101 second:2001"),
        ("/backup main:101", "Usage: /backup main:101 second:2001"),
        ("/backup main:999 second:2001", "Usage: /backup main:101 second:2001"),
        ("/backup main:101 second:9999", "No such service. Name it as panel:id"),
        ("/backup main:101 third:2001", "No such service. Name it as panel:id"),
        ("/backup main:101 main:102", "A backup must be on another panel"),
        ("/backup main:101 second:2002", "A backup must be of the same type"),  # a package
    ],
)
async def test_backup_usage_errors(
    two_panels: Shop, boss: TelegramUser, command: str, answer: str
) -> None:
    await boss.send(command)
    assert answer in boss.last_text()
    primary = await services.by_upstream(two_panels.db, "main", 101)
    assert primary is not None and primary.backup_id is None


async def test_hide_and_show_a_panel(two_panels: Shop, boss: TelegramUser) -> None:
    shop, second = two_panels, second_of(two_panels)
    person = await shop.customer(1, balance=10_000)
    await person.click("New order")
    assert ["TikTok Views (2)"] in person.buttons()
    assert ["Instagram Followers (5)"] in person.buttons()
    await boss.send("/hide panel second")
    assert boss.last_text() == "panel second is hidden from customers."
    await person.click("🏠 Menu")
    await person.click("New order")
    assert ["TikTok Views (2)"] not in person.buttons()
    assert ["Instagram Followers (3)"] in person.buttons()
    await person.click("Instagram Followers (")
    assert "IG Followers" not in person.last_text()
    await person.send("/search IG Followers")
    assert "Nothing matches" in person.last_text()

    # Hidden from sale, it still stands in for main when main refuses.
    await link_backup(boss)
    shop.sandbox.fail_next("add", httpx.Response(200, json=NO_FUNDS))
    await person.click("🏠 Menu")
    await buy(person)
    assert "Order #1 is placed" in person.last_text()
    assert [form["service"] for form in adds(second)] == ["2001"]

    await boss.send("/show panel second")
    assert boss.last_text() == "panel second is on sale again."
    await person.send("/search IG Followers")
    assert "IG Followers [HQ]" in person.last_text()
    await boss.send("/hide panel nowhere")
    assert "Usage: /hide" in boss.last_text()


async def test_markup_of_a_panel_and_a_service_over_it(
    two_panels: Shop, boss: TelegramUser
) -> None:
    shop = two_panels
    person = await shop.customer(1)
    await boss.send("/markup 40 panel second")
    assert boss.last_text() == "Markup for panel second is now 40%."
    await person.click("New order")
    await person.click("Instagram Followers (")
    screen = person.last_text()
    assert "IG Followers [HQ] [Refill 30D] — $1.01 per 1000" in screen  # 0.72 + 40%
    assert "Instagram Followers [Real] [Refill 30D] — $1.35 per 1000" in screen  # main: + 50%
    await boss.send("/markup 10 service second:2001")
    await person.click("Back")
    await person.click("Instagram Followers (")
    screen = person.last_text()
    assert "IG Followers [HQ] [Refill 30D] — $0.80 per 1000" in screen  # the service's 10%
    assert "IG Followers Package [1000] — $1.54 per package" in screen  # 1.10 + the panel's 40%
    await boss.send("/markup 40 panel nowhere")
    assert "Usage: /markup" in boss.last_text()


@pytest.mark.parametrize(("hide", "show"), [("main:101", "101"), ("101", "main:101")])
async def test_a_plain_service_id_means_the_main_panels(
    two_panels: Shop, boss: TelegramUser, hide: str, show: str
) -> None:
    shop = two_panels
    await boss.send(f"/hide service {hide}")
    assert boss.last_text() == f"service {hide} is hidden from customers."
    hidden = await services.by_upstream(shop.db, "main", 101)
    assert hidden is not None and hidden.hidden
    others = [await services.get(shop.db, await shop_id(shop, "second", 2001))]
    assert not any(service is None or service.hidden for service in others)
    person = await shop.customer(1)
    await person.click("New order")
    await person.click("Instagram Followers (")
    assert "#101 " not in person.last_text()
    await boss.send(f"/show service {show}")
    await person.click("Back")
    await person.click("Instagram Followers (")
    assert "#101 Instagram Followers [Real]" in person.last_text()


async def test_panel_lists_each_balance(two_panels: Shop, boss: TelegramUser) -> None:
    await boss.send("/panel")
    assert boss.last_text() == "Panel main: $1,000.00\nPanel second: $50.00"
    await link_backup(boss)
    person = await two_panels.customer(1, balance=10_000)
    two_panels.sandbox.fail_next("add", httpx.Response(200, json=NO_FUNDS))
    await buy(person)
    await boss.send("/panel")
    assert boss.last_text() == "Panel main: $1,000.00\nPanel second: $49.28"


async def test_stats_show_each_panel_and_its_backup_orders(
    two_panels: Shop, boss: TelegramUser
) -> None:
    shop = two_panels
    await link_backup(boss)
    person = await shop.customer(1, balance=10_000)
    shop.sandbox.fail_next("add", httpx.Response(200, json=NO_FUNDS))
    await buy(person)  # on second, as main:101's backup: $1.35 for $0.72
    await buy(person)  # on main: $1.35 for $0.90
    await boss.send("/stats")
    text = boss.last_text()
    assert "main: orders: 1 (as a backup: 0) · revenue $1.35 · cost $0.90 · margin $0.45" in text
    assert "second: orders: 1 (as a backup: 1) · revenue $1.35 · cost $0.72 · margin $0.63" in text


# --- one catalog ---


async def test_the_customer_sees_one_catalog_of_both_panels(two_panels: Shop) -> None:
    shop, second = two_panels, second_of(two_panels)
    person = await shop.customer(1, balance=10_000)
    await person.click("New order")
    categories = person.buttons()
    assert ["Instagram Followers (5)"] in categories
    assert categories.index(["TikTok Views (2)"]) > categories.index(["Twitter / X (3)"])
    await person.click("Instagram Followers (")
    screen = person.last_text()
    assert "#101 Instagram Followers [Real]" in screen
    assert f"#{await shop_id(shop, 'second', 2001)} IG Followers [HQ]" in screen
    assert "second" not in screen.lower()
    tiktok = await shop_id(shop, "second", 2021)
    await person.click("🏠 Menu")
    await buy(
        person, tiktok, ("https://tiktok.com/@me/video/1", "1000", "click:Skip"), "TikTok Views"
    )
    assert "Order #1 is placed" in person.last_text()
    assert [form["service"] for form in adds(second)] == ["2021"]
    assert shop.adds() == []


async def test_order_again_of_a_backup_order_is_the_service_the_customer_chose(
    two_panels: Shop, boss: TelegramUser, shop_config: ShopConfig, clock: FakeClock
) -> None:
    shop, second = two_panels, second_of(two_panels)
    person = await served_by_backup(shop, boss)
    clock.advance(1000)
    await poll_once(shop.db, shop.panels, shop_config)
    await person.click("Refresh")
    await person.click("Order again")
    summary = person.last_text()
    assert "Instagram Followers [Real] [Refill 30D]" in summary and "$1.35" in summary
    assert "IG Followers" not in summary
    await person.click("Confirm")
    assert "Order #2 is placed" in person.last_text()
    assert [form["service"] for form in shop.adds()] == ["101", "101"]  # main has funds again
    assert len(adds(second)) == 1


async def test_sync_reports_each_panel_and_goes_on_past_one_that_fails(
    two_panels: Shop, boss: TelegramUser
) -> None:
    await boss.send("/sync")
    assert boss.last_text() == (
        "Panel main synced: 0 new, 0 changed, 0 gone, 23 in all.\n"
        "Panel second synced: 0 new, 0 changed, 0 gone, 10 in all."
    )
    second_of(two_panels).fail_next("services", httpx.ConnectError("down"))
    await boss.send("/sync")
    main_line, second_line = boss.last_text().split("\n")
    assert main_line == "Panel main synced: 0 new, 0 changed, 0 gone, 23 in all."
    assert second_line.startswith("Panel second did not answer properly:")


async def test_the_below_cost_alert_names_the_service_as_the_admin_commands_take_it(
    two_panels: Shop, boss: TelegramUser, translator: Translator
) -> None:
    """The alert says `second:2001`, the name /markup and /hide take, not the shop's number."""
    shop = two_panels
    await boss.send("/markup -50 service second:2001")
    person = await shop.customer(1)
    await open_listed(person, "Instagram Followers", await shop_id(shop, "second", 2001))
    await person.click("Order this")
    await fill(person, FOLLOWERS)
    assert person.last_text() == "This service is not available any more. Please pick another one."
    await deliver(shop, translator)
    alert = texts(shop, ADMIN_ID)[-1]
    assert alert.startswith("⚠ Service second:2001 (IG Followers [HQ] [Refill 30D]) would sell")
    await boss.send("/markup 10 service second:2001")  # the name from the alert, as typed
    await person.click("Menu")
    await open_listed(person, "Instagram Followers", await shop_id(shop, "second", 2001))
    await person.click("Order this")
    await fill(person, FOLLOWERS)
    assert "Please check your order" in person.last_text()
