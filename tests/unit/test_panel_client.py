"""Unit tests of the API v2 panel client against httpx.MockTransport, real-panel quirks included."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from decimal import Decimal
from urllib.parse import parse_qs

import httpx
import pytest
from pydantic import SecretStr

from bot.panel.client import MAX_IDS, PanelClient, chunked
from bot.panel.errors import (
    PanelError,
    PanelErrorKind,
    PanelOutcomeUnknown,
    PanelRefused,
    PanelUnreachable,
    classify_error,
)
from bot.panel.models import (
    TERMINAL_STATUSES,
    Balance,
    OrderStatus,
    PanelService,
    ServiceType,
    normalize_status,
    parse_service_type,
)

KEY = "k3y-SECRET-7f1e9c0d"
URL = "https://panel.example/api/v2"

Form = dict[str, str]
Responder = Callable[[Form], httpx.Response]
MakePanel = Callable[[Responder], tuple[PanelClient, list[Form]]]
Call = Callable[[PanelClient], Awaitable[object]]


def reply(body: object, status: int = 200) -> Responder:
    """Always answer ``body``: JSON-encoded, or sent verbatim when it is already text."""
    text = body if isinstance(body, str) else json.dumps(body)

    def responder(form: Form) -> httpx.Response:
        return httpx.Response(status, text=text, headers={"content-type": "application/json"})

    return responder


def fail(exc: Exception) -> Responder:
    """Raise ``exc`` from inside the transport, as httpx would on a network failure."""

    def responder(form: Form) -> httpx.Response:
        raise exc

    return responder


@pytest.fixture
async def make_panel() -> AsyncIterator[MakePanel]:
    """Build PanelClients over a MockTransport that checks and records every form sent."""
    https: list[httpx.AsyncClient] = []

    def factory(responder: Responder) -> tuple[PanelClient, list[Form]]:
        forms: list[Form] = []

        def handler(request: httpx.Request) -> httpx.Response:
            assert request.method == "POST"
            assert request.url == URL
            assert request.headers["content-type"] == "application/x-www-form-urlencoded"
            parsed = parse_qs(request.content.decode(), keep_blank_values=True)
            assert all(len(values) == 1 for values in parsed.values())
            form = {name: values[0] for name, values in parsed.items()}
            forms.append(form)
            return responder(form)

        http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
        https.append(http)
        return PanelClient(http, URL, SecretStr(KEY)), forms

    yield factory
    for http in https:
        await http.aclose()


def service_json(**overrides: object) -> dict[str, object]:
    entry: dict[str, object] = {
        "service": 1,
        "name": "Followers",
        "type": "Default",
        "category": "First Category",
        "rate": "0.90",
        "min": "50",
        "max": "10000",
        "refill": True,
        "cancel": True,
    }
    entry.update(overrides)
    return entry


# --- services ---------------------------------------------------------------------------------


async def test_services_documented_answer(make_panel: MakePanel) -> None:
    documented = [
        service_json(),
        service_json(
            service=2,
            name="Comments",
            type="Custom Comments",
            category="Second Category",
            rate="8",
            min="10",
            max="1500",
            refill=False,
        ),
    ]
    client, forms = make_panel(reply(documented))

    services = await client.services()

    assert forms == [{"key": KEY, "action": "services"}]
    assert services == [
        PanelService(
            id=1,
            name="Followers",
            type=ServiceType.DEFAULT,
            raw_type="Default",
            category="First Category",
            rate=Decimal("0.90"),
            min=50,
            max=10000,
            refill=True,
            cancel=True,
            dripfeed=False,
        ),
        PanelService(
            id=2,
            name="Comments",
            type=ServiceType.CUSTOM_COMMENTS,
            raw_type="Custom Comments",
            category="Second Category",
            rate=Decimal("8"),
            min=10,
            max=1500,
            refill=False,
            cancel=True,
            dripfeed=False,
        ),
    ]
    assert str(services[0].rate) == "0.90"


@pytest.mark.parametrize(
    ("rate_json", "expected"),
    [
        ('"0.90"', "0.90"),
        ("0.9", "0.9"),
        ("1.1", "1.1"),
        ("0.27819", "0.27819"),
        ("1", "1"),
        ('"8"', "8"),
        ('" 2.5 "', "2.5"),
    ],
)
async def test_services_rate_is_exact_decimal(
    make_panel: MakePanel, rate_json: str, expected: str
) -> None:
    body = (
        '[{"service": 1, "name": "X", "type": "Default", "category": "C",'
        f' "rate": {rate_json}, "min": 1, "max": 2}}]'
    )
    client, _ = make_panel(reply(body))

    (service,) = await client.services()

    assert isinstance(service.rate, Decimal)
    assert str(service.rate) == expected


async def test_services_ids_and_limits_as_strings_or_numbers(make_panel: MakePanel) -> None:
    body = (
        '[{"service": "17", "name": "A", "type": "Default", "category": "C", "rate": "1",'
        ' "min": "50", "max": 10000.0},'
        ' {"service": 18, "name": "B", "type": "Default", "category": "C", "rate": 1,'
        ' "min": 5, "max": "20"}]'
    )
    client, _ = make_panel(reply(body))

    first, second = await client.services()

    assert (first.id, first.min, first.max) == (17, 50, 10000)
    assert (second.id, second.min, second.max) == (18, 5, 20)


@pytest.mark.parametrize(
    ("flag_json", "expected"),
    [
        ("true", True),
        ("false", False),
        ("1", True),
        ("0", False),
        ('"1"', True),
        ('"0"', False),
        ('"true"', True),
        ('"false"', False),
        ('"TRUE"', True),
        ("null", False),
        (None, False),
    ],
)
async def test_services_booleans(
    make_panel: MakePanel, flag_json: str | None, expected: bool
) -> None:
    flags = (
        ""
        if flag_json is None
        else f', "refill": {flag_json}, "cancel": {flag_json}, "dripfeed": {flag_json}'
    )
    body = (
        '[{"service": 1, "name": "X", "type": "Default", "category": "C", "rate": "1",'
        f' "min": 1, "max": 2{flags}}}]'
    )
    client, _ = make_panel(reply(body))

    (service,) = await client.services()

    assert (service.refill, service.cancel, service.dripfeed) == (expected, expected, expected)


async def test_services_missing_flags_are_false_and_extra_fields_ignored(
    make_panel: MakePanel,
) -> None:
    entry = service_json(desc="Real followers, no drop", average_time="2 hours", status="active")
    del entry["refill"]
    del entry["cancel"]
    client, _ = make_panel(reply([entry]))

    (service,) = await client.services()

    assert (service.refill, service.cancel, service.dripfeed) == (False, False, False)
    assert service.name == "Followers"


@pytest.mark.parametrize(
    ("raw_type", "expected"),
    [
        ("custom_comments", ServiceType.CUSTOM_COMMENTS),
        ("DEFAULT", ServiceType.DEFAULT),
        ("default", ServiceType.DEFAULT),
        ("mentions-with-hashtags", ServiceType.MENTIONS_WITH_HASHTAGS),
        ("  Invites   from  GROUPS ", ServiceType.INVITES_FROM_GROUPS),
        ("Custom Comments Package", ServiceType.CUSTOM_COMMENTS_PACKAGE),
        ("seo", ServiceType.SEO),
        ("Brand New Type", None),
        ("", None),
    ],
)
async def test_services_type_any_case_or_separator(
    make_panel: MakePanel, raw_type: str, expected: ServiceType | None
) -> None:
    client, _ = make_panel(reply([service_json(type=raw_type)]))

    (service,) = await client.services()

    assert service.type is expected
    assert service.raw_type == raw_type.strip()


async def test_services_unknown_type_is_kept_and_logged(
    make_panel: MakePanel, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="bot.panel.client")
    client, _ = make_panel(reply([service_json(service=5, type="Telepathy")]))

    (service,) = await client.services()

    assert service.type is None
    assert service.raw_type == "Telepathy"
    assert any("unknown type" in record.getMessage() for record in caplog.records)


async def test_services_skips_entries_that_cannot_be_parsed(
    make_panel: MakePanel, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="bot.panel.client")
    entries: list[object] = [
        "not an object",
        {"name": "no id", "rate": "1", "min": 1, "max": 2},
        service_json(service=3, rate="abc"),
        service_json(service=4, rate="-1"),
        service_json(service=6, name=""),
        service_json(service=7, min="lots"),
        service_json(service=8),
    ]
    client, _ = make_panel(reply(entries))

    services = await client.services()

    assert [service.id for service in services] == [8]
    skipped = [r for r in caplog.records if "skipped entry" in r.getMessage()]
    assert len(skipped) == 6


@pytest.mark.parametrize("body", [{"services": []}, "null", '"ok"', {"1": service_json()}])
async def test_services_answer_not_a_list_is_outcome_unknown(
    make_panel: MakePanel, body: object
) -> None:
    client, _ = make_panel(reply(body))

    with pytest.raises(PanelOutcomeUnknown):
        await client.services()


def test_parse_service_type_round_trips_every_type() -> None:
    for service_type in ServiceType:
        assert parse_service_type(service_type.value) is service_type
        assert parse_service_type(service_type.value.upper().replace(" ", "_")) is service_type
        assert parse_service_type(service_type.value.lower().replace(" ", "-")) is service_type
    assert parse_service_type("Mentions  with   Hashtags") is ServiceType.MENTIONS_WITH_HASHTAGS
    assert parse_service_type("Followers") is None


# --- add --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "answer",
    [
        '{"order": 23501}',
        '{"order": "23501"}',
        '{"order": 23501, "status": "success"}',
        '{"status": "success", "order": " 23501 ", "desc": "ok"}',
    ],
)
async def test_add_returns_order_id_and_sends_exact_fields(
    make_panel: MakePanel, answer: str
) -> None:
    client, forms = make_panel(reply(answer))

    order_id = await client.add(
        {"service": 1, "link": "https://t.me/chan", "quantity": 1000, "runs": 5, "interval": 30}
    )

    assert order_id == 23501
    assert forms == [
        {
            "key": KEY,
            "action": "add",
            "service": "1",
            "link": "https://t.me/chan",
            "quantity": "1000",
            "runs": "5",
            "interval": "30",
        }
    ]


async def test_add_subscription_fields_and_multiline_text_survive_encoding(
    make_panel: MakePanel,
) -> None:
    client, forms = make_panel(reply({"order": 7}))

    await client.add(
        {
            "service": 9,
            "username": "some.one",
            "min": 100,
            "max": 200,
            "posts": 10,
            "old_posts": 2,
            "delay": 30,
            "expiry": "31/12/2025",
        }
    )
    await client.add(
        {
            "service": 2,
            "link": "https://example.com/p?a=1&b=2#x",
            "comments": "nice\ngreat\r\nwow & more = fun",
        }
    )

    assert forms[0] == {
        "key": KEY,
        "action": "add",
        "service": "9",
        "username": "some.one",
        "min": "100",
        "max": "200",
        "posts": "10",
        "old_posts": "2",
        "delay": "30",
        "expiry": "31/12/2025",
    }
    assert forms[1]["link"] == "https://example.com/p?a=1&b=2#x"
    assert forms[1]["comments"] == "nice\ngreat\r\nwow & more = fun"


@pytest.mark.parametrize(
    "answer",
    [
        {"status": "success"},
        {"order": ""},
        {"order": None},
        {"order": "abc"},
        {"order": 0},
        {"order": True},
        [23501],
        "23501",
    ],
)
async def test_add_answer_without_order_is_outcome_unknown(
    make_panel: MakePanel, answer: object
) -> None:
    client, _ = make_panel(reply(json.dumps(answer)))

    with pytest.raises(PanelOutcomeUnknown):
        await client.add({"service": 1, "link": "https://t.me/x", "quantity": 100})


async def test_add_with_both_order_and_error_is_not_a_refusal(make_panel: MakePanel) -> None:
    client, _ = make_panel(reply({"order": 23501, "error": "Something odd"}))

    with pytest.raises(PanelOutcomeUnknown):
        await client.add({"service": 1, "link": "https://t.me/x", "quantity": 100})


@pytest.mark.parametrize("field", ["key", "action"])
async def test_add_refuses_to_override_key_or_action(make_panel: MakePanel, field: str) -> None:
    client, forms = make_panel(reply({"order": 1}))

    with pytest.raises(ValueError, match=field):
        await client.add({"service": 1, field: "x"})

    assert forms == []


# --- status -----------------------------------------------------------------------------------


async def test_status_documented_answer(make_panel: MakePanel) -> None:
    client, forms = make_panel(
        reply(
            {
                "charge": "0.27819",
                "start_count": "3572",
                "status": "Partial",
                "remains": "157",
                "currency": "USD",
            }
        )
    )

    status = await client.status(42)

    assert forms == [{"key": KEY, "action": "status", "order": "42"}]
    assert status == OrderStatus(
        status="partial",
        raw_status="Partial",
        charge=Decimal("0.27819"),
        start_count=3572,
        remains=157,
        currency="USD",
    )
    assert status.is_terminal


@pytest.mark.parametrize(
    ("field", "raw", "expected"),
    [
        ("remains", '"-5"', -5),
        ("remains", "-5", -5),
        ("remains", '"157"', 157),
        ("remains", "12.0", 12),
        ("remains", '"N/A"', None),
        ("remains", '""', None),
        ("remains", "null", None),
        ("remains", "1.5", None),
        ("start_count", '""', None),
        ("start_count", "null", None),
        ("start_count", '"0"', 0),
        ("start_count", "3572", 3572),
        ("charge", None, None),
        ("charge", '""', None),
        ("charge", "0.27819", Decimal("0.27819")),
        ("charge", '"1"', Decimal("1")),
        ("charge", "2", Decimal("2")),
        ("currency", None, None),
        ("currency", '""', None),
    ],
)
async def test_status_tolerates_field_quirks(
    make_panel: MakePanel, field: str, raw: str | None, expected: object
) -> None:
    extra = "" if raw is None else f', "{field}": {raw}'
    client, _ = make_panel(reply(f'{{"status": "In progress"{extra}}}'))

    status = await client.status(1)

    assert getattr(status, field) == expected
    assert status.status == "in progress"
    if isinstance(expected, Decimal):
        assert str(status.charge) == str(expected)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Cancelled", "canceled"),
        ("Canceled", "canceled"),
        ("  In   progress ", "in progress"),
        ("InProgress", "in progress"),
        ("in_progress", "in progress"),
        ("PROCESSING", "processing"),
        ("Refunded", "refunded"),
        ("Pending", "pending"),
        ("Some  New\tState", "some new state"),
    ],
)
async def test_status_text_is_normalised(make_panel: MakePanel, raw: str, expected: str) -> None:
    client, _ = make_panel(reply({"status": raw}))

    status = await client.status(1)

    assert status.status == expected
    assert status.raw_status == raw
    assert normalize_status(raw) == expected


@pytest.mark.parametrize("answer", [{"charge": "1"}, {"status": ""}, {"status": 3}, []])
async def test_status_answer_without_status_is_outcome_unknown(
    make_panel: MakePanel, answer: object
) -> None:
    client, _ = make_panel(reply(answer))

    with pytest.raises(PanelOutcomeUnknown):
        await client.status(1)


def test_terminal_statuses() -> None:
    assert frozenset({"completed", "partial", "canceled", "refunded"}) == TERMINAL_STATUSES
    assert normalize_status("Cancelled") in TERMINAL_STATUSES
    assert normalize_status("In progress") not in TERMINAL_STATUSES


# --- statuses ---------------------------------------------------------------------------------


async def test_statuses_documented_answer(make_panel: MakePanel) -> None:
    client, forms = make_panel(
        reply(
            {
                "1": {
                    "charge": "0.27819",
                    "start_count": "3572",
                    "status": "Partial",
                    "remains": "157",
                    "currency": "USD",
                },
                "10": {"error": "Incorrect order ID"},
                "100": {
                    "charge": "1.44219",
                    "start_count": "234",
                    "status": "In progress",
                    "remains": "10",
                    "currency": "USD",
                },
            }
        )
    )

    result = await client.statuses([1, 10, 100])

    assert forms == [{"key": KEY, "action": "status", "orders": "1,10,100"}]
    assert set(result) == {1, 10, 100}
    first, refused, third = result[1], result[10], result[100]
    assert isinstance(first, OrderStatus)
    assert (first.status, first.charge, first.remains) == ("partial", Decimal("0.27819"), 157)
    assert isinstance(refused, PanelRefused)
    assert refused.kind is PanelErrorKind.ORDER_ID
    assert refused.text == "Incorrect order ID"
    assert isinstance(third, OrderStatus)
    assert third.status == "in progress"


async def test_statuses_bare_string_entry_missing_and_unasked_ids(make_panel: MakePanel) -> None:
    client, _ = make_panel(
        reply(
            {
                "1": {"status": "Completed", "charge": "0.5"},
                "2": "Incorrect order ID",
                "999": {"status": "Completed"},
                "4": {"something": "else"},
            }
        )
    )

    result = await client.statuses([1, 2, 3, 4])

    assert set(result) == {1, 2}
    bare = result[2]
    assert isinstance(bare, PanelRefused)
    assert bare.text == "Incorrect order ID"
    assert bare.kind is PanelErrorKind.ORDER_ID


async def test_statuses_one_id_answered_in_single_shape(make_panel: MakePanel) -> None:
    client, _ = make_panel(reply({"status": "Completed", "remains": "0"}))

    result = await client.statuses([5])

    assert result == {
        5: OrderStatus(
            status="completed",
            raw_status="Completed",
            charge=None,
            start_count=None,
            remains=0,
            currency=None,
        )
    }


async def test_statuses_batch_limit(make_panel: MakePanel) -> None:
    client, forms = make_panel(reply({}))

    with pytest.raises(ValueError, match="100"):
        await client.statuses(list(range(1, MAX_IDS + 2)))
    assert forms == []

    assert await client.statuses(list(range(1, MAX_IDS + 1))) == {}
    assert forms[0]["orders"] == ",".join(str(i) for i in range(1, 101))


async def test_batch_actions_with_no_ids_send_nothing(make_panel: MakePanel) -> None:
    client, forms = make_panel(reply({}))

    assert await client.statuses([]) == {}
    assert await client.refills([]) == {}
    assert await client.refill_statuses([]) == {}
    assert await client.cancel([]) == {}
    assert forms == []


@pytest.mark.parametrize(
    "call",
    [
        lambda c: c.refills(list(range(101))),
        lambda c: c.refill_statuses([str(i) for i in range(101)]),
        lambda c: c.cancel(list(range(101))),
    ],
)
async def test_other_batches_refuse_more_than_100_ids(make_panel: MakePanel, call: Call) -> None:
    client, forms = make_panel(reply([]))

    with pytest.raises(ValueError, match="100"):
        await call(client)
    assert forms == []


@pytest.mark.parametrize("answer", [[{"status": "Completed"}], '"ok"'])
async def test_statuses_answer_not_an_object_is_outcome_unknown(
    make_panel: MakePanel, answer: object
) -> None:
    client, _ = make_panel(reply(answer))

    with pytest.raises(PanelOutcomeUnknown):
        await client.statuses([1, 2])


# --- refill -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "answer", ['{"refill": "1"}', '{"refill": 1}', '{"refill": "1", "status": "success"}']
)
async def test_refill_returns_id_as_text(make_panel: MakePanel, answer: str) -> None:
    client, forms = make_panel(reply(answer))

    refill_id = await client.refill(23501)

    assert refill_id == "1"
    assert forms == [{"key": KEY, "action": "refill", "order": "23501"}]


async def test_refill_nested_error_is_refusal(make_panel: MakePanel) -> None:
    client, _ = make_panel(reply({"refill": {"error": "Incorrect order ID"}}))

    with pytest.raises(PanelRefused) as caught:
        await client.refill(5)

    assert caught.value.kind is PanelErrorKind.ORDER_ID
    assert caught.value.text == "Incorrect order ID"


@pytest.mark.parametrize("answer", [{}, {"refill": None}, {"refill": ""}, []])
async def test_refill_without_id_is_outcome_unknown(make_panel: MakePanel, answer: object) -> None:
    client, _ = make_panel(reply(answer))

    with pytest.raises(PanelOutcomeUnknown):
        await client.refill(5)


async def test_refills_documented_answer_and_quirks(make_panel: MakePanel) -> None:
    client, forms = make_panel(
        reply(
            [
                {"order": 1, "refill": 1},
                {"order": "2", "refill": "2"},
                {"order": 3, "refill": {"error": "Incorrect order ID"}},
                {"order": 4, "error": "Refill is disabled for this service"},
                {"order": 5, "refill": "Order is not completed"},
                {"order": 77, "refill": 9},
                "junk",
            ]
        )
    )

    result = await client.refills([1, 2, 3, 4, 5, 6])

    assert forms == [{"key": KEY, "action": "refill", "orders": "1,2,3,4,5,6"}]
    assert (result[1], result[2]) == ("1", "2")
    refusals = {order: result[order] for order in (3, 4, 5)}
    assert all(isinstance(value, PanelRefused) for value in refusals.values())
    kinds = {order: getattr(value, "kind", None) for order, value in refusals.items()}
    assert kinds == {
        3: PanelErrorKind.ORDER_ID,
        4: PanelErrorKind.SERVICE,
        5: PanelErrorKind.OTHER,
    }
    assert set(result) == {1, 2, 3, 4, 5}


async def test_refills_accepts_an_object_keyed_by_order(make_panel: MakePanel) -> None:
    client, _ = make_panel(reply({"1": {"refill": 11}, "2": 12}))

    assert await client.refills([1, 2]) == {1: "11", 2: "12"}


# --- refill status ----------------------------------------------------------------------------


async def test_refill_status_single(make_panel: MakePanel) -> None:
    client, forms = make_panel(reply({"status": "Completed"}))

    assert await client.refill_status("1") == "completed"
    assert forms == [{"key": KEY, "action": "refill_status", "refill": "1"}]


async def test_refill_status_nested_error_is_refusal(make_panel: MakePanel) -> None:
    client, _ = make_panel(reply({"status": {"error": "Refill not found"}}))

    with pytest.raises(PanelRefused) as caught:
        await client.refill_status("9")

    assert caught.value.text == "Refill not found"


async def test_refill_status_without_status_is_outcome_unknown(make_panel: MakePanel) -> None:
    client, _ = make_panel(reply({"refill": 1}))

    with pytest.raises(PanelOutcomeUnknown):
        await client.refill_status("1")


async def test_refill_statuses_documented_answer(make_panel: MakePanel) -> None:
    client, forms = make_panel(
        reply(
            [
                {"refill": 1, "status": "Completed"},
                {"refill": "2", "status": "Rejected"},
                {"refill": 3, "status": {"error": "Refill not found"}},
                {"refill": 4, "status": " In_Progress "},
                {"refill": 99, "status": "Completed"},
            ]
        )
    )

    result = await client.refill_statuses(["1", "2", "3", "4", "5"])

    assert forms == [{"key": KEY, "action": "refill_status", "refills": "1,2,3,4,5"}]
    assert set(result) == {"1", "2", "3", "4"}
    assert (result["1"], result["2"], result["4"]) == ("completed", "rejected", "in progress")
    refused = result["3"]
    assert isinstance(refused, PanelRefused)
    assert refused.text == "Refill not found"


# --- cancel -----------------------------------------------------------------------------------


async def test_cancel_documented_answer(make_panel: MakePanel) -> None:
    client, forms = make_panel(
        reply(
            [
                {"order": 9, "cancel": {"error": "Incorrect order ID"}},
                {"order": 2, "cancel": 1},
            ]
        )
    )

    result = await client.cancel([9, 2])

    assert forms == [{"key": KEY, "action": "cancel", "orders": "9,2"}]
    assert result[2] is True
    refused = result[9]
    assert isinstance(refused, PanelRefused)
    assert refused.kind is PanelErrorKind.ORDER_ID


@pytest.mark.parametrize(
    ("value_json", "expected"),
    [
        ("1", True),
        ('"1"', True),
        ("true", True),
        ('"true"', True),
        ("0", False),
        ('"0"', False),
        ("false", False),
    ],
)
async def test_cancel_values(make_panel: MakePanel, value_json: str, expected: bool) -> None:
    client, _ = make_panel(reply(f'[{{"order": "2", "cancel": {value_json}}}]'))

    assert await client.cancel([2]) == {2: expected}


async def test_cancel_bare_string_is_refusal(make_panel: MakePanel) -> None:
    client, _ = make_panel(reply([{"order": 3, "cancel": "Order cannot be canceled"}]))

    result = await client.cancel([3])

    refused = result[3]
    assert isinstance(refused, PanelRefused)
    assert refused.text == "Order cannot be canceled"


# --- balance ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answer", "amount", "currency"),
    [
        ('{"balance": "100.84292", "currency": "USD"}', "100.84292", "USD"),
        ('{"balance": 100.84292, "currency": "USD"}', "100.84292", "USD"),
        ('{"balance": 100}', "100", None),
        ('{"balance": "-3.5", "currency": " EUR "}', "-3.5", "EUR"),
    ],
)
async def test_balance(
    make_panel: MakePanel, answer: str, amount: str, currency: str | None
) -> None:
    client, forms = make_panel(reply(answer))

    balance = await client.balance()

    assert forms == [{"key": KEY, "action": "balance"}]
    assert balance == Balance(amount=Decimal(amount), currency=currency)
    assert str(balance.amount) == amount


@pytest.mark.parametrize(
    "answer", [{"currency": "USD"}, {"balance": "lots"}, [], {"balance": None}]
)
async def test_balance_without_amount_is_outcome_unknown(
    make_panel: MakePanel, answer: object
) -> None:
    client, _ = make_panel(reply(answer))

    with pytest.raises(PanelOutcomeUnknown):
        await client.balance()


# --- errors -----------------------------------------------------------------------------------

EVERY_ACTION: list[tuple[str, Call]] = [
    ("services", lambda c: c.services()),
    ("add", lambda c: c.add({"service": 1, "link": "https://t.me/x", "quantity": 100})),
    ("status", lambda c: c.status(1)),
    ("status", lambda c: c.statuses([1, 2])),
    ("refill", lambda c: c.refill(1)),
    ("refill", lambda c: c.refills([1, 2])),
    ("refill_status", lambda c: c.refill_status("1")),
    ("refill_status", lambda c: c.refill_statuses(["1", "2"])),
    ("cancel", lambda c: c.cancel([1, 2])),
    ("balance", lambda c: c.balance()),
]


@pytest.mark.parametrize(("action", "call"), EVERY_ACTION)
async def test_top_level_error_is_refusal_on_every_action(
    make_panel: MakePanel, action: str, call: Call
) -> None:
    client, forms = make_panel(reply({"error": "Incorrect request key"}))

    with pytest.raises(PanelRefused) as caught:
        await call(client)

    assert caught.value.kind is PanelErrorKind.AUTH
    assert caught.value.text == "Incorrect request key"
    assert caught.value.action == action
    assert forms[0]["action"] == action


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Incorrect request key", PanelErrorKind.AUTH),
        ("Invalid API key", PanelErrorKind.AUTH),
        ("api_key is required", PanelErrorKind.AUTH),
        ("Not enough funds on balance", PanelErrorKind.FUNDS),
        ("Insufficient balance", PanelErrorKind.FUNDS),
        ("Quantity less than minimal 50", PanelErrorKind.QUANTITY),
        ("Quantity more than maximal 10000", PanelErrorKind.QUANTITY),
        ("Minimal 10", PanelErrorKind.QUANTITY),
        ("Incorrect link", PanelErrorKind.LINK),
        ("Invalid URL", PanelErrorKind.LINK),
        ("Incorrect service ID", PanelErrorKind.SERVICE),
        ("Service is disabled", PanelErrorKind.SERVICE),
        ("Incorrect order ID", PanelErrorKind.ORDER_ID),
        ("incorrect  order", PanelErrorKind.ORDER_ID),
        ("Keywords field is required", PanelErrorKind.OTHER),
        ("Hourly limit reached", PanelErrorKind.OTHER),
        ("Something went wrong", PanelErrorKind.OTHER),
        ("", PanelErrorKind.OTHER),
    ],
)
def test_classify_error(text: str, kind: PanelErrorKind) -> None:
    assert classify_error(text) is kind


def test_error_kinds_and_hierarchy() -> None:
    assert all(kind.value == kind.value.lower() for kind in PanelErrorKind)
    for cls in (PanelRefused, PanelUnreachable, PanelOutcomeUnknown):
        assert issubclass(cls, PanelError)
    refused = PanelRefused("x" * 1000)
    assert refused.kind is PanelErrorKind.OTHER
    assert refused.text == "x" * 1000
    assert len(str(refused)) < 300


@pytest.mark.parametrize(
    ("responder", "error", "kind"),
    [
        (reply({"error": "Not enough funds on balance"}), PanelRefused, PanelErrorKind.FUNDS),
        (reply({"error": "Invalid API key"}, status=401), PanelRefused, PanelErrorKind.AUTH),
        (reply({"error": "Incorrect link"}, status=400), PanelRefused, PanelErrorKind.LINK),
        (reply("<html>Internal Server Error</html>", status=500), PanelOutcomeUnknown, None),
        (reply({"error": "Not enough funds on balance"}, status=502), PanelOutcomeUnknown, None),
        (reply("<html><body>Welcome</body></html>"), PanelOutcomeUnknown, None),
        (reply(""), PanelOutcomeUnknown, None),
        (reply("<html>Not Found</html>", status=404), PanelOutcomeUnknown, None),
        (reply({"message": "Too Many Requests"}, status=429), PanelOutcomeUnknown, None),
        (reply("[" * 100_000), PanelOutcomeUnknown, None),
    ],
)
async def test_http_answers_map_to_errors(
    make_panel: MakePanel,
    responder: Responder,
    error: type[PanelError],
    kind: PanelErrorKind | None,
) -> None:
    client, _ = make_panel(responder)

    with pytest.raises(error) as caught:
        await client.add({"service": 1, "link": "https://t.me/x", "quantity": 100})

    if kind is not None:
        assert isinstance(caught.value, PanelRefused)
        assert caught.value.kind is kind


async def test_http_5xx_keeps_status_code(make_panel: MakePanel) -> None:
    client, _ = make_panel(reply("<html>Bad Gateway</html>", status=502))

    with pytest.raises(PanelOutcomeUnknown) as caught:
        await client.balance()

    assert caught.value.status_code == 502


async def test_body_with_utf8_bom_is_parsed(make_panel: MakePanel) -> None:
    client, _ = make_panel(reply('\ufeff{"balance": "1.5", "currency": "USD"}'))

    assert await client.balance() == Balance(Decimal("1.5"), "USD")


@pytest.mark.parametrize(
    ("exc", "error"),
    [
        (httpx.ConnectError("[Errno -2] Name or service not known"), PanelUnreachable),
        (httpx.ConnectError("[Errno 111] Connection refused"), PanelUnreachable),
        (httpx.ConnectTimeout("timed out"), PanelUnreachable),
        (httpx.PoolTimeout("no free connection"), PanelUnreachable),
        (httpx.ReadTimeout("timed out"), PanelOutcomeUnknown),
        (httpx.WriteTimeout("timed out"), PanelOutcomeUnknown),
        (httpx.RemoteProtocolError("Server disconnected"), PanelOutcomeUnknown),
        (httpx.ReadError("Connection reset by peer"), PanelOutcomeUnknown),
    ],
)
async def test_transport_failures_map_to_errors(
    make_panel: MakePanel, exc: Exception, error: type[PanelError]
) -> None:
    client, forms = make_panel(fail(exc))

    with pytest.raises(error) as caught:
        await client.add({"service": 1, "link": "https://t.me/x", "quantity": 100})

    assert type(caught.value) is error
    assert caught.value.__cause__ is exc
    assert caught.value.action == "add"
    assert len(forms) == 1


# --- chunked ----------------------------------------------------------------------------------


def test_chunked_splits_in_hundreds() -> None:
    ids = list(range(250))

    chunks = list(chunked(ids))

    assert [len(chunk) for chunk in chunks] == [100, 100, 50]
    assert [item for chunk in chunks for item in chunk] == ids


def test_chunked_edges() -> None:
    assert list(chunked([])) == []
    assert list(chunked(["a", "b", "c"], 2)) == [["a", "b"], ["c"]]
    assert list(chunked(list(range(100)))) == [list(range(100))]
    with pytest.raises(ValueError, match="chunk size"):
        chunked([1], 0)


# --- the key never leaks ----------------------------------------------------------------------


async def test_key_never_appears_in_logs_or_errors(
    make_panel: MakePanel, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    good: dict[str, object] = {
        "services": [service_json(), service_json(service=2, type="Odd"), "junk"],
        "add": {"order": 1},
        "status": {"status": "Completed", "1": {"status": "Partial"}},
        "refill": [{"order": 1, "refill": 1}],
        "refill_status": [{"refill": 1, "status": "Completed"}],
        "cancel": [{"order": 1, "cancel": 1}],
        "balance": {"balance": "1", "currency": "USD"},
    }
    scenarios: list[Responder] = [
        lambda form: httpx.Response(200, json=good[form["action"]]),
        reply({"error": f"Incorrect request key {KEY}"}),
        reply({"1": f"bad key {KEY}", "2": {"error": KEY}}),
        reply([{"order": 1, "refill": {"error": KEY}, "cancel": KEY, "status": {"error": KEY}}]),
        reply({"error": KEY}, status=503),
        reply(f"<html>{KEY}</html>"),
        fail(httpx.ConnectError("connection refused")),
        fail(httpx.ReadTimeout("timed out")),
    ]
    seen: list[object] = []
    sent_key = False
    for responder in scenarios:
        client, forms = make_panel(responder)
        for _, call in EVERY_ACTION:
            try:
                seen.append(await call(client))
            except PanelError as exc:
                seen.append(exc)
        sent_key = sent_key or all(form["key"] == KEY for form in forms)

    assert sent_key
    errors = [item for item in seen if isinstance(item, PanelError)]
    errors += [
        value
        for item in seen
        if isinstance(item, dict)
        for value in item.values()
        if isinstance(value, PanelError)
    ]
    assert len(errors) > 40
    for error in errors:
        assert KEY not in str(error)
        assert KEY not in repr(error)
        assert KEY not in str(error.args)
        assert KEY not in getattr(error, "text", "")
    assert KEY not in repr(seen)
    records = caplog.records
    assert records
    for record in records:
        assert KEY not in record.getMessage()
        assert KEY not in repr(record.args)
        assert KEY not in (record.exc_text or "")
    assert KEY not in caplog.text
    for action in ("services", "add", "status", "refill", "refill_status", "cancel", "balance"):
        assert any(f"panel {action}: HTTP" in r.getMessage() for r in records if r.levelno == 10)


async def test_client_repr_hides_key() -> None:
    async with httpx.AsyncClient() as http:
        client = PanelClient(http, URL, SecretStr(KEY))

        assert KEY not in repr(client)
        assert KEY not in repr(vars(client))
