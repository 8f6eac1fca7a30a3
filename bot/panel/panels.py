"""The panels behind the shop by name: `main` (PANEL_URL) first, then those of PANELS."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from bot.config import MAIN_PANEL
from bot.panel.client import PanelClient


class Panels(Mapping[str, PanelClient]):
    """Every order, refill and cancel goes to the client of the order's own panel."""

    def __init__(self, clients: Mapping[str, PanelClient]) -> None:
        if MAIN_PANEL not in clients:
            raise ValueError("the main panel is required")
        # main first: it is listed first, synced first and its categories set the catalog's order
        self._clients = {MAIN_PANEL: clients[MAIN_PANEL], **clients}

    @classmethod
    def single(cls, client: PanelClient) -> Panels:
        return cls({MAIN_PANEL: client})

    @property
    def main(self) -> PanelClient:
        return self._clients[MAIN_PANEL]

    def __getitem__(self, name: str) -> PanelClient:
        return self._clients[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._clients)

    def __len__(self) -> int:
        return len(self._clients)
