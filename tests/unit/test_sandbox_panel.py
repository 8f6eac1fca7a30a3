"""The sandbox panel, driven over a real httpx.AsyncClient the way the bot's client talks to it."""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import httpx
import pytest

from bot.panel.sandbox import CATALOG, SandboxPanel

LINK = "https://instagram.com/p/Cx1a2b3"
URL = "/api/v2"

ALL_TYPES = (
    "Default",
    "Package",
    "SEO",
    "Custom Comments",
    "Custom Comments Package",
    "Mentions",
    "Mentions with Hashtags",
    "Mentions Custom List",
    "Mentions Hashtag",
    "Mentions User Followers",
    "Mentions Media Likers",
    "Comment Likes",
    "Comment Replies",
    "Poll",
    "Invites from Groups",
    "Subscriptions",
)


def lines(count: int, word: str = "comment") -> str:
    return "\n".join(f"{word} {i}" for i in range(count))


# A valid `add` for each type (DESIGN section 5), quantities inside the first service's bounds.
VALID: dict[str, dict[str, str]] = {
    "Default": {"link": LINK, "quantity": "1000"},
    "Package": {"link": LINK},
    "SEO": {"link": LINK, "quantity": "1000", "keywords": "smm panel\nbuy views"},
    "Custom Comments": {"link": LINK, "comments": lines(12)},
    "Custom Comments Package": {"link": LINK, "comments": "nice\ngreat"},
    "Mentions": {"link": LINK, "quantity": "1000", "usernames": "alice\nbob"},
    "Mentions with Hashtags": {
        "link": LINK,
        "quantity": "1000",
        "usernames": "alice\nbob",
        "hashtags": "#smm\n#growth",
    },
    "Mentions Custom List": {"link": LINK, "usernames": lines(12, "user")},
    "Mentions Hashtag": {"link": LINK, "quantity": "1000", "hashtag": "#smm"},
    "Mentions User Followers": {"link": LINK, "quantity": "1000", "username": "natgeo"},
    "Mentions Media Likers": {"link": LINK, "quantity": "1000", "media": LINK},
    "Comment Likes": {"link": LINK, "quantity": "1000", "username": "alice"},
    "Comment Replies": {"link": LINK, "username": "alice", "comments": lines(6)},
    "Poll": {"link": LINK, "quantity": "1000", "answer_number": "2"},
    "Invites from Groups": {"link": LINK, "quantity": "1000", "groups": "@groupa\n@groupb"},
    "Subscriptions": {
        "username": "natgeo",
        "min": "100",
        "max": "200",
        "posts": "5",
        "delay": "30",
    },
}

# The fields each type requires (DESIGN section 5), as an independent check of the panel's rules.
REQUIRED: dict[str, tuple[str, ...]] = {
    "Default": ("link", "quantity"),
    "Package": ("link",),
    "SEO": ("link", "quantity", "keywords"),
    "Custom Comments": ("link", "comments"),
    "Custom Comments Package": ("link", "comments"),
    "Mentions": ("link", "quantity", "usernames"),
    "Mentions with Hashtags": ("link", "quantity", "usernames", "hashtags"),
    "Mentions Custom List": ("link", "usernames"),
    "Mentions Hashtag": ("link", "quantity", "hashtag"),
    "Mentions User Followers": ("link", "quantity", "username"),
    "Mentions Media Likers": ("link", "quantity", "media"),
    "Comment Likes": ("link", "quantity", "username"),
    "Comment Replies": ("link", "username", "comments"),
    "Poll": ("link", "quantity", "answer_number"),
    "Invites from Groups": ("link", "quantity", "groups"),
    "Subscriptions": ("username", "min", "max", "posts", "delay"),
}


class FakeClock:
    def __init__(self) -> None:
        self.now = 5000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def service(type_: str, **flags: bool) -> dict[str, Any]:
    """The first catalog service of a type (and flags, e.g. cancel=False)."""
    return next(
        s
        for s in CATALOG
        if s["type"] == type_ and all(s[name] is value for name, value in flags.items())
    )


