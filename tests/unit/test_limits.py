"""Lengths as Telegram counts them (UTF-16 units) and shortening that never splits an emoji."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.limits import ELLIPSIS, MESSAGE_TEXT, fit, shorten, utf16_len

EMOJI = "😀"  # U+1F600: one code point, two UTF-16 units


def test_an_emoji_counts_two_units_and_a_bmp_letter_one() -> None:
    assert utf16_len(EMOJI) == 2
    assert utf16_len("ж") == 1
    assert utf16_len(EMOJI * MESSAGE_TEXT) == 2 * MESSAGE_TEXT


def test_a_lone_surrogate_counts_one_unit_instead_of_raising() -> None:
    assert utf16_len("a\ud800b") == 3


def test_a_text_that_fits_is_unchanged() -> None:
    assert shorten("hello", 5) == "hello"
    assert shorten(EMOJI * 3, 6) == EMOJI * 3


def test_a_long_text_is_cut_with_an_ellipsis_inside_the_limit() -> None:
    assert shorten("hello world", 6) == "hello" + ELLIPSIS


def test_the_cut_never_splits_a_surrogate_pair() -> None:
    # 5 units: 4 for the text, one emoji would need units 4 and 5: it is dropped whole.
    assert shorten("abc" + EMOJI * 3, 5) == "abc" + ELLIPSIS
    assert shorten(EMOJI * 3, 4) == EMOJI + ELLIPSIS


def test_a_limit_too_small_for_the_ellipsis_gives_nothing() -> None:
    assert shorten("abc", 0) == ""
    assert shorten("abc", 1) == ELLIPSIS


@given(st.text(), st.integers(min_value=0, max_value=50))
def test_the_result_always_fits_and_is_a_prefix(text: str, units: int) -> None:
    result = shorten(text, units)
    assert utf16_len(result) <= units
    kept = result.removesuffix(ELLIPSIS) if result != text else result
    assert text.startswith(kept)
    # Valid UTF-16 in, valid UTF-16 out: no half of a pair was left behind.
    result.encode("utf-16-le")


def _card(values: dict[str, str]) -> str:
    return f"<b>Order</b>\nLink: {values['link']}\nNote: {values['note']}"


def test_fit_leaves_a_text_that_fits_alone() -> None:
    assert fit(_card, {"link": "a", "note": "b"}, 100) == _card({"link": "a", "note": "b"})


def test_fit_shortens_the_longest_value_until_the_text_fits() -> None:
    values = {"link": EMOJI * 3000, "note": "short"}
    text = fit(_card, values, MESSAGE_TEXT)
    assert utf16_len(text) <= MESSAGE_TEXT
    assert "Note: short" in text  # the short value is left whole
    assert ELLIPSIS in text
    assert values["link"] == EMOJI * 3000  # the caller's values are not touched


def test_fit_shortens_several_values_when_one_is_not_enough() -> None:
    text = fit(_card, {"link": "x" * 60, "note": "y" * 60}, 60)
    assert utf16_len(text) <= 60
    assert "Link: " in text and "Note: " in text


def test_fit_refuses_a_template_longer_than_the_limit() -> None:
    with pytest.raises(ValueError, match="too long"):
        fit(_card, {"link": "x", "note": "y"}, 10)
