"""An in-process fake SMM panel that speaks API v2 and moves orders along over time."""

from __future__ import annotations

import time
from collections import defaultdict, deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from typing import NamedTuple, TypeVar
from urllib.parse import parse_qsl

import httpx

Json = dict[str, object]
T = TypeVar("T")

MONEY = Decimal("0.00001")
MAX_IDS = 100
FIRST_REFILL_ID = 7001
# fmt: off
SUBSCRIPTION_DELAYS = frozenset({  # minutes
    0, 5, 10, 15, 20, 30, 40, 50, 60, 90, 120, 150, 180,
    210, 240, 270, 300, 360, 420, 480, 540, 600,
})
# fmt: on


# --- the catalog ---


class ServiceSpec(NamedTuple):
    service: int
    category: str
    name: str
    type: str
    rate: str
    min: int
    max: int
    refill: bool
    cancel: bool
    dripfeed: bool = False

    def as_json(self) -> dict[str, str | int | bool]:
        return {
            "service": self.service,
            "name": self.name,
            "type": self.type,
            "category": self.category,
            "rate": self.rate,
            "min": str(self.min),
            "max": str(self.max),
            "refill": self.refill,
            "cancel": self.cancel,
            "dripfeed": self.dripfeed,
        }


# Rows per category: id, name, type, rate (per 1000, or per package), min, max, flags
# (R: refill, C: cancel, D: drip-feed).
_Rows = dict[str, tuple[tuple[int, str, str, str, int, int, str], ...]]
# fmt: off
_CATALOG_ROWS: _Rows = {
    "Instagram Followers": (
        (101, "Instagram Followers [Real] [Refill 30D]", "Default", "0.90", 50, 10000, "RC"),
        (102, "Instagram Followers [Drip-feed] [No refill]", "Default", "0.45", 100, 50000, "CD"),
        (103, "Instagram Followers Package [1000]", "Package", "1.25", 1, 1, ""),
    ),
    "Instagram Likes": (
        (111, "Instagram Likes [Instant] [Drip-feed]", "Default", "0.0125", 10, 20000, "D"),
        (112, "Instagram Comment Likes", "Comment Likes", "2.10", 20, 5000, "C"),
        (113, "Instagram Auto Likes [Subscription]", "Subscriptions", "0.55", 50, 5000, ""),
    ),
    "Instagram Comments": (
        (121, "Instagram Custom Comments", "Custom Comments", "8", 10, 1500, "C"),
        (122, "Instagram Comments Package [10]", "Custom Comments Package", "4.50", 1, 1, ""),
        (123, "Instagram Comment Replies", "Comment Replies", "12.00", 5, 500, "C"),
    ),
    "Instagram Mentions": (
        (131, "Instagram Mentions [Random Users]", "Mentions", "3.20", 100, 10000, "C"),
        (132, "Instagram Mentions + Hashtags", "Mentions with Hashtags", "4.80", 100, 10000, ""),
        (133, "Instagram Mentions [Custom List]", "Mentions Custom List", "6.00", 10, 1000, "C"),
        (134, "Instagram Mentions [Hashtag Users]", "Mentions Hashtag", "3.60", 100, 10000, ""),
        (135, "Instagram Mentions [Followers]", "Mentions User Followers", "3.75", 100, 10000, "C"),
        (136, "Instagram Mentions [Media Likers]", "Mentions Media Likers", "3.90", 100, 10000, ""),
    ),
    "YouTube Views": (
        (141, "YouTube Views [Non-drop] [Refill 60D]", "Default", "1.18750", 500, 1000000, "R"),
        (142, "YouTube Views [Keyword Search / SEO]", "SEO", "2.40", 1000, 100000, "RC"),
    ),
    "Telegram Members": (
        (151, "Telegram Members [Refill 30D]", "Default", "0.84375", 100, 30000, "RC"),
        (152, "Telegram Members [Group Invites]", "Invites from Groups", "5.50", 100, 20000, "C"),
        (153, "Telegram Poll Votes", "Poll", "1.75", 50, 50000, ""),
        (154, "Telegram Story Views Premium", "Custom Data", "0.65", 100, 100000, ""),
    ),
    "Twitter / X": (
        (161, "Twitter / X Followers [Refill 30D]", "Default", "2.95", 50, 20000, "RC"),
        (162, "Twitter / X Followers Package [500]", "Package", "1.60", 1, 1, "R"),
    ),
}
# fmt: on

