"""The catalog sync: the panel's service list into the local cache."""

from __future__ import annotations

import logging

from bot.panel.client import PanelClient
from storage import services
from storage.db import Database
from storage.services import SyncSummary, Upstream

log = logging.getLogger(__name__)


async def sync_catalog(db: Database, panel: PanelClient) -> SyncSummary:
    """Fetch `services` and upsert it; an empty list changes nothing (a hiccup, not a shop)."""
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
    summary = await services.sync(db, catalog)
    log.info(
        "catalog sync: %d services, %d added, %d changed, %d removed",
        summary.total, summary.added, summary.changed, summary.removed,
    )  # fmt: skip
    return summary
