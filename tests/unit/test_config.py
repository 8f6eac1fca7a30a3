"""Settings: readable problems naming the variable, no secret in any output."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from pydantic import ValidationError

from bot.__main__ import secrets_of
from bot.config import Settings, settings_problems
from bot.shop.config import ShopConfig

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "123456:SECRET-token-value"


def _problems(monkeypatch: pytest.MonkeyPatch, **env: str) -> list[str]:
    fields = {field.upper() for field in Settings.model_fields}
    for name in list(os.environ):
        if name.upper() in fields:
            monkeypatch.delenv(name)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    try:
        Settings(_env_file=None)  # type: ignore[call-arg]
    except ValidationError as error:
        return settings_problems(error)
    return []


def test_sandbox_needs_only_a_token(monkeypatch: pytest.MonkeyPatch) -> None:
    assert _problems(monkeypatch, BOT_TOKEN=TOKEN) == []
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.sandbox
    assert TOKEN not in repr(settings)


def test_every_problem_names_its_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    problems = _problems(
        monkeypatch,
        BOT_TOKEN="nonsense",
        PANEL_URL="http://panel.example/api/v2",
        ADMIN_IDS="12,abc",
        FX_RATE="-1",
        DEFAULT_LOCALE="de",
    )
    names = sorted(line.split(":")[0] for line in problems)
    assert names == ["ADMIN_IDS", "BOT_TOKEN", "DEFAULT_LOCALE", "FX_RATE", "PANEL_URL"]
    assert not any("nonsense" in line for line in problems)


def test_live_panel_needs_a_key_and_https(monkeypatch: pytest.MonkeyPatch) -> None:
    problems = _problems(monkeypatch, BOT_TOKEN=TOKEN, PANEL_URL="https://panel.example/api/v2")
    assert problems == ["PANEL_KEY is required unless PANEL_URL=sandbox"]
    assert (
        _problems(
            monkeypatch, BOT_TOKEN=TOKEN, PANEL_URL="http://127.0.0.1:9000/api/v2", PANEL_KEY="k"
        )
        == []
    )


def test_webhook_needs_a_secret_telegram_accepts(monkeypatch: pytest.MonkeyPatch) -> None:
    problems = _problems(
        monkeypatch, BOT_TOKEN=TOKEN, WEBHOOK_URL="https://shop.example/hook", WEBHOOK_SECRET="a b"
    )
    assert [line.split(":")[0] for line in problems] == ["WEBHOOK_SECRET"]
    assert "a b" not in problems[0]
    problems = _problems(monkeypatch, BOT_TOKEN=TOKEN, WEBHOOK_URL="https://shop.example/hook")
    assert problems == ["WEBHOOK_SECRET is required when WEBHOOK_URL is set"]


def test_admin_ids_are_parsed(monkeypatch: pytest.MonkeyPatch) -> None:
    _problems(monkeypatch, BOT_TOKEN=TOKEN, ADMIN_IDS=" 1, 22 ,333")
    assert Settings(_env_file=None).admin_ids == {1, 22, 333}  # type: ignore[call-arg]


def test_start_without_configuration_exits_2_naming_bot_token(tmp_path: Path) -> None:
    env = {key: value for key, value in os.environ.items() if key.upper() != "BOT_TOKEN"}
    env["PYTHONPATH"] = str(ROOT)
    done = subprocess.run(
        [sys.executable, "-m", "bot"], cwd=tmp_path, env=env, capture_output=True, text=True,
        timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 2
    assert "BOT_TOKEN: is required" in done.stderr
    assert "Traceback" not in done.stderr


def test_more_panels_come_from_one_json_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    panels = (
        '{"second": {"url": "https://two.example/api/v2", "key": "k2"}, "t-3": {"url": "sandbox"}}'
    )
    assert _problems(monkeypatch, BOT_TOKEN=TOKEN, PANELS=panels) == []
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert list(settings.panels) == ["second", "t-3"]
    assert settings.panels["second"].key.get_secret_value() == "k2"
    assert "k2" not in repr(settings)
    assert settings.panels["t-3"].sandbox


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("not json", "PANELS: must be a JSON object"),
        ('{"Second": {"url": "sandbox"}}', "PANELS: panel name 'Second'"),
        ('{"main": {"url": "sandbox"}}', "PANELS: panel name 'main'"),
        ('{"b": {"url": "http://b.example/api/v2", "key": "k"}}', "PANELS b.url: must be an https"),
        ('{"b": {"url": "https://b.example/api/v2"}}', "PANELS b: key is required"),
        ('{"b": {"url": "sandbox", "keys": "x"}}', "PANELS b.keys: Extra inputs"),
    ],
)
def test_a_bad_panel_entry_is_named(
    monkeypatch: pytest.MonkeyPatch, value: str, problem: str
) -> None:
    problems = _problems(monkeypatch, BOT_TOKEN=TOKEN, PANELS=value)
    assert len(problems) == 1 and problems[0].startswith(problem), problems


def test_an_unconfigured_shop_has_the_same_rules_as_a_shop_config_built_by_hand(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert _problems(monkeypatch, BOT_TOKEN=TOKEN, ADMIN_IDS="7") == []
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    shop = ShopConfig.from_settings(settings)
    by_hand = ShopConfig(
        currency="USD", panel_currency="USD", fx=Decimal(1), markup=Decimal(30),
        admin_ids=frozenset({7}), sandbox=True, instance=shop.instance,
    )  # fmt: skip
    assert replace(shop, zone=UTC) == by_hand
    assert datetime.now(shop.zone).utcoffset() == timedelta(0)
    assert shop.topup_presets == (500, 1000, 2500, 5000)  # $5, $10, $25, $50
    assert (shop.topup_min, shop.topup_max) == (100, 100_000)


def test_amounts_configured_in_the_currency_become_minor_units(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    env = {
        "BOT_TOKEN": TOKEN,
        "TOPUP_PRESETS": "2.5,20",
        "TOPUP_MIN": "0.5",
        "TIMEZONE": "Europe/Istanbul",
    }
    assert _problems(monkeypatch, **env) == []
    shop = ShopConfig.from_settings(Settings(_env_file=None))  # type: ignore[call-arg]
    assert shop.topup_presets == (250, 2000)
    assert shop.topup_min == 50
    assert str(shop.zone) == "Europe/Istanbul"


def test_redis_is_off_unless_configured_and_its_password_stays_secret(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert _problems(monkeypatch, BOT_TOKEN=TOKEN, REDIS_URL=" ") == []
    assert Settings(_env_file=None).redis_url is None  # type: ignore[call-arg]

    url = "rediss://shop:s3cret%2Fpass@cache.example:6380/2"
    assert _problems(monkeypatch, BOT_TOKEN=TOKEN, REDIS_URL=url) == []
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.redis_url is not None and settings.redis_url.get_secret_value() == url
    assert "s3cret" not in repr(settings)
    assert "s3cret/pass" in secrets_of(settings)  # the logs mask it (and its URL-encoded form)


REDIS_SHAPE = "must be redis://host:port/db or rediss://host:port/db"


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("http://cache.example:6379/0", REDIS_SHAPE),
        ("cache.example:6379", REDIS_SHAPE),
        ("redis://:s3cret@/0", REDIS_SHAPE),
        ("redis://:s3cret@cache.example:99999/0", REDIS_SHAPE),
        ("redis://:s3cret@cache.example:port/0", REDIS_SHAPE),
        ("redis://:s3cret@cache.example:6379/shop", "must end with a database number, such as /0"),
    ],
)
def test_a_bad_redis_url_is_named_without_its_password(
    monkeypatch: pytest.MonkeyPatch, value: str, problem: str
) -> None:
    problems = _problems(monkeypatch, BOT_TOKEN=TOKEN, REDIS_URL=value)
    assert problems == [f"REDIS_URL: {problem}"]


def test_the_database_is_the_sqlite_file_unless_database_url_names_another(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert _problems(monkeypatch, BOT_TOKEN=TOKEN, DATABASE_PATH="shops/a.sqlite3") == []
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert (settings.database, settings.postgres) == ("shops/a.sqlite3", False)

    monkeypatch.setenv("DATABASE_URL", "sqlite:///srv/shop/b.sqlite3")  # it wins over the path
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert (settings.database, settings.database_path) == (
        "srv/shop/b.sqlite3",  # relative, as SQLAlchemy reads three slashes
        Path("srv/shop/b.sqlite3"),
    )
    monkeypatch.setenv("DATABASE_URL", "sqlite:////srv/shop/b.sqlite3")  # four: absolute
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.database_path == Path("/srv/shop/b.sqlite3")

    url = "postgresql://shop:pg%2Fs3cret@db.example:5432/shop?sslmode=require"
    for value in (url, url.replace("postgresql:", "postgres:", 1)):
        monkeypatch.setenv("DATABASE_URL", value)
        settings = Settings(_env_file=None)  # type: ignore[call-arg]
        assert (settings.database, settings.postgres) == (value, True)
        assert "s3cret" not in repr(settings)
        assert "pg/s3cret" in secrets_of(settings)  # the logs mask it


DATABASE_SHAPE = "must be sqlite:///path or postgresql://user@host:port/db"


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("mysql://shop:s3cret@db:3306/shop", DATABASE_SHAPE),
        ("db.example:5432/shop", DATABASE_SHAPE),
        ("postgresql://shop:s3cret@/shop", DATABASE_SHAPE),
        ("postgresql://shop:s3cret@db:99999/shop", DATABASE_SHAPE),
        ("postgresql://shop:s3cret@db:pg/shop", DATABASE_SHAPE),
        ("postgresql://shop:s3cret@db:5432", "must end with the database name, such as /shop"),
        ("postgresql://shop:s3cret@db:5432/", "must end with the database name, such as /shop"),
        ("sqlite://", "must be sqlite:///path/to/file (three slashes, then the path)"),
        ("sqlite://s3cret/x", "must be sqlite:///path/to/file (three slashes, then the path)"),
    ],
)
def test_a_bad_database_url_is_named_without_its_password(
    monkeypatch: pytest.MonkeyPatch, value: str, problem: str
) -> None:
    assert _problems(monkeypatch, BOT_TOKEN=TOKEN, DATABASE_URL=value) == [
        f"DATABASE_URL: {problem}"
    ]


def test_an_unreachable_postgresql_stops_the_start_in_one_line(tmp_path: Path) -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {key: value for key, value in os.environ.items() if key.upper() != "DATABASE_PATH"}
    env.update(
        BOT_TOKEN=TOKEN, PYTHONPATH=str(ROOT),
        DATABASE_URL=f"postgresql://shop:s3cret@127.0.0.1:{port}/shop",
    )  # fmt: skip
    done = subprocess.run(
        [sys.executable, "-m", "bot"], cwd=tmp_path, env=env, capture_output=True, text=True,
        timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 1
    assert "cannot start: cannot reach PostgreSQL at DATABASE_URL" in done.stderr
    assert f"postgresql://shop:***@127.0.0.1:{port}/shop" in done.stderr
    assert "Traceback" not in done.stderr
    assert "s3cret" not in done.stderr
    assert not (tmp_path / "data").exists()  # no SQLite file made instead
