"""`/health/live`, `/health/ready` and `/metrics`."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import BaseModel
from sqlalchemy import func, select
from sqlalchemy.exc import DBAPIError

from accord.api.deps import StateDep
from accord.api.state import AppState
from accord.cache import CacheMode
from accord.db import migrate
from accord.db.models import ReconciliationJob
from accord.startup.breaker import BreakerState

router = APIRouter(tags=["health"])


class Liveness(BaseModel):
    status: Literal["ok"] = "ok"


class Readiness(BaseModel):
    status: Literal["ok", "degraded", "unavailable"]
    database: Literal["ok", "unreachable"]
    schema_at_head: bool
    cache: CacheMode
    circuit_breaker: BreakerState
    detail: list[str]


@router.get("/health/live", response_model=Liveness)
async def live() -> Liveness:
    """The process is up and its event loop answers."""
    return Liveness()


async def _schema_at_head(state: AppState) -> bool:
    try:
        async with state.database.engine.connect() as conn:
            current = await conn.run_sync(migrate.current_heads)
    except (DBAPIError, OSError):  # the database went away since the ping
        return False
    return current == (migrate.head_revision(),)


@router.get("/health/ready", response_model=Readiness, responses={503: {"model": Readiness}})
async def ready(state: StateDep, response: Response) -> Readiness:
    """Can this instance serve? 503 when the database is not usable; degraded still serves."""
    detail: list[str] = []
    db_ok = await state.database.ping()
    at_head = db_ok and await _schema_at_head(state)
    if not db_ok:
        detail.append("database unreachable")
    elif not at_head:
        detail.append("schema behind head: run `accord db upgrade`")
    if state.cache.degraded:
        detail.append("redis unreachable: cache in memory, per process")
    status: Literal["ok", "degraded", "unavailable"] = "ok"
    if not (db_ok and at_head):
        status = "unavailable"
        response.status_code = 503
    elif state.cache.degraded:
        status = "degraded"
    return Readiness(
        status=status,
        database="ok" if db_ok else "unreachable",
        schema_at_head=at_head,
        cache=state.cache.mode,
        circuit_breaker=state.database.breaker.state,
        detail=detail,
    )


async def _refresh_gauges(state: AppState) -> None:
    m = state.metrics
    for key, value in state.database.pool_status().items():
        m.db_pool.labels(key).set(value)
    m.db_breaker.set(0 if state.database.breaker.state is BreakerState.closed else 1)
    for mode in CacheMode:
        m.cache_mode.labels(mode.value).set(1 if state.cache.mode is mode else 0)
    if await state.database.ping():
        try:
            async with state.database.sessionmaker() as session:
                rows = await session.execute(
                    select(ReconciliationJob.status, func.count()).group_by(
                        ReconciliationJob.status
                    )
                )
                counts: dict[str, int] = dict(rows.all())
        except (DBAPIError, OSError):  # gone since the ping: report the rest
            return
        for status in ("queued", "running", "succeeded", "failed", "cancelled"):
            m.jobs.labels(status).set(counts.get(status, 0))


@router.get("/metrics", response_class=Response)
async def metrics(state: StateDep) -> Response:
    """Prometheus text format: requests, latency, database pool, cache mode, jobs."""
    await _refresh_gauges(state)
    return Response(generate_latest(state.metrics.registry), media_type=CONTENT_TYPE_LATEST)