# A second, smaller panel: partly the same products at other rates (Instagram Followers and
# Telegram Members cheaper, YouTube Views and custom comments dearer), one category the main list
# lacks (TikTok Views), its own ids. An owner links one panel's service as the other's backup.
# fmt: off
_SECOND_ROWS: _Rows = {
    "Instagram Followers": (
        (2001, "IG Followers [HQ] [Refill 30D]", "Default", "0.72", 100, 20000, "RC"),
        (2002, "IG Followers Package [1000]", "Package", "1.10", 1, 1, ""),
    ),
    "Instagram Likes": (
        (2003, "IG Likes [Real] [Drip-feed]", "Default", "0.015", 20, 10000, "D"),
    ),
    "Instagram Comments": (
        (2004, "IG Custom Comments [Real Accounts]", "Custom Comments", "9.50", 5, 1000, ""),
    ),
    "YouTube Views": (
        (2011, "YouTube Views [Non-drop] [Refill 30D]", "Default", "1.45", 1000, 500000, "R"),
        (2012, "YouTube Views [Google Ads]", "Default", "2.80", 1000, 1000000, "C"),
    ),
    "TikTok Views": (
        (2021, "TikTok Views [Instant] [Drip-feed]", "Default", "0.012", 100, 10000000, "CD"),
        (2022, "TikTok Views Package [100K]", "Package", "0.95", 1, 1, ""),
    ),
    "Telegram Members": (
        (2031, "Telegram Members [Non-drop] [Refill 60D]", "Default", "0.79", 500, 50000, "RC"),
    ),
    "Twitter / X": (
        (2041, "Twitter / X Followers Package [500]", "Package", "1.85", 1, 1, "R"),
    ),
}
# fmt: on


def _specs(catalog: _Rows) -> tuple[ServiceSpec, ...]:
    return tuple(
        ServiceSpec(
            sid, category, name, type_, rate, low, high, "R" in flags, "C" in flags, "D" in flags
        )
        for category, rows in catalog.items()
        for sid, name, type_, rate, low, high, flags in rows
    )


SERVICES = _specs(_CATALOG_ROWS)
#: The exact JSON that `action=services` serves (the main catalog).
CATALOG: tuple[dict[str, str | int | bool], ...] = tuple(spec.as_json() for spec in SERVICES)
SECOND_SERVICES = _specs(_SECOND_ROWS)


@dataclass(frozen=True)
class Catalog:
    """One panel's price list and what a sandbox serving it starts from."""

    services: tuple[ServiceSpec, ...]
    deposit: Decimal  # the reseller's funds unless `balance=` says otherwise
    first_order_id: int  # order ids start apart per catalog, only to make logs easy to read


_CATALOGS = {
    "main": Catalog(SERVICES, Decimal("1000"), 1001),
    "second": Catalog(SECOND_SERVICES, Decimal("50"), 5001),  # small: "out of funds" comes soon
}
#: The names `SandboxPanel(catalog=...)` and `sandbox-panel --catalog` accept.
CATALOGS = tuple(_CATALOGS)


# --- per-type rules for `add` ---


class Refusal(Exception):
    """A definite refusal: the panel answers `{"error": <message>}`."""


Form = dict[str, str]
Measure = Callable[[ServiceSpec, Form], int]


def _lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


def _int(form: Form, name: str) -> int:
    raw = form.get(name, "").strip()
    if not (raw.isascii() and raw.isdigit()):
        raise Refusal(f"Incorrect {name}")
    return int(raw)


def _within(spec: ServiceSpec, quantity: int) -> int:
    if quantity < spec.min:
        raise Refusal(f"Quantity less than minimal {spec.min}")
    if quantity > spec.max:
        raise Refusal(f"Quantity more than maximal {spec.max}")
    return quantity


