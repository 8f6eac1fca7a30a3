"""Values longer than Fluent allows (2,500 characters) still render, escaped, in place."""

from __future__ import annotations

from bot.i18n import Markup, Translator


def test_a_long_value_full_of_ampersands_renders_whole(translator: Translator) -> None:
    link = "https://example.com/?" + "a=1&" * 700  # 2,821 characters, 4,921 once escaped
    text = translator.get("en", "summary-field", field="Link", value=link)
    assert "{???}" not in text
    assert text == f"<b>Link:</b> {link.replace('&', '&amp;')}"


def test_a_long_markup_value_is_not_escaped_again(translator: Translator) -> None:
    fields = Markup("<b>x</b>\n" * 400)  # already safe HTML, 3,600 characters
    text = translator.get("en", "summary-field", field="Fields", value=fields)
    assert text == f"<b>Fields:</b> {fields}"


def test_a_long_value_in_a_plain_text_renders_whole(translator: Translator) -> None:
    note = '"' * 3000
    assert translator.plain("en", "summary-field", field="Note", value=note).endswith(note)