def sid(type_: str, **flags: bool) -> str:
    return str(service(type_, **flags)["service"])


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def panel(clock: FakeClock) -> SandboxPanel:
    return SandboxPanel(clock=clock)


@pytest.fixture
async def client(panel: SandboxPanel) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(
        transport=panel.transport(), base_url="http://panel.test"
    ) as client:
        yield client


async def call(client: httpx.AsyncClient, action: str, key: str = "sandbox", **form: str) -> Any:
    response = await client.post(URL, data={"key": key, "action": action, **form})
    assert response.status_code == 200
    return response.json()


async def add(client: httpx.AsyncClient, type_: str, **overrides: str) -> Any:
    form = {"service": sid(type_), **VALID[type_], **overrides}
    return await call(client, "add", **{name: value for name, value in form.items() if value})


# --- catalog ---


async def test_catalog_is_served_in_the_seed_shape(client: httpx.AsyncClient) -> None:
    served = await call(client, "services")
    assert served == list(CATALOG)
    for entry in served:
        assert set(entry) == {
            "service",
            *("name", "type", "category", "rate", "min", "max"),
            *("refill", "cancel", "dripfeed"),
        }
        assert isinstance(entry["service"], int)
        rate = Decimal(entry["rate"])
        assert rate > 0
        assert -rate.as_tuple().exponent <= 5  # type: ignore[operator]
        assert entry["min"].isdigit()
        assert entry["max"].isdigit()
        assert int(entry["min"]) <= int(entry["max"])
        assert all(isinstance(entry[flag], bool) for flag in ("refill", "cancel", "dripfeed"))
    assert len({entry["service"] for entry in served}) == len(served)


def test_catalog_covers_every_type_and_one_unknown() -> None:
    types = Counter(entry["type"] for entry in CATALOG)
    assert set(ALL_TYPES) <= set(types)
    assert set(types) - set(ALL_TYPES) == {"Custom Data"}
    assert 5 <= len({entry["category"] for entry in CATALOG}) <= 8
    assert any(e["dripfeed"] for e in CATALOG if e["type"] == "Default")
    assert not any(e["dripfeed"] for e in CATALOG if e["type"] != "Default")
    assert {e["refill"] for e in CATALOG} == {True, False}
    assert {e["cancel"] for e in CATALOG} == {True, False}
    for package_type in ("Package", "Custom Comments Package"):
        assert (service(package_type)["min"], service(package_type)["max"]) == ("1", "1")


# --- key, action, requests log ---


@pytest.mark.parametrize("key", ["wrong", ""])
async def test_wrong_key_is_refused(client: httpx.AsyncClient, key: str) -> None:
    assert await call(client, "balance", key=key) == {"error": "Incorrect request key"}


async def test_missing_key_and_unknown_action(client: httpx.AsyncClient) -> None:
    response = await client.post(URL, data={"action": "balance"})
    assert (response.status_code, response.json()) == (200, {"error": "Incorrect request key"})
    assert await call(client, "frobnicate") == {"error": "Incorrect action"}


async def test_requests_are_recorded_without_the_key(
    client: httpx.AsyncClient, panel: SandboxPanel
) -> None:
    await add(client, "Default")
    await call(client, "status", order="1001")
    assert panel.requests == [
        {"action": "add", "service": sid("Default"), **VALID["Default"]},
        {"action": "status", "order": "1001"},
    ]
    assert panel.orders[1001].params == panel.requests[0]


# --- add: validation ---


@pytest.mark.parametrize("type_", ALL_TYPES)
async def test_every_type_can_be_ordered(client: httpx.AsyncClient, type_: str) -> None:
    assert await add(client, type_) == {"order": 1001}


