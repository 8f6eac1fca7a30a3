"""The tests import `bot` before aiogram, as the bot does (see bot/lazy_types.py)."""

import bot  # noqa: F401
