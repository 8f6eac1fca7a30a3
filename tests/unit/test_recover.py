"""Start-up after a crash mid-`add`: the order becomes unknown, the customer and admins hear."""

from __future__ import annotations

from bot.shop.audit import audit
from bot.shop.checkout import recover_interrupted
from bot.shop.config import ShopConfig
from storage import orders, outbox
from storage.db import Database
from storage.orders import State
from tests.conftest import ADMIN_ID
from tests.unit.tracking_fixtures import USER, add_order, add_user


async def test_submitting_orders_become_unknown_once(db: Database, shop_config: ShopConfig) -> None:
    await add_user(db)
    await add_order(db, upstream_id=None, state=State.SUBMITTING)
    await add_order(db, upstream_id=77, state=State.ACTIVE)
    assert await recover_interrupted(db, shop_config) == [1]
    assert await recover_interrupted(db, shop_config) == []  # a second restart: nothing new
    first = await orders.get(db, 1)
    second = await orders.get(db, 2)
    assert first is not None and first.state is State.UNKNOWN
    assert second is not None and second.state is State.ACTIVE
    rows = await outbox.due(db, 10)
    assert sorted((row.chat_id, row.message) for row in rows) == [
        (USER, "order-unknown"),
        (ADMIN_ID, "admin-order-unknown"),
    ]
    assert (await audit(db)).ok  # charged, not refunded: an admin decides
