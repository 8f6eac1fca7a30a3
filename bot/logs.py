"""Logging setup: one line per event on stderr, with every secret redacted before it is written."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable
from typing import TextIO
from urllib.parse import quote

REDACTED = "[redacted]"
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# A secret this short would match ordinary text; Settings never allow one for the token anyway.
MIN_SECRET_LENGTH = 4
# Loggers whose INFO lines carry request URLs, or a line per HTTP request or job run: WARNING.
NOISY = ("httpx", "httpcore", "aiohttp.access", "apscheduler")


class RedactSecrets(logging.Filter):
    """Replaces each secret (and its URL-encoded form) in a record's message, args and traceback.

    Sits on the handler, so it sees the records of every logger, aiogram's and aiohttp's
    included (they may print a request URL, which carries the bot token, on network errors).
    """

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        variants = set()
        for secret in secrets:
            if len(secret) >= MIN_SECRET_LENGTH:
                variants.update({secret, quote(secret, safe=""), quote(secret)})
        # Longest first, so a secret that contains another one is replaced whole.
        self._secrets = sorted(variants, key=len, reverse=True)

    def redact(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        if not self._secrets:
            return True
        try:
            message = record.getMessage()
        except Exception:  # a bad format string: still log what there is, redacted
            message = f"{record.msg!s} {record.args!r}"
        record.msg, record.args = self.redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True


class OneLineFormatter(logging.Formatter):
    """Folds multi-line messages and tracebacks into the event's line (`\\n` escaped)."""

    def format(self, record: logging.LogRecord) -> str:
        return super().format(record).replace("\r", "").replace("\n", "\\n")


def setup_logging(
    level: str, secrets: Iterable[str] = (), *, stream: TextIO | None = None
) -> logging.Handler:
    """Route every logger to one redacting handler on stderr (replacing earlier handlers)."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(OneLineFormatter(FORMAT))
    handler.addFilter(RedactSecrets(secrets))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    for name in NOISY:
        logging.getLogger(name).setLevel(max(logging.WARNING, root.level))
    return handler
