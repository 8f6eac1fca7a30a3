"""`python -m bot audit`: the books checked, with Telegram's record of paid Stars."""

from __future__ import annotations

from aiogram.exceptions import TelegramAPIError

from bot.config import Settings
from bot.i18n import Translator
from bot.jobs.stars import star_transactions
from bot.runtime import make_bot
from bot.shop.audit import audit
from bot.shop.payments import StarTransaction
from storage.db import Database
from storage.payments import has_stars
from storage.services import MAIN as MAIN_PANEL


async def run_audit(settings: Settings) -> int:
    """The books; with Telegram's record of the bot's Stars once the shop ever sold for Stars."""
    db = await Database.open(settings.database)
    try:
        stars: list[StarTransaction] | None = []
        if await has_stars(db):
            bot = make_bot(settings, db, Translator(settings.default_locale))
            bot.session.timeout = 20  # seconds per page: an audit must end, reachable or not
            try:
                stars = await star_transactions(bot)
            except TelegramAPIError as error:
                stars = None
                print(f"NOTE Telegram not reached ({error.message}): paid Stars not checked")
            finally:
                await bot.session.close()
        report = await audit(db, stars, panels=[MAIN_PANEL, *settings.panels])
    finally:
        await db.close()
    print(f"users checked: {report.users_checked}, orders checked: {report.orders_checked}")
    if stars:
        print(f"Stars transactions checked with Telegram: {len(stars)}")
    for problem in report.problems:
        print(f"PROBLEM {problem}")
    print("audit: OK" if report.ok else f"audit: {len(report.problems)} problem(s)")
    return 0 if report.ok else 1
