"""Keyboard pieces shared by the screens: the main menu, page arrows, Back and Home."""

from __future__ import annotations

from functools import lru_cache

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton

from bot.i18n import Texts
from bot.transport import Keyboard
from handlers.callbacks import Nav, Screen

PAGE_SIZE = 8


class Rows:
    """Rows of buttons: InlineKeyboardBuilder's `row()` and `as_markup()` without its deep copy
    of every button, which showed in the profile of catalog browsing."""

    def __init__(self) -> None:
        self.rows: list[list[InlineKeyboardButton]] = []

    def row(self, *buttons: InlineKeyboardButton) -> None:
        if buttons:
            self.rows.append(list(buttons))

    def as_markup(self) -> Keyboard:
        return Keyboard(inline_keyboard=self.rows)


def button(text: str, data: CallbackData) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=data.pack())


# The same for every chat in one language: built once, and serialised once (a Keyboard).
@lru_cache(maxsize=32)
def main_menu(t: Texts) -> Keyboard:
    builder = Rows()
    builder.row(button(t("btn-new-order"), Nav(screen=Screen.CATALOG)))
    builder.row(
        button(t("btn-my-orders"), Nav(screen=Screen.ORDERS)),
        button(t("btn-balance"), Nav(screen=Screen.BALANCE)),
    )
    builder.row(
        button(t("btn-language"), Nav(screen=Screen.LANGUAGE)),
        button(t("btn-help"), Nav(screen=Screen.HELP)),
    )
    builder.row(
        button(t("btn-invite"), Nav(screen=Screen.INVITE)),
        button(t("btn-support"), Nav(screen=Screen.SUPPORT)),
    )
    return builder.as_markup()


@lru_cache(maxsize=32)
def home_button(t: Texts) -> InlineKeyboardButton:
    return button(t("btn-home"), Nav(screen=Screen.HOME))


def pager(
    t: Texts, page: int, total: int, make: type[CallbackData], **fixed: object
) -> list[InlineKeyboardButton]:
    """‹ n/m › for a list of `total` items shown PAGE_SIZE at a time (empty for one page)."""
    pages = max(1, -(-total // PAGE_SIZE))
    if pages == 1:
        return []
    row = []
    if page > 0:
        row.append(button("‹", make(page=page - 1, **fixed)))
    row.append(button(t("page", page=page + 1, pages=pages), make(page=page, **fixed)))
    if page < pages - 1:
        row.append(button("›", make(page=page + 1, **fixed)))
    return row


def clamp_page(page: int, total: int) -> int:
    pages = max(1, -(-total // PAGE_SIZE))
    return min(max(page, 0), pages - 1)
