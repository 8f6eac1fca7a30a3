"""Catalog pages: which categories a customer sees, and how many pages the pager offers."""

from __future__ import annotations

from decimal import Decimal

from storage import services
from storage.db import Database


def _upstream(service_id: int, category: str) -> services.Upstream:
    return services.Upstream(
        id=service_id,
        name=f"Service {service_id}",
        type="Default",
        raw_type="Default",
        category=category,
        rate=Decimal("1.5"),
        min=10,
        max=1000,
        refill=False,
        cancel=False,
        dripfeed=False,
    )


async def test_only_categories_with_a_service_on_sale_are_listed_and_counted(
    db: Database,
) -> None:
    # Category k holds k + 1 services; 7 categories in all.
    catalog = [_upstream(100 * k + n, f"Cat {k}") for k in range(7) for n in range(k + 1)]
    await services.sync(db, catalog)
    hidden = await services.find_category(db, "Cat 1")
    assert hidden is not None
    await services.set_category(db, hidden.id, hidden=1)
    await services.set_service(db, 200, hidden=1)  # Cat 2 keeps two of its three
    for service_id in (300, 301, 302, 303):  # Cat 3 loses all four: nothing to show
        await services.set_service(db, service_id, hidden=1)
    await services.sync(db, [s for s in catalog if s.category != "Cat 5"])  # gone upstream

    first, total = await services.categories(db, 0, 2)
    second, _ = await services.categories(db, 2, 2)
    assert total == 4
    assert [(c.name, c.services) for c in first + second] == [
        ("Cat 0", 1),
        ("Cat 2", 2),
        ("Cat 4", 5),
        ("Cat 6", 7),
    ]
    # A page past the end (a stale button) is empty but still knows the total.
    assert await services.categories(db, 10, 2) == ([], 4)


async def test_a_hidden_panel_leaves_no_service_in_a_category_count(db: Database) -> None:
    """The category's count bounds its pages: a hidden panel's services must not leave an
    empty last page."""
    await services.sync(db, [_upstream(n, "Shared") for n in range(1, 4)])
    await services.sync(db, [_upstream(n, "Shared") for n in range(1, 10)], "second")
    shared = await services.find_category(db, "Shared")
    assert shared is not None and shared.services == 12
    assert await services.set_panel(db, "second", hidden=True)
    shown = await services.category(db, shared.id)
    assert shown is not None and shown.services == 3
    page, total = await services.in_category(db, shared.id, 0, 8)
    assert total == 3 and {service.panel for service in page} == {"main"}
