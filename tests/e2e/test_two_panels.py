"""`python -m bot` with nothing but a bot token and PANELS={"second": {"url": "sandbox"}}: the
sandbox runs as two panels, the owner sees both and links a backup, one catalog for customers."""

from __future__ import annotations

from collections.abc import Callable

from tests.e2e.conftest import Process
from tests.e2e.telegram_emulator import Person, TelegramEmulator, TgUser

OWNER = TgUser(id=900, first_name="Owner", username="owner")
CUSTOMER = TgUser(id=5001, first_name="Ann", username="ann")


async def test_the_sandbox_as_two_panels_with_only_a_token(
    emulator: TelegramEmulator, spawn_bot: Callable[[dict[str, str]], Process]
) -> None:
    spawn_bot({"PANELS": '{"second": {"url": "sandbox"}}', "ADMIN_IDS": str(OWNER.id)})
    await emulator.wait_for(lambda: "getUpdates" in emulator.methods(), "the bot to poll", 30)
    owner = Person(emulator, OWNER)
    await owner.send("/start")
    balances = (await owner.send("/panel", expect="second")).text
    assert "Panel main: $1,000.00" in balances and "Panel second: $50.00" in balances
    linked = await owner.send("/backup main:101 second:2001", expect="2001")
    assert "main:101" in linked.text and "second:2001" in linked.text
    ann = Person(emulator, CUSTOMER)
    await ann.send("/start")
    await ann.press("🛒 New order")
    categories = " | ".join(emulator.said_to(CUSTOMER.id)[-1].buttons)
    assert "TikTok Views" in categories  # only the second panel sells it
    assert "Instagram Followers" in categories  # both do: one category
    assert "second" not in categories.lower()  # customers see one shop, never a panel's name
