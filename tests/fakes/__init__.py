"""Fakes for tests: only transports are fake, the code under test is real."""

from tests.fakes.telegram import BOT_TOKEN, Exchange, FakeSession, TelegramUser, make_bot

__all__ = ["BOT_TOKEN", "Exchange", "FakeSession", "TelegramUser", "make_bot"]
