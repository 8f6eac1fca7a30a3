"""`python -m bot [--role web|worker|all]` runs the shop; `audit`, `migrate-to` and
`sandbox-panel` are tools."""

from __future__ import annotations

import asyncio
import logging
import sys
from typing import NoReturn

from pydantic import ValidationError

from bot.audit_tool import run_audit
from bot.config import Settings, settings_problems
from bot.logs import setup_logging
from bot.runtime import StartupError
from bot.serving import Role, serve
from storage.db import url_password

log = logging.getLogger("bot")
USAGE = (
    "python -m bot [--role web|worker|all | audit | migrate-to postgresql://..."
    " | sandbox-panel --port N]"
)


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
    found.append(settings.redis_password)
    found.append(settings.database_password)
    if settings.webhook_secret is not None:
        found.append(settings.webhook_secret.get_secret_value())
    return [secret for secret in found if secret]


def refuse(problem: str) -> NoReturn:
    print(f"{problem} (use: {USAGE})", file=sys.stderr)
    raise SystemExit(2)


def role_of(args: list[str]) -> Role:
    """`--role web|worker|all` (also `--role=...`), or nothing: all."""
    words = args[0].split("=", 1) + args[1:] if args else []
    if not words:
        return Role.ALL
    if words[0] != "--role":
        refuse(f"unknown command: {words[0]}")
    if len(words) != 2 or words[1] not in set(Role):
        refuse(f"--role takes one of {', '.join(Role)}, not {' '.join(words[1:]) or 'nothing'}")
    return Role(words[1])


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    command = args[0] if args else None
    if command == "sandbox-panel":  # a tool for tests and demos: needs no bot token
        from bot.panel import serve as sandbox_server  # the sandbox's HTTP server only

        raise SystemExit(sandbox_server.main(args[1:]))
    if command == "migrate-to":
        if len(args) != 2:
            refuse("migrate-to takes one argument: the PostgreSQL URL to move the shop to")
        settings = load_settings()
        setup_logging(settings.log_level, [*secrets_of(settings), url_password(args[1])])
        from bot.migrate_tool import migrate_to  # asyncpg: loaded by a PostgreSQL shop only

        raise SystemExit(asyncio.run(migrate_to(settings, args[1])))
    role = None if command == "audit" else role_of(args)  # before the settings: exit 2 fast
    settings = load_settings()
    setup_logging(settings.log_level, secrets_of(settings))
    if role is None:
        raise SystemExit(asyncio.run(run_audit(settings)))
    try:
        asyncio.run(serve(settings, role))
    except StartupError as error:
        log.error("cannot start: %s", error)
        raise SystemExit(1) from None


if __name__ == "__main__":
    main()
