"""In sandbox mode every text the bot sends starts with a SANDBOX line."""

from __future__ import annotations

from aiogram import Bot
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.methods import EditMessageText, SendMessage, TelegramMethod
from aiogram.methods.base import Response, TelegramType


class SandboxBanner(BaseRequestMiddleware):
    def __init__(self, banner: str) -> None:
        self.banner = banner

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        if isinstance(method, SendMessage | EditMessageText) and not (method.text or "").startswith(
            self.banner
        ):
            method.text = f"{self.banner}\n\n{method.text}"
        return await make_request(bot, method)
