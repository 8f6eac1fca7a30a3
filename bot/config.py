"""Settings read from the environment and `.env`; built only by the composition root."""

from __future__ import annotations

import json
import re
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.shop.config import TOPUP_MAX, TOPUP_MIN, TOPUP_PRESETS
from bot.shop.money import MINOR, from_minor
from storage.db import is_postgres, sqlite_path, url_password
from storage.services import MAIN as MAIN_PANEL

SANDBOX = "sandbox"
_LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
LOCALES = ("en", "tr", "ru")
_SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,256}")
_PANEL_NAME = re.compile(r"[a-z0-9-]{1,20}")
_REDIS_SCHEMES = frozenset({"redis", "rediss"})
_POSTGRES_SCHEMES = frozenset({"postgresql", "postgres"})


class PanelEntry(BaseModel):
    """One more panel, from `PANELS`: the same rules as PANEL_URL and PANEL_KEY."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    url: str
    key: SecretStr = SecretStr("")

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        return _panel_url(value)

    @model_validator(mode="after")
    def _key_needed(self) -> PanelEntry:
        if self.url != SANDBOX and not self.key.get_secret_value():
            raise ValueError("key is required unless url is sandbox")
        return self

    @property
    def sandbox(self) -> bool:
        return self.url == SANDBOX


class Settings(BaseSettings):
    """Every setting of the bot; `.env.example` documents each one."""

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", case_sensitive=False
    )

    bot_token: SecretStr
    panel_url: str = SANDBOX
    panel_key: SecretStr = SecretStr("")
    # More panels beside the main one: {"name": {"url": "...", "key": "..."}} (JSON).
    panels: Annotated[dict[str, PanelEntry], NoDecode] = Field(default_factory=dict)
    admin_ids: Annotated[frozenset[int], NoDecode] = frozenset()
    database_path: Path = Path("data/shop.sqlite3")
    # sqlite:///path or postgresql://user:password@host:port/db; None (empty): DATABASE_PATH.
    database_url: SecretStr | None = None
    # Drafts and per-customer locks in Redis (several processes); None (empty): in this process.
    redis_url: SecretStr | None = None
    shop_currency: str = Field("USD", min_length=3, max_length=3)
    panel_currency: str = Field("USD", min_length=3, max_length=3)
    fx_rate: Decimal = Field(Decimal(1), gt=0)
    markup_percent: Decimal = Field(Decimal(30), ge=-99, le=10000)
    default_locale: str = "en"
    telegram_api_url: str | None = None
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    webhook_host: str = "127.0.0.1"
    webhook_port: int = Field(8080, ge=1, le=65535)
    poll_interval_seconds: int = Field(60, ge=1, le=3600)
    catalog_sync_minutes: int = Field(60, ge=1, le=1440)
    panel_timeout_seconds: float = Field(30, gt=0, le=300)
    send_rate_per_second: float = Field(25, gt=0, le=30)
    send_chat_interval_seconds: float = Field(1.0, ge=0, le=60)
    panel_balance_alert: Decimal = Field(Decimal(0), ge=0)
    log_level: str = "INFO"
    # Top-ups, in SHOP_CURRENCY units (Decimal, at most two decimals).
    topup_presets: Annotated[tuple[Decimal, ...], NoDecode] = tuple(
        from_minor(amount) for amount in TOPUP_PRESETS
    )
    topup_min: Decimal = Field(from_minor(TOPUP_MIN), gt=0)
    topup_max: Decimal = Field(from_minor(TOPUP_MAX), gt=0)
    stars_per_unit: Decimal = Field(Decimal(0), ge=0, le=1_000_000)  # 0: no Stars
    stars_in_sandbox: bool = False
    stars_reconcile_seconds: int = Field(600, ge=1, le=86_400)
    topup_manual_info: str = Field("", max_length=1000)
    timezone: str = "UTC"  # where the shop's days begin: /stats charts and the digest
    # The daily digest to admins, at this hour of TIMEZONE; None (empty): no digest.
    digest_hour: int | None = Field(None, ge=0, le=23)
    # Percent of what a referred customer paid for an order, credited to the referrer; 0: off.
    referral_percent: Decimal = Field(Decimal(0), ge=0, le=50)

    @field_validator("bot_token")
    @classmethod
    def _token_shape(cls, value: SecretStr) -> SecretStr:
        bot_id, _, secret = value.get_secret_value().partition(":")
        if not (bot_id.isdigit() and secret):
            raise ValueError("must look like 123456:ABC... (from @BotFather)")
        return value

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [part.strip() for part in value.split(",") if part.strip()]
            if not all(part.lstrip("-").isdigit() for part in parts):
                raise ValueError("must be comma-separated numeric Telegram user ids")
            return frozenset(int(part) for part in parts)
        if isinstance(value, int):
            return frozenset({value})
        return value

    @field_validator("panel_url")
    @classmethod
    def _panel_url(cls, value: str) -> str:
        return _panel_url(value)

    @field_validator("panels", mode="before")
    @classmethod
    def _panels_json(cls, value: object) -> object:
        if isinstance(value, str):
            if not value.strip():
                return {}
            try:
                value = json.loads(value)
            except ValueError:
                raise ValueError(
                    'must be a JSON object: {"name": {"url": "https://...", "key": "..."}}'
                ) from None
        if isinstance(value, dict):
            for name in value:
                if name == MAIN_PANEL or not _PANEL_NAME.fullmatch(str(name)):
                    raise ValueError(
                        f"panel name {str(name)[:40]!r}: use 1-20 lowercase letters, digits"
                        f" or -, other than {MAIN_PANEL!r} (the panel of PANEL_URL)"
                    )
        return value

    @field_validator("telegram_api_url", "webhook_url")
    @classmethod
    def _optional_url(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        return _checked_url(value.strip()).rstrip("/")

    @field_validator("webhook_secret")
    @classmethod
    def _secret_token(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not _SECRET_TOKEN.fullmatch(value.get_secret_value()):
            raise ValueError("must be 1-256 characters of A-Z, a-z, 0-9, _ and - (Telegram's rule)")
        return value

    @field_validator("database_url", mode="before")
    @classmethod
    def _database_or_path(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: SecretStr | None) -> SecretStr | None:
        return None if value is None else SecretStr(database_url(value.get_secret_value()))

    @model_validator(mode="after")
    def _database_file(self) -> Settings:
        """DATABASE_URL wins over DATABASE_PATH: a sqlite:/// URL names the file."""
        if self.database_url is not None and not self.postgres:
            self.database_path = Path(sqlite_path(self.database_url.get_secret_value()))
        return self

    @field_validator("redis_url", mode="before")
    @classmethod
    def _redis_or_off(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("redis_url")
    @classmethod
    def _redis_url(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None:
            return None
        url = value.get_secret_value().strip()
        parts = urlsplit(url)
        try:
            port = parts.port
        except ValueError:  # not a number, or above 65535
            port = 0
        if parts.scheme not in _REDIS_SCHEMES or not parts.hostname or port == 0:
            raise ValueError("must be redis://host:port/db or rediss://host:port/db")
        if not (parts.path in ("", "/") or parts.path[1:].isdigit()):
            raise ValueError("must end with a database number, such as /0")
        return SecretStr(url)

    @field_validator("shop_currency", "panel_currency")
    @classmethod
    def _currency(cls, value: str) -> str:
        if not value.isalpha():
            raise ValueError("must be a three-letter currency code such as USD")
        return value.upper()

    @field_validator("default_locale")
    @classmethod
    def _locale(cls, value: str) -> str:
        if value not in LOCALES:
            raise ValueError(f"must be one of {', '.join(LOCALES)}")
        return value

    @field_validator("digest_hour", mode="before")
    @classmethod
    def _hour_or_off(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value.strip())
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError("must be an IANA time zone name such as Europe/Istanbul") from None
        return value.strip()

    @field_validator("log_level")
    @classmethod
    def _log_level(cls, value: str) -> str:
        level = value.upper()
        if level not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
            raise ValueError("must be DEBUG, INFO, WARNING, ERROR or CRITICAL")
        return level

    @field_validator("topup_presets", mode="before")
    @classmethod
    def _split_presets(cls, value: object) -> object:
        if isinstance(value, str):
            try:
                return tuple(Decimal(part.strip()) for part in value.split(",") if part.strip())
            except InvalidOperation:
                raise ValueError("must be comma-separated amounts, e.g. 5,10,25,50") from None
        return value

    @field_validator("topup_presets", "topup_min", "topup_max")
    @classmethod
    def _whole_cents(cls, value: Decimal | tuple[Decimal, ...]) -> Decimal | tuple[Decimal, ...]:
        for amount in value if isinstance(value, tuple) else (value,):
            if not amount.is_finite() or amount <= 0 or (amount * MINOR) % 1:
                raise ValueError("amounts must be positive, with at most two decimals")
        return value

    @model_validator(mode="after")
    def _topup_bounds(self) -> Settings:
        if self.topup_min > self.topup_max:
            raise ValueError("TOPUP_MIN must not be above TOPUP_MAX")
        if any(not self.topup_min <= amount <= self.topup_max for amount in self.topup_presets):
            raise ValueError("every TOPUP_PRESETS amount must lie between TOPUP_MIN and TOPUP_MAX")
        return self

    @model_validator(mode="after")
    def _cross_checks(self) -> Settings:
        if not self.sandbox and not self.panel_key.get_secret_value():
            raise ValueError("PANEL_KEY is required unless PANEL_URL=sandbox")
        if self.webhook_url and not self.webhook_secret:
            raise ValueError("WEBHOOK_SECRET is required when WEBHOOK_URL is set")
        return self

    @property
    def sandbox(self) -> bool:
        return self.panel_url == SANDBOX

    @property
    def postgres(self) -> bool:
        """The shop's database is PostgreSQL (DATABASE_URL), not a SQLite file."""
        return self.database_url is not None and is_postgres(self.database_url.get_secret_value())

    @property
    def database(self) -> str:
        """What `Database.open` takes: the PostgreSQL URL (secret), or the SQLite file's path."""
        if self.postgres:
            assert self.database_url is not None
            return self.database_url.get_secret_value()
        return str(self.database_path)

    @property
    def database_password(self) -> str:
        """The password inside a PostgreSQL DATABASE_URL, "" without one."""
        return (
            "" if self.database_url is None else url_password(self.database_url.get_secret_value())
        )

    @property
    def redis_password(self) -> str:
        """The password inside REDIS_URL, "" without one: the logs must never show it."""
        url = self.redis_url
        return "" if url is None else url_password(url.get_secret_value())


def database_url(value: str) -> str:
    """A `sqlite:///path` or `postgresql://user@host:port/db` URL (`postgres://` too), or
    ValueError saying what is wrong (without the URL: it may carry a password)."""
    url = value.strip()
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        if parts.netloc or len(parts.path) < 2:
            raise ValueError("must be sqlite:///path/to/file (three slashes, then the path)")
        return url
    try:
        port = parts.port
    except ValueError:  # not a number, or above 65535
        port = 0
    if parts.scheme not in _POSTGRES_SCHEMES or not parts.hostname or port == 0:
        raise ValueError("must be sqlite:///path or postgresql://user@host:port/db")
    if not parts.path[1:] or "/" in parts.path[1:]:
        raise ValueError("must end with the database name, such as /shop")
    return url


def redacted(url: str) -> str:
    """`url` without the password it may carry (for a log line or a message)."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    user = f"{parts.username}:***@" if parts.username else ":***@"
    return parts._replace(netloc=user + parts.netloc.rpartition("@")[2]).geturl()


def _panel_url(value: str) -> str:
    value = value.strip()
    if value.lower() == SANDBOX:
        return SANDBOX
    return _checked_url(value)


def _checked_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme == "https" and parts.hostname:
        return value
    if parts.scheme == "http" and parts.hostname in _LOCAL_HOSTS:
        return value
    raise ValueError("must be an https:// URL (plain http only for 127.0.0.1 or localhost)")


def settings_problems(error: ValidationError) -> list[str]:
    """One readable line per problem, naming the environment variable; never the value."""
    lines = []
    for problem in error.errors(include_input=False, include_url=False):
        setting, *where = [str(part) for part in problem["loc"]] or [""]
        name = setting.upper()
        if where:  # inside a structured setting: PANELS second.url
            name = f"{name} {'.'.join(where)}"
        message = problem["msg"].removeprefix("Value error, ")
        if problem["type"] == "missing":
            message = "is required"
        lines.append(f"{name}: {message}" if name else message)
    return lines