@pytest.mark.parametrize(
    ("type_", "missing"), [(t, name) for t, names in REQUIRED.items() for name in names]
)
async def test_a_missing_field_is_refused(
    client: httpx.AsyncClient, panel: SandboxPanel, type_: str, missing: str
) -> None:
    error = "Incorrect link" if missing == "link" else f"Missing {missing}"
    assert await add(client, type_, **{missing: ""}) == {"error": error}
    assert await add(client, type_, **{missing: "  \n "}) == {"error": error}
    assert panel.orders == {}


@pytest.mark.parametrize(
    ("type_", "overrides", "error"),
    [
        ("Default", {"service": "999"}, "Incorrect service ID"),
        ("Default", {"service": "abc"}, "Incorrect service ID"),
        ("Default", {"service": ""}, "Incorrect service ID"),
        ("Default", {"quantity": "49"}, "Quantity less than minimal 50"),
        ("Default", {"quantity": "10001"}, "Quantity more than maximal 10000"),
        ("Default", {"quantity": "12.5"}, "Incorrect quantity"),
        ("Default", {"quantity": "-100"}, "Incorrect quantity"),
        ("Custom Comments", {"comments": lines(9)}, "Quantity less than minimal 10"),
        ("Custom Comments", {"comments": lines(1501)}, "Quantity more than maximal 1500"),
        ("Mentions Custom List", {"usernames": "a\n\nb\n"}, "Quantity less than minimal 10"),
        ("Comment Replies", {"comments": lines(4)}, "Quantity less than minimal 5"),
        ("Poll", {"quantity": "49"}, "Quantity less than minimal 50"),
        ("Subscriptions", {"min": "49"}, "Quantity less than minimal 50"),
        ("Subscriptions", {"max": "5001"}, "Quantity more than maximal 5000"),
        ("Subscriptions", {"min": "300", "max": "200"}, "Incorrect max"),
        ("Subscriptions", {"posts": "0"}, "Incorrect posts"),
        ("Subscriptions", {"posts": "many"}, "Incorrect posts"),
        ("Subscriptions", {"old_posts": "some"}, "Incorrect old_posts"),
        ("Subscriptions", {"delay": "7"}, "Incorrect delay"),
        ("Subscriptions", {"delay": "660"}, "Incorrect delay"),
        ("Subscriptions", {"expiry": "2030-01-31"}, "Incorrect expiry"),
        ("Subscriptions", {"expiry": "31/02/2030"}, "Incorrect expiry"),
    ],
)
async def test_add_is_validated(
    client: httpx.AsyncClient,
    panel: SandboxPanel,
    type_: str,
    overrides: dict[str, str],
    error: str,
) -> None:
    form = {"service": sid(type_), **VALID[type_], **overrides}
    assert await call(client, "add", **form) == {"error": error}
    assert panel.orders == {}
    assert panel.balance == Decimal("1000")


@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        ({"runs": "3", "interval": "10"}, "Drip-feed is not available for this service"),
        ({"interval": "10"}, "Drip-feed is not available for this service"),
    ],
)
async def test_drip_feed_only_on_drip_feed_services(
    client: httpx.AsyncClient, overrides: dict[str, str], error: str
) -> None:
    form = {"service": sid("Default", dripfeed=False), **VALID["Default"], **overrides}
    assert await call(client, "add", **form) == {"error": error}


@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        ({"runs": "3"}, "Missing interval"),
        ({"interval": "10"}, "Missing runs"),
        ({"runs": "0", "interval": "10"}, "Incorrect runs"),
        ({"runs": "3", "interval": "0"}, "Incorrect interval"),
        ({"runs": "x", "interval": "10"}, "Incorrect runs"),
    ],
)
async def test_drip_feed_fields_are_validated(
    client: httpx.AsyncClient, overrides: dict[str, str], error: str
) -> None:
    form = {"service": sid("Default", dripfeed=True), **VALID["Default"], **overrides}
    assert await call(client, "add", **form) == {"error": error}


async def test_subscription_accepts_optional_fields(client: httpx.AsyncClient) -> None:
    assert await add(client, "Subscriptions", old_posts="3", expiry="31/12/2030") == {"order": 1001}


