"""Telegram's length limits, counted as Telegram counts them: in UTF-16 code units."""

from __future__ import annotations

from collections.abc import Callable, Mapping

__all__ = [
    "CALLBACK_ALERT",
    "CALLBACK_DATA_BYTES",
    "CAPTION",
    "ELLIPSIS",
    "MESSAGE_TEXT",
    "fit",
    "shorten",
    "utf16_len",
]

MESSAGE_TEXT = 4096  # a message's text, after entity parsing
CAPTION = 1024  # a media caption, after entity parsing
CALLBACK_ALERT = 200  # the text of answerCallbackQuery (toast or alert)
CALLBACK_DATA_BYTES = 64  # a button's callback_data: UTF-8 bytes, not UTF-16 units

ELLIPSIS = "…"  # one UTF-16 unit

_BMP_END = 0xFFFF  # code points above take two UTF-16 units (a surrogate pair)


def utf16_len(text: str) -> int:
    """How many UTF-16 code units Telegram counts for `text`."""
    # surrogatepass: a lone surrogate (JSON allows "\ud800") is one unit, not an error.
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def shorten(text: str, units: int) -> str:
    """`text` unchanged if it fits in `units`, else cut to fit with a trailing ellipsis.

    The cut falls between code points, so a surrogate pair (an emoji) is never split.
    """
    if utf16_len(text) <= units:
        return text
    budget = units - utf16_len(ELLIPSIS)
    if budget < 0:
        return ""
    used = 0
    for index, char in enumerate(text):
        used += 2 if ord(char) > _BMP_END else 1
        if used > budget:
            return text[:index] + ELLIPSIS
    raise AssertionError("unreachable: the text was longer than the budget")


def fit(
    render: Callable[[dict[str, str]], str], values: Mapping[str, str], units: int = MESSAGE_TEXT
) -> str:
    """`render(values)`, the longest values shortened until the result fits in `units`.

    For a message built around text people typed: the values are shortened on screen only.
    The length is measured on what `render` returns, markup included, which Telegram counts
    shorter once parsed: the result fits with room to spare.
    """
    shown = dict(values)
    text = render(shown)
    while (excess := utf16_len(text) - units) > 0:
        name = max(shown, key=lambda key: utf16_len(shown[key]), default=None)
        longest = 0 if name is None else utf16_len(shown[name])
        if name is None or longest == 0:
            raise ValueError(f"{excess} units too long with every value empty")
        shown[name] = shorten(shown[name], max(longest - excess, 0))
        text = render(shown)
    return text
