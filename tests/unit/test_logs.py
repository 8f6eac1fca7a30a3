"""Logs: one line per event, and never a secret (bot token, panel key, webhook secret)."""

from __future__ import annotations

import io
import logging
import sys
from collections.abc import Iterator
from typing import Any

import pytest

from bot.logs import NOISY, REDACTED, RedactSecrets, setup_logging

TOKEN = "123456:AAH-secret-token_value"
PANEL_KEY = "panel-key-9f8e7d"


@pytest.fixture
def root_logging() -> Iterator[None]:
    """setup_logging replaces the root handlers and quietens some loggers: undo it afterwards."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    quiet = {name: logging.getLogger(name).level for name in NOISY}
    yield
    for handler in list(root.handlers):
        root.removeHandler(handler)
    for handler in handlers:
        root.addHandler(handler)
    root.setLevel(level)
    for name, was in quiet.items():
        logging.getLogger(name).setLevel(was)


def redacted(record: logging.LogRecord) -> str:
    RedactSecrets([TOKEN, PANEL_KEY]).filter(record)
    return logging.Formatter("%(message)s").format(record)


def make_record(msg: str, *args: object, exc_info: Any = None) -> logging.LogRecord:
    return logging.LogRecord("aiogram.dispatcher", logging.ERROR, __file__, 1, msg, args, exc_info)


def test_the_token_is_redacted_from_the_message_and_its_args() -> None:
    url = f"https://api.telegram.org/bot{TOKEN}/getUpdates"
    assert redacted(make_record(f"Failed: {url}")) == (
        f"Failed: https://api.telegram.org/bot{REDACTED}/getUpdates"
    )
    text = redacted(make_record("Failed to fetch %s with key=%s", url, PANEL_KEY))
    assert TOKEN not in text and PANEL_KEY not in text
    assert text.count(REDACTED) == 2


def test_url_encoded_secrets_are_redacted_too() -> None:
    text = redacted(
        make_record("POST key=%s", "panel-key-9f8e7d&token=123456%3AAAH-secret-token_value")
    )
    assert "9f8e7d" not in text and "secret-token" not in text


def test_a_traceback_is_redacted() -> None:
    try:
        raise ConnectionError(f"Cannot connect to https://api.telegram.org/bot{TOKEN}/getMe")
    except ConnectionError:
        record = make_record("network error", exc_info=sys.exc_info())
    text = redacted(record)
    assert "ConnectionError" in text and TOKEN not in text


def test_short_or_empty_secrets_are_ignored() -> None:
    record = make_record("a b c %s", "x")
    RedactSecrets(["", "a"]).filter(record)
    assert record.getMessage() == "a b c x"


@pytest.mark.usefixtures("root_logging")
def test_setup_logging_writes_one_redacted_line_per_event() -> None:
    stream = io.StringIO()
    setup_logging("INFO", [TOKEN], stream=stream)
    logging.getLogger("aiohttp.client").warning("GET /bot%s/getMe\nfailed", TOKEN)
    logging.getLogger("bot").debug("not at INFO")
    try:
        raise RuntimeError(TOKEN)
    except RuntimeError:
        logging.getLogger("bot").exception("boom")
    lines = stream.getvalue().splitlines()
    assert len(lines) == 2
    assert lines[0].endswith(f"WARNING aiohttp.client: GET /bot{REDACTED}/getMe\\nfailed")
    assert "Traceback" in lines[1] and TOKEN not in stream.getvalue()
    assert logging.getLogger("httpx").getEffectiveLevel() == logging.WARNING
