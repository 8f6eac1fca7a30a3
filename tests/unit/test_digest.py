"""The daily digest: queued once a day per admin across restarts, sent as a chart with its figures."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
from aiogram import Bot
from aiogram.methods import SendPhoto
from aiogram.types import BufferedInputFile
from PIL import Image

from bot.charts import PIXELS
from bot.i18n import Translator
from bot.jobs.digest import queue_digest
from bot.jobs.scheduler import build_scheduler
from bot.jobs.sender import Sender
from bot.panel.client import PanelClient
from bot.panel.panels import Panels
from bot.panel.sandbox import SandboxPanel
from bot.shop.config import ShopConfig
from storage import ledger, outbox
from storage.db import Database
from storage.orders import State
from tests.conftest import ADMIN_ID
from tests.fakes.telegram import FakeSession, make_bot
from tests.unit.test_charts import order_at
from tests.unit.test_config import TOKEN, _problems
from tests.unit.tracking_fixtures import USER, add_user

ISTANBUL = ZoneInfo("Europe/Istanbul")  # UTC+3 all year
ROOT = Path(__file__).resolve().parents[2]
SECOND_ADMIN = 901


def at(*when: int) -> float:
    """A moment in Istanbul, as the digest's clock gives it."""
    return datetime(*when, tzinfo=ISTANBUL).timestamp()


@pytest.fixture
def shop(shop_config: ShopConfig) -> ShopConfig:
    return replace(
        shop_config, zone=ISTANBUL, digest_hour=9, admin_ids=frozenset({ADMIN_ID, SECOND_ADMIN})
    )


@pytest.fixture
def session() -> FakeSession:
    return FakeSession()


@pytest.fixture
async def bot(session: FakeSession) -> AsyncIterator[Bot]:
    bot = make_bot(session)
    yield bot
    await bot.session.close()


async def _keys(db: Database) -> list[str]:
    return [row[0] for row in await db.fetchall("SELECT key FROM outbox ORDER BY id")]


async def _send(db: Database, bot: Bot, translator: Translator) -> None:
    sender = Sender(bot, db, translator, currency="USD", chat_interval=0)
    stats = await sender.send_once()
    assert (stats.sent, stats.failed, stats.retried) == (2, 0, 0)


def _captions(session: FakeSession, chat_id: int = ADMIN_ID) -> list[str]:
    """Captions of the photos in the chat, as the admin reads them (HTML parsed away)."""
    return [str(sent["caption"]) for sent in session.bot_messages(chat_id) if "photo" in sent]


def _chart(session: FakeSession) -> Image.Image:
    photo = session.sent(SendPhoto)[-1].photo
    assert isinstance(photo, BufferedInputFile)
    image = Image.open(io.BytesIO(photo.data))
    image.load()
    return image


async def test_queued_once_a_day_even_across_a_restart(
    tmp_path: Path, panel: PanelClient, shop: ShopConfig
) -> None:
    path = tmp_path / "shop.sqlite3"
    db = await Database.open(path)
    assert (
        await queue_digest(db, Panels.single(panel), shop, clock=lambda: at(2026, 12, 2, 9, 0)) == 2
    )
    assert (
        await queue_digest(db, Panels.single(panel), shop, clock=lambda: at(2026, 12, 2, 9, 10))
        == 0
    )
    await db.close()
    # A restart (a new process on the same file, even a second one at once): nothing again.
    again = await Database.open(path)
    restarted = replace(shop, instance="another-process")
    assert (
        await queue_digest(
            again, Panels.single(panel), restarted, clock=lambda: at(2026, 12, 2, 23, 50)
        )
        == 0
    )
    # The next day's digest, once.
    assert (
        await queue_digest(
            again, Panels.single(panel), restarted, clock=lambda: at(2026, 12, 3, 9, 0)
        )
        == 2
    )
    assert (
        await queue_digest(
            again, Panels.single(panel), restarted, clock=lambda: at(2026, 12, 3, 9, 10)
        )
        == 0
    )
    assert await _keys(again) == [
        f"digest:2026-12-01:{ADMIN_ID}",
        f"digest:2026-12-01:{SECOND_ADMIN}",
        f"digest:2026-12-02:{ADMIN_ID}",
        f"digest:2026-12-02:{SECOND_ADMIN}",
    ]
    await again.close()


async def test_nothing_before_the_hour_or_when_switched_off(
    db: Database, panel: PanelClient, shop: ShopConfig, sandbox: SandboxPanel
) -> None:
    # 08:59 in Istanbul is 05:59 UTC: the shop's clock, not the server's, decides.
    assert (
        await queue_digest(db, Panels.single(panel), shop, clock=lambda: at(2026, 12, 2, 8, 59))
        == 0
    )
    off = replace(shop, digest_hour=None)
    assert (
        await queue_digest(db, Panels.single(panel), off, clock=lambda: at(2026, 12, 2, 12, 0)) == 0
    )
    assert await _keys(db) == []
    assert sandbox.requests == []  # not even the panel was asked


