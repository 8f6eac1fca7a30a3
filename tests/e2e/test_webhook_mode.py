"""`python -m bot` in webhook mode: secret-checked POSTs, /healthz, a SIGTERM mid-update."""

from __future__ import annotations

import time
from collections.abc import Callable

import aiohttp

from tests.e2e.conftest import TOKEN, Process, free_port, terminate_mid_update
from tests.e2e.telegram_emulator import Person, TelegramEmulator, TgUser

SECRET = "e2e-webhook-secret-0123456789"
CUSTOMER = TgUser(id=6001, first_name="Bo")


async def test_webhook_mode_secret_health_and_sigterm(
    emulator: TelegramEmulator, spawn_bot: Callable[[dict[str, str]], Process]
) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}/telegram/hook"
    bot = spawn_bot({"WEBHOOK_URL": url, "WEBHOOK_SECRET": SECRET, "WEBHOOK_PORT": str(port)})
    hook = await emulator.wait_for(lambda: emulator.webhook, "setWebhook", 30)
    assert hook["url"] == url
    assert hook["secret_token"] == SECRET
    assert hook.get("drop_pending_updates", False) is False
    assert {"message", "callback_query"} <= set(hook["allowed_updates"])
    assert "getUpdates" not in emulator.methods()

    forged = {"update_id": 1, "message": {"message_id": 1, "date": int(time.time()),
              "chat": CUSTOMER.chat(), "from": CUSTOMER.as_json(), "text": "/start"}}  # fmt: skip
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=20)) as http:
        async with http.get(f"http://127.0.0.1:{port}/healthz") as health:
            assert health.status == 200, await health.text()
        async with http.post(url, json=forged) as refused:
            assert refused.status == 401
        wrong = {"X-Telegram-Bot-Api-Secret-Token": "not-" + SECRET}
        async with http.post(url, json=forged, headers=wrong) as refused:
            assert refused.status == 401

    bo = Person(emulator, CUSTOMER)
    welcome = await bo.send("/start", expect="New order")
    assert "SANDBOX" in welcome.text  # PANEL_URL=sandbox: every message says so
    await bo.press("New order", expect="Instagram Followers (")
    assert emulator.webhook_deliveries == [200, 200]
    assert emulator.refused() == []

    status, reply, _ = await terminate_mid_update(emulator, bot, CUSTOMER, press="Menu")
    stderr = bot.stderr()
    assert status == 0, stderr[-3000:]
    assert reply.answered and reply.ok  # the reply being sent at SIGTERM was not cut off
    # Answered within aiohttp's grace, or drained after it (then Telegram delivers it again).
    answered = emulator.webhook_deliveries[-1] == 200
    assert answered or "waiting for 1 update(s) in flight" in stderr
    assert "Traceback" not in stderr and " ERROR " not in stderr, stderr[-3000:]
    assert stderr.count("webhook: refused a request") == 2
    assert SECRET not in stderr and TOKEN not in stderr
    assert "bot stopped" in stderr
