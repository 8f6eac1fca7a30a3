"""What a customer does in the chat again and again: open a service, fill an order."""

from __future__ import annotations

from bot.panel.sandbox import SERVICES
from tests.fakes.telegram import TelegramUser

LINK = "https://instagram.com/p/abc"


async def open_service(
    person: TelegramUser, service_id: int, *, new_order: str = "New order"
) -> None:
    spec = next(spec for spec in SERVICES if spec.service == service_id)
    await person.click(new_order)
    await person.click(f"{spec.category} (")
    await person.click(f"#{service_id} ")


async def to_summary(
    person: TelegramUser, service_id: int = 101, answers: tuple[str, ...] = (LINK, "1000")
) -> None:
    """Open the service, press Order this and answer every question: the summary is shown."""
    await open_service(person, service_id)
    await person.click("Order this")
    for answer in answers:
        await person.send(answer)
