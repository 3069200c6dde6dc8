"""The service's database handle: an async engine, sessions as units of work, a circuit breaker.

Services add and flush; only the unit of work (one request, one job step) commits.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from accord.errors import ServiceUnavailable
from accord.startup.breaker import CircuitBreaker

_CONNECTION_ERRORS = (OperationalError, InterfaceError)


def _custom_plans_only(dbapi_connection: Any, _: object) -> None:
    """Plan every statement for its parameters, never generically.

    A generic plan on the results table (a partition per job), as prepared statements and the
    foreign keys' cascades reach after five runs, locks every partition and index before
    pruning: with thousands of jobs, a page or a project deletion then takes a second and
    thousands of locks, until the lock table runs out ("out of shared memory").
    """
    cursor = dbapi_connection.cursor()
    cursor.execute("SET plan_cache_mode = force_custom_plan")
    cursor.close()
    dbapi_connection.commit()


class Database:
    def __init__(
        self, url: URL, breaker: CircuitBreaker, pool_size: int = 10, timeout_s: float = 5.0
    ) -> None:
        self.url = url
        self.breaker = breaker
        self.engine: AsyncEngine = create_async_engine(
            url,
            pool_size=pool_size,
            max_overflow=pool_size,
            pool_pre_ping=True,
            pool_timeout=timeout_s,
            connect_args={"connect_timeout": max(1, round(timeout_s))},
        )
        event.listen(self.engine.sync_engine, "connect", _custom_plans_only)
        self.sessionmaker = async_sessionmaker(self.engine, expire_on_commit=False)

    def _refuse_if_open(self) -> None:
        if not self.breaker.allow():
            raise ServiceUnavailable(
                "The database is unavailable after repeated failures; retrying in "
                f"{self.breaker.retry_after_s():.0f} s.",
            )

    def _is_connection_error(self, exc: BaseException) -> bool:
        return isinstance(exc, _CONNECTION_ERRORS) or (
            isinstance(exc, DBAPIError) and exc.connection_invalidated
        )

    @asynccontextmanager
    async def unit_of_work(self) -> AsyncIterator[AsyncSession]:
        """A session committed when the block succeeds and rolled back when it raises."""
        self._refuse_if_open()
        async with self.sessionmaker() as session:
            try:
                yield session
                await session.commit()
            except BaseException as exc:
                await session.rollback()
                if self._is_connection_error(exc):
                    self.breaker.record_failure()
                    raise ServiceUnavailable(
                        "The database connection failed; nothing was saved. Try again shortly."
                    ) from exc
                raise
        self.breaker.record_success()

    async def ping(self) -> bool:
        """A cheap round trip, through the breaker; used by readiness."""
        if not self.breaker.allow():
            return False
        try:
            async with self.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
        except (OperationalError, InterfaceError, OSError):
            self.breaker.record_failure()
            return False
        self.breaker.record_success()
        return True

    def pool_status(self) -> dict[str, int]:
        pool = self.engine.pool
        return {
            "size": int(getattr(pool, "size", lambda: 0)()),
            "checked_out": int(getattr(pool, "checkedout", lambda: 0)()),
        }

    async def dispose(self) -> None:
        await self.engine.dispose()