async def test_unknown_type_is_accepted_like_default(client: httpx.AsyncClient) -> None:
    form = {"service": sid("Custom Data"), "link": LINK, "quantity": "100"}
    assert await call(client, "add", **form) == {"order": 1001}


async def test_not_enough_funds(clock: FakeClock) -> None:
    panel = SandboxPanel(clock=clock, balance=Decimal("1.00"))
    async with httpx.AsyncClient(transport=panel.transport(), base_url="http://p") as client:
        assert await add(client, "Default", quantity="1000") == {"order": 1001}  # 0.90
        assert await add(client, "Default", quantity="1000") == {
            "error": "Not enough funds on balance"
        }
        assert list(panel.orders) == [1001]
        assert await call(client, "balance") == {"balance": "0.10000", "currency": "USD"}


# --- add: charge math ---


@pytest.mark.parametrize(
    ("service_id", "form", "quantity", "charge"),
    [
        # Default: rate 0.90 per 1000
        ("101", {"link": LINK, "quantity": "1000"}, 1000, "0.90000"),
        # Default with drip-feed: 500 x 4 runs at 0.45
        ("102", {"link": LINK, "quantity": "500", "runs": "4", "interval": "30"}, 2000, "0.90000"),
        # 0.0125 x 150 / 1000 = 0.001875, and 1.1875 x 777 / 1000 = 0.9226875: 5 decimals
        ("111", {"link": LINK, "quantity": "150"}, 150, "0.00188"),
        ("141", {"link": LINK, "quantity": "777"}, 777, "0.92269"),
        # Package and Custom Comments Package: the rate is one package
        ("103", {"link": LINK}, 1, "1.25000"),
        ("122", {"link": LINK, "comments": "nice\ngreat"}, 1, "4.50000"),
        # Custom Comments: 12 non-empty lines (blank lines and CRLF ignored) at 8 per 1000
        ("121", {"link": LINK, "comments": lines(12).replace("\n", "\r\n\r\n")}, 12, "0.09600"),
        ("123", {"link": LINK, "username": "a", "comments": lines(6) + "\n\n"}, 6, "0.07200"),
        ("133", {"link": LINK, "usernames": lines(12, "user") + "\n  \n"}, 12, "0.07200"),
        # Subscriptions: rate 0.55 x max 200 x posts 5 / 1000
        ("113", VALID["Subscriptions"], 1000, "0.55000"),
        ("142", VALID["SEO"], 1000, "2.40000"),
        ("152", {**VALID["Invites from Groups"], "quantity": "250"}, 250, "1.37500"),
    ],
)
async def test_charge_per_type(
    client: httpx.AsyncClient,
    panel: SandboxPanel,
    service_id: str,
    form: dict[str, str],
    quantity: int,
    charge: str,
) -> None:
    assert await call(client, "add", service=service_id, **form) == {"order": 1001}
    order = panel.orders[1001]
    assert (order.service, order.quantity, order.charge) == (
        int(service_id),
        quantity,
        Decimal(charge),
    )
    assert (await call(client, "status", order="1001"))["charge"] == charge
    assert panel.balance == Decimal("1000") - Decimal(charge)


async def test_balance_goes_down_and_ids_increase(client: httpx.AsyncClient) -> None:
    assert await call(client, "balance") == {"balance": "1000.00000", "currency": "USD"}
    assert await add(client, "Default") == {"order": 1001}  # 0.90
    assert await add(client, "Package") == {"order": 1002}  # 1.25
    assert await call(client, "balance") == {"balance": "997.85000", "currency": "USD"}


async def test_currency_is_configurable() -> None:
    panel = SandboxPanel(currency="EUR", balance=Decimal("12.3"))
    async with httpx.AsyncClient(transport=panel.transport(), base_url="http://p") as client:
        assert await call(client, "balance") == {"balance": "12.30000", "currency": "EUR"}
        await add(client, "Default")
        assert (await call(client, "status", order="1001"))["currency"] == "EUR"


