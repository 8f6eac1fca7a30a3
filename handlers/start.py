"""/start, /help, the main menu, the language picker and text typed outside any flow."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command, CommandObject, CommandStart, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.config import LOCALES
from bot.drafts import clear
from bot.i18n import Texts, Translator
from bot.shop import referrals
from handlers.callbacks import Language, Nav, Screen
from handlers.filters import When
from handlers.keyboards import home_button, main_menu
from handlers.screens import show
from storage import users
from storage.db import Database
from storage.users import User

# Each language's name, as the picker shows it (keys: `LOCALES`).
LANGUAGE_TEXT = {"en": "language-en", "tr": "language-tr", "ru": "language-ru"}


def create_router() -> Router:
    router = Router(name="start")
    router.message.register(start, CommandStart())
    router.message.register(help_, Command("help"))
    router.message.register(language_menu, Command("language"))
    router.callback_query.register(home, Nav.filter(F.screen == Screen.HOME))
    router.callback_query.register(help_, Nav.filter(F.screen == Screen.HELP))
    router.callback_query.register(language_menu, Nav.filter(F.screen == Screen.LANGUAGE))
    router.callback_query.register(set_language, Language.filter())
    return router


async def start(
    message: Message,
    command: CommandObject,
    state: FSMContext,
    db: Database,
    t: Texts,
    user: User,
    newcomer: bool,
) -> None:
    await clear(state)
    if command.args:  # a friend's invite link: `/start <code>`
        await referrals.attribute(db, user.id, command.args, newcomer=newcomer)
    await show(message, t("welcome", name=user.first_name), main_menu(t))


async def home(query: CallbackQuery, state: FSMContext, t: Texts) -> None:
    await clear(state)
    await show(query, t("menu"), main_menu(t))


async def help_(event: Message | CallbackQuery, t: Texts) -> None:
    builder = InlineKeyboardBuilder()
    builder.row(home_button(t))
    await show(event, t("help"), builder.as_markup())


async def language_menu(event: Message | CallbackQuery, t: Texts) -> None:
    builder = InlineKeyboardBuilder()
    for locale in LOCALES:
        builder.button(text=t(LANGUAGE_TEXT[locale]), callback_data=Language(locale=locale))
    builder.adjust(len(LOCALES))
    builder.row(home_button(t))
    await show(event, t("language-choose"), builder.as_markup())


async def set_language(
    query: CallbackQuery,
    callback_data: Language,
    db: Database,
    translator: Translator,
    t: Texts,
    user: User,
) -> None:
    locale = translator.pick(callback_data.locale)
    await users.set_locale(db, user.id, locale)
    fresh = translator.texts(locale, t.currency)
    await show(query, fresh("language-set"), main_menu(fresh))


def create_fallback_router() -> Router:
    """Last in line: text outside any flow is a search; anything else gets a hint."""
    router = Router(name="fallback")
    router.message.register(unknown_command, When(F.text.startswith("/")))
    router.message.register(hint, StateFilter(None), When(~F.text))
    router.callback_query.register(stale_button)
    return router


async def unknown_command(message: Message, t: Texts) -> None:
    await message.answer(t("unknown-command"), reply_markup=main_menu(t))


async def hint(message: Message, t: Texts) -> None:
    await message.answer(t("hint"), reply_markup=main_menu(t))


async def stale_button(query: CallbackQuery, t: Texts) -> None:
    await query.answer(t.plain("not-available"), show_alert=True)
