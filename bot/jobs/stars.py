"""Telegram's record of the bot's Stars (getStarTransactions): read for reconciliation and audit."""

from __future__ import annotations

import logging

from aiogram import Bot
from aiogram.types import StarTransaction as TelegramTransaction
from aiogram.types import TransactionPartnerUser

from bot.shop.config import ShopConfig
from bot.shop.payments import Reconciled, StarTransaction, reconcile_stars
from storage import payments
from storage.db import Database

log = logging.getLogger(__name__)

PAGE = 100  # the most getStarTransactions returns at once
INVOICE = "invoice_payment"  # a user paid an invoice (other kinds are gifts, paid media...)


async def star_transactions(bot: Bot) -> list[StarTransaction]:
    """Every transaction between the bot and a user over invoices, the whole history.

    Paged by offset; the record only grows, so a page that shifts while it is read repeats a
    transaction rather than skipping one, and reconciliation does each thing once anyway.
    """
    found: list[StarTransaction] = []
    offset = 0
    while True:
        page = (await bot.get_star_transactions(offset=offset, limit=PAGE)).transactions
        found.extend(tx for tx in map(_ours, page) if tx is not None)
        if len(page) < PAGE:
            return found
        offset += len(page)


def _ours(tx: TelegramTransaction) -> StarTransaction | None:
    """A payment by a user (`source`), or Stars sent back to one (`receiver`); else None."""
    partner = tx.source or tx.receiver
    if not isinstance(partner, TransactionPartnerUser):
        return None
    refund = tx.source is None
    if not refund and partner.transaction_type != INVOICE:
        return None
    return StarTransaction(
        charge_id=tx.id, user_id=partner.user.id, stars=tx.amount, refund=refund,
        invoice_payload=partner.invoice_payload or "",
    )  # fmt: skip


async def reconcile(bot: Bot, db: Database, shop: ShopConfig) -> Reconciled | None:
    """One pass of reconciliation; None when the shop never opened a Stars invoice."""
    if not await payments.has_stars(db):
        return None
    done = await reconcile_stars(db, shop, await star_transactions(bot))
    if done.credited or done.unmatched or done.refunded or done.restored or done.outside:
        log.warning("stars reconciliation: %s", done)
    return done
