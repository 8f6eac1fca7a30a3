"""Outbox sender: messages per second against the budget, with Telegram's flood limit enforced."""

from __future__ import annotations

import json
import tempfile
import time
from collections import deque
from pathlib import Path
from typing import Any

from aiogram import Bot
from aiogram.methods import SendMessage, TelegramMethod
from aiogram.methods.base import TelegramType

from bench.report import Row
from bot.i18n import Translator
from bot.jobs.sender import Sender
from storage import outbox, users
from storage.db import Database
from tests.fakes.telegram import FakeSession, make_bot

BUDGET = 25.0  # SEND_RATE_PER_SECOND's default
FLOOD_LIMIT = 30  # messages in one second beyond which this fake Telegram answers 429
TARGET = 0.95


class FloodSession(FakeSession):
    """The tests' fake Telegram, answering 429 (retry after 1 s) past 30 messages a second."""

    def __init__(self) -> None:
        super().__init__()
        self.sent_at: deque[float] = deque()
        self.accepted: list[float] = []
        self.refused = 0

    async def make_request(
        self,
        bot: Bot,
        method: TelegramMethod[TelegramType],
        timeout: int | None = None,  # noqa: ASYNC109  (BaseSession's signature)
    ) -> TelegramType:
        if isinstance(method, SendMessage):
            now = time.monotonic()
            while self.sent_at and now - self.sent_at[0] >= 1.0:
                self.sent_at.popleft()
            if len(self.sent_at) >= FLOOD_LIMIT:
                self.refused += 1
                body = {
                    "ok": False,
                    "error_code": 429,
                    "description": "Too Many Requests: retry after 1",
                    "parameters": {"retry_after": 1},
                }
                self.check_response(bot, method, 429, json.dumps(body))  # raises RetryAfter
            self.sent_at.append(now)
            self.accepted.append(now)
        try:
            return await super().make_request(bot, method, timeout)
        finally:
            self.requests.clear()
            self.exchanges.clear()


async def measure(quick: bool) -> tuple[list[Row], dict[str, Any]]:
    count = 100 if quick else 250
    session = FloodSession()
    bot = make_bot(session)
    with tempfile.TemporaryDirectory() as folder:
        db = await Database.open(Path(folder) / "shop.sqlite3")
        try:
            for chat in range(1, count + 1):
                await users.touch(db, chat, None, "Reader", "en")
                session.register_user({"id": chat, "is_bot": False, "first_name": "Reader"})
            async with db.transaction() as conn:
                for chat in range(1, count + 1):
                    args = {"order": 1000 + chat, "service": "Instagram Followers"}
                    await outbox.put(conn, chat, "push-completed", args, key=f"bench:{chat}")
            sender = Sender(bot, db, Translator("en"), currency="USD", rate=BUDGET)
            passes = 0
            started = time.monotonic()
            while await outbox.pending_count(db):  # what the scheduler does, back to back
                await sender.send_once()
                passes += 1
            seconds = time.monotonic() - started
            left = await outbox.pending_count(db)
        finally:
            await db.close()
            await bot.session.close()
    sent = len(session.accepted)
    rate = sent / seconds
    steady = (sent - 1) / (session.accepted[-1] - session.accepted[0]) if sent > 1 else 0.0
    busiest = _busiest_second(session.accepted)
    rows = [
        Row(
            f"sender: {count} messages, distinct chats",
            rate,
            "msg/s",
            BUDGET,
            "msg/s (budget)",
            target=f">= {TARGET}",
            met=rate / BUDGET >= TARGET and left == 0,
        ),
        Row("sender: 429 answers", session.refused, "", target="= 0", met=session.refused == 0),
    ]
    details = {
        "messages": count,
        "sent": sent,
        "left_in_outbox": left,
        "passes": passes,
        "seconds": round(seconds, 3),
        "steady_rate": round(steady, 2),
        "busiest_second": busiest,
        "flood_limit": FLOOD_LIMIT,
    }
    return rows, details


def _busiest_second(stamps: list[float]) -> int:
    """The most messages accepted within any one second."""
    most, first = 0, 0
    for last, stamp in enumerate(stamps):
        while stamp - stamps[first] >= 1.0:
            first += 1
        most = max(most, last - first + 1)
    return most