async def test_the_digest_tells_yesterday_with_the_chart(
    db: Database,
    panel: PanelClient,
    shop: ShopConfig,
    bot: Bot,
    session: FakeSession,
    translator: Translator,
) -> None:
    await add_user(db)
    # Yesterday in Istanbul: from 00:00 on the 1st (21:00 UTC on the 30th) to midnight.
    first = await order_at(db, datetime(2026, 12, 1, 0, 5, tzinfo=ISTANBUL), charge=1000)
    await order_at(db, datetime(2026, 12, 1, 23, 55, tzinfo=ISTANBUL), charge=500)
    await order_at(
        db, datetime(2026, 12, 1, 12, tzinfo=ISTANBUL), charge=2000, service_name="TikTok Views",
        state=State.REVIEW,
    )  # fmt: skip
    await order_at(db, datetime(2026, 11, 30, 23, 55, tzinfo=ISTANBUL), charge=7000)  # not it
    async with db.transaction() as conn:  # a partial refund: revenue is what the customer kept
        await ledger.post(
            conn, user_id=USER, amount=400, key=f"refund:{first}", kind="refund", order_id=first
        )
    assert (
        await queue_digest(db, Panels.single(panel), shop, clock=lambda: at(2026, 12, 2, 10, 0))
        == 2
    )
    await _send(db, bot, translator)
    (caption,) = _captions(session)
    assert "Yesterday, December 1, 2026" in caption
    # Cost: 0.90 per order (90,000 panel units); the refunded 40% of the first is not cost.
    assert "Orders: 3 · revenue $31.00 · cost $2.34 · margin $28.66" in caption
    assert "Panel main balance: $1,000.00" in caption
    assert "Waiting in /review: 1" in caption
    assert caption.endswith(
        "Top services:\nTikTok Views: 1 · $20.00\nInstagram Followers: 2 · $11.00"
    )
    assert _captions(session, SECOND_ADMIN) == [caption]
    image = _chart(session)
    assert (image.format, image.size) == ("PNG", PIXELS)


async def test_an_empty_shop_and_a_silent_panel_still_get_a_digest(
    db: Database,
    panel: PanelClient,
    shop: ShopConfig,
    sandbox: SandboxPanel,
    bot: Bot,
    session: FakeSession,
    translator: Translator,
) -> None:
    sandbox.fail_next("balance", httpx.ConnectError("down"))
    assert (
        await queue_digest(db, Panels.single(panel), shop, clock=lambda: at(2026, 12, 2, 9, 0)) == 2
    )
    await _send(db, bot, translator)
    (caption,) = _captions(session)
    assert "Orders: 0 · revenue $0.00 · cost $0.00 · margin $0.00" in caption
    assert "Panel main balance: unknown, the panel did not answer" in caption
    assert "Top services:\nno orders" in caption
    assert _chart(session).size == PIXELS
    assert await outbox.pending_count(db) == 0


async def test_the_digest_speaks_each_admins_language(
    db: Database,
    panel: PanelClient,
    shop: ShopConfig,
    bot: Bot,
    session: FakeSession,
    translator: Translator,
) -> None:
    await add_user(db, SECOND_ADMIN, balance=0, locale="ru")
    await queue_digest(db, Panels.single(panel), shop, clock=lambda: at(2026, 12, 2, 9, 0))
    await _send(db, bot, translator)
    (caption,) = _captions(session, SECOND_ADMIN)
    assert caption.startswith("Вчера, 1 декабря 2026\u202fг.\nЗаказы: 0")


def test_digest_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    assert _problems(monkeypatch, BOT_TOKEN=TOKEN, DIGEST_HOUR="", TIMEZONE="Asia/Tokyo") == []
    problems = _problems(monkeypatch, BOT_TOKEN=TOKEN, DIGEST_HOUR="24", TIMEZONE="Mars/Olympus")
    assert sorted(problems) == [
        "DIGEST_HOUR: Input should be less than or equal to 23",
        "TIMEZONE: must be an IANA time zone name such as Europe/Istanbul",
    ]


def test_a_wrong_time_zone_stops_the_start_naming_it(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "BOT_TOKEN": TOKEN, "TIMEZONE": "Europe/Nowhere"}
    done = subprocess.run(
        [sys.executable, "-m", "bot"], cwd=tmp_path, env=env, capture_output=True, text=True,
        timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 2
    assert "TIMEZONE: must be an IANA time zone name" in done.stderr
    assert "Traceback" not in done.stderr


async def test_the_digest_job_runs_only_when_switched_on(
    db: Database, panel: PanelClient, shop: ShopConfig, bot: Bot, translator: Translator
) -> None:
    sender = Sender(bot, db, translator, currency="USD")
    for config, expected in ((shop, True), (replace(shop, digest_hour=None), False)):
        scheduler = build_scheduler(
            db, Panels.single(panel), config, sender, poll_interval=60, catalog_minutes=60
        )
        assert (scheduler.get_job("daily-digest") is not None) is expected
