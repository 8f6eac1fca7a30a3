"""The router tree: one readable function, access rules on the parent routers."""

from __future__ import annotations

from aiogram import F, Router

from handlers import (
    admin,
    balance,
    broadcast,
    catalog,
    errors,
    export,
    history,
    order,
    promo,
    referral,
    start,
    stats,
    support,
    topup,
)
from handlers.buttons import ButtonSwitch
from handlers.filters import When


def create_router(*, catch_errors: bool = True) -> Router:
    """The whole tree under a router of its own."""
    return build_tree(Router(name="root"), catch_errors=catch_errors)


def build_tree(root: Router, *, catch_errors: bool = True) -> Router:
    """Every router and the root's own rules, into `root`: the Dispatcher itself in the bot
    (one router level fewer for every update to go through), a plain router in tests."""
    root.message.filter(When(F.chat.type == "private"))
    # Browsing only takes text outside any form, so the order below matters for what else a
    # message could match; the busiest routers come first, since aiogram tries each in turn.
    fallback = start.create_fallback_router()
    routers = [
        topup.create_payment_router(),  # payments first: no form may swallow a paid message
        start.create_router(),  # /start, /help, /language: in any state
        support.create_admin_router(),  # ADMIN_IDS: a reply to a ticket is an answer, not a search
        catalog.create_router(),  # free text searches only outside a form
        order.create_router(),
        admin.create_router(),  # filtered to ADMIN_IDS: for anyone else these commands don't exist
        stats.create_router(),  # ADMIN_IDS too
        export.create_router(),  # the same, and a module of its own
        broadcast.create_router(),
        history.create_router(),
        balance.create_router(),
        support.create_router(),
        promo.create_admin_router(),  # `/promo add|list|off` before a customer's `/promo CODE`
        promo.create_router(),
        referral.create_router(),
        referral.create_admin_router(),  # ADMIN_IDS: /referral
        topup.create_router(),
        topup.create_admin_router(),
    ]
    # A button press skips the routers that have no handler for its kind (see handlers/buttons).
    root.callback_query.register(ButtonSwitch(routers, fallback).press)
    root.include_routers(*routers, fallback)
    if catch_errors:
        root.include_router(errors.create_router())
    return root
