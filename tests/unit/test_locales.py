"""Every locale has every message of English, parses cleanly and renders with sample arguments;
no user-facing text is written as a literal in the code."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from fluent.syntax import FluentParser
from fluent.syntax import ast as ftl
from fluent.syntax.visitor import Visitor

from bot.config import LOCALES
from bot.i18n import Translator
from bot.labels import STATE_SHORT

ROOT = Path(__file__).resolve().parents[2]
SELECTS = {"enough", "sellable", "cancel_requested", "banned", "blocked"}


def _messages(locale: str) -> dict[str, ftl.Message]:
    found: dict[str, ftl.Message] = {}
    for path in sorted((ROOT / "locales" / locale).glob("*.ftl")):
        resource = FluentParser().parse(path.read_text("utf-8"))
        junk = [entry for entry in resource.body if isinstance(entry, ftl.Junk)]
        assert not junk, f"{path}: cannot parse {(junk[0].content or '')[:80]!r}"
        found.update({e.id.name: e for e in resource.body if isinstance(e, ftl.Message)})
    return found


class _Variables(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()

    def visit_VariableReference(self, node: ftl.VariableReference) -> None:
        self.names.add(node.id.name)


def _variables(message: ftl.Message) -> set[str]:
    visitor = _Variables()
    visitor.visit(message)
    return visitor.names


ENGLISH = _messages("en")


@pytest.mark.parametrize("locale", LOCALES)
def test_every_locale_has_every_message_with_the_same_variables(locale: str) -> None:
    messages = _messages(locale)
    assert sorted(set(ENGLISH) - set(messages)) == []
    assert sorted(set(messages) - set(ENGLISH)) == []
    for name, message in messages.items():
        assert _variables(message) == _variables(ENGLISH[name]), name


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("count", [0, 1, 2, 5, 21, 1001])
def test_every_message_renders(locale: str, count: int, caplog: pytest.LogCaptureFixture) -> None:
    translator = Translator("en")
    for name, message in ENGLISH.items():
        args: dict[str, object] = {}
        for variable in _variables(message):
            args[variable] = ("true" if count % 2 else "false") if variable in SELECTS else count
        text = translator.get(locale, name, **args)
        assert text.strip(), name
        assert "{" not in text, f"{locale} {name}: {text}"
    assert not [r for r in caplog.records if r.levelname == "ERROR"]


TEXT_CALLS = {"answer", "send_message", "edit_text", "edit_message_text", "reply", "button",
              "InlineKeyboardButton", "BotCommand", "copy_message"}  # fmt: skip
TEXT_KEYWORDS = {"text", "caption", "description"}
ALLOWED = {"‹", "›", ""}


def _literal_texts(tree: ast.AST) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if name not in TEXT_CALLS:
            continue
        candidates = [kw.value for kw in node.keywords if kw.arg in TEXT_KEYWORDS]
        if name in {"answer", "send_message", "reply", "edit_text"} and node.args:
            candidates.append(node.args[-1] if name == "send_message" else node.args[0])
        for value in candidates:
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                if value.value not in ALLOWED:
                    found.append((node.lineno, value.value))
            elif isinstance(value, ast.JoinedStr) and any(
                isinstance(part, ast.Constant) and any(c.isalpha() for c in str(part.value))
                for part in value.values
            ):
                found.append((node.lineno, ast.unparse(value)))
    return found


def test_no_user_facing_literal_in_handlers_or_bot() -> None:
    offenders = []
    for folder in ("handlers", "bot"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            for line, text in _literal_texts(ast.parse(path.read_text("utf-8"))):
                offenders.append(f"{path.relative_to(ROOT)}:{line}: {text!r}")
    assert offenders == []


def test_the_literal_check_catches_a_literal() -> None:
    sample = "async def f(m):\n    await m.answer('Hello there')\n    await m.answer(f'Hi {m}')\n"
    assert [text for _, text in _literal_texts(ast.parse(sample))] == ["Hello there", "f'Hi {m}'"]


@pytest.mark.parametrize(
    ("locale", "grouped"), [("en", "1,000,000"), ("tr", "1.000.000"), ("ru", "1\u00a0000\u00a0000")]
)
def test_counts_are_grouped_the_readers_way_and_ids_never(locale: str, grouped: str) -> None:
    translator = Translator("en")
    card = translator.get(
        locale, "service-card", id=123456, name="S", category="C", price="$1", min=10,
        max=1_000_000, badges="", sellable="true",
    )  # fmt: skip
    assert grouped in card and "#123456" in card
    ticket = translator.get(
        locale, "support-to-admin", ticket=12345, who="A", user=123456789, language="en",
        balance="$1", context="", text="hi",
    )  # fmt: skip
    assert "#12345" in ticket and "<code>123456789</code>" in ticket


@pytest.mark.parametrize("locale", LOCALES)
def test_every_state_has_a_label_short_enough_for_a_button(locale: str) -> None:
    translator = Translator("en")
    for message in STATE_SHORT.values():
        assert len(translator.plain(locale, message)) <= 16, (locale, message)


VERBS = {
    "en": ("send", "pick", "tap"),
    "tr": ("gönderin", "seçin"),
    "ru": ("отправьте", "выберите"),
}


@pytest.mark.parametrize("locale", LOCALES)
def test_every_prompt_says_what_to_send(locale: str) -> None:
    translator = Translator("en")
    for name, message in ENGLISH.items():
        if name.startswith("ask-"):
            args = dict.fromkeys(_variables(message), 5)
            text = translator.plain(locale, name, **args).lower()
            assert any(verb in text for verb in VERBS[locale]), (locale, name)


@pytest.mark.parametrize(
    ("locale", "wrong"),
    [("en", "canceled"), ("en", "movements"), ("ru", "докрут"), ("ru", "символов:"),
     ("tr", "yeniden doldur"), ("tr", "bizim tarafımızda"), ("tr", "kaçıncı")],
)  # fmt: skip
def test_the_words_a_native_reader_stumbles_on_are_gone(locale: str, wrong: str) -> None:
    translator = Translator("en")
    for name, message in _messages(locale).items():
        args = dict.fromkeys(_variables(message), 5)
        assert wrong not in translator.plain(locale, name, **args).lower(), (locale, name)
