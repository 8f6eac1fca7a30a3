"""aiogram imported through `bot` builds its types on first use, and they behave the same.

Each check runs in a fresh interpreter: in this one aiogram was imported long ago.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# An update with nesting a shop sees: a reply to a message with a keyboard, entities, a photo.
UPDATE = {
    "update_id": 7,
    "message": {
        "message_id": 12,
        "date": 1_700_000_000,
        "chat": {"id": 5, "type": "private", "first_name": "Ayşe"},
        "from": {"id": 5, "is_bot": False, "first_name": "Ayşe", "language_code": "tr"},
        "text": "/start ref",
        "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
        "photo": [{"file_id": "f", "file_unique_id": "u", "width": 9, "height": 9}],
        "reply_to_message": {
            "message_id": 11,
            "date": 1_700_000_000,
            "chat": {"id": 5, "type": "private"},
            "text": "Pick one",
            "reply_markup": {"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]},
        },
    },
}


def _python(code: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def _parsed(first_import: str) -> object:
    return json.loads(
        _python(f"""
            import json
            import {first_import}
            from aiogram.methods import SendMessage
            from aiogram.types import Update
            update = Update.model_validate({UPDATE!r})
            keyboard = update.message.reply_to_message.reply_markup
            call = SendMessage(chat_id=update.message.chat.id, text="hi", reply_markup=keyboard)
            print(json.dumps([update.model_dump(mode="json"), call.model_dump(mode="json", exclude_unset=True)]))
        """)
    )


def test_importing_bot_leaves_the_telegram_types_unbuilt() -> None:
    found = _python("""
        import bot
        from aiogram import types, methods
        print(types.Message.__pydantic_complete__, methods.SendMessage.__pydantic_complete__)
    """)
    assert found.split() == ["False", "False"]


def test_lazily_built_types_parse_and_dump_as_eagerly_built_ones() -> None:
    assert _parsed("bot") == _parsed("aiogram")


def test_every_type_and_method_builds_on_first_use() -> None:
    # A type nested in a model that is built first must resolve its names too (that is how
    # `SetMyCommands` first failed: through `BotCommandScopeChat`'s `ChatIdUnion`).
    unbuilt = _python("""
        import bot
        from inspect import isabstract
        from pydantic import BaseModel, ValidationError
        from aiogram import methods, types
        from aiogram.methods.base import Response
        Response[types.Message].model_validate({"ok": True, "result": {
            "message_id": 1, "date": 0, "chat": {"id": 1, "type": "private"}}})
        failed = []
        for package in (methods, types):
            for name in package.__all__:
                model = getattr(package, name)
                if isinstance(model, type) and issubclass(model, BaseModel) and not isabstract(model):
                    try:
                        model.model_validate({})
                    except ValidationError:
                        pass  # built, and it says what is missing
                    except Exception as error:
                        failed.append(f"{name}: {error}")
        print("\\n".join(failed))
    """)
    assert unbuilt.strip() == ""
