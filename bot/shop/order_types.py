"""What each service type asks for, how each answer is checked, and how many units it sells."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

from storage.services import Service

DELAYS = (
    0,
    5,
    10,
    15,
    20,
    30,
    40,
    50,
    60,
    90,
    120,
    150,
    180,
    210,
    240,
    270,
    300,
    360,
    420,
    480,
    540,
    600,
)
MAX_INTERVAL = 1440  # minutes between drip-feed runs
MAX_TEXT = 4000  # characters in one answer (Telegram's own cap is 4096)
DAY_LAYOUTS = ("%d.%m.%Y", "%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d")
_USERNAME = re.compile(r"@?[A-Za-z0-9_.]{1,64}")
_HASHTAG = re.compile(r"#?\w{1,100}")
# Thousands in groups of three, one separator throughout: "1,000,000", "1.000", "1 000 000".
_GROUPED = re.compile(r"[0-9]{1,3}(?P<sep>[,.'\u00a0\u202f])[0-9]{3}(?:(?P=sep)[0-9]{3})*")
_BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


class Kind(StrEnum):
    LINK = "link"  # an http(s) URL
    TARGET = "target"  # an http(s) URL or an @username
    NUMBER = "number"
    LINES = "lines"  # one entry per line
    HASHTAG = "hashtag"
    CHOICE = "choice"
    DATE = "date"


@dataclass(frozen=True, slots=True)
class Field:
    name: str  # the `add` parameter
    kind: Kind
    optional: bool = False


FIELDS = {
    field.name: field
    for field in (
        Field("link", Kind.LINK),
        Field("quantity", Kind.NUMBER),
        Field("runs", Kind.NUMBER, optional=True),
        Field("interval", Kind.NUMBER),
        Field("keywords", Kind.LINES),
        Field("comments", Kind.LINES),
        Field("usernames", Kind.LINES),
        Field("hashtags", Kind.LINES),
        Field("hashtag", Kind.HASHTAG),
        Field("username", Kind.TARGET),
        Field("media", Kind.LINK),
        Field("answer_number", Kind.NUMBER),
        Field("groups", Kind.LINES),
        Field("min", Kind.NUMBER),
        Field("max", Kind.NUMBER),
        Field("posts", Kind.NUMBER),
        Field("old_posts", Kind.NUMBER, optional=True),
        Field("delay", Kind.CHOICE),
        Field("expiry", Kind.DATE, optional=True),
    )
}

Answers = Mapping[str, str]


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _quantity(answers: Answers) -> int:
    return int(answers["quantity"]) * int(answers.get("runs") or 1)


@dataclass(frozen=True, slots=True)
class TypeSpec:
    fields: tuple[str, ...]
    units: Callable[[Answers], int]
    counted: str | None = "quantity"  # the answer held to the service's min..max


def _count(field: str) -> TypeSpec:
    return TypeSpec(("link", field), lambda answers: len(_lines(answers[field])), field)


TYPES: dict[str, TypeSpec] = {
    "Default": TypeSpec(("link", "quantity"), _quantity),
    "Package": TypeSpec(("link",), lambda _: 1, None),
    "SEO": TypeSpec(("link", "quantity", "keywords"), _quantity),
    "Custom Comments": _count("comments"),
    "Custom Comments Package": TypeSpec(("link", "comments"), lambda _: 1, None),
    "Mentions": TypeSpec(("link", "quantity", "usernames"), _quantity),
    "Mentions with Hashtags": TypeSpec(("link", "quantity", "usernames", "hashtags"), _quantity),
    "Mentions Custom List": _count("usernames"),
    "Mentions Hashtag": TypeSpec(("link", "quantity", "hashtag"), _quantity),
    "Mentions User Followers": TypeSpec(("link", "quantity", "username"), _quantity),
    "Mentions Media Likers": TypeSpec(("link", "quantity", "media"), _quantity),
    "Comment Likes": TypeSpec(("link", "quantity", "username"), _quantity),
    "Comment Replies": TypeSpec(
        ("link", "username", "comments"), lambda a: len(_lines(a["comments"])), "comments"
    ),
    "Poll": TypeSpec(("link", "quantity", "answer_number"), _quantity),
    "Invites from Groups": TypeSpec(("link", "quantity", "groups"), _quantity),
    "Subscriptions": TypeSpec(
        ("username", "min", "max", "posts", "old_posts", "delay", "expiry"),
        lambda a: int(a["max"]) * int(a["posts"]),
        "max",
    ),
}


class InvalidAnswer(Exception):
    """An answer the wizard asks for again; `message` is a locale id, `args` its arguments."""

    def __init__(self, message: str, **args: Any) -> None:
        super().__init__(message)
        self.message = message
        self.args_ = args


def sellable(service: Service) -> bool:
    return service.sellable and service.type in TYPES


def fields_for(service: Service) -> tuple[str, ...]:
    spec = TYPES[service.type or ""]
    if service.type == "Default" and service.dripfeed:
        return (*spec.fields, "runs", "interval")
    return spec.fields


def next_field(service: Service, answers: Answers) -> str | None:
    """The first field without an answer (a skipped optional one has ""), or None when done."""
    for name in fields_for(service):
        if name == "interval" and not answers.get("runs"):
            continue
        if name not in answers:
            return name
    return None


def answered(service: Service, answers: Answers) -> bool:
    """The answers are exactly what the service asks now: nothing missing, nothing it no longer
    takes (a drip-feed switched off would leave `runs` multiplying the charge, not the order)."""
    asked = fields_for(service)
    return next_field(service, answers) is None and all(
        name in asked for name, value in answers.items() if value
    )


def recheck(service: Service, given: Answers, today: date) -> dict[str, str] | None:
    """`given` (earlier answers, or an `add` form) checked again as if typed today for
    `service`: the cleaned answers, or None when one no longer fits (min/max, an expiry date
    passed, a drip-feed switched off) or one is for a field the service does not ask."""
    answers: dict[str, str] = {}
    while (name := next_field(service, answers)) is not None:
        text = given.get(name, "")
        if not text and FIELDS[name].optional:
            answers[name] = ""  # skipped then, skipped now
            continue
        try:
            answers[name] = check(service, name, text, answers, today)
        except InvalidAnswer:
            return None
    if any(name not in answers for name in given if name != "service"):
        return None
    return answers


def units(service: Service, answers: Answers) -> int:
    return TYPES[service.type or ""].units(answers)


def add_params(service: Service, answers: Answers) -> dict[str, str]:
    """The `add` form for this order: the service id and every answer that was given."""
    params = {"service": str(service.upstream_id)}
    for name in fields_for(service):
        value = answers.get(name, "")
        if name == "interval" and not answers.get("runs"):
            continue
        if value:
            params[name] = value
    return params


def bounds(service: Service) -> tuple[int, int]:
    """The service's min..max; a panel's min of 0 still means at least one."""
    return max(service.min, 1), service.max


def _visible(text: str) -> str:
    """Drop control and direction-override characters: invisible, and never wanted upstream."""
    return "".join(
        char
        for char in text
        if char in "\n\t" or not (unicodedata.category(char) == "Cc" or char in _BIDI)
    )


def _with_scheme(text: str) -> str:
    """People paste `instagram.com/p/x`: a bare host gets https:// put in front."""
    if "://" in text or ":" in text.split("/", 1)[0]:
        return text
    return f"https://{text}"


