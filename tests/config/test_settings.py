"""Configuration: every problem in one pass, secrets checked and never echoed."""

from __future__ import annotations

import json
import stat
from collections.abc import Callable
from pathlib import Path
from subprocess import CompletedProcess

import pytest

from accord.config import ConfigError, load_settings
from accord.config.load import EXAMPLE_SECRETS

REPO = Path(__file__).resolve().parents[2]


def test_all_problems_reported_at_once_without_secret_values() -> None:
    short = "tiny-secret-value"
    with pytest.raises(ConfigError) as caught:
        load_settings(
            {
                "ACCORD_ENV": "production",
                "ACCORD_PORT": "not-a-port",
                "JWT_SECRET": short,
                "CSRF_SECRET": "dev-csrf-secret-change-me-0123456789abcdef",
            }
        )
    variables = {p.variable for p in caught.value.problems}
    assert variables == {
        "ACCORD_PORT",
        "JWT_SECRET",
        "JWT_REFRESH_SECRET",
        "CSRF_SECRET",
        "DATABASE_URL",
    }
    message = str(caught.value)
    assert short not in message
    assert "dev-csrf-secret-change-me" not in message
    assert "at least 32" in message


def test_refresh_secret_must_differ_from_access_secret(tmp_path: Path) -> None:
    same = "x" * 40
    with pytest.raises(ConfigError) as caught:
        load_settings(
            {"ACCORD_DATA_DIR": str(tmp_path), "JWT_SECRET": same, "JWT_REFRESH_SECRET": same}
        )
    assert [p.variable for p in caught.value.problems] == ["JWT_REFRESH_SECRET"]
    assert same not in str(caught.value)


def test_development_generates_secrets_once_and_keeps_them(tmp_path: Path) -> None:
    first = load_settings({"ACCORD_DATA_DIR": str(tmp_path)})
    second = load_settings({"ACCORD_DATA_DIR": str(tmp_path)})
    assert first.generated_secrets == ("JWT_SECRET", "JWT_REFRESH_SECRET", "CSRF_SECRET")
    for name in ("jwt_secret", "jwt_refresh_secret", "csrf_secret"):
        value = getattr(first.security, name).get_secret_value()
        assert len(value) >= 32
        assert value == getattr(second.security, name).get_secret_value()
    assert first.security.jwt_secret != first.security.jwt_refresh_secret
    mode = (tmp_path / "secrets.json").stat().st_mode
    assert stat.S_IMODE(mode) == 0o600
    assert first.summary()["secrets_set"] == {
        "jwt_secret": True,
        "jwt_refresh_secret": True,
        "csrf_secret": True,
    }
    summary = json.dumps(first.summary())
    for name in ("jwt_secret", "jwt_refresh_secret", "csrf_secret"):
        assert getattr(first.security, name).get_secret_value() not in summary


def test_documented_example_secrets_are_refused_in_production() -> None:
    documented = (REPO / ".env.example").read_text() + (REPO / "docker-compose.dev.yml").read_text()
    for line in documented.splitlines():
        for name in ("JWT_SECRET", "JWT_REFRESH_SECRET", "CSRF_SECRET"):
            if line.strip().startswith(f"{name}=") or line.strip().startswith(f"{name}:"):
                value = line.split("=", 1)[-1] if "=" in line else line.split(":", 1)[-1]
                assert value.strip().strip('"') in EXAMPLE_SECRETS, line


def test_password_in_database_url_never_appears_in_summary(tmp_path: Path) -> None:
    settings = load_settings(
        {
            "ACCORD_DATA_DIR": str(tmp_path),
            "DATABASE_URL": "postgresql://accord:hunter2hunter2@db:5432/accord",
            "REDIS_URL": "redis://:redispass@cache:6379/0",
        }
    )
    text = json.dumps(settings.summary())
    assert "hunter2" not in text
    assert "redispass" not in text
    assert "db:5432" in text


def test_cli_exits_2_listing_every_bad_secret(
    run_accord: Callable[..., CompletedProcess[str]],
) -> None:
    result = run_accord(
        "serve",
        env={
            "ACCORD_ENV": "production",
            "JWT_SECRET": "short-one",
            "JWT_REFRESH_SECRET": "",
            "CSRF_SECRET": "",
            "DATABASE_URL": "postgresql://postgres@127.0.0.1:5432/postgres",
        },
    )
    assert result.returncode == 2
    for name in ("JWT_SECRET", "JWT_REFRESH_SECRET", "CSRF_SECRET"):
        assert name in result.stderr
    assert "short-one" not in result.stderr + result.stdout
    assert "Traceback" not in result.stderr
