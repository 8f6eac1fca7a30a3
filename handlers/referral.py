"""Invite friends: the customer's referral link and figures; /referral for the owner."""

from __future__ import annotations

from urllib.parse import urlencode

from aiogram import Bot, F, Router
from aiogram.filters import Command, CommandObject
from aiogram.types import CallbackQuery, InlineKeyboardButton, Message

from bot.i18n import Texts, lines
from bot.numbers import parse_decimal
from bot.shop import referrals as rules
from bot.shop.config import ShopConfig
from handlers.callbacks import Nav, Screen
from handlers.filters import IsAdmin
from handlers.keyboards import Rows, home_button
from handlers.screens import show
from storage import referrals
from storage.db import Database
from storage.users import User

TOP = 10  # referrers /referral lists


def create_router() -> Router:
    router = Router(name="referral")
    router.callback_query.register(invite, Nav.filter(F.screen == Screen.INVITE))
    return router


def create_admin_router() -> Router:
    router = Router(name="referral-admin")
    router.message.filter(IsAdmin())
    router.message.register(referral_setting, Command("referral"))
    return router


async def invite(
    query: CallbackQuery, bot: Bot, db: Database, shop: ShopConfig, t: Texts, user: User
) -> None:
    me = await bot.me()  # aiogram keeps the answer: one getMe per process
    link = f"https://t.me/{me.username}?start={await referrals.code_of(db, user.id)}"
    percent = await rules.percent(db, shop.referral_percent)
    found = await referrals.figures(db, user.id)
    last = [
        t("invite-earning", time=t.time(e.created_at), amount=t.money(e.amount)) for e in found.last
    ]
    text = t(
        "invite" if percent > 0 else "invite-off",
        percent=str(percent), link=link, invited=found.invited, earned=t.money(found.earned),
        last=lines(last) or t("invite-no-earnings"),
    )  # fmt: skip
    share = "https://t.me/share/url?" + urlencode({"url": link, "text": t.plain("invite-share")})
    keyboard = Rows()
    keyboard.row(InlineKeyboardButton(text=t.plain("btn-share"), url=share))
    keyboard.row(home_button(t))
    await show(query, text, keyboard.as_markup())


async def referral_setting(
    message: Message, command: CommandObject, db: Database, shop: ShopConfig, t: Texts
) -> None:
    """`/referral`: the percent in force and the top referrers; `/referral <percent>` sets it."""
    args = (command.args or "").strip()
    if args:
        low, high = rules.PERCENT_RANGE
        value = parse_decimal(args.removesuffix("%"), low=low, high=high)
        if value is None:
            await message.answer(t("admin-usage-referral", high=str(high)))
            return
        await rules.set_percent(db, value)
        await message.answer(t("admin-referral-set", percent=str(value)))
        return
    percent = await rules.percent(db, shop.referral_percent)
    rows = [_referrer_line(t, r) for r in await referrals.top(db, TOP)]
    await message.answer(
        t("admin-referral", percent=str(percent), top=lines(rows) or t("admin-referral-none"))
    )


def _referrer_line(t: Texts, referrer: referrals.Referrer) -> str:
    return t(
        "admin-referrer-line", id=referrer.user_id, name=referrer.first_name,
        invited=referrer.invited, earned=t.money(referrer.earned),
    )  # fmt: skip
