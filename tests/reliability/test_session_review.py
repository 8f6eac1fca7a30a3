"""Review of the session's state paths: what the owner names is the service that changes."""

from __future__ import annotations

from decimal import Decimal

from handlers import admin as admin_handlers
from storage import services
from storage.db import Database


def _upstream(upstream_id: int) -> services.Upstream:
    return services.Upstream(
        id=upstream_id, name=f"Followers {upstream_id}", type="Default", raw_type="Default",
        category="Instagram Followers", rate=Decimal("1.00"), min=10, max=10_000, refill=False,
        cancel=False, dripfeed=False,
    )  # fmt: skip


async def test_hide_service_by_number_is_mains_even_when_another_panel_holds_that_shop_number(
    db: Database,
) -> None:
    """main:1 is shop #1, second:1 takes shop #2, then main lists a new 2 (shop #3): `2` and
    `main:2` are main's 2, `second:1` is the second panel's; nothing else changes."""
    await services.sync(db, [_upstream(1)])
    await services.sync(db, [_upstream(1)], "second")
    await services.sync(db, [_upstream(1), _upstream(2)])
    theirs = await services.by_upstream(db, "second", 1)
    assert theirs is not None and theirs.id == 2  # the shop number main's new 2 could not take

    assert await admin_handlers._override(db, "service", "2", hidden=True)
    hidden = {s.ref for s in [await services.get(db, n) for n in (1, 2, 3)] if s and s.hidden}
    assert hidden == {"main:2"}

    assert await admin_handlers._override(db, "service", "second:1", markup=Decimal(10))
    marked = {s.ref for s in [await services.get(db, n) for n in (1, 2, 3)] if s and s.markup}
    assert marked == {"second:1"}
    assert not await admin_handlers._override(db, "service", "second:2", hidden=True)