# --- status over time ---


async def test_status_timeline(client: httpx.AsyncClient, clock: FakeClock) -> None:
    await add(client, "Default", quantity="1000")
    first = await call(client, "status", order="1001")
    assert first == {
        "charge": "0.90000",
        "start_count": first["start_count"],
        "status": "Pending",
        "remains": "1000",
        "currency": "USD",
    }
    assert first["start_count"].isdigit()

    seen = []
    for at in (19.9, 20, 70, 119.9, 120, 500):
        clock.now = 5000 + at
        answer = await call(client, "status", order="1001")
        assert answer["start_count"] == first["start_count"]
        seen.append((answer["status"], int(answer["remains"])))
    assert seen[0] == ("Pending", 1000)
    assert seen[1] == ("In progress", 1000)
    assert seen[2] == ("In progress", 500)
    assert seen[3][0] == "In progress"
    assert 0 < seen[3][1] < 500
    assert seen[4:] == [("Completed", 0), ("Completed", 0)]


async def test_every_fourth_order_ends_partial(
    client: httpx.AsyncClient, panel: SandboxPanel, clock: FakeClock
) -> None:
    for _ in range(4):
        await add(client, "Default", quantity="1000")
    clock.advance(120)
    answer = await call(client, "status", orders="1001,1002,1003,1004")
    assert [answer[i]["status"] for i in ("1001", "1002", "1003")] == ["Completed"] * 3
    assert answer["1004"]["status"] == "Partial"
    assert answer["1004"]["remains"] == "100"
    # The panel keeps only the delivered part: 0.90 x 900 / 1000, and refunds the rest.
    assert answer["1004"]["charge"] == "0.81000"
    assert panel.orders[1004].charge == Decimal("0.90000")
    assert panel.balance == Decimal("1000") - 3 * Decimal("0.90") - Decimal("0.81")


async def test_multiple_status_with_unknown_ids(client: httpx.AsyncClient) -> None:
    await add(client, "Default")
    await add(client, "Default")
    answer = await call(client, "status", orders="1001, 42,1002,abc")
    assert list(answer) == ["1001", "42", "1002", "abc"]
    assert answer["42"] == {"error": "Incorrect order ID"}
    assert answer["abc"] == {"error": "Incorrect order ID"}
    assert answer["1002"]["status"] == "Pending"


async def test_status_id_limits(client: httpx.AsyncClient) -> None:
    hundred = ",".join(str(n) for n in range(1, 101))
    assert len(await call(client, "status", orders=hundred)) == 100
    too_many = await call(client, "status", orders=hundred + ",101")
    assert set(too_many) == {"error"}
    assert await call(client, "status", order="1001") == {"error": "Incorrect order ID"}
    assert await call(client, "status") == {"error": "Incorrect order ID"}


async def test_subscription_follows_the_same_timeline(
    client: httpx.AsyncClient, clock: FakeClock
) -> None:
    await add(client, "Subscriptions")
    assert (await call(client, "status", order="1001"))["remains"] == "1000"
    clock.advance(120)
    assert (await call(client, "status", order="1001"))["status"] == "Completed"


async def test_default_timeline_suits_a_live_demo(clock: FakeClock) -> None:
    panel = SandboxPanel(clock=clock)
    async with httpx.AsyncClient(transport=panel.transport(), base_url="http://p") as client:
        await add(client, "Default")
    order = panel.orders[1001]
    clock.advance(19)
    assert order.status == "Pending"
    clock.advance(2)
    assert order.status == "In progress"
    clock.advance(99)
    assert (order.status, order.remains) == ("Completed", 0)


# --- cancel ---


