"""The panels behind the shop by name: `main` (PANEL_URL) first, then those of PANELS."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Mapping
from contextlib import AsyncExitStack, asynccontextmanager

import httpx
from pydantic import SecretStr

from bot.config import PanelEntry, Settings
from bot.panel.client import PanelClient
from bot.panel.sandbox import SandboxPanel
from storage.services import MAIN as MAIN_PANEL


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


SANDBOX_URL = "https://sandbox.invalid/api/v2"


@asynccontextmanager
async def open_panels(settings: Settings) -> AsyncIterator[Panels]:
    """A client per configured panel, closed on the way out. `sandbox` serves the built-in
    fake panel: the main catalog for PANEL_URL, the second catalog for a PANELS entry."""
    timeout = httpx.Timeout(settings.panel_timeout_seconds, connect=10.0)
    entries = {MAIN_PANEL: PanelEntry(url=settings.panel_url, key=settings.panel_key)}
    entries.update(settings.panels)
    async with AsyncExitStack() as stack:
        live = await stack.enter_async_context(httpx.AsyncClient(timeout=timeout))
        clients = {}
        for name, entry in entries.items():
            if entry.sandbox:  # PANEL_KEY is optional here: use the key the sandbox expects
                fake = SandboxPanel(catalog="main" if name == MAIN_PANEL else "second")
                http = httpx.AsyncClient(transport=fake.transport(), timeout=timeout)
                await stack.enter_async_context(http)
                clients[name] = PanelClient(http, SANDBOX_URL, SecretStr(fake.key))
            else:
                clients[name] = PanelClient(live, entry.url, entry.key)
        yield Panels(clients)
