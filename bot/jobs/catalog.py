"""The catalog sync: each panel's service list into the local cache."""

from __future__ import annotations

import logging

from bot.panel.client import PanelClient
from bot.panel.errors import PanelError
from bot.panel.panels import Panels
from storage import services
from storage.db import Database
from storage.services import SyncSummary, Upstream

log = logging.getLogger(__name__)


async def sync_all(db: Database, panels: Panels) -> dict[str, SyncSummary | PanelError]:
    """Every panel's list, one after the other; a panel that fails keeps its cached services
    and does not stop the others. Raises only when every panel failed."""
    done: dict[str, SyncSummary | PanelError] = {}
    for name, panel in panels.items():
        try:
            done[name] = await sync_catalog(db, panel, name)
        except PanelError as error:
            log.warning("catalog sync of panel %s failed (%s); its cached services stay", name,
                        error)  # fmt: skip
            done[name] = error
    failures = [found for found in done.values() if isinstance(found, PanelError)]
    if len(failures) == len(done):
        raise failures[0]
    return done


async def sync_catalog(db: Database, panel: PanelClient, name: str = services.MAIN) -> SyncSummary:
    """Fetch one panel's `services` and upsert it; an empty list changes nothing (a hiccup,
    not a shop)."""
    listed = await panel.services()
    if not listed:
        log.warning("catalog sync: the panel listed no services; the cached catalog is kept")
        return SyncSummary(added=0, changed=0, removed=0, total=0)
    catalog = [
        Upstream(
            id=item.id,
            name=item.name,
            type=None if item.type is None else item.type.value,
            raw_type=item.raw_type,
            category=item.category,
            rate=item.rate,
            min=item.min,
            max=item.max,
            refill=item.refill,
            cancel=item.cancel,
            dripfeed=item.dripfeed,
        )
        for item in listed
    ]
    summary = await services.sync(db, catalog, name)
    log.info(
        "catalog sync of panel %s: %d services, %d added, %d changed, %d removed",
        name, summary.total, summary.added, summary.changed, summary.removed,
    )  # fmt: skip
    return summary
