"""Fluent messages per locale with an English fallback, and money/date formatting."""

from __future__ import annotations

import functools
import html
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from importlib import resources
from typing import Any

from babel.dates import format_datetime
from babel.numbers import format_currency
from fluent.runtime import FluentBundle
from fluent.runtime.types import fluent_number
from fluent.syntax import FluentParser

from bot.config import LOCALES
from bot.shop.money import from_minor

log = logging.getLogger(__name__)
FALLBACK = "en"
# A number is a count, grouped the reader's way ("1,000,000", "1.000.000", "1 000 000"), unless
# the argument names an id, which reads as a name ("#1001", never "#1,001"). Plural selectors
# see numbers either way; money arrives already formatted.
IDS = frozenset(
    {"order", "id", "user", "ticket", "payment", "service", "service_id", "upstream", "refill"}
)


class Markup(str):
    """Text that is already safe HTML (a rendered message): never escaped again."""

    __slots__ = ()


def lines(parts: Iterable[str]) -> Markup:
    """Join fragments one per line, escaping any that are not already `Markup`."""
    safe = (part if isinstance(part, Markup) else html.escape(part) for part in parts)
    return Markup("\n".join(safe))


def _bundle(locale: str) -> FluentBundle:
    bundle = FluentBundle([locale], use_isolating=False)
    folder = resources.files("locales") / locale
    # Without the source positions of every node (FluentResource keeps them): 1.6 MB less.
    parser = FluentParser(with_spans=False)
    for entry in sorted(folder.iterdir(), key=lambda entry: entry.name):
        if entry.name.endswith(".ftl"):
            bundle.add_resource(parser.parse(entry.read_text("utf-8")))
    return bundle


RENDERED = 1024  # texts kept rendered


class Translator:
    """Every locale's messages, loaded once at start-up."""

    def __init__(self, default: str = FALLBACK) -> None:
        self.default = default
        folder = resources.files("locales")
        self.bundles = {locale: _bundle(locale) for locale in LOCALES if (folder / locale).is_dir()}
        # Rendering is a pure function of (locale, message, arguments) and Fluent is slow enough
        # to show in a profile: keep recent results (a catalog page, the biggest user of texts,
        # is kept whole by handlers.screens.ScreenCache; a greeting with a name is one person's).
        self._cached = functools.lru_cache(maxsize=RENDERED)(self._format_key)

    def pick(self, *candidates: str | None) -> str:
        """The first supported locale among the candidates (`pt-br` -> `pt`), else the default."""
        for candidate in candidates:
            if candidate:
                short = candidate.lower().split("-")[0]
                if short in self.bundles:
                    return short
        return self.default

    def get(self, locale: str, message: str, /, **args: Any) -> Markup:
        """Render a message as HTML: plain `str` arguments are escaped, `Markup` ones are safe."""
        safe = {key: html.escape(value) if _plain(value) else value for key, value in args.items()}
        return Markup(self._render(locale, message, safe))

    def plain(self, locale: str, message: str, /, **args: Any) -> str:
        """Render a message for a button label or an alert, which Telegram shows as typed."""
        return self._render(locale, message, args)

    def _render(self, locale: str, message: str, args: dict[str, Any]) -> str:
        key = (locale, message, tuple(sorted(args.items(), key=lambda item: item[0])))
        try:
            return self._cached(key)
        except TypeError:  # an unhashable argument: render without the cache
            return self._format(locale, message, args)

    def _format_key(self, key: tuple[str, str, tuple[tuple[str, Any], ...]]) -> str:
        return self._format(key[0], key[1], dict(key[2]))

    def _format(self, locale: str, message: str, args: dict[str, Any]) -> str:
        args = {
            key: fluent_number(value, useGrouping=key not in IDS)
            if isinstance(value, int) and not isinstance(value, bool)
            else value
            for key, value in args.items()
        }
        # Fluent refuses a value longer than 2,500 characters (the whole message turns into
        # "{???}"): a long one goes in as a marker and is put in place afterwards.
        long = {
            _marker(key): value
            for key, value in args.items()
            if isinstance(value, str) and len(value) > _LONG_VALUE
        }
        args = {**args, **{key: _marker(key) for key in args if _marker(key) in long}}
        for name in (locale, FALLBACK):
            bundle = self.bundles.get(name)
            if bundle is not None and bundle.has_message(message):
                pattern = bundle.get_message(message).value
                if pattern is not None:
                    text, errors = bundle.format_pattern(pattern, args)
                    if errors:
                        log.error("locale %s message %s: %s", name, message, errors)
                    return _put_back(str(text), long)
        log.error("missing message %s", message)
        return html.escape(message)

    def texts(self, locale: str, currency: str) -> Texts:
        return Texts(self, locale, currency)


@dataclass(frozen=True, slots=True)
class Texts:
    """Messages bound to one reader's locale and the shop currency."""

    translator: Translator
    locale: str
    currency: str

    def __call__(self, message: str, /, **args: Any) -> Markup:
        return self.translator.get(self.locale, message, **args)

    def plain(self, message: str, /, **args: Any) -> str:
        """For button labels and alerts: Telegram shows them as typed, not as HTML."""
        return self.translator.plain(self.locale, message, **args)

    def money(self, minor: int) -> Markup:
        return Markup(format_money(minor, self.currency, self.locale))

    def time(self, timestamp: int) -> str:
        moment = datetime.fromtimestamp(timestamp, tz=UTC)
        return str(format_datetime(moment, "short", tzinfo=UTC, locale=self.locale))


_LONG_VALUE = 1000  # characters: well under fluent.runtime's limit of 2,500 per value


def _marker(key: str) -> str:
    """A stand-in that no text contains: characters of Unicode's private use area."""
    return f"\ue000{key}\ue001"


def _put_back(text: str, long: dict[str, str]) -> str:
    for marker, value in long.items():
        text = text.replace(marker, value)
    return text


def _plain(value: object) -> bool:
    return isinstance(value, str) and not isinstance(value, Markup)


@functools.lru_cache(maxsize=4096)
def format_money(minor: int, currency: str, locale: str) -> str:
    return format_amount(from_minor(minor), currency, locale)


def format_amount(amount: Decimal, currency: str, locale: str) -> str:
    """An amount as the locale writes money (a panel's 1000.00000 USD reads $1,000.00)."""
    return str(format_currency(amount, currency, locale=locale))
