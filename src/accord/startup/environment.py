"""Tier 3, standard: environment hygiene. Warnings only: never retried, never fatal."""

from __future__ import annotations

import shutil
import uuid
from datetime import UTC, datetime

from accord.config import Settings
from accord.startup.checks import CheckResult, Outcome

MIN_FREE_BYTES = 1 << 30


def check_data_dir(settings: Settings) -> CheckResult:
    path = settings.app.data_dir
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe = path / f".write-probe-{uuid.uuid4().hex}"
        probe.write_bytes(b"ok")
        probe.unlink()
    except OSError as exc:
        return CheckResult(
            3, "data_dir", Outcome.warn, f"{path} is not writable ({exc.strerror}): uploads fail"
        )
    free = shutil.disk_usage(path).free
    if free < MIN_FREE_BYTES:
        return CheckResult(
            3, "data_dir", Outcome.warn, f"{path} has only {free >> 20} MiB free; keep 1 GiB+"
        )
    return CheckResult(3, "data_dir", Outcome.ok, f"{path} writable, {free >> 30} GiB free")


def check_production_hygiene(settings: Settings) -> CheckResult:
    if not settings.is_production:
        return CheckResult(3, "production_hygiene", Outcome.ok, f"{settings.app.env} mode")
    issues = []
    if "*" in settings.app.cors_origins:
        issues.append("ACCORD_CORS_ORIGINS allows any origin (*)")
    if settings.app.debug:
        issues.append("ACCORD_DEBUG is on")
    if settings.log.level == "DEBUG":
        issues.append("ACCORD_LOG_LEVEL is DEBUG")
    if issues:
        return CheckResult(3, "production_hygiene", Outcome.warn, "; ".join(issues))
    return CheckResult(3, "production_hygiene", Outcome.ok, "no debug settings in production")


def check_clock(database_now: datetime | None) -> CheckResult:
    """Token expiry needs a sane clock: compare ours with the database server's."""
    local = datetime.now(UTC)
    if local.year < 2024:
        return CheckResult(3, "clock", Outcome.warn, f"system clock reads {local:%Y-%m-%d}")
    if database_now is None:
        return CheckResult(3, "clock", Outcome.ok, f"system clock {local:%Y-%m-%dT%H:%M:%SZ}")
    skew = abs((local - database_now).total_seconds())
    if skew > 5:
        return CheckResult(
            3, "clock", Outcome.warn, f"clock differs from the database server's by {skew:.0f} s"
        )
    return CheckResult(3, "clock", Outcome.ok, f"within {skew:.1f} s of the database server")


def check_secrets_origin(settings: Settings) -> CheckResult:
    if settings.generated_secrets:
        return CheckResult(
            3,
            "secrets",
            Outcome.ok,
            f"{', '.join(settings.generated_secrets)} generated for development and kept in "
            f"{settings.app.data_dir / 'secrets.json'}",
        )
    return CheckResult(3, "secrets", Outcome.ok, "all secrets set from the environment")


def environment_checks(settings: Settings, database_now: datetime | None) -> list[CheckResult]:
    return [
        check_data_dir(settings),
        check_production_hygiene(settings),
        check_clock(database_now),
        check_secrets_origin(settings),
    ]