async def test_cancel_is_requested_then_canceled(
    client: httpx.AsyncClient, panel: SandboxPanel, clock: FakeClock
) -> None:
    await add(client, "Default", quantity="1000")
    clock.advance(5)
    assert await call(client, "cancel", orders="1001") == [{"order": 1001, "cancel": 1}]
    assert panel.orders[1001].cancel_requested_at == 5005
    clock.advance(9.9)
    assert (await call(client, "status", order="1001"))["status"] == "Pending"
    clock.advance(0.1)
    answer = await call(client, "status", order="1001")
    assert (answer["status"], answer["remains"], answer["charge"]) == (
        "Canceled",
        "1000",
        "0.00000",
    )
    assert panel.balance == Decimal("1000")
    clock.advance(500)  # stays canceled
    assert panel.orders[1001].status == "Canceled"


async def test_cancel_is_refused(client: httpx.AsyncClient, clock: FakeClock) -> None:
    await add(client, "Default")  # 1001: cancel=true
    await call(client, "add", service=sid("Default", cancel=False), link=LINK, quantity="500")
    await add(client, "Default")  # 1003, canceled twice below
    assert await call(client, "cancel", orders="1003") == [{"order": 1003, "cancel": 1}]
    not_available = {"error": "Cancel is not available"}
    assert await call(client, "cancel", orders="1002,9,1003") == [
        {"order": 1002, "cancel": not_available},
        {"order": 9, "cancel": {"error": "Incorrect order ID"}},
        {"order": 1003, "cancel": not_available},
    ]
    clock.advance(120)  # 1001 is Completed now
    assert await call(client, "cancel", orders="1001") == [{"order": 1001, "cancel": not_available}]
    assert await call(client, "cancel") == {"error": "Incorrect order ID"}


async def test_cancel_in_progress_ends_partial(
    client: httpx.AsyncClient, panel: SandboxPanel, clock: FakeClock
) -> None:
    await add(client, "Default", quantity="1000")
    clock.advance(70)  # half delivered
    assert await call(client, "cancel", orders="1001") == [{"order": 1001, "cancel": 1}]
    clock.advance(10)
    answer = await call(client, "status", order="1001")
    assert (answer["status"], answer["remains"], answer["charge"]) == ("Partial", "500", "0.45000")
    assert panel.balance == Decimal("999.55")


async def test_the_balance_is_the_deposit_less_every_orders_bill_as_time_goes_by(
    client: httpx.AsyncClient, panel: SandboxPanel, clock: FakeClock
) -> None:
    """Orders ending Completed, Partial (every fourth), canceled before and during delivery,
    placed at different times: the balance the panel answers is always the deposit less the
    sum of what each order is billed at that moment."""
    for number in range(40):
        await add(client, "Default", quantity=str(1000 + 10 * number))
        if number % 5 == 0:
            await call(client, "cancel", orders=str(1001 + number))
        clock.advance(7)
    for _ in range(30):
        answer = await call(client, "balance")
        billed = sum((order.billed for order in panel.orders.values()), Decimal(0))
        assert Decimal(answer["balance"]) == Decimal("1000") - billed
        clock.advance(4)
    assert {order.status for order in panel.orders.values()} == {"Completed", "Partial", "Canceled"}


# --- refill ---


async def test_refill_flow(
    client: httpx.AsyncClient, panel: SandboxPanel, clock: FakeClock
) -> None:
    await add(client, "Default")  # refill=true
    not_available = {"error": "Refill is not available"}
    assert await call(client, "refill", order="1001") == not_available  # still Pending
    clock.advance(120)
    assert await call(client, "refill", order="1001") == {"refill": "7001"}
    assert panel.orders[1001].refills == [7001]
    timeline = []
    for step in (0, 20, 100):
        clock.advance(step)
        timeline.append(await call(client, "refill_status", refill="7001"))
    assert timeline == [{"status": s} for s in ("Pending", "In progress", "Completed")]


