"""The router tree: one readable function, access rules on the parent routers."""

from __future__ import annotations

from aiogram import F, Router

from handlers import admin, balance, broadcast, catalog, errors, history, order, start, topup
from handlers.filters import When


def create_router(*, catch_errors: bool = True) -> Router:
    root = Router(name="root")
    root.message.filter(When(F.chat.type == "private"))
    root.include_routers(
        topup.create_payment_router(),  # payments first: no form may swallow a paid message
        admin.create_router(),  # filtered to ADMIN_IDS: for anyone else these commands don't exist
        broadcast.create_router(),
        order.create_router(),  # /cancel and the wizard's states come before browsing
        start.create_router(),
        catalog.create_router(),
        history.create_router(),
        balance.create_router(),
        topup.create_router(),
        topup.create_admin_router(),
        start.create_fallback_router(),
    )
    if catch_errors:
        root.include_router(errors.create_router())
    return root