def _by_quantity(spec: ServiceSpec, form: Form) -> int:
    return _within(spec, _int(form, "quantity"))


def _one_package(spec: ServiceSpec, form: Form) -> int:
    return 1


def _count_lines(name: str) -> Measure:
    def measure(spec: ServiceSpec, form: Form) -> int:
        return _within(spec, len(_lines(form[name])))

    return measure


def _subscription(spec: ServiceSpec, form: Form) -> int:
    """Validate a subscription and return the units charged up front: max x posts."""
    low, high = _within(spec, _int(form, "min")), _int(form, "max")
    if high < low:
        raise Refusal("Incorrect max")
    _within(spec, high)
    posts = _int(form, "posts")
    if posts < 1:
        raise Refusal("Incorrect posts")
    if form.get("old_posts", "").strip():
        _int(form, "old_posts")
    if _int(form, "delay") not in SUBSCRIPTION_DELAYS:
        raise Refusal("Incorrect delay")
    if expiry := form.get("expiry", "").strip():
        try:
            datetime.strptime(expiry, "%d/%m/%Y")
        except ValueError:
            raise Refusal("Incorrect expiry") from None
    return high * posts


@dataclass(frozen=True)
class TypeRule:
    fields: tuple[str, ...]  # required besides `link`
    measure: Measure = _by_quantity  # units delivered (checked against min..max)
    package: bool = False  # the rate is the price of one package
    link: bool = True


TYPE_RULES: dict[str, TypeRule] = {
    "Default": TypeRule(("quantity",)),
    "Package": TypeRule((), _one_package, package=True),
    "SEO": TypeRule(("quantity", "keywords")),
    "Custom Comments": TypeRule(("comments",), _count_lines("comments")),
    "Custom Comments Package": TypeRule(("comments",), _one_package, package=True),
    "Mentions": TypeRule(("quantity", "usernames")),
    "Mentions with Hashtags": TypeRule(("quantity", "usernames", "hashtags")),
    "Mentions Custom List": TypeRule(("usernames",), _count_lines("usernames")),
    "Mentions Hashtag": TypeRule(("quantity", "hashtag")),
    "Mentions User Followers": TypeRule(("quantity", "username")),
    "Mentions Media Likers": TypeRule(("quantity", "media")),
    "Comment Likes": TypeRule(("quantity", "username")),
    "Comment Replies": TypeRule(("username", "comments"), _count_lines("comments")),
    "Poll": TypeRule(("quantity", "answer_number")),
    "Invites from Groups": TypeRule(("quantity", "groups")),
    "Subscriptions": TypeRule(
        ("username", "min", "max", "posts", "delay"), _subscription, link=False
    ),
}
#: A type the bot does not know: the sandbox takes it like a plain `Default` order.
FALLBACK_RULE = TypeRule(("quantity",))


def _runs(spec: ServiceSpec, form: Form) -> int:
    """Drip-feed multiplier: `runs` when given (with `interval`), else 1."""
    given = [name for name in ("runs", "interval") if form.get(name, "").strip()]
    if not given:
        return 1
    if not spec.dripfeed:
        raise Refusal("Drip-feed is not available for this service")
    for name in ("runs", "interval"):
        if name not in given:
            raise Refusal(f"Missing {name}")
        if _int(form, name) < 1:
            raise Refusal(f"Incorrect {name}")
    return _int(form, "runs")


# --- orders and refills ---


@dataclass(frozen=True)
class Timing:
    clock: Callable[[], float]
    pending: float  # seconds spent "Pending"
    complete: float  # seconds from creation to the end of delivery
    cancel: float  # seconds from a cancel request to "Canceled"


@dataclass
class SandboxRefill:
    id: int
    order: int
    created_at: float
    timing: Timing = field(repr=False)

    @property
    def status(self) -> str:
        elapsed = self.timing.clock() - self.created_at
        if elapsed < self.timing.pending:
            return "Pending"
        return "In progress" if elapsed < self.timing.complete else "Completed"