def _is_url(text: str) -> bool:
    if any(char.isspace() for char in text) or len(text) > 2000:
        return False
    try:
        parts = urlsplit(text)
        host = parts.hostname or ""
    except ValueError:  # "https://[" and friends
        return False
    return parts.scheme in ("http", "https") and "." in host


def _number(text: str) -> int:
    cleaned = text.strip().replace(" ", "").replace("_", "")
    if _GROUPED.fullmatch(cleaned):  # typed the way the prompt shows it: "1.000.000"
        cleaned = re.sub(r"[^0-9]", "", cleaned)
    if not cleaned.isascii() or not cleaned.isdigit() or len(cleaned) > 12:
        raise InvalidAnswer("error-number")
    return int(cleaned)


def _in_range(value: int, low: int, high: int) -> int:
    if not low <= value <= high:
        raise InvalidAnswer("error-range", min=low, max=high)
    return value


def check(service: Service, name: str, text: str, answers: Answers, today: date) -> str:
    """The cleaned answer for field `name`, or `InvalidAnswer` saying what is wrong."""
    text = _visible(text).strip()
    if len(text) > MAX_TEXT:
        raise InvalidAnswer("error-too-long", max=MAX_TEXT)
    field = FIELDS[name]
    counted = TYPES[service.type or ""].counted == name
    if field.kind is Kind.LINK:
        link = _with_scheme(text)
        if not _is_url(link):
            raise InvalidAnswer("error-link")
        return link
    if field.kind is Kind.TARGET:
        if _USERNAME.fullmatch(text):
            return text
        link = _with_scheme(text)
        if not _is_url(link):
            raise InvalidAnswer("error-username")
        return link
    if field.kind is Kind.HASHTAG:
        if not _HASHTAG.fullmatch(text):
            raise InvalidAnswer("error-hashtag")
        return text if text.startswith("#") else f"#{text}"
    if field.kind is Kind.LINES:
        entries = _lines(text)
        if not entries:
            raise InvalidAnswer("error-lines-empty")
        low, high = bounds(service)
        if counted and not low <= len(entries) <= high:
            raise InvalidAnswer("error-lines-count", count=len(entries), min=low, max=high)
        return "\n".join(entries)
    if field.kind is Kind.CHOICE:
        delay = _number(text)
        if delay not in DELAYS:
            raise InvalidAnswer("error-delay")
        return str(delay)
    if field.kind is Kind.DATE:
        return _check_expiry(text, today)
    return str(_check_number(service, name, _number(text), answers))


def _check_number(service: Service, name: str, value: int, answers: Answers) -> int:
    if name in ("quantity", "min", "max"):
        _in_range(value, *bounds(service))
        if name == "max" and value < int(answers["min"]):
            raise InvalidAnswer("error-max-below-min", min=answers["min"])
        return value
    if name == "runs":
        most = service.max // int(answers["quantity"])
        if most < 2:
            raise InvalidAnswer("error-runs-impossible")
        return _in_range(value, 2, most)
    if name == "interval":
        return _in_range(value, 1, MAX_INTERVAL)
    if name in ("answer_number", "posts"):
        return _in_range(value, 1, 1_000_000)
    return _in_range(value, 0, 1_000_000)  # old_posts


def parse_day(text: str) -> date | None:
    """A calendar day as people type it (`31.12.2026`, `31/12/2026`, `31-12-2026`, ISO
    `2026-12-31`); None for anything else, an impossible day (`31.02.2027`) included."""
    for layout in DAY_LAYOUTS:
        try:
            return datetime.strptime(text.strip(), layout).date()
        except ValueError:
            continue
    return None


def _check_expiry(text: str, today: date) -> str:
    expiry = parse_day(text)
    if expiry is None:
        raise InvalidAnswer("error-date")
    if expiry <= today:
        raise InvalidAnswer("error-date-past")
    return expiry.strftime("%d/%m/%Y")  # the panel's form (`expiry`: d/m/Y)
