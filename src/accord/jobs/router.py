"""`/projects/{project_id}/jobs`: queue, list, get, cancel, and follow a reconciliation."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, status
from sqlalchemy import select, tuple_
from sse_starlette.sse import EventSourceResponse

from accord.api.deps import SessionDep, StateDep
from accord.api.pagination import decode_cursor, encode_cursor
from accord.audit.context import RequestContextDep
from accord.db.models import ReconciliationJob
from accord.errors import ServiceUnavailable
from accord.jobs import service
from accord.jobs.events import job_events, stream_slot_free
from accord.jobs.schemas import JobCreate, JobOut, JobPage
from accord.projects.access import ProjectAccess, ViewAccess, permission
from accord.projects.permissions import Action

router = APIRouter(prefix="/projects/{project_id}/jobs", tags=["jobs"])
RunAccess = Annotated[ProjectAccess, permission(Action.run_reconciliation)]


@router.post("", response_model=JobOut, status_code=status.HTTP_202_ACCEPTED)
async def create_job(
    access: RunAccess, db: SessionDep, context: RequestContextDep, body: JobCreate
) -> JobOut:
    """Queue a reconciliation; `accord worker` runs it. Follow it at `…/jobs/{id}/events`."""
    job = await service.create_job(db, access.principal.user, access.project.id, body, context)
    await db.refresh(job)
    return await service.job_out(db, job)


@router.get("", response_model=JobPage)
async def list_jobs(
    access: ViewAccess,
    db: SessionDep,
    status_filter: Annotated[str | None, Query(alias="status")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Annotated[str | None, Query()] = None,
) -> JobPage:
    """The project's jobs, newest first, a page at a time."""
    query = select(ReconciliationJob).where(ReconciliationJob.project_id == access.project.id)
    if status_filter:
        query = query.where(ReconciliationJob.status == status_filter)
    if cursor:
        created, last_id = decode_cursor(cursor)
        query = query.where(
            tuple_(ReconciliationJob.created_at, ReconciliationJob.id) < tuple_(created, last_id)
        )
    order = (ReconciliationJob.created_at.desc(), ReconciliationJob.id.desc())
    rows = list(await db.scalars(query.order_by(*order).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    return JobPage(
        items=[await service.job_out(db, job) for job in rows],
        next_cursor=encode_cursor(rows[-1].created_at, rows[-1].id) if more else None,
    )


@router.get("/{job_id}", response_model=JobOut)
async def get_job(access: ViewAccess, db: SessionDep, job_id: uuid.UUID) -> JobOut:
    """A job's status, phase, progress, error, summary and time per phase."""
    return await service.job_out(db, await service.get_job(db, access.project.id, job_id))


@router.post("/{job_id}/cancel", response_model=JobOut)
async def cancel_job(
    access: RunAccess, db: SessionDep, context: RequestContextDep, job_id: uuid.UUID
) -> JobOut:
    """Cancel a queued or running job; a running one stops within seconds, storing nothing."""
    job = await service.get_job(db, access.project.id, job_id)
    await service.cancel_job(db, access.principal.user, job, context)
    return await service.job_out(db, job)


@router.get("/{job_id}/events")
async def follow_job(
    access: ViewAccess, db: SessionDep, state: StateDep, job_id: uuid.UUID
) -> EventSourceResponse:
    """Server-Sent Events: `progress` whenever the job changes, then `done`."""
    await service.get_job(db, access.project.id, job_id)
    if not stream_slot_free():
        raise ServiceUnavailable(
            "Too many event streams are open on this server; poll GET …/jobs/{id} or retry "
            "shortly.",
        )
    return EventSourceResponse(job_events(state.database.url, job_id))
