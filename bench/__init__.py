"""Benchmarks that print figures measured side by side in one run (not timed tests)."""

import bot  # noqa: F401  # before aiogram, as the bot does (see bot/lazy_types.py)
