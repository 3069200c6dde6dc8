"""Tier 1: reach PostgreSQL, with retries, and explain precisely why when it cannot be reached."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import psycopg
from sqlalchemy.engine import URL

from accord.config import DatabaseSettings
from accord.db.url import Endpoint, endpoint_of
from accord.logging import get_logger
from accord.startup.breaker import CircuitBreaker
from accord.startup.retry import backoff_delays

log = get_logger(__name__)


@dataclass(frozen=True)
class ConnectFailure:
    cause: str  # refused | unreachable | auth | no_database | timeout | other
    message: str


def libpq_conninfo(url: URL) -> str:
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def diagnose(exc: Exception, endpoint: Endpoint) -> ConnectFailure:
    """Turn a driver error into the cause and what to check; never echoes the password."""
    text = str(exc).lower()
    where = f"PostgreSQL at {endpoint}"
    if (
        "password authentication failed" in text
        or "no pg_hba.conf entry" in text
        or ("role" in text and "does not exist" in text)
    ):
        return ConnectFailure(
            "auth",
            f"{where} refused the credentials of user '{endpoint.user}': authentication failed. "
            "Check the user name and password in DATABASE_URL and the server's pg_hba.conf.",
        )
    if "database" in text and "does not exist" in text:
        return ConnectFailure(
            "no_database",
            f"{where} is up but database '{endpoint.database}' does not exist. "
            f"Create it (`createdb {endpoint.database}`) or fix the name in DATABASE_URL.",
        )
    if "timeout" in text or "timed out" in text:
        return ConnectFailure(
            "timeout",
            f"{where} did not answer in time. Check that the host is right, that a firewall "
            "does not drop the traffic, and ACCORD_DB_CONNECT_TIMEOUT_S.",
        )
    if "connection refused" in text or "no such file or directory" in text:
        return ConnectFailure(
            "refused",
            f"{where} refused the connection: nothing listens there. Check that the server "
            "runs and listens on that host and port (listen_addresses, port), and DATABASE_URL.",
        )
    if (
        "could not translate host name" in text
        or "name or service not known" in text
        or "no route to host" in text
        or "network is unreachable" in text
    ):
        return ConnectFailure(
            "unreachable",
            f"{where} is unreachable: the host name does not resolve or no route leads there. "
            "Check the host in DATABASE_URL and the network.",
        )
    first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return ConnectFailure("other", f"{where} could not be reached: {first_line}")


@dataclass(frozen=True)
class ConnectOutcome:
    ok: bool
    attempts: int
    failure: ConnectFailure | None = None
    server_version: str = ""


def connect_with_retry(
    url: URL,
    settings: DatabaseSettings,
    breaker: CircuitBreaker,
    sleep: Callable[[float], None] = time.sleep,
) -> ConnectOutcome:
    """Try to connect `connect_attempts` times with backoff; each failure feeds the breaker."""
    endpoint = endpoint_of(url)
    attempts, timeout_s = settings.connect_attempts, settings.connect_timeout_s
    delays = list(backoff_delays(attempts, settings.backoff_base_s, settings.backoff_max_s))
    failure: ConnectFailure | None = None
    for attempt in range(1, attempts + 1):
        try:
            with psycopg.connect(
                libpq_conninfo(url), connect_timeout=max(1, round(timeout_s))
            ) as c:
                version = str(c.execute("SHOW server_version").fetchone()[0])  # type: ignore[index]
            breaker.record_success()
            return ConnectOutcome(ok=True, attempts=attempt, server_version=version)
        except psycopg.Error as exc:
            breaker.record_failure()
            failure = diagnose(exc, endpoint)
            delay = delays[attempt - 1] if attempt < attempts else None
            log.warning(
                "database connection attempt failed",
                tier=1,
                check="database",
                attempt=attempt,
                of=attempts,
                cause=failure.cause,
                endpoint=str(endpoint),
                retry_in_s=round(delay, 3) if delay is not None else None,
            )
            if delay is not None:
                sleep(delay)
    return ConnectOutcome(ok=False, attempts=attempts, failure=failure)