@dataclass
class SandboxOrder:
    id: int
    service: int
    params: dict[str, str]
    quantity: int  # units delivered: quantity x runs, comment lines, 1 package, max x posts
    charge: Decimal  # what `add` took from the balance
    created_at: float
    final_remains: int  # remains once delivery ends: > 0 for the orders that end "Partial"
    timing: Timing = field(repr=False)
    cancel_requested_at: float | None = None
    refills: list[int] = field(default_factory=list)

    @property
    def status(self) -> str:
        return self.snapshot()[0]

    @property
    def remains(self) -> int:
        return self.snapshot()[1]

    def snapshot(self) -> tuple[str, int]:
        """(status, remains) now; a cancel freezes delivery where it was when asked."""
        now = self.timing.clock()
        if self.cancel_requested_at is None:
            return self._delivery(now)
        status, remains = self._delivery(self.cancel_requested_at)
        if now < self.cancel_requested_at + self.timing.cancel:
            return status, remains
        # As real panels do: nothing delivered -> Canceled, some delivered -> Partial.
        return ("Canceled" if remains == self.quantity else "Partial"), remains

    def _delivery(self, at: float) -> tuple[str, int]:
        elapsed, timing = at - self.created_at, self.timing
        if elapsed < timing.pending:
            return "Pending", self.quantity
        if elapsed >= timing.complete:
            return ("Partial" if self.final_remains else "Completed"), self.final_remains
        share = (elapsed - timing.pending) / (timing.complete - timing.pending)
        delivered = int((self.quantity - self.final_remains) * share)
        return "In progress", self.quantity - delivered

    @property
    def billed(self) -> Decimal:
        """The panel's charge now: reduced to the delivered part once Partial, 0 once Canceled."""
        status, remains = self.snapshot()
        if status not in ("Partial", "Canceled"):
            return self.charge
        delivered = Decimal(self.quantity - remains) / Decimal(self.quantity)
        return (self.charge * delivered).quantize(MONEY, rounding=ROUND_DOWN)

    @property
    def start_count(self) -> int:
        return (self.id * 7919) % 9000 + 100


TERMINAL = frozenset({"Completed", "Partial", "Canceled"})
REFILLABLE = frozenset({"Completed", "Partial"})


# --- the panel ---


@dataclass(frozen=True)
class _Fault:
    outcome: httpx.Response | Exception
    processed: bool


def _money(amount: Decimal) -> str:
    return str(amount.quantize(MONEY))


def _as_id(raw: str) -> int | str:
    raw = raw.strip()
    return int(raw) if raw.isascii() and raw.isdigit() else raw


def _lookup(table: Mapping[int, T], raw: str) -> T | None:
    key = _as_id(raw)
    return table.get(key) if isinstance(key, int) else None


def _ids(form: Form, name: str, missing: str) -> list[str]:
    """The comma-separated ids of a multiple-id request (at most 100)."""
    ids = [part.strip() for part in form.get(name, "").split(",") if part.strip()]
    if not ids:
        raise Refusal(missing)
    if len(ids) > MAX_IDS:
        raise Refusal(f"Too many IDs (maximum {MAX_IDS})")
    return ids


