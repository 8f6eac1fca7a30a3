"""`python -m bot` runs the shop; `audit` and `sandbox-panel` are tools."""

from __future__ import annotations

import asyncio
import logging
import sys

from pydantic import ValidationError

from bot.audit_tool import run_audit
from bot.config import Settings, settings_problems
from bot.logs import setup_logging
from bot.panel import serve as sandbox_server
from bot.serving import StartupError, serve

log = logging.getLogger("bot")
USAGE = "python -m bot [audit | sandbox-panel --port N]"


def load_settings() -> Settings:
    """Settings from the environment, or exit 2 with one line per problem (no traceback)."""
    try:
        return Settings()
    except ValidationError as error:
        print("Configuration problems (see .env.example):", file=sys.stderr)
        for line in settings_problems(error):
            print(f"  {line}", file=sys.stderr)
        raise SystemExit(2) from None


def secrets_of(settings: Settings) -> list[str]:
    """Everything the logs must never show."""
    found = [settings.bot_token.get_secret_value(), settings.panel_key.get_secret_value()]
    found += [entry.key.get_secret_value() for entry in settings.panels.values()]
    if settings.webhook_secret is not None:
        found.append(settings.webhook_secret.get_secret_value())
    return [secret for secret in found if secret]


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    command = args[0] if args else None
    if command == "sandbox-panel":  # a tool for tests and demos: needs no bot token
        raise SystemExit(sandbox_server.main(args[1:]))
    if command not in (None, "audit"):
        print(f"unknown command: {command} (use: {USAGE})", file=sys.stderr)
        raise SystemExit(2)
    settings = load_settings()
    setup_logging(settings.log_level, secrets_of(settings))
    if command == "audit":
        raise SystemExit(asyncio.run(run_audit(settings)))
    try:
        asyncio.run(serve(settings))
    except StartupError as error:
        log.error("cannot start: %s", error)
        raise SystemExit(1) from None


if __name__ == "__main__":
    main()
