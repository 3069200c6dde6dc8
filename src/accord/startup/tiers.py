"""The tiered start-up every server process runs before it accepts work.

Tier 1 (critical): PostgreSQL reachable and the schema at head — else stop with an exit code.
Tier 2 (important): Redis — else serve from memory, degraded, and keep trying to reconnect.
Tier 3 (standard): environment hygiene — warnings only.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import psycopg
import redis
from sqlalchemy.engine import URL

from accord.config import Settings
from accord.db import migrate
from accord.db.url import endpoint_of, sqlalchemy_url
from accord.startup.breaker import CircuitBreaker
from accord.startup.checks import (
    CheckResult,
    Outcome,
    StartupFailure,
    StartupReport,
    timed,
)
from accord.startup.database import connect_with_retry, libpq_conninfo
from accord.startup.environment import environment_checks
from accord.startup.exit_codes import ExitCode


@dataclass
class StartupResult:
    report: StartupReport
    database_url: URL | None
    breaker: CircuitBreaker
    redis_ok: bool


def resolve_database_url(settings: Settings) -> URL:
    if settings.db.url is not None:
        return sqlalchemy_url(settings.db.url.get_secret_value())
    from accord.db.embedded import start_embedded_postgres

    return sqlalchemy_url(start_embedded_postgres(settings.app.data_dir))


def _database_tier(
    settings: Settings,
    report: StartupReport,
    breaker: CircuitBreaker,
    sleep: Callable[[float], None],
) -> URL | None:
    with timed() as t:
        try:
            url = resolve_database_url(settings)
        except Exception as exc:  # the embedded server can fail in many ways; all are fatal
            report.add(CheckResult(1, "database", Outcome.fail, f"embedded PostgreSQL: {exc}"))
            return None
        outcome = connect_with_retry(url, settings.db, breaker, sleep)
    where = str(endpoint_of(url))
    if outcome.ok:
        report.add(
            CheckResult(
                1,
                "database",
                Outcome.ok,
                f"PostgreSQL {outcome.server_version} at {where}",
                outcome.attempts,
                t[0],
            )
        )
        return url
    message = outcome.failure.message if outcome.failure else f"cannot reach {where}"
    report.add(CheckResult(1, "database", Outcome.fail, message, outcome.attempts, t[0]))
    return None


def _schema_tier(settings: Settings, url: URL, report: StartupReport, upgrade: bool) -> None:
    with timed() as t:
        state = migrate.schema_state(url)
        if not state.at_head and upgrade:
            migrate.upgrade(url)
            before = ",".join(state.current) or "empty"
            state = migrate.schema_state(url)
            if state.at_head:
                report.add(
                    CheckResult(
                        1,
                        "schema",
                        Outcome.ok,
                        f"upgraded automatically ({settings.app.env} mode) from {before} "
                        f"to {state.head}",
                        elapsed_ms=t[0],
                    )
                )
                return
    if state.at_head:
        report.add(CheckResult(1, "schema", Outcome.ok, f"at head {state.head}", elapsed_ms=t[0]))
        return
    current = ",".join(state.current) or "no schema"
    missing = f"; missing tables: {', '.join(state.missing_tables)}" if state.missing_tables else ""
    report.add(
        CheckResult(
            1,
            "schema",
            Outcome.fail,
            f"database schema is at {current}, code needs {state.head}{missing}. "
            "Run `accord db upgrade` with the same DATABASE_URL",
            elapsed_ms=t[0],
        )
    )


def _cache_tier(settings: Settings, report: StartupReport, sleep: Callable[[float], None]) -> bool:
    cfg = settings.cache
    if cfg.url is None:
        report.add(CheckResult(2, "cache", Outcome.ok, "in-memory cache (REDIS_URL not set)"))
        return False
    client = redis.Redis.from_url(
        cfg.url.get_secret_value(),
        socket_connect_timeout=cfg.connect_timeout_s,
        socket_timeout=cfg.connect_timeout_s,
    )
    error = ""
    with timed() as t:
        for attempt in range(1, cfg.connect_attempts + 1):
            try:
                client.ping()
                client.close()
                report.add(CheckResult(2, "cache", Outcome.ok, "redis reachable", attempt, t[0]))
                return True
            except (redis.RedisError, OSError) as exc:
                error = type(exc).__name__
                if attempt < cfg.connect_attempts:
                    sleep(0.5 * attempt)
    client.close()
    report.add(
        CheckResult(
            2,
            "cache",
            Outcome.degraded,
            f"redis unreachable ({error}); serving from the in-memory cache: rate limits and "
            "token revocations are per process until Redis returns (checked every "
            f"{cfg.reconnect_interval_s:g} s)",
            cfg.connect_attempts,
            t[0],
        )
    )
    return False


def _database_now(url: URL) -> datetime | None:
    try:
        with psycopg.connect(libpq_conninfo(url), connect_timeout=2) as conn:
            row = conn.execute("SELECT now()").fetchone()
    except psycopg.Error:
        return None
    return row[0] if row else None


def run_startup(
    settings: Settings,
    *,
    upgrade: bool | None = None,
    fail_fast: bool = True,
    sleep: Callable[[float], None] = time.sleep,
) -> StartupResult:
    """Run every tier; raise StartupFailure on a critical failure when `fail_fast`.

    `upgrade` defaults to: migrate automatically except in production.
    """
    upgrade = (not settings.is_production) if upgrade is None else upgrade
    report = StartupReport()
    breaker = CircuitBreaker(settings.db.breaker_threshold, settings.db.breaker_cooldown_s)
    url = _database_tier(settings, report, breaker, sleep)
    if url is None and fail_fast:
        raise StartupFailure(ExitCode.DATABASE_UNREACHABLE, report.results[-1].message)
    if url is not None:
        _schema_tier(settings, url, report, upgrade)
        if report.results[-1].outcome is Outcome.fail and fail_fast:
            raise StartupFailure(ExitCode.SCHEMA_NOT_MIGRATED, report.results[-1].message)
    redis_ok = _cache_tier(settings, report, sleep)
    for result in environment_checks(settings, _database_now(url) if url else None):
        report.add(result)
    return StartupResult(report=report, database_url=url, breaker=breaker, redis_ok=redis_ok)