async def test_refill_refusals(client: httpx.AsyncClient, clock: FakeClock) -> None:
    await add(client, "Default")  # 1001 refill=true
    await call(client, "add", service=sid("Default", refill=False), link=LINK, quantity="500")
    clock.advance(120)
    assert await call(client, "refill", order="1002") == {"error": "Refill is not available"}
    assert await call(client, "refill", order="77") == {"error": "Incorrect order ID"}
    assert await call(client, "refill", orders="1001,1002,77") == [
        {"order": 1001, "refill": 7001},
        {"order": 1002, "refill": {"error": "Refill is not available"}},
        {"order": 77, "refill": {"error": "Incorrect order ID"}},
    ]


async def test_partial_order_can_be_refilled(client: httpx.AsyncClient, clock: FakeClock) -> None:
    for _ in range(4):
        await add(client, "Default")
    clock.advance(120)
    assert (await call(client, "status", order="1004"))["status"] == "Partial"
    assert await call(client, "refill", order="1004") == {"refill": "7001"}


async def test_multiple_refill_status(client: httpx.AsyncClient, clock: FakeClock) -> None:
    await add(client, "Default")
    await add(client, "Default")
    clock.advance(120)
    await call(client, "refill", orders="1001,1002")
    clock.advance(30)
    assert await call(client, "refill_status", refills="7001,3,7002") == [
        {"refill": 7001, "status": "In progress"},
        {"refill": 3, "status": {"error": "Refill not found"}},
        {"refill": 7002, "status": "In progress"},
    ]
    assert await call(client, "refill_status", refill="3") == {"error": "Refill not found"}
    assert await call(client, "refill_status", refill="") == {"error": "Refill not found"}


# --- fault injection ---


async def test_fail_next_with_a_response(client: httpx.AsyncClient, panel: SandboxPanel) -> None:
    panel.fail_next("balance", httpx.Response(502, text="<html>Bad Gateway</html>"))
    panel.fail_next("balance", httpx.Response(200, json={"error": "Server busy"}))
    assert await call(client, "status", order="1") == {"error": "Incorrect order ID"}  # untouched
    first = await client.post(URL, data={"key": "sandbox", "action": "balance"})
    assert (first.status_code, first.text) == (502, "<html>Bad Gateway</html>")
    assert await call(client, "balance") == {"error": "Server busy"}
    assert await call(client, "balance") == {"balance": "1000.00000", "currency": "USD"}
    assert [r["action"] for r in panel.requests] == ["status", "balance", "balance", "balance"]


async def test_fail_next_with_an_exception(client: httpx.AsyncClient, panel: SandboxPanel) -> None:
    panel.fail_next("add", httpx.ReadTimeout("timed out"))
    with pytest.raises(httpx.ReadTimeout) as raised:
        await add(client, "Default")
    assert raised.value.request.url.path == URL
    assert panel.orders == {}
    assert await add(client, "Default") == {"order": 1001}


async def test_fail_next_after_processing(client: httpx.AsyncClient, panel: SandboxPanel) -> None:
    panel.fail_next("add", httpx.RemoteProtocolError("connection dropped"), processed=True)
    with pytest.raises(httpx.RemoteProtocolError):
        await add(client, "Default")
    assert list(panel.orders) == [1001]  # the order exists upstream; the reply was lost
    assert panel.balance == Decimal("999.1")


# --- plumbing ---


def test_transport_is_an_async_httpx_transport() -> None:
    assert isinstance(SandboxPanel().transport(), httpx.AsyncBaseTransport)


async def test_only_post_is_served(client: httpx.AsyncClient) -> None:
    response = await client.get(URL, params={"key": "sandbox", "action": "balance"})
    assert response.status_code == 405


async def test_real_clock_by_default() -> None:
    panel = SandboxPanel()
    async with httpx.AsyncClient(transport=panel.transport(), base_url="http://p") as client:
        await add(client, "Default")
        assert (await call(client, "status", order="1001"))["status"] == "Pending"


def test_timing_is_checked() -> None:
    with pytest.raises(ValueError, match="pending_seconds"):
        SandboxPanel(pending_seconds=30, complete_seconds=10)