class SandboxPanel:
    """The server side of API v2, in memory; time comes from `clock`."""

    def __init__(
        self,
        *,
        key: str = "sandbox",
        catalog: str = "main",
        clock: Callable[[], float] = time.monotonic,
        balance: Decimal | None = None,
        currency: str = "USD",
        pending_seconds: float = 20.0,
        complete_seconds: float = 120.0,
        cancel_seconds: float = 10.0,
        partial_every: int = 4,
    ) -> None:
        if not 0 <= pending_seconds <= complete_seconds or cancel_seconds < 0:
            raise ValueError("need 0 <= pending_seconds <= complete_seconds, cancel_seconds >= 0")
        if catalog not in _CATALOGS:
            raise ValueError(f"unknown catalog {catalog!r}; known: {', '.join(CATALOGS)}")
        self.key = key
        self.catalog = catalog
        self.currency = currency
        self.partial_every = partial_every  # every Nth order id ends Partial; 0: never
        self.orders: dict[int, SandboxOrder] = {}
        self.refills: dict[int, SandboxRefill] = {}
        self.requests: list[dict[str, str]] = []
        self._clock = clock
        self._services = {spec.service: spec for spec in _CATALOGS[catalog].services}
        self._deposit = _CATALOGS[catalog].deposit if balance is None else balance
        self._charged = Decimal(0)  # what every `add` took
        self._given_back = Decimal(0)  # what the orders that ended Partial or Canceled did not cost
        self._may_cost_less: set[int] = set()  # orders that may still end Partial or Canceled
        self._last_order_id = _CATALOGS[catalog].first_order_id - 1
        self._timing = Timing(clock, pending_seconds, complete_seconds, cancel_seconds)
        self._faults: defaultdict[str, deque[_Fault]] = defaultdict(deque)
        self._actions: dict[str, Callable[[Form], object]] = {
            "services": lambda form: [spec.as_json() for spec in self._services.values()],
            "add": self._add,
            "status": self._status,
            "cancel": self._cancel,
            "refill": self._refill,
            "refill_status": self._refill_status,
            "balance": lambda form: {"balance": _money(self.balance), "currency": self.currency},
        }

    # -- plumbing --

    def transport(self) -> httpx.AsyncBaseTransport:
        return httpx.MockTransport(self.handle)

    @property
    def balance(self) -> Decimal:
        """The reseller's funds now: the deposit less what each order costs at this moment.

        An order costs its charge unless it ends Partial or Canceled, and then less for good:
        only the orders that may still end so (a partial end ahead, a cancel asked) are looked
        at, not every order ever placed (a demo shop places thousands).
        """
        for order_id in list(self._may_cost_less):
            order = self.orders[order_id]
            if order.status in TERMINAL:  # its bill no longer moves
                self._given_back += order.charge - order.billed
                self._may_cost_less.discard(order_id)
        return self._deposit - self._charged + self._given_back

    def fail_next(
        self, action: str, response: httpx.Response | Exception, *, processed: bool = False
    ) -> None:
        """Answer the next `action` request with `response` (or raise it), once; queue-able.

        With `processed=True` the panel first does the work (an `add` places the order), then
        the answer is lost: the "request reached the panel, reply never came back" case.
        """
        self._faults[action].append(_Fault(response, processed))

    def handle(self, request: httpx.Request) -> httpx.Response:
        form = dict(parse_qsl(request.content.decode("utf-8", "replace"), keep_blank_values=True))
        self.requests.append({name: value for name, value in form.items() if name != "key"})
        action = form.get("action", "")
        queue = self._faults.get(action)
        if not queue:
            return self._answer(request, form)
        fault = queue.popleft()
        if fault.processed:
            self._answer(request, form)
        if isinstance(fault.outcome, httpx.Response):
            return fault.outcome
        if isinstance(fault.outcome, httpx.RequestError):
            try:
                fault.outcome.request  # noqa: B018 - raises when no request is attached yet
            except RuntimeError:
                fault.outcome.request = request
        raise fault.outcome

    def _answer(self, request: httpx.Request, form: Form) -> httpx.Response:
        if request.method != "POST":
            return httpx.Response(405, json={"error": "Method not allowed"})
        if form.get("key") != self.key:
            return httpx.Response(200, json={"error": "Incorrect request key"})
        handler = self._actions.get(form.get("action", ""))
        if handler is None:
            return httpx.Response(200, json={"error": "Incorrect action"})
        try:
            payload = handler(form)
        except Refusal as refusal:
            payload = {"error": str(refusal)}
        return httpx.Response(200, json=payload)

    def _order(self, raw: str) -> SandboxOrder:
        order = _lookup(self.orders, raw)
        if order is None:
            raise Refusal("Incorrect order ID")
        return order

    # -- actions --

    def _add(self, form: Form) -> Json:
        spec = _lookup(self._services, form.get("service", ""))
        if spec is None:
            raise Refusal("Incorrect service ID")
        rule = TYPE_RULES.get(spec.type, FALLBACK_RULE)
        if rule.link and not form.get("link", "").strip():
            raise Refusal("Incorrect link")
        for name in rule.fields:
            if not form.get(name, "").strip():
                raise Refusal(f"Missing {name}")
        quantity = rule.measure(spec, form) * _runs(spec, form)
        rate = Decimal(spec.rate)
        charge = rate if rule.package else rate * quantity / 1000
        charge = charge.quantize(MONEY, rounding=ROUND_HALF_UP)
        if charge > self.balance:
            raise Refusal("Not enough funds on balance")
        order_id = self._last_order_id = self._last_order_id + 1
        ends_partial = self.partial_every > 0 and order_id % self.partial_every == 0
        self.orders[order_id] = SandboxOrder(
            id=order_id,
            service=spec.service,
            params={name: value for name, value in form.items() if name != "key"},
            quantity=quantity,
            charge=charge,
            created_at=self._clock(),
            final_remains=quantity // 10 if ends_partial else 0,
            timing=self._timing,
        )
        self._charged += charge
        if ends_partial:
            self._may_cost_less.add(order_id)
        return {"order": order_id}

    def _status_of(self, raw: str) -> Json:
        order = self._order(raw)
        status, remains = order.snapshot()
        return {
            "charge": _money(order.billed),
            "start_count": str(order.start_count),
            "status": status,
            "remains": str(remains),
            "currency": self.currency,
        }

    def _status(self, form: Form) -> Json:
        if "orders" not in form:
            return self._status_of(form.get("order", ""))
        answer: Json = {}
        for raw in _ids(form, "orders", "Incorrect order ID"):
            try:
                answer[raw] = self._status_of(raw)
            except Refusal as refusal:
                answer[raw] = {"error": str(refusal)}
        return answer

    def _cancel_one(self, raw: str) -> int:
        order = self._order(raw)
        spec = self._services[order.service]
        if not spec.cancel or order.cancel_requested_at is not None or order.status in TERMINAL:
            raise Refusal("Cancel is not available")
        order.cancel_requested_at = self._clock()
        self._may_cost_less.add(order.id)
        return 1

    def _cancel(self, form: Form) -> list[Json]:
        return [
            self._each(raw, "order", "cancel", self._cancel_one)
            for raw in _ids(form, "orders", "Incorrect order ID")
        ]

    def _refill_one(self, raw: str) -> int:
        order = self._order(raw)
        if not self._services[order.service].refill or order.status not in REFILLABLE:
            raise Refusal("Refill is not available")
        refill_id = max(self.refills, default=FIRST_REFILL_ID - 1) + 1
        self.refills[refill_id] = SandboxRefill(refill_id, order.id, self._clock(), self._timing)
        order.refills.append(refill_id)
        return refill_id

    def _refill(self, form: Form) -> Json | list[Json]:
        if "orders" in form:
            return [
                self._each(raw, "order", "refill", self._refill_one)
                for raw in _ids(form, "orders", "Incorrect order ID")
            ]
        return {"refill": str(self._refill_one(form.get("order", "")))}

    def _refill_status_one(self, raw: str) -> str:
        refill = _lookup(self.refills, raw)
        if refill is None:
            raise Refusal("Refill not found")
        return refill.status

    def _refill_status(self, form: Form) -> Json | list[Json]:
        if "refills" in form:
            return [
                self._each(raw, "refill", "status", self._refill_status_one)
                for raw in _ids(form, "refills", "Refill not found")
            ]
        return {"status": self._refill_status_one(form.get("refill", ""))}

    @staticmethod
    def _each(raw: str, id_name: str, result_name: str, act: Callable[[str], object]) -> Json:
        """One entry of a multiple-id answer: `{id_name: id, result_name: result or error}`."""
        try:
            result = act(raw)
        except Refusal as refusal:
            result = {"error": str(refusal)}
        return {id_name: _as_id(raw), result_name: result}
