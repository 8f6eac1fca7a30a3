"""`python -m bot` polling over real HTTP: a purchase, its push, a refill, a SIGTERM mid-update."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from storage import ledger, orders, users
from storage.db import Database
from storage.liveness import problem
from storage.orders import State
from tests.e2e.conftest import PANEL_KEY, TOKEN, Process, terminate_mid_update
from tests.e2e.telegram_emulator import Person, Said, TelegramEmulator, TgUser

CUSTOMER = TgUser(id=5001, first_name="Ann", username="ann")
ADMIN_ID = 900
LINK = "https://instagram.com/p/e2e"
CREDIT = 10_000  # $100.00
CHARGE = 117  # service 101: 0.90 per 1000, 1000 of them, 30% markup


async def credit(path: Path, user: TgUser, amount: int) -> None:
    """Top the customer up from outside the running bot (WAL lets both write the file)."""
    db = await Database.open(path)
    try:
        await users.touch(db, user.id, user.username, user.first_name, user.language_code)
        async with db.transaction() as conn:
            await ledger.post(
                conn, user_id=user.id, amount=amount, key=f"e2e-topup:{user.id}", kind="topup"
            )
    finally:
        await db.close()


def push(emulator: TelegramEmulator, chat_id: int, after: int, *words: str) -> Said | None:
    """A message the bot sent on its own (not an edit) mentioning every word."""
    for said in emulator.said_to(chat_id, after=after):
        text = said.text.lower()
        if said.method == "sendMessage" and all(word.lower() in text for word in words):
            return said
    return None


async def test_purchase_status_push_refill_and_sigterm(
    emulator: TelegramEmulator,
    spawn_bot: Callable[[dict[str, str]], Process],
    sandbox_panel_url: str,
    tmp_path: Path,
) -> None:
    emulator.known(TgUser(id=ADMIN_ID, first_name="Owner"))  # the admin's alerts may arrive
    bot = spawn_bot(
        {"PANEL_URL": sandbox_panel_url, "PANEL_KEY": PANEL_KEY, "ADMIN_IDS": str(ADMIN_ID)}
    )
    await emulator.wait_for(lambda: "getUpdates" in emulator.methods(), "the bot to poll", 30)
    methods = emulator.methods()
    assert methods[0] == "getMe"
    assert methods.index("deleteWebhook") < methods.index("getUpdates")
    assert emulator.commands, "the command menus are published at start"
    ann = Person(emulator, CUSTOMER)

    await ann.send("/start", expect="New order")
    await credit(tmp_path / "shop.sqlite3", CUSTOMER, CREDIT)
    await ann.press("New order", expect="Instagram Followers (")
    await ann.press("Instagram Followers (", expect="#101 ")
    await ann.press("#101 ", expect="Order this")
    await ann.press("Order this", expect="link")
    await ann.send(LINK, expect="How many")
    summary = await ann.send("1000", expect="Please check your order")
    assert "$1.17" in summary.text
    await ann.press("Confirm", expect="Order #1 is placed")
    database = tmp_path / "shop.sqlite3"
    await emulator.wait_for(lambda: problem(database, None) is None, "the health check to pass")

    placed = emulator.said_seq
    await emulator.wait_for(
        lambda: push(emulator, CUSTOMER.id, placed, "#1", "complete"), "the 'completed' push"
    )

    await ann.send("/start", expect="My orders")
    await ann.press("My orders", expect="#1 ")
    card = await ann.press("#1 ", expect="Refill")
    assert card.get("show_alert") is not True
    assert "Completed" in ann.screen()
    answer = await ann.press("Refill")
    assert "Refill requested" in str(answer.get("text")), answer
    requested = emulator.said_seq
    await emulator.wait_for(
        lambda: push(emulator, CUSTOMER.id, requested, "refill of", "#1", "complete"),
        "the 'refill done' push",
    )
    assert emulator.refused() == [], [(c.method, c.params, c.error) for c in emulator.refused()]

    status, reply, update = await terminate_mid_update(emulator, bot, CUSTOMER)
    stderr = bot.stderr()
    assert status == 0, stderr[-3000:]
    assert reply.answered and reply.ok  # the reply being sent at SIGTERM was not cut off
    assert "waiting for 1 update(s) in flight" in stderr
    assert "Traceback" not in stderr and " ERROR " not in stderr, stderr[-3000:]
    assert TOKEN not in stderr and PANEL_KEY not in stderr
    assert "bot stopped" in stderr
    # Every update handled was confirmed at shutdown: a restart replays none of them.
    assert emulator.confirmed_offset == update["update_id"] + 1
    # The lease is given back at shutdown: the container's health check sees no bot serving.
    assert "lease" in (problem(database, None) or "")

    db = await Database.open(tmp_path / "shop.sqlite3")
    try:
        order = await orders.get(db, 1)
        assert order is not None and order.state is State.COMPLETED
        [refill] = await orders.refills_of(db, 1)
        assert (refill.status, refill.final) == ("completed", True)
        user = await users.get(db, CUSTOMER.id)
        assert user is not None and user.balance == CREDIT - CHARGE
    finally:
        await db.close()
